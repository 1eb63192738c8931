"""Qdrant Edge: the embedded, in-process index (one process per shard directory)."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_edge import (
    CountRequest,
    Distance,
    EdgeConfig,
    EdgeShard,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    FieldCondition,
    Filter,
    MatchAny,
    MatchValue,
    Memory,
    Modifier,
    PayloadSchemaType,
    PayloadSelector,
    Point,
    PointVectors,
    Query,
    QueryBatchRequest,
    QueryRequest,
    RangeFloat,
    SearchParams,
    SparseVector,
    UpdateOperation,
)

from adapters.spaces import PRIMARY
from adapters.stores._shared import (
    KEYWORD_INDEXES,
    ORIGINAL_ID,
    SPARSE,
    FilterValue,
    IndexDiskFull,
    StoreLocked,
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
    to_hit,
)
from adapters.stores.base import DOCUMENT_ID, LANGUAGE, ChunkPoint, Hit, QueryVectors
from adapters.stores.fusion import candidate_depth, fuse

LOCK_FILE = ".mirage.lock"
# A search's candidates (up to three lists of `candidate_depth`) carry what the fusion reads: their language, and the
# chunk id when it is not the point's; the fused hits alone are read whole (texts, metadata, answer units' vectors)
FUSION_FIELDS = PayloadSelector.Include([LANGUAGE, ORIGINAL_ID])
_SHARD_CONFIG_FILE = "edge_config.json"
_UPSERT_BATCH = 512


class EdgeVectorStore:
    """Hybrid index in a local directory. Safe to call from several threads of one process.

    The engine itself serves concurrent reads and writes; the lock here only serialises writes, so that
    `delete_document`'s count-then-delete is atomic.

    Every write goes to the engine's write-ahead log first, which survives a killed process; segments are
    flushed at most once per FLUSH_INTERVAL_S and on close, because a flush per write costs ~5 ms.
    """

    FLUSH_INTERVAL_S = 1.0

    name = "qdrant-edge"

    def __init__(self, path: str | os.PathLike[str], dims: int | Mapping[str, int], disk_reserve_bytes: int = 0) -> None:
        """`dims`: the dimension of each embedding space's vector, by space name (an int: the first space's alone).
        `disk_reserve_bytes`: room left free on the index's disk; a write that would cut into it raises IndexDiskFull."""
        self.path = Path(path)
        self.dims = layout(dims)
        self.disk_reserve_bytes = disk_reserve_bytes
        self.path.mkdir(parents=True, exist_ok=True)
        self._check_room(0, 0, 0)  # opening writes too (tens of MB for a new index)
        self._lock_fd = _lock_directory(self.path)
        self._write_lock = threading.Lock()
        self._flushed_at = time.monotonic()
        try:
            self._shard: EdgeShard | None = self._open()
            self._ensure_indexes()
        except BaseException:
            _unlock(self._lock_fd)
            raise

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        edge_points = [Point(id=point_id(p.id), vector=self._vectors(p), payload=stored_payload(p)) for p in points]
        if not edge_points:
            return
        self._check_room(len(points), sum(self.dims.values()), sum(len(str(p.payload)) + 12 * len(p.sparse.indices) for p in points))
        with self._write_lock:
            shard = self._open_shard()
            for start in range(0, len(edge_points), _UPSERT_BATCH):
                shard.update(UpdateOperation.upsert_points(edge_points[start : start + _UPSERT_BATCH]))
            self._flush_if_due(shard)

    def add_vectors(self, space: str, vectors: Mapping[str, np.ndarray]) -> int:
        if space not in self.dims or not vectors:
            return 0
        updates = [PointVectors(id=point_id(cid), vector={space: dense_list(v, self.dims[space])}) for cid, v in vectors.items()]
        self._check_room(len(updates), self.dims[space], 0)
        with self._write_lock:
            shard = self._open_shard()
            try:
                shard.update(UpdateOperation.update_vectors(updates))
                updated = len(updates)
            except Exception as e:
                if "no point" not in str(e).lower():
                    raise
                updated = 0  # some chunks were deleted meanwhile: the others one by one
                for update in updates:
                    try:
                        shard.update(UpdateOperation.update_vectors([update]))
                        updated += 1
                    except Exception as one:
                        if "no point" not in str(one).lower():
                            raise
            self._flush_if_due(shard)
        return updated

    def _check_room(self, points: int, floats_each: int, other_bytes: int) -> None:
        """Refuse a write the disk may not hold: the engine writes it to its log, then to a segment (4 bytes a float,
        twice, and some room to grow)."""
        if not self.disk_reserve_bytes:
            return
        needed = 3 * (8 * points * floats_each + other_bytes)
        free = shutil.disk_usage(self.path).free
        if free - needed < self.disk_reserve_bytes:
            mb = 1024 * 1024
            raise IndexDiskFull(errno.ENOSPC, f"the vector index's disk is full: {free // mb} MB free at {self.path}, and "
                                f"{self.disk_reserve_bytes // mb} MB are kept free (MIRAGE_VECTOR_DISK_RESERVE_MB); this write "
                                f"needs about {max(1, needed // mb)} MB. Free space, then index it again")

    def _vectors(self, p: ChunkPoint) -> dict[str, Any]:
        return dense_vectors(p.dense, self.dims) | {SPARSE: SparseVector(list(p.sparse.indices), list(p.sparse.values))}

    def delete_document(self, document_id: str) -> int:
        selector = Filter(must=[FieldCondition(key=DOCUMENT_ID, match=MatchValue(document_id))])
        with self._write_lock:
            shard = self._open_shard()
            removed = shard.count(CountRequest(exact=True, filter=selector))
            if removed:
                shard.update(UpdateOperation.delete_points_by_filter(selector))
                self._flush_if_due(shard)
            return removed

    def search(self, query: QueryVectors, *, limit: int, filters: Mapping[str, Any] | None = None) -> list[Hit]:
        """Each space's and the BM25 candidates in one planned batch, fused in-process (`adapters.stores.fusion`)."""
        selector = build_filter(filters)
        depth = candidate_depth(limit)
        searches: dict[str, Any] = dense_vectors(query.dense, self.dims)
        if query.sparse.indices:
            searches[SPARSE] = SparseVector(list(query.sparse.indices), list(query.sparse.values))
        requests = [
            QueryRequest(limit=depth, query=Query.Nearest(vector, using=name), filter=selector, with_payload=FUSION_FIELDS)
            for name, vector in searches.items()
        ]
        shard = self._open_shard()
        hits = fuse(named_hits(list(searches), shard.query_batch(QueryBatchRequest(requests))), query.languages, limit=limit)
        if hits:
            payloads = {str(point.id): point.payload for point in shard.retrieve([point_id(h.id) for h in hits], True, False)}
            # a chunk deleted since the candidates were read is left out
            hits = [replace(h, payload={key: value for key, value in payloads[point_id(h.id)].items() if key != ORIGINAL_ID})
                    for h in hits if point_id(h.id) in payloads]
        return hits

    def nearest(self, vector: np.ndarray, *, limit: int, space: str = PRIMARY.name, exact: bool = False,
                with_payload: bool = True) -> list[Hit]:
        """One space's nearest chunks alone, by cosine: no BM25 list, no fusion, no filter. The work a plain
        vector database's query does (`mirage bench search` sets it beside ChromaDB's); `exact` compares with
        every vector instead of walking the HNSW graph."""
        request = QueryRequest(limit=limit, query=Query.Nearest(dense_list(vector, self.dims[space]), using=space),
                               with_payload=with_payload, params=SearchParams(exact=exact))
        return [to_hit(p.id, p.score, p.payload) for p in self._open_shard().query(request)]

    def count(self, filters: Mapping[str, Any] | None = None) -> int:
        return self._open_shard().count(CountRequest(exact=True, filter=build_filter(filters)))

    def _flush_if_due(self, shard: EdgeShard) -> None:
        if time.monotonic() - self._flushed_at >= self.FLUSH_INTERVAL_S:
            shard.flush()
            self._flushed_at = time.monotonic()

    def flush(self) -> None:
        with self._write_lock:
            self._open_shard().flush()

    def optimize(self) -> bool:
        """Build the HNSW and payload indexes now (after a bulk load); True if anything changed."""
        with self._write_lock:
            return self._open_shard().optimize()

    def close(self) -> None:
        with self._write_lock:
            if self._shard is None:
                return
            try:
                self._shard.flush()
                self._shard.close()
            finally:
                self._shard = None
                _unlock(self._lock_fd)

    def __enter__(self) -> EdgeVectorStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open_shard(self) -> EdgeShard:
        shard = self._shard
        if shard is None:
            raise RuntimeError(f"vector store at {self.path} is closed")
        return shard

    def _open(self) -> EdgeShard:
        vectors = {name: EdgeVectorParams(size=size, distance=Distance.Cosine) for name, size in self.dims.items()}
        # Payloads (the chunk texts a search returns) read into the page cache when a segment opens, as the
        # vectors are: left on disk ("cold", the default), a freshly started worker at 100k chunks read ~50
        # pages from disk per question and answered its first 300 at p95 18.7 ms through NATS; cached, 13.3.
        config = EdgeConfig(vectors=vectors, sparse_vectors={SPARSE: EdgeSparseVectorParams(modifier=Modifier.Idf)},
                            payload_memory=Memory.Cached)
        if not (self.path / _SHARD_CONFIG_FILE).exists() and not (self.path / "segments").exists():
            return EdgeShard.create(str(self.path), config)
        stored = _stored_sizes(self.path)
        if stored is not None and stored != {name: params.size for name, params in vectors.items()}:
            raise self._mismatch(describe(stored))
        try:
            return EdgeShard.load(str(self.path), config)
        except Exception as e:
            if "incompatible" in str(e).lower():
                raise self._mismatch(str(e)) from e
            raise

    def _mismatch(self, found: str) -> VectorLayoutMismatch:
        wanted = describe(self.dims)
        return VectorLayoutMismatch(
            f"the vector index in {self.path} was built for {found}, but the configured embedders make {wanted} "
            f"(MIRAGE_EMBEDDER or MIRAGE_ENGLISH_EMBEDDER changed?). Re-index the documents into a fresh data "
            f"directory, or point this process at another data directory."
        )

    def _ensure_indexes(self) -> None:
        shard = self._open_shard()
        existing = shard.info().payload_schema
        for field in KEYWORD_INDEXES:
            if field not in existing:
                shard.update(UpdateOperation.create_field_index(field, PayloadSchemaType.Keyword))


def build_filter(filters: Mapping[str, Any] | None) -> Filter | None:
    conditions = [_condition(path, values) for path, values in filter_terms(filters)]
    return Filter(must=conditions) if conditions else None


def _condition(path: str, values: tuple[FilterValue, ...]) -> FieldCondition | Filter:
    if len(values) == 1:
        return _match_one(path, values[0])
    if is_keyword_list(values):
        return FieldCondition(key=path, match=MatchAny(list(values)))
    return Filter(should=[_match_one(path, v) for v in values])


def _match_one(path: str, value: FilterValue) -> FieldCondition:
    if isinstance(value, float):
        return FieldCondition(key=path, range=RangeFloat(gte=value, lte=value))
    if isinstance(value, bool):
        # qdrant-edge 0.9 reads a Python bool as the integer 1 or 0, which matches no stored boolean;
        # numpy's bool reaches its boolean variant.
        return FieldCondition(key=path, match=MatchValue(np.bool_(value)))
    return FieldCondition(key=path, match=MatchValue(value))


def _stored_sizes(path: Path) -> dict[str, int] | None:
    try:
        config = json.loads((path / _SHARD_CONFIG_FILE).read_text())
        return {name: int(params["size"]) for name, params in config["vectors"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _lock_directory(path: Path) -> int:
    fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as e:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            who = "this process" if holder == str(os.getpid()) else f"another process (pid {holder})"
            raise StoreLocked(
                f"the vector index in {path} is already open in {who}. Qdrant Edge "
                f"serves one process per directory: stop that process, give this one its own data directory, "
                f"or share one index through a Qdrant server (QDRANT_URL)."
            ) from e
        raise
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _unlock(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
