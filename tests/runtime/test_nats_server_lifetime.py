"""The private nats-server dies with the process that started it, and never shares its store with a second one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from runtime.nats_server import EmbeddedNats, StoreInUse

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = """
import sys, time
from runtime.nats_server import EmbeddedNats
server = EmbeddedNats(sys.argv[1]).start()
print(server.process.pid, flush=True)
time.sleep(120)
"""


def alive(pid: int) -> bool:
    """True while any thread of the process runs (a Go server's main thread may be a zombie before the others end)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return False
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                if stat.read().rsplit(") ", 1)[1][0] != "Z":
                    return True
        except (FileNotFoundError, ProcessLookupError):
            continue
    return False


def launch(store: Path) -> tuple[subprocess.Popen[str], int]:
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(store)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    line = launcher.stdout.readline() if launcher.stdout else ""
    assert line.strip().isdigit(), "the launcher did not start nats-server"
    return launcher, int(line)


def wait_gone(pid: int, timeout_s: float = 15) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux-only")
def test_sigkill_of_the_launcher_alone_takes_its_nats_server_with_it(tmp_path: Path) -> None:
    launcher, server_pid = launch(tmp_path / "nats")
    try:
        with pytest.raises(StoreInUse, match=rf"mirage pid {launcher.pid}, nats-server pid {server_pid}"):
            EmbeddedNats(tmp_path / "nats").start()
        os.kill(launcher.pid, signal.SIGKILL)  # the launcher alone, not its process group
        launcher.wait(timeout=10)
        assert wait_gone(server_pid), "nats-server outlived the process that started it"
        with EmbeddedNats(tmp_path / "nats") as again:  # the store is free once both are gone
            assert again.process is not None and again.process.poll() is None
    finally:
        for pid in (launcher.pid, server_pid):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_a_second_server_refuses_a_held_store_at_once_and_starts_once_it_is_free(tmp_path: Path) -> None:
    with EmbeddedNats(tmp_path / "nats") as first:
        started = time.monotonic()
        with pytest.raises(StoreInUse) as refused:
            EmbeddedNats(tmp_path / "nats").start()
        assert time.monotonic() - started < 2
        assert f"mirage pid {os.getpid()}, nats-server pid {first.process.pid}" in str(refused.value)
        assert "--data-dir" in str(refused.value)
    with EmbeddedNats(tmp_path / "nats") as second:
        assert second.process is not None and second.process.poll() is None


def test_a_second_mirage_up_on_the_same_data_directory_refuses_naming_the_running_one(tmp_path: Path) -> None:
    from mirage.embedded import serve
    from runtime.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", nats_url=None)
    with EmbeddedNats(settings.nats_dir) as running:
        with pytest.raises(SystemExit) as refused:
            serve(settings, [])
        assert f"mirage pid {os.getpid()}, nats-server pid {running.process.pid}" in str(refused.value.code)
