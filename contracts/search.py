"""Search request and reply exchanged with the retrieve worker."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from contracts.documents import MetadataValue

MAX_TOP_K = 100
MAX_QUERY_CHARS = 2000


class SearchRequest(BaseModel):
    model_config = ConfigDict(frozen=True)

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    top_k: int = Field(default=5, ge=1, le=MAX_TOP_K)
    filters: dict[str, MetadataValue | list[MetadataValue]] = Field(
        default_factory=dict,
        description="Payload filters: language, document_id, section (the leaflet section: use, before, how, side_effects, storage, contents), "
                    "or any metadata key.",
    )


class UnitVectors(BaseModel):
    """The embeddings of a passage's answer units, made at ingest (adapters/unit_vectors.py)."""

    model_config = ConfigDict(frozen=True)

    model: str = Field(description="The embedder that made them.")
    keys: list[str] = Field(description="One key per unit: a hash of the text embedded.")
    vectors: str = Field(description="Base64 of the int8 rows, one per key.")


class SearchHit(BaseModel):
    model_config = ConfigDict(frozen=True)

    chunk_id: str
    score: float = Field(description="Fused score of the dense and lexical matches (0 to 1); higher is better.")
    similarity: float | None = Field(
        default=None, description="Cosine similarity of question and passage embeddings; None when only words matched."
    )
    text: str
    document_id: str
    title: str | None = None
    filename: str | None = None
    page: int | None = None
    heading: str | None = None
    language: str | None = None
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    units: UnitVectors | None = Field(
        default=None, description="For the answer generator only: the passage's answer units embedded; left out of search replies."
    )

    def without_units(self) -> SearchHit:
        """The hit as readers see it (search replies, the answer's evidence)."""
        return self if self.units is None else self.model_copy(update={"units": None})


class SearchResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    query: str
    results: list[SearchHit]
    took_ms: float
