"""Index generations and operators' re-indexing: the state record kept in the index bucket and the re-index events."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Event


class IndexGenerations(BaseModel):
    """Which vector index generation search reads, and which one a re-index is filling (key `generations` of the
    index bucket). Generation 0 is the index as it always was; N>0 lives beside it (`vectors-gN`, `<collection>_gN`)."""

    model_config = ConfigDict(frozen=True)

    active: int = Field(default=0, ge=0, description="The generation every search reads and every write reaches.")
    building: int | None = Field(default=None, ge=1, description="The generation a full re-index is filling; writes reach it too.")
    latest: int = Field(default=0, ge=0, description="The highest generation ever started: a new one is numbered above it.")
    reindex_id: str | None = Field(default=None, description="The re-index running now, or the last one.")
    running: bool = Field(default=False, description="True while `reindex_id` runs: another one is refused.")
    since: datetime | None = Field(default=None, description="Only documents uploaded since then (re-indexed in place).")
    started_at: datetime | None = None
    finished_at: datetime | None = None


class ReindexRequested(Event):
    """An operator asked to re-index the stored documents (`mirage replay documents`): every one into a new generation,
    or with `since`, those uploaded since then in place."""

    reindex_id: str = Field(description="Names this re-index: its progress and outcome subjects end with it.")
    since: datetime | None = Field(default=None, description="Only documents uploaded since then, in place; None: all, into a new generation.")


class ReindexProgressed(Event):
    """How far a re-index is (at most a few a second)."""

    reindex_id: str
    generation: int = Field(description="The generation being filled (the active one for an in-place re-index).")
    total: int = Field(ge=0, description="Documents to re-index.")
    done: int = Field(ge=0, description="Documents re-indexed or failed so far.")
    failed: int = Field(ge=0, description="Documents that could not be re-indexed so far.")


class ReindexFinished(Event):
    """A re-index ended: switched to its generation, finished in place, or refused."""

    reindex_id: str
    outcome: str = Field(description="switched (a new generation is active), in_place, or refused.")
    generation: int = Field(description="The active generation now.")
    previous_generation: int = Field(description="The active generation before.")
    documents: int = Field(default=0, ge=0, description="Documents re-indexed.")
    chunks: int = Field(default=0, ge=0, description="Chunks they make.")
    failed: dict[str, str] = Field(default_factory=dict, description="Documents that could not be re-indexed, with the reason.")
    detail: str | None = Field(default=None, description="Why it was refused.")
