"""A projector's records and their running totals, moved together exactly once per event.

A KV bucket cannot write two keys at once, so the totals are written first, naming the stream sequence of the event
they count (`Figures.through`) and the record they expect (`Figures.unstored`), and the record second. An event
delivered again (its record's write or its ack lost to a restart) finds `through` at its own sequence and only makes
sure that record is stored: the totals never move twice, nor not at all. This needs the events one at a time and in
stream order, across every replica: the projector's consumer is `in_order` (contracts/topology.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic

from nats.js.errors import KeyWrongLastSequenceError

from contracts.envelope import utcnow
from contracts.figures import Figures, Tally, Unstored
from runtime.messaging import FiguresStore, Record, Records

Change = Callable[["Record | None"], "Record | None"]


class Projection(Generic[Record]):
    """The totals are kept in memory between events (one round trip fewer each): a replacement over a revision someone
    else wrote meanwhile (another replica, the first start's count) is refused, and the event is applied again over
    what is stored."""

    def __init__(self, records: Records[Record], figures: FiguresStore, tally: Callable[[Record | None], Tally]) -> None:
        self.records, self.figures, self.tally = records, figures, tally
        self._known: tuple[Figures | None, int] | None = None

    async def apply(self, sequence: int | None, key: str, change: Change,
                    marks: Callable[[Record], dict[str, datetime] | None] = lambda _: None) -> tuple[Record | None, Record | None]:
        """Apply the event at stream `sequence` (None: not from a stream) to its record and the totals; (before, after)."""
        try:
            return await self._apply(sequence, key, change, marks)
        except KeyWrongLastSequenceError:
            self._known = None
            return await self._apply(sequence, key, change, marks)

    async def _apply(self, sequence: int | None, key: str, change: Change,
                     marks: Callable[[Record], dict[str, datetime] | None]) -> tuple[Record | None, Record | None]:
        figures, revision = self._known or await self.figures.fetch()
        if sequence is not None and figures is not None and sequence <= figures.through:
            await self._store_unstored(figures.unstored, sequence)
            current = await self.records.get(key)
            return current, current
        before, record_revision = await self.records.fetch(key)
        after = change(before)
        if after is None or after == before:
            return before, before
        value = after.model_dump_json()
        if figures is not None or not revision:  # unreadable totals stay set aside: the next start counts them again
            moved = (figures or Figures()).moved(self.tally(before), self.tally(after), utcnow(), marks(after))
            if sequence is not None:
                moved = moved.model_copy(update={"through": sequence, "unstored": Unstored(sequence=sequence, key=key, value=value)})
            self._known = None
            self._known = (moved, await self.figures.replace(moved, revision))
        await self.records.store(key, value.encode(), record_revision)
        return before, after

    async def _store_unstored(self, unstored: Unstored | None, sequence: int) -> None:
        if unstored is not None and unstored.sequence == sequence and await self.records.raw(unstored.key) != unstored.value.encode():
            await self.records.kv.put(unstored.key, unstored.value.encode())
