"""A projector's records and their running totals, moved together exactly once per event, a batch of events at a time.

A KV bucket cannot write two keys at once, so the totals are written first, naming the stream sequence of the last
event they count (`Figures.through`) and every record the batch leaves (`Figures.unstored`), and the records second.
A batch delivered again (a record's write or the acks lost to a restart) finds `through` at or past its sequences and
only makes sure those records are stored: the totals never move twice, nor not at all. This needs the events in stream
order, one batch in hand at a time across every replica: the projector's consumer is `in_order` (contracts/topology.py)
and is read by `runtime/in_order.py`. One write of the totals per batch instead of per event is what lets a projector
keep up with a bulk import: several events of one record are folded in memory, and its record is read and written once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic

from nats.js.errors import KeyWrongLastSequenceError

from contracts.envelope import utcnow
from contracts.figures import Figures, Tally, Unstored
from runtime.messaging import FiguresStore, Record, Records

ChangeOf = Callable[["Record | None"], "Record | None"]


def no_marks(_: object) -> None:
    return None


@dataclass(frozen=True)
class Change(Generic[Record]):
    """What one event does to its record: `change` maps the record as it is (None: none yet) to what it becomes (None or
    the same: nothing to write). It is a pure function: one that raises can never apply, whatever is retried."""

    sequence: int | None  # in its stream; None: not from a stream
    key: str
    change: Callable[[Record | None], Record | None]
    marks: Callable[[Record], dict[str, datetime] | None] = field(default=no_marks)


class Projection(Generic[Record]):
    """The totals are kept in memory between batches (one round trip fewer each): a replacement over a revision someone
    else wrote meanwhile (another replica, the first start's count) is refused, and the batch is applied again over
    what is stored."""

    def __init__(self, records: Records[Record], figures: FiguresStore, tally: Callable[[Record | None], Tally]) -> None:
        self.records, self.figures, self.tally = records, figures, tally
        self._known: tuple[Figures | None, int] | None = None
        self._stored = True  # the records the totals in memory name were stored

    async def apply(self, sequence: int | None, key: str, change: ChangeOf,
                    marks: Callable[[Record], dict[str, datetime] | None] = no_marks) -> None:
        """Apply the event at stream `sequence` (None: not from a stream) to its record and the totals: a batch of one.
        What its change raised is raised."""
        (failure,) = await self.apply_batch([Change(sequence, key, change, marks)])
        if failure is not None:
            raise failure

    async def apply_batch(self, changes: Sequence[Change[Record]]) -> list[Exception | None]:
        """Apply the events (in stream order) with one write of the totals; for each, what its change raised, or None
        (applied, or counted already). A change that raises leaves its record as the others of the batch find it."""
        try:
            return await self._apply(changes)
        except KeyWrongLastSequenceError:
            self._known = None
            return await self._apply(changes)

    async def _current_figures(self) -> tuple[Figures | None, int]:
        if self._known is not None and self._stored:
            return self._known
        figures, revision = self._known or await self.figures.fetch()
        if figures is not None:
            await self._store_unstored(figures.unstored)
        self._stored = True
        return figures, revision

    async def _apply(self, changes: Sequence[Change[Record]]) -> list[Exception | None]:
        figures, revision = await self._current_figures()
        through = figures.through if figures is not None else 0
        fresh = [(i, c) for i, c in enumerate(changes) if c.sequence is None or c.sequence > through]
        failures: list[Exception | None] = [None] * len(changes)
        if not fresh:
            return failures
        keys = list(dict.fromkeys(c.key for _, c in fresh))
        fetched = dict(zip(keys, await asyncio.gather(*(self.records.fetch(key) for key in keys)), strict=True))
        current = {key: record for key, (record, _) in fetched.items()}
        moved, changed = figures or Figures(), dict[str, int]()
        for i, c in fresh:
            before = current[c.key]
            try:
                after = c.change(before)
            except Exception as exc:  # noqa: BLE001 - a pure change that raises never applies: the caller's to report
                failures[i] = exc
                continue
            if after is None or after == before:
                continue
            moved = moved.moved(self.tally(before), self.tally(after), utcnow(), c.marks(after))
            current[c.key], changed[c.key] = after, c.sequence or 0
        if not changed:
            return failures
        values = {key: current[key].model_dump_json() for key in changed}  # type: ignore[union-attr]
        if figures is not None or not revision:  # unreadable totals stay set aside: the next start counts them again
            last = max((c.sequence for _, c in fresh if c.sequence is not None), default=through)
            moved = moved.model_copy(update={
                "through": max(through, last),
                "unstored": tuple(Unstored(sequence=sequence, key=key, value=values[key]) for key, sequence in changed.items()),
            })
            self._known = None
            self._known, self._stored = (moved, await self.figures.replace(moved, revision)), False
        await asyncio.gather(*(self.records.store(key, values[key].encode(), fetched[key][1]) for key in changed))
        self._stored = True
        return failures

    async def _store_unstored(self, unstored: Sequence[Unstored]) -> None:
        async def store(record: Unstored) -> None:
            if await self.records.raw(record.key) != record.value.encode():
                await self.records.kv.put(record.key, record.value.encode())

        await asyncio.gather(*(store(record) for record in unstored))
