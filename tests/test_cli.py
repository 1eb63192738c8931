"""The `mirage` command as a user runs it: `mirage up`, `mirage ingest`, `mirage search`, Ctrl-C, restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from mirage.cli import app
from runtime.nats_server import free_port
from tests.factories import SAMPLES, make_docx, make_pdf, make_txt

MIRAGE = [sys.executable, "-m", "mirage.cli"]


def every_command(group: Any, path: tuple[str, ...] = ()) -> list[list[str]]:
    """Every command and sub-command of the `mirage` command (a group is anything with sub-commands)."""
    found = [list(path)]
    for name, command in group.commands.items():
        found += every_command(command, (*path, name)) if hasattr(command, "commands") else [[*path, name]]
    return found


COMMANDS = every_command(typer.main.get_command(app))


def test_the_command_list_is_walked() -> None:
    assert {"up", "backup", "restore"} <= {c[0] for c in COMMANDS if c} and ["audit", "verify"] in COMMANDS and ["eval", "answers"] in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "mirage")
def test_every_command_has_help(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_unknown_worker_is_refused() -> None:
    result = CliRunner().invoke(app, ["worker", "summarise"], env={"NATS_URL": "nats://127.0.0.1:1"})
    assert result.exit_code != 0 and "unknown worker" in result.output


def start_up(port: int, data_dir: Path, log: Path, dashboard_port: int = 0) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "QDRANT_URL", "REDIS_URL")}
    process = subprocess.Popen([*MIRAGE, "up", "--port", str(port), "--data-dir", str(data_dir), "--dashboard-port", str(dashboard_port)], env=env,
                               stdout=log.open("ab"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    process.kill()
    raise AssertionError("mirage up did not become healthy:\n" + log.read_text())


def stop(process: subprocess.Popen) -> int:
    process.send_signal(signal.SIGINT)
    return process.wait(timeout=30)


@pytest.mark.timeout(240)
def test_up_ingest_search_stop_and_restart(tmp_path: Path) -> None:
    folder = tmp_path / "leaflets"
    (folder / "sub").mkdir(parents=True)
    (folder / "en.pdf").write_bytes(make_pdf(**SAMPLES["en"]))
    (folder / "sub" / "fr.docx").write_bytes(make_docx(**SAMPLES["fr"]))
    (folder / "de.txt").write_bytes(make_txt(**SAMPLES["de"]))
    (folder / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # skipped: not a document kind
    (folder / "empty.txt").write_bytes(b"")
    port, data_dir, log, dashboard_port = free_port(), tmp_path / "data", tmp_path / "up.log", free_port()
    url, dashboard = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{dashboard_port}"

    process = start_up(port, data_dir, log, dashboard_port)
    try:
        assert httpx.get(f"{dashboard}/dashboard/data", timeout=10).json()["status"] == "ok"  # on its own port, beside the API
        ingest = subprocess.run([*MIRAGE, "ingest", str(folder), "--url", url, "--metadata", '{"type":"leaflet"}'],
                                capture_output=True, text=True, timeout=120)
        assert ingest.returncode == 1, ingest.stdout + ingest.stderr  # one file failed: the empty one
        assert "3 indexed" in ingest.stdout and "1 failed" in ingest.stdout and "empty" in ingest.stdout
        found = subprocess.run([*MIRAGE, "search", "Nebenwirkungen", "--language", "de", "--url", url, "--json"],
                               capture_output=True, text=True, timeout=60)
        assert found.returncode == 0 and '"language": "de"' in found.stdout
        answer = subprocess.run([*MIRAGE, "ask", "Quels sont les effets secondaires ?", "--url", url],
                                capture_output=True, text=True, timeout=60)
        assert answer.returncode == 0 and "[1]" in answer.stdout, answer.stdout + answer.stderr
        parked = subprocess.run([*MIRAGE, "ask", "Puis-je prendre ce médicament pendant la grossesse ?", "--url", url, "--json"],
                                capture_output=True, text=True, timeout=60)
        assert '"status": "pending_review"' in parked.stdout, parked.stdout
    finally:
        assert stop(process) == 0, log.read_text()
    with pytest.raises(httpx.ConnectError):  # Ctrl-C stopped the dashboard's server too
        httpx.get(f"{dashboard}/dashboard", timeout=5)

    process = start_up(port, data_dir, log)
    try:
        stats = httpx.get(f"{url}/documents/stats").json()
        assert stats["documents"] == 3 and stats["types"] == {"leaflet": 3}
        assert httpx.get(f"{url}/documents/search", params={"query": "paracetamol"}).json()["results"]
    finally:
        assert stop(process) == 0
    processes = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(data_dir) not in processes, "the private nats-server outlived `mirage up`"
