"""Qdrant server or cluster through qdrant-client: the same layout and queries as the embedded store."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from qdrant_client import QdrantClient, models

from mirage.stores._shared import (
    DENSE,
    KEYWORD_INDEXES,
    SPARSE,
    FilterValue,
    VectorLayoutMismatch,
    dense_and_bm25_hits,
    dense_list,
    filter_terms,
    is_keyword_list,
    point_id,
    stored_payload,
)
from mirage.stores.base import DOCUMENT_ID, ChunkPoint, Hit, QueryVectors
from mirage.stores.fusion import candidate_depth, fuse

_UPSERT_BATCH = 256


class QdrantServerStore:
    """One collection on a Qdrant server; the store owns the client and closes it."""

    name = "qdrant"

    def __init__(self, client: QdrantClient, collection: str, dim: int) -> None:
        self.client = client
        self.collection = collection
        self.dim = dim
        self._ensure_collection()

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        structs = [
            models.PointStruct(
                id=point_id(p.id),
                vector={
                    DENSE: dense_list(p.dense, self.dim),
                    SPARSE: models.SparseVector(indices=list(p.sparse.indices), values=list(p.sparse.values)),
                },
                payload=stored_payload(p),
            )
            for p in points
        ]
        for start in range(0, len(structs), _UPSERT_BATCH):
            self.client.upsert(self.collection, points=structs[start : start + _UPSERT_BATCH], wait=True)

    def delete_document(self, document_id: str) -> int:
        selector = models.Filter(must=[models.FieldCondition(key=DOCUMENT_ID, match=models.MatchValue(value=document_id))])
        removed = self.client.count(self.collection, count_filter=selector, exact=True).count
        if removed:
            self.client.delete(self.collection, points_selector=models.FilterSelector(filter=selector), wait=True)
        return removed

    def search(self, query: QueryVectors, *, limit: int, filters: Mapping[str, Any] | None = None) -> list[Hit]:
        """Dense and BM25 candidates in one batch request, fused here as in the embedded store."""
        selector = build_filter(filters)
        depth = candidate_depth(limit)
        requests = [models.QueryRequest(query=dense_list(query.dense, self.dim), using=DENSE, limit=depth, filter=selector, with_payload=True)]
        if query.sparse.indices:
            sparse = models.SparseVector(indices=list(query.sparse.indices), values=list(query.sparse.values))
            requests.append(models.QueryRequest(query=sparse, using=SPARSE, limit=depth, filter=selector, with_payload=True))
        responses = self.client.query_batch_points(self.collection, requests=requests)
        dense, bm25 = dense_and_bm25_hits([response.points for response in responses])
        return fuse(dense, bm25, query.languages, limit=limit)

    def count(self, filters: Mapping[str, Any] | None = None) -> int:
        return self.client.count(self.collection, count_filter=build_filter(filters), exact=True).count

    def close(self) -> None:
        self.client.close()

    def _ensure_collection(self) -> None:
        if not self.client.collection_exists(self.collection):
            try:
                self.client.create_collection(
                    self.collection,
                    vectors_config={DENSE: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)},
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
        dense = vectors.get(DENSE)
        sparse = (params.sparse_vectors or {}).get(SPARSE)
        if dense is None or sparse is None or dense.size != self.dim:
            found = f"{dense.size}-d {DENSE!r} vectors" if dense is not None else f"no {DENSE!r} vector"
            raise VectorLayoutMismatch(
                f"Qdrant collection {self.collection!r} holds {found}"
                f"{'' if sparse is not None else f' and no {SPARSE!r} sparse vector'}, but the configured embedder "
                f"makes {self.dim}-d vectors (the embedder changed?). Re-index into a new collection "
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
