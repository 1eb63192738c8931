"""What both Qdrant backends agree on: the vector layout, ids, and how filters map to payload paths."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from adapters.spaces import LEXICAL, PRIMARY
from adapters.stores.base import DOCUMENT_ID, LANGUAGE, META, SECTION, ChunkPoint, Hit

SPARSE = LEXICAL
KEYWORD_INDEXES = (DOCUMENT_ID, LANGUAGE, SECTION, f"{META}.type")

# Qdrant ids are UUIDs or integers; any other chunk id is mapped to a UUID and kept here to be returned as is.
ORIGINAL_ID = "_chunk_id"
_ID_NAMESPACE = uuid.UUID("6f1c2a4e-3b5d-4e8f-9a0b-1c2d3e4f5a6b")

FilterValue = str | int | float | bool


class VectorLayoutMismatch(RuntimeError):
    """The index on disk or on the server was built for other vectors (usually another embedder)."""


class StoreLocked(RuntimeError):
    """Another process has the embedded index open."""


class IndexDiskFull(OSError):
    """The embedded index's disk has too little room for a write: refused before the write, because Qdrant Edge maps
    its files into memory and a write through a mapping on a full disk kills the process (SIGBUS)."""


def layout(dims: int | Mapping[str, int]) -> dict[str, int]:
    """The dense vectors of an index, name -> dimension, one per embedding space (`adapters.spaces`); a bare
    dimension is the first space's alone."""
    return {PRIMARY.name: dims} if isinstance(dims, int) else dict(dims)


def describe(sizes: Mapping[str, int]) -> str:
    return " and ".join(f"{size}-d {name!r} vectors" for name, size in sizes.items()) or "no dense vectors"


def dense_vectors(vectors: Mapping[str, np.ndarray], sizes: Mapping[str, int]) -> dict[str, list[float]]:
    """The vectors of the spaces this index holds, as lists (a space it does not hold is left out)."""
    return {name: dense_list(vector, sizes[name]) for name, vector in vectors.items() if name in sizes}


def point_id(chunk_id: str) -> str:
    try:
        return str(uuid.UUID(chunk_id))
    except ValueError:
        return str(uuid.uuid5(_ID_NAMESPACE, chunk_id))


def stored_payload(point: ChunkPoint) -> dict[str, Any]:
    payload = dict(point.payload)
    if point_id(point.id) != point.id:
        payload[ORIGINAL_ID] = point.id
    return payload


def to_hit(raw_id: object, score: float, payload: Mapping[str, Any] | None) -> Hit:
    payload = dict(payload or {})
    chunk_id = payload.pop(ORIGINAL_ID, None) or str(raw_id)
    return Hit(id=chunk_id, score=float(score), payload=payload)


def named_hits(names: Sequence[str], results: Sequence[Sequence[Any]]) -> dict[str, list[Hit]]:
    """The scored points of each request of a batch as hits, by the vector name it searched."""
    return {name: [to_hit(p.id, p.score, p.payload) for p in points] for name, points in zip(names, results, strict=True)}


def dense_list(vector: np.ndarray, dim: int) -> list[float]:
    flat = np.asarray(vector, dtype=np.float32).reshape(-1)
    if flat.shape[0] != dim:
        raise ValueError(f"dense vector has {flat.shape[0]} dimensions, this index holds {dim}")
    return flat.tolist()


def payload_path(key: str) -> str:
    """Where a filter's key is read: the chunk's own fields (document, language, leaflet section), else the uploader's metadata."""
    return key if key in (DOCUMENT_ID, LANGUAGE, SECTION) else f"{META}.{key}"


def filter_terms(filters: Mapping[str, Any] | None) -> list[tuple[str, tuple[FilterValue, ...]]]:
    """`{key: value | [values]}` -> `[(payload path, accepted values)]`; None values mean "no filter"."""
    terms: list[tuple[str, tuple[FilterValue, ...]]] = []
    for key, value in (filters or {}).items():
        if value is None:
            continue
        values = tuple(value) if isinstance(value, (list, tuple, set, frozenset)) else (value,)
        if not values:
            raise ValueError(f"filter {key!r} has an empty list of values")
        for v in values:
            if not isinstance(v, (str, int, float, bool)):
                raise ValueError(f"filter {key!r}: {v!r} is not a string, number or boolean")
        terms.append((payload_path(key), values))
    return terms


def is_keyword_list(values: tuple[FilterValue, ...]) -> bool:
    """True when one match-any condition can take the values (all strings, or all integers)."""
    return all(isinstance(v, str) for v in values) or all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    )
