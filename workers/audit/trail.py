"""The audit stream: appended to with compare-and-set on its last sequence, so two appenders never fork the chain."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import datetime

from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError

from contracts import topology
from contracts.audit import GENESIS, AuditEntry, audit_subject

log = logging.getLogger(__name__)

WRONG_LAST_SEQUENCE = 10071  # JetStream's error code when Nats-Expected-Last-Sequence no longer holds
STREAM = topology.AUDIT.name


class AuditTrail:
    """Entries of the MIRAGE_AUDIT stream: one message per entry, its stream sequence its position in the chain."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self._lock = asyncio.Lock()  # appenders of one process take turns; other processes are held off by the server

    async def append(self, entry: AuditEntry) -> AuditEntry | None:
        """Chain `entry` after the last one and store it; None when its source event is already recorded."""
        async with self._lock:
            if await self.records(entry.query_id, entry.source_event_id):
                return None
            while True:
                last_sequence, previous = await self.last()
                chained = entry.chained(previous.hash if previous else GENESIS)
                headers = {"Nats-Msg-Id": f"audit:{entry.source_event_id}", "Nats-Expected-Last-Sequence": str(last_sequence)}
                try:
                    ack = await self.js.publish(audit_subject(entry.query_id), chained.model_dump_json().encode(), headers=headers,
                                                stream=STREAM)
                except APIError as exc:
                    if exc.err_code == WRONG_LAST_SEQUENCE:
                        log.debug("another appender wrote after #%d; chaining again", last_sequence)
                        continue
                    raise
                return None if ack.duplicate else chained

    async def last(self) -> tuple[int, AuditEntry | None]:
        """The last sequence and its entry (0 and None for an empty trail)."""
        info = await self.js.stream_info(STREAM)
        if info.state.last_seq == 0 or info.state.messages == 0:
            return info.state.last_seq, None
        return info.state.last_seq, await self.get(info.state.last_seq)

    async def get(self, sequence: int) -> AuditEntry:
        msg = await self.js.get_msg(STREAM, sequence)
        return AuditEntry.model_validate_json(msg.data or b"")

    async def records(self, query_id: str, source_event_id: str) -> bool:
        """Whether a question's entries already record this event (a redelivery beyond the duplicate window)."""
        sequence = 0
        while True:
            try:
                msg = await self.js.get_msg(STREAM, seq=sequence + 1, subject=audit_subject(query_id), next=True)
            except NotFoundError:
                return False
            if AuditEntry.model_validate_json(msg.data or b"").source_event_id == source_event_id:
                return True
            sequence = msg.seq or sequence + 1

    async def bounds(self) -> tuple[int, int]:
        """First and last sequence (last 0: empty)."""
        info = await self.js.stream_info(STREAM)
        return info.state.first_seq, info.state.last_seq

    async def first_since(self, since: datetime) -> int:
        """The first sequence stored at or after `since` (past the end when none was)."""
        low, high = await self.bounds()
        high += 1
        while low < high:  # stream times only grow with the sequence
            middle = (low + high) // 2
            msg = await self.js.get_msg(STREAM, middle)
            if msg.time is not None and msg.time < since:
                low = middle + 1
            else:
                high = middle
        return low

    async def read(self, first: int, last: int) -> AsyncIterator[tuple[int, bytes]]:
        """Each stored entry's sequence and raw JSON, from `first` to `last`."""
        for sequence in range(max(first, 1), last + 1):  # an empty stream reports first 0, and there is no message 0
            msg = await self.js.get_msg(STREAM, sequence)
            yield sequence, msg.data or b""
