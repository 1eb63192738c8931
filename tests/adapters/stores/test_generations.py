"""GenerationStore over real Edge stores: reads from the active generation, writes to it and the one being built, and a
switched-away generation is closed only once no call uses it, then dropped."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from adapters.stores import VectorLayoutMismatch
from adapters.stores.base import ChunkPoint, QueryVectors, SparseTerms
from adapters.stores.edge import EdgeVectorStore
from adapters.stores.generations import (
    GenerationStore,
    collection_generations,
    generation_collection,
    generation_path,
    path_generations,
)

DIM = 8


def point(document_id: str, index: int = 0) -> ChunkPoint:
    vector = np.zeros(DIM, dtype=np.float32)
    vector[index % DIM] = 1.0
    return ChunkPoint(id=f"00000000-0000-0000-0000-{index:012d}", dense={"dense": vector}, sparse=SparseTerms((), ()),
                      payload={"document_id": document_id, "language": "en", "text": document_id, "meta": {}})


def generations(base: Path) -> tuple[GenerationStore, list[int]]:
    dropped: list[int] = []

    def drop(n: int) -> None:
        dropped.append(n)
        shutil.rmtree(generation_path(base, n))

    return GenerationStore(lambda n: EdgeVectorStore(generation_path(base, n), {"dense": DIM}), drop), dropped


def test_writes_reach_the_generation_being_built_and_reads_stay_on_the_active_one_until_the_switch(tmp_path: Path) -> None:
    base = tmp_path / "vectors"
    store, dropped = generations(base)
    store.upsert([point("old", 0)])
    store.apply(0, 1)
    store.generation(1).upsert([point("rebuilt", 1)])  # what a re-index writes, into the new generation alone
    store.upsert([point("uploaded", 2)])  # an upload meanwhile: both
    assert store.count() == 2 and store.generation(1).count() == 2
    assert store.delete_document("old") == 1 and store.generation(1).count({"document_id": "old"}) == 0
    store.apply(1, None)
    assert (store.active, store.building) == (1, None) and dropped == [0] and not base.exists()
    assert store.count() == 2 and {h.payload["document_id"] for h in store.search(
        QueryVectors(dense={"dense": np.ones(DIM, dtype=np.float32)}, sparse=SparseTerms((), ())), limit=5)} == {"rebuilt", "uploaded"}
    assert path_generations(base) == [1]
    store.close()


def test_a_generation_is_closed_only_once_the_calls_using_it_are_done(tmp_path: Path) -> None:
    store, dropped = generations(tmp_path / "vectors")
    inside, release = threading.Event(), threading.Event()

    def reading() -> None:
        with store._using(False):  # a search in flight on generation 0
            inside.set()
            release.wait(10)

    reader = threading.Thread(target=reading)
    reader.start()
    inside.wait(10)
    switching = threading.Thread(target=store.apply, args=(1, None))
    switching.start()
    switching.join(0.3)
    assert switching.is_alive() and dropped == []  # waits for the search
    release.set()
    reader.join(10)
    switching.join(10)
    assert dropped == [0] and store.active == 1
    store.close()


def test_generation_names() -> None:
    assert generation_path(Path("/d/vectors"), 0) == Path("/d/vectors") and generation_path(Path("/d/vectors"), 3) == Path("/d/vectors-g3")
    assert generation_collection("chunks", 0) == "chunks" and generation_collection("chunks", 2) == "chunks_g2"
    assert collection_generations("chunks", ["chunks", "chunks_g2", "chunks_gx", "other_g1"]) == [0, 2]


def test_an_active_generation_built_for_other_embedders_fails_with_the_reason_until_a_reindex_replaces_it(tmp_path: Path) -> None:
    base = tmp_path / "vectors"
    EdgeVectorStore(base, {"dense": DIM // 2}).close()  # built before the embedder changed
    store, dropped = generations(base)
    query = QueryVectors(dense={"dense": np.ones(DIM, dtype=np.float32)}, sparse=SparseTerms((), ()))
    with pytest.raises(VectorLayoutMismatch, match="mirage replay documents"):
        store.search(query, limit=5)
    with pytest.raises(VectorLayoutMismatch):
        store.upsert([point("uploaded")])  # no re-index running: an upload fails loudly, it is not lost silently
    store.apply(0, 1)
    store.upsert([point("uploaded")])  # during the re-index: into the new generation alone
    assert store.generation(1).count() == 1 and store.delete_document("missing") == 0
    store.apply(1, None)
    assert store.count() == 1 and dropped == [0] and len(store.search(query, limit=5)) == 1
    store.close()
