"""Running totals a projector keeps beside its records, so that readers never scan a bucket to count."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

Tally = dict[str, dict[str, float]]
"""Counts in named groups: {"by_status": {"indexed": 3, "failed": 1}, "totals": {"chunks": 120}}."""


class Unstored(BaseModel):
    """A record change the figures already count, kept until the record itself is stored (runtime/projection.py)."""

    model_config = ConfigDict(frozen=True)

    sequence: int = Field(description="Stream sequence of the last event that changed the record.")
    key: str
    value: str = Field(description="The record as JSON, as it is to be stored.")


class Figures(BaseModel):
    """The sum of every record's tally in one bucket, kept by that bucket's only writer (key = the bucket's name)."""

    model_config = ConfigDict(frozen=True)

    groups: Tally = Field(default_factory=dict)
    generation: int = Field(default=0, description="Moves with every change of a record: answer-cache keys include it.")
    last_change_at: datetime | None = None
    marks: dict[str, datetime] = Field(default_factory=dict, description="Latest times of named happenings (e.g. last_indexed_at).")
    through: int = Field(default=0, description="Stream sequence of the last event these figures count (0: counted from the records).")
    unstored: tuple[Unstored, ...] = Field(default=(), description="The records the last batch of events left, until they are stored.")

    @field_validator("unstored", mode="before")
    @classmethod
    def _one_or_several(cls, value: Any) -> Any:
        """Totals written before batches named one record (or none): read as a batch of one (or of none)."""
        if value is None:
            return ()
        return (value,) if isinstance(value, dict | Unstored) else value

    def count(self, group: str, key: str) -> float:
        return self.groups.get(group, {}).get(key, 0)

    def moved(self, before: Tally, after: Tally, at: datetime, marks: dict[str, datetime] | None = None) -> Figures:
        """These figures once one record's tally changed from `before` to `after` (and `marks` happened)."""
        groups = {name: dict(values) for name, values in self.groups.items()}
        for name in set(before) | set(after):
            values = groups.setdefault(name, {})
            for key in set(before.get(name, {})) | set(after.get(name, {})):
                total = values.get(key, 0) + after.get(name, {}).get(key, 0) - before.get(name, {}).get(key, 0)
                if abs(total) < 1e-9:
                    values.pop(key, None)
                else:
                    values[key] = total
            if not values:
                groups.pop(name)
        latest = dict(self.marks)
        for name, when in (marks or {}).items():
            latest[name] = max(when, latest.get(name, when))
        return self.model_copy(update={"groups": groups, "generation": self.generation + 1, "last_change_at": at, "marks": latest})
