"""The audit trail: one entry per review action and per answer released or withheld, each chained to the one before by its hash.

An entry's hash is the SHA-256 of its canonical JSON (every field but `hash`, fields that are None left out, keys sorted,
no spaces, UTF-8), so anyone can recompute it without MIRAGE. The first entry's previous hash is GENESIS.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts import subjects
from contracts.review import Actor

GENESIS = "0" * 64


class AuditAction(StrEnum):
    parked = "parked"
    claimed = "claimed"
    claim_released = "claim_released"
    escalated = "escalated"
    approved = "approved"
    edited = "edited"
    rejected = "rejected"
    expired = "expired"
    released_automatically = "released_automatically"
    released_after_review = "released_after_review"
    released_from_cache = "released_from_cache"
    withheld = "withheld"


class AuditEntry(BaseModel):
    """Who did what to which question, when, the text before and after, why, under which risk policy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: datetime = Field(description="When the action happened (UTC): the recorded event's time.")
    action: AuditAction = Field(description="parked, claimed, claim_released, escalated, approved, edited, rejected, expired, "
                                            "released_automatically, released_after_review, released_from_cache, withheld "
                                            "(the asker was told the answer will not be shown).")
    query_id: str
    actor: Actor = Field(description="The person (name, role, how they authenticated), or MIRAGE itself (role system).")
    before: str | None = Field(default=None, description="The text before the action: the draft answer.")
    after: str | None = Field(default=None, description="The text after it: the answer the asker reads (or the notice they read).")
    reason: str | None = None
    policy: str | None = Field(default=None, description="The risk policy's version: the classifier, and the rule that applied.")
    source_event_id: str = Field(description="The event this entry records.")
    previous_hash: str = Field(default=GENESIS, description="The hash of the entry before it (GENESIS for the first).")
    hash: str = Field(default="", description="SHA-256 (hex) of the canonical JSON of every other field.")

    @field_validator("at")
    @classmethod
    def _in_utc(cls, at: datetime) -> datetime:
        return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)

    def chained(self, previous_hash: str) -> AuditEntry:
        """This entry, following the one whose hash is `previous_hash`, with its own hash."""
        linked = self.model_copy(update={"previous_hash": previous_hash, "hash": ""})
        return linked.model_copy(update={"hash": entry_hash(linked)})


def canonical_json(entry: AuditEntry) -> bytes:
    content = entry.model_dump(mode="json", exclude={"hash"}, exclude_none=True)
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: AuditEntry) -> str:
    """The hash an entry must carry (its own `hash` field is not part of it)."""
    return hashlib.sha256(canonical_json(entry)).hexdigest()


def verify_chain(entries: Sequence[AuditEntry], previous_hash: str | None = GENESIS) -> int | None:
    """The index of the first broken entry (its hash does not match its content, or its previous hash is not the hash of
    the entry before it), or None when the chain holds. `previous_hash=None` trusts the first entry's link (an export
    that starts mid-chain)."""
    expected = previous_hash
    for index, entry in enumerate(entries):
        if (expected is not None and entry.previous_hash != expected) or entry.hash != entry_hash(entry):
            return index
        expected = entry.hash
    return None


def audit_subject(query_id: str) -> str:
    return f"{subjects.AUDIT_PREFIX}.{query_id}"
