"""The audit chain: each entry's hash covers its content and the hash before it, so any change is named where it starts."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from contracts.audit import GENESIS, AuditAction, AuditEntry, entry_hash, verify_chain
from contracts.review import SYSTEM, Actor

REVIEWER = Actor(name="dr.martin", role="reviewer", authenticated_by="api_key")


def chain_of(count: int) -> list[AuditEntry]:
    entries, previous = [], GENESIS
    start = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
    for n in range(count):
        entry = AuditEntry(at=start + timedelta(minutes=n), action=AuditAction.claimed if n % 2 else AuditAction.parked,
                           query_id=f"q{n // 2}", actor=REVIEWER if n % 2 else SYSTEM, after=f"answer {n}",
                           source_event_id=f"event-{n}").chained(previous)
        entries.append(entry)
        previous = entry.hash
    return entries


def test_an_intact_chain_verifies_from_the_genesis_hash() -> None:
    entries = chain_of(5)
    assert entries[0].previous_hash == GENESIS
    assert all(later.previous_hash == earlier.hash for earlier, later in zip(entries, entries[1:], strict=False))
    assert verify_chain(entries) is None
    assert verify_chain([]) is None


def test_the_hash_is_sha256_of_the_canonical_json_anyone_can_recompute() -> None:
    entry = chain_of(1)[0]
    content = {k: v for k, v in json.loads(entry.model_dump_json()).items() if k != "hash" and v is not None}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert entry.hash == entry_hash(entry) == hashlib.sha256(canonical).hexdigest()


def test_a_stored_entry_read_back_has_the_same_hash() -> None:
    entry = chain_of(1)[0]
    assert entry_hash(AuditEntry.model_validate_json(entry.model_dump_json())) == entry.hash


@pytest.mark.parametrize("change", [{"after": "a different answer"}, {"actor": REVIEWER}, {"reason": "added later"},
                                    {"at": datetime(2026, 1, 1, tzinfo=UTC)}, {"action": AuditAction.approved}])
def test_an_altered_field_is_caught_at_that_entry(change: dict) -> None:
    entries = chain_of(5)
    entries[2] = entries[2].model_copy(update=change)
    assert verify_chain(entries) == 2


def test_an_altered_entry_given_a_fresh_hash_breaks_the_link_of_the_next() -> None:
    entries = chain_of(5)
    entries[2] = entries[2].model_copy(update={"after": "rewritten"}).chained(entries[1].hash)
    assert verify_chain(entries) == 3


def test_a_removed_entry_is_caught_at_the_one_after_the_gap() -> None:
    entries = chain_of(5)
    del entries[2]
    assert verify_chain(entries) == 2


def test_a_removed_first_entry_is_caught_against_the_genesis_hash() -> None:
    assert verify_chain(chain_of(3)[1:]) == 0


def test_a_reordered_pair_is_caught_at_the_first_of_them() -> None:
    entries = chain_of(5)
    entries[1], entries[2] = entries[2], entries[1]
    assert verify_chain(entries) == 1


def test_an_export_that_starts_mid_chain_verifies_from_its_first_entrys_link() -> None:
    tail = chain_of(6)[3:]
    assert verify_chain(tail) == 0
    assert verify_chain(tail, previous_hash=None) is None
    assert verify_chain(tail, previous_hash=chain_of(6)[2].hash) is None
