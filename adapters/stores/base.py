"""The vector-store seam: what ingest writes and retrieve reads, whatever the backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

# Payload keys every chunk carries; metadata supplied by the uploader is stored under META. SECTION: the template
# section its heading names (adapters.leaflet.heading_section: "storage", "side_effects", ...), or None.
DOCUMENT_ID = "document_id"
LANGUAGE = "language"
SECTION = "section"
META = "meta"


@dataclass(frozen=True)
class SparseTerms:
    """A sparse lexical vector (BM25 term weights)."""

    indices: tuple[int, ...]
    values: tuple[float, ...]


@dataclass(frozen=True)
class ChunkPoint:
    """One chunk ready to index: deterministic id, its dense vector in each space it gets (by space name,
    `adapters.spaces`), its BM25 terms, and its payload. Spaces may also come later (`add_vectors`)."""

    id: str
    dense: Mapping[str, np.ndarray]
    sparse: SparseTerms
    payload: Mapping[str, Any]


@dataclass(frozen=True)
class QueryVectors:
    """A query in each space it searches (by space name), its BM25 terms, and the languages it may be written
    in (empty: unknown) to weigh the fusion."""

    dense: Mapping[str, np.ndarray]
    sparse: SparseTerms
    languages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Hit:
    id: str
    score: float
    payload: Mapping[str, Any] = field(default_factory=dict)
    similarity: float | None = None  # cosine of query and chunk embeddings, when the dense search found it


class VectorStore(Protocol):
    """Hybrid chunk index with payload filters: one dense vector per embedding space and a BM25 one, their hits
    fused by `adapters.stores.fusion`.

    `filters` maps a payload key to a required value; keys other than
    `document_id` and `language` are looked up under `meta.<key>`.
    """

    name: str

    def upsert(self, points: Sequence[ChunkPoint]) -> None: ...

    def add_vectors(self, space: str, vectors: Mapping[str, np.ndarray]) -> int:
        """Give indexed chunks (by chunk id) their vectors in one space; chunks no longer indexed are skipped.
        Returns how many were updated."""
        ...

    def delete_document(self, document_id: str) -> int: ...

    def search(self, query: QueryVectors, *, limit: int, filters: Mapping[str, Any] | None = None) -> list[Hit]: ...

    def count(self, filters: Mapping[str, Any] | None = None) -> int: ...

    def close(self) -> None: ...
