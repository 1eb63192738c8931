"""The envelope every event carries."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Self
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from pydantic import BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def derived_event_id(*parts: object) -> UUID:
    """An event id fixed by what caused it, so a redelivered message republishes the same id."""
    return uuid5(NAMESPACE_URL, "mirage:" + ":".join(str(p) for p in parts))


class Event(BaseModel):
    """A fact that happened, immutable once published."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: UUID = Field(default_factory=uuid4, description="Unique id; also the Nats-Msg-Id used for de-duplication.")
    correlation_id: str = Field(description="The document or question this event belongs to.")
    causation_id: UUID | None = Field(default=None, description="The event that caused this one, if any.")
    occurred_at: datetime = Field(default_factory=utcnow, description="When the fact happened (UTC).")
    version: int = Field(default=1, description="Schema version of this event type.")

    @classmethod
    def following(cls, previous: Event, step: str, **fields: Any) -> Self:
        """The next event of the same question or document: `previous`'s fields carried forward, a new envelope
        whose id is fixed by `previous` and `step` (a redelivery republishes the same id)."""
        carried = previous.model_dump(exclude=ENVELOPE_FIELDS)
        return cls(**(carried | {"event_id": derived_event_id(previous.event_id, step), "causation_id": previous.event_id} | fields))

    def headers(self) -> dict[str, str]:
        return {"Nats-Msg-Id": str(self.event_id), "Mirage-Event": type(self).__name__, "Mirage-Correlation": self.correlation_id}


ENVELOPE_FIELDS = frozenset({"event_id", "causation_id", "occurred_at"})
"""What a following event does not carry over (correlation id and schema version stay)."""
