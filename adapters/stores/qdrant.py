"""Qdrant server or cluster through qdrant-client: the same layout and queries as the embedded store."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

from adapters.stores._shared import (
    KEYWORD_INDEXES,
    SPARSE,
    FilterValue,
    VectorLayoutMismatch,
    dense_list,
    dense_vectors,
    describe,
    filter_terms,
    is_keyword_list,
    layout,
    named_hits,
    point_id,
    stored_payload,
)
from adapters.stores.base import DOCUMENT_ID, ChunkPoint, Hit, QueryVectors
from adapters.stores.fusion import candidate_depth, fuse

_UPSERT_BATCH = 256


class QdrantServerStore:
    """One collection on a Qdrant server; the store owns the client and closes it."""

    name = "qdrant"

    def __init__(self, client: QdrantClient, collection: str, dims: int | Mapping[str, int]) -> None:
        """`dims`: the dimension of each embedding space's vector, by space name (an int: the first space's alone)."""
        self.client = client
        self.collection = collection
        self.dims = layout(dims)
        self._ensure_collection()

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        structs = [models.PointStruct(id=point_id(p.id), vector=self._vectors(p), payload=stored_payload(p)) for p in points]
        for start in range(0, len(structs), _UPSERT_BATCH):
            self.client.upsert(self.collection, points=structs[start : start + _UPSERT_BATCH], wait=True)

    def add_vectors(self, space: str, vectors: Mapping[str, np.ndarray]) -> int:
        if space not in self.dims or not vectors:
            return 0
        ids = [point_id(cid) for cid in vectors]
        present = {str(p.id) for p in self.client.retrieve(self.collection, ids=ids, with_payload=False, with_vectors=False)}
        updates = [
            models.PointVectors(id=pid, vector={space: dense_list(v, self.dims[space])})
            for pid, v in zip(ids, vectors.values(), strict=True) if pid in present
        ]
        if updates:
            # a chunk deleted between the lookup and here fails the batch; the next delivery skips it
            self.client.update_vectors(self.collection, points=updates, wait=True)
        return len(updates)

    def _vectors(self, p: ChunkPoint) -> dict[str, Any]:
        return dense_vectors(p.dense, self.dims) | {SPARSE: models.SparseVector(indices=list(p.sparse.indices), values=list(p.sparse.values))}

    def delete_document(self, document_id: str) -> int:
        selector = models.Filter(must=[models.FieldCondition(key=DOCUMENT_ID, match=models.MatchValue(value=document_id))])
        removed = self.client.count(self.collection, count_filter=selector, exact=True).count
        if removed:
            self.client.delete(self.collection, points_selector=models.FilterSelector(filter=selector), wait=True)
        return removed

    def search(self, query: QueryVectors, *, limit: int, filters: Mapping[str, Any] | None = None) -> list[Hit]:
        """Each space's and the BM25 candidates in one batch request, fused here as in the embedded store."""
        selector = build_filter(filters)
        depth = candidate_depth(limit)
        searches: dict[str, Any] = dense_vectors(query.dense, self.dims)
        if query.sparse.indices:
            searches[SPARSE] = models.SparseVector(indices=list(query.sparse.indices), values=list(query.sparse.values))
        requests = [
            models.QueryRequest(query=vector, using=name, limit=depth, filter=selector, with_payload=True) for name, vector in searches.items()
        ]
        responses = self.client.query_batch_points(self.collection, requests=requests)
        return fuse(named_hits(list(searches), [response.points for response in responses]), query.languages, limit=limit)

    def count(self, filters: Mapping[str, Any] | None = None) -> int:
        return self.client.count(self.collection, count_filter=build_filter(filters), exact=True).count

    def close(self) -> None:
        self.client.close()

    def _ensure_collection(self) -> None:
        if not self.client.collection_exists(self.collection):
            try:
                self.client.create_collection(
                    self.collection,
                    vectors_config={name: models.VectorParams(size=size, distance=models.Distance.COSINE) for name, size in self.dims.items()},
                    sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                )
            except Exception:
                if not self.client.collection_exists(self.collection):  # else another replica won the race
                    raise
        info = self.client.get_collection(self.collection)
        self._check_layout(info.config.params)
        with warnings.catch_warnings():
            # The in-memory client used by tests warns that payload indexes do nothing there.
            warnings.filterwarnings("ignore", message="Payload indexes have no effect")
            for field in KEYWORD_INDEXES:
                if field not in (info.payload_schema or {}):
                    self.client.create_payload_index(
                        self.collection, field_name=field, field_schema=models.PayloadSchemaType.KEYWORD, wait=True
                    )

    def _check_layout(self, params: models.CollectionParams) -> None:
        vectors = params.vectors if isinstance(params.vectors, dict) else {}
        sizes = {name: v.size for name, v in vectors.items()}
        sparse = (params.sparse_vectors or {}).get(SPARSE)
        if sizes != self.dims or sparse is None:
            found, wanted = describe(sizes), describe(self.dims)
            raise VectorLayoutMismatch(
                f"Qdrant collection {self.collection!r} holds {found}"
                f"{'' if sparse is not None else f' and no {SPARSE!r} sparse vector'}, but the configured embedders "
                f"make {wanted} (MIRAGE_EMBEDDER or MIRAGE_ENGLISH_EMBEDDER changed?). Re-index into a new collection "
                f"(MIRAGE_QDRANT_COLLECTION) or delete this one."
            )


def build_filter(filters: Mapping[str, Any] | None) -> models.Filter | None:
    conditions = [_condition(path, values) for path, values in filter_terms(filters)]
    return models.Filter(must=conditions) if conditions else None


def _condition(path: str, values: tuple[FilterValue, ...]) -> models.FieldCondition | models.Filter:
    if len(values) == 1:
        return _match_one(path, values[0])
    if is_keyword_list(values):
        return models.FieldCondition(key=path, match=models.MatchAny(any=list(values)))
    return models.Filter(should=[_match_one(path, v) for v in values])


def _match_one(path: str, value: FilterValue) -> models.FieldCondition:
    if isinstance(value, float):
        return models.FieldCondition(key=path, range=models.Range(gte=value, lte=value))
    return models.FieldCondition(key=path, match=models.MatchValue(value=value))
