"""Verify the audit trail (live, or an export kept elsewhere) and export it with its chain head."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from nats.js import JetStreamContext
from pydantic import ValidationError

from contracts.audit import GENESIS, AuditEntry, entry_hash
from contracts.envelope import utcnow
from workers.audit.trail import AuditTrail

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Broken:
    sequence: int
    query_id: str | None
    action: str | None
    why: str

    def __str__(self) -> str:
        about = f" (question {self.query_id}, {self.action})" if self.query_id else ""
        return f"entry #{self.sequence}{about}: {self.why}"


@dataclass
class Verification:
    """What a check of the chain found: how many entries, the last hash, the first broken entry (None: intact)."""

    count: int = 0
    head: str = GENESIS
    first_sequence: int | None = None
    broken: Broken | None = None
    kept_head_at: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return self.broken is None and not self.problems


def why_broken(entry: AuditEntry) -> str:
    if entry.hash != entry_hash(entry):
        return "its hash does not match its content (altered)"
    return "its previous hash is not the hash of the entry before it (an entry removed, inserted or moved)"


class ChainCheck:
    """Fed (sequence, entry or why it could not be read) one at a time; stops at the first break. `previous_hash` None
    trusts the first entry's link (an export that starts mid-chain); `kept_head` must appear in the chain."""

    def __init__(self, previous_hash: str | None, kept_head: str | None = None) -> None:
        self.result, self.expected, self.kept_head = Verification(), previous_hash, kept_head

    def feed(self, sequence: int, entry: AuditEntry | str) -> bool:
        """True while the chain holds."""
        result = self.result
        if result.first_sequence is None:
            result.first_sequence = sequence
        if isinstance(entry, str):
            result.broken = Broken(sequence, None, None, entry)
        elif (self.expected is not None and entry.previous_hash != self.expected) or entry.hash != entry_hash(entry):
            result.broken = Broken(sequence, entry.query_id, entry.action.value, why_broken(entry))
        else:
            result.count, result.head, self.expected = result.count + 1, entry.hash, entry.hash
            if entry.hash == self.kept_head:
                result.kept_head_at = sequence
        return result.broken is None

    def finish(self) -> Verification:
        if self.kept_head is not None and self.result.broken is None and self.result.kept_head_at is None:
            self.result.problems.append(f"the kept head {self.kept_head} is not in the chain: entries up to it were rewritten or removed")
        return self.result


def parse_entry(raw: bytes | str) -> AuditEntry | str:
    try:
        return AuditEntry.model_validate_json(raw)
    except ValidationError as exc:
        return f"unreadable: {exc.errors()[0]['msg']}"


async def live_entries(trail: AuditTrail, first: int, last: int, progress: Progress | None = None) -> AsyncIterator[tuple[int, AuditEntry | str]]:
    async for sequence, raw in trail.read(first, last):
        if progress:
            progress(1)
        yield sequence, parse_entry(raw)


async def verify_live(js: JetStreamContext, kept_head: str | None = None, on_total: Progress | None = None,
                      progress: Progress | None = None) -> Verification:
    """Recompute the whole chain of the running trail, from the genesis hash."""
    trail = AuditTrail(js)
    first, last = await trail.bounds()
    if on_total:
        on_total(max(0, last - first + 1))
    if first > 1 and last >= first:  # nothing can be deleted from the stream: a trail that starts later was replaced
        return Verification(broken=Broken(first, None, None, f"the trail starts at #{first}: entries 1-{first - 1} are gone"))
    chain = ChainCheck(GENESIS, kept_head)
    async for sequence, entry in live_entries(trail, first, last, progress):
        if not chain.feed(sequence, entry):
            break
    return chain.finish()


def export_lines(path: Path) -> Iterator[dict[str, Any] | str]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            yield f"line {number} is not JSON"
            continue
        yield value if isinstance(value, dict) else f"line {number} is not a JSON object"


def verify_export(path: Path, kept_head: str | None = None) -> Verification:
    """Recompute the chain of an export: from the genesis hash when it starts at the first entry, else from its first
    entry's previous hash; its head line must name its last entry."""
    entries: list[tuple[int, AuditEntry | str]] = []
    head: dict[str, Any] | None = None
    for value in export_lines(path):
        if isinstance(value, str):
            entries.append((len(entries) + 1, value))
        elif "head" in value:
            head = value["head"]
        else:
            sequence = value.pop("sequence", len(entries) + 1)
            entries.append((int(sequence), parse_entry(json.dumps(value))))
    chain = ChainCheck(GENESIS if not entries or entries[0][0] == 1 else None, kept_head)
    all(chain.feed(sequence, entry) for sequence, entry in entries)
    result = chain.finish()
    if head is None:
        result.problems.append("no head line: the export is incomplete")
    elif result.broken is None and (head.get("hash") != result.head or head.get("count") != result.count):
        result.problems.append(f"the head line ({head.get('count')} entries, {head.get('hash')}) does not match the entries "
                               f"({result.count}, {result.head})")
    return result


@dataclass(frozen=True)
class Head:
    hash: str
    count: int
    first_sequence: int | None
    last_sequence: int | None
    previous_hash: str | None
    since: str | None
    exported_at: str


async def export(js: JetStreamContext, out: TextIO, since: datetime | None = None, on_total: Progress | None = None,
                 progress: Progress | None = None) -> Head:
    """Write each entry (with its stream sequence) as a JSON line, then a line with the chain head."""
    trail = AuditTrail(js)
    first, last = await trail.bounds()
    if since is not None:
        first = max(first, await trail.first_since(since))
    if on_total:
        on_total(max(0, last - first + 1))
    count, head, first_written, previous, last_written = 0, GENESIS, None, None, None
    async for sequence, raw in trail.read(first, last):
        entry = json.loads(raw)
        out.write(json.dumps({"sequence": sequence, **entry}, ensure_ascii=False) + "\n")
        if first_written is None:
            first_written, previous = sequence, entry.get("previous_hash")
        count, head, last_written = count + 1, entry.get("hash", ""), sequence
        if progress:
            progress(1)
    result = Head(hash=head if count else (previous or GENESIS), count=count, first_sequence=first_written, last_sequence=last_written,
                  previous_hash=previous, since=since.isoformat() if since else None, exported_at=utcnow().isoformat())
    out.write(json.dumps({"head": result.__dict__}) + "\n")
    return result


def parse_since(text: str) -> datetime:
    """An ISO date or date and time; without a zone, UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
