"""Which replica reads an in-order consumer: one at a time, so that two never hold batches that wait for each other.

The reader's name (host and process) is a key of a KV bucket, written again every `renew_s`. Another replica takes
the key over once it has seen it unchanged for `stale_s` (its reader is gone without a word), at once when it names a
process of this host that no longer runs (a restart), and at once when it is deleted (a reader that stopped). Nothing
compares clocks across machines. Only liveness rests on it: the order of events does not (runtime/in_order.py checks
that no other batch is in hand before applying one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time

from nats.js.errors import KeyDeletedError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

log = logging.getLogger(__name__)


async def ended(task: asyncio.Task[None]) -> None:
    """Cancel a background task (a renewal, a reading loop, a heartbeat) and wait until it is over."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def gone(holder: str) -> bool:
    """A reader of this host whose process is no longer running, or this process's own name (a restart in a container
    reuses the process id)."""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class ReaderLease:
    def __init__(self, kv: KeyValue, key: str, renew_s: float = 2.0, stale_s: float = 15.0, me: str | None = None) -> None:
        self.kv, self.key, self.renew_s, self.stale_s = kv, key, renew_s, stale_s
        self.me = (me or this_process()).encode()
        self._revision = 0
        self._renewing: asyncio.Task[None] | None = None

    @property
    def held(self) -> bool:
        return self._renewing is not None and not self._renewing.done()

    async def hold(self) -> None:
        """Returns once this process is the reader (then kept, until `release` or a failed renewal)."""
        seen: tuple[int, float] | None = None
        while not await self._take(seen):
            entry = await self._entry()
            if entry is not None and (seen is None or seen[0] != entry[0]):
                if seen is None:
                    log.info("%s is read by %s; waiting for it to stop", self.key, entry[1])
                seen = (entry[0], time.monotonic())
            await asyncio.sleep(self.renew_s)
        self._renewing = asyncio.create_task(self._renew(), name=f"lease {self.key}")

    async def release(self) -> None:
        if self._renewing is not None:
            await ended(self._renewing)
            self._renewing = None
            with contextlib.suppress(Exception):
                await self.kv.delete(self.key, last=self._revision)

    async def _entry(self) -> tuple[int, str] | None:
        try:
            entry = await self.kv.get(self.key)
        except (KeyNotFoundError, KeyDeletedError):
            return None
        return entry.revision or 0, (entry.value or b"").decode()

    async def _take(self, seen: tuple[int, float] | None) -> bool:
        entry = await self._entry()
        try:
            if entry is None:
                self._revision = await self.kv.create(self.key, self.me)
                return True
            revision, holder = entry
            stale = seen is not None and seen[0] == revision and time.monotonic() - seen[1] > self.stale_s
            if holder.encode() == self.me or gone(holder) or stale:
                self._revision = await self.kv.update(self.key, self.me, last=revision)
                return True
        except KeyWrongLastSequenceError:
            return False
        return False

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(self.renew_s)
            try:
                self._revision = await self.kv.update(self.key, self.me, last=self._revision)
            except KeyWrongLastSequenceError:
                log.warning("%s: another replica took over reading", self.key)
                return
            except Exception as exc:  # noqa: BLE001 - a lost connection: still the reader until another takes over
                log.debug("%s: renewal failed: %r", self.key, exc)
