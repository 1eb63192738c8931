import json
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from qdrant_client import QdrantClient

from adapters.spaces import DENSE, ENGLISH
from adapters.stores import StoreLocked, VectorLayoutMismatch, build_store
from adapters.stores.base import ChunkPoint, QueryVectors, SparseTerms
from adapters.stores.edge import EdgeVectorStore
from adapters.stores.lexical import Bm25Encoder
from adapters.stores.qdrant import QdrantServerStore

DIM = 8
LEXICAL = Bm25Encoder()
RNG = np.random.default_rng(20261124)

# (chunk id, document id, language, meta, text)
CORPUS = [
    ("a0", "doc-a", "en", {"type": "medical", "year": 2024}, "paracetamol maximum dose for adults"),
    ("a1", "doc-a", "en", {"type": "medical", "year": 2024}, "ibuprofen for children with fever"),
    ("b0", "doc-b", "fr", {"type": "leaflet", "version": 1.5}, "paracétamol pendant la grossesse"),
    ("b1", "doc-b", "fr", {"type": "leaflet", "version": 1.5}, "surdosage et atteinte du foie"),
    ("c0", "doc-c", "de", {"type": "medical", "reviewed": True}, "Nebenwirkungen bei Kindern"),
]
VECTORS = {cid: v / np.linalg.norm(v) for cid, v in zip((c[0] for c in CORPUS), RNG.normal(size=(len(CORPUS), DIM)))}


def chunk_uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"test:{name}"))


def points(corpus=CORPUS) -> list[ChunkPoint]:
    return [
        ChunkPoint(
            id=chunk_uuid(cid),
            dense={DENSE: VECTORS[cid].astype(np.float32)},
            sparse=LEXICAL.encode_document(text, lang),
            payload={"document_id": doc, "language": lang, "meta": meta, "text": text, "name": cid},
        )
        for cid, doc, lang, meta, text in corpus
    ]


def names(hits) -> list[str]:
    return [h.payload["name"] for h in hits]


def near(cid: str, noise: float = 0.05) -> np.ndarray:
    return (VECTORS[cid] + RNG.normal(scale=noise, size=DIM)).astype(np.float32)


def query(dense: np.ndarray, text: str, languages: tuple[str, ...] = ("en",), english: np.ndarray | None = None) -> QueryVectors:
    vectors = {DENSE: dense} | ({ENGLISH: english} if english is not None else {})
    return QueryVectors(dense=vectors, sparse=LEXICAL.encode_query(text, languages), languages=frozenset(languages))


class Backend:
    def __init__(self, kind, tmp_path):
        self.kind = kind
        self.path = tmp_path / "shard"
        self.client = QdrantClient(":memory:") if kind == "qdrant" else None
        self.opened = []

    def open(self, dim=DIM, english_dim=None):
        dims = {DENSE: dim} | ({ENGLISH: english_dim} if english_dim else {})
        if self.kind == "edge":
            store = EdgeVectorStore(self.path, dims)
        else:
            store = QdrantServerStore(self.client, "chunks", dims)
        self.opened.append(store)
        return store

    def reopen(self, store, dim=DIM, english_dim=None):
        if self.kind == "edge":
            store.close()
        return self.open(dim, english_dim)

    def close_all(self):
        for store in self.opened:
            if self.kind == "edge":
                store.close()
        if self.client is not None:
            self.client.close()


@pytest.fixture(params=["edge", "qdrant"])
def backend(request, tmp_path):
    b = Backend(request.param, tmp_path)
    yield b
    b.close_all()


@pytest.fixture
def store(backend):
    s = backend.open()
    s.upsert(points())
    return s


def test_dense_only_match(store):
    hits = store.search(query(near("b1"), "zzzz qqqq"), limit=3)
    assert names(hits)[0] == "b1"
    assert hits[0].id == chunk_uuid("b1")
    assert hits[0].payload == {
        "document_id": "doc-b", "language": "fr", "meta": {"type": "leaflet", "version": 1.5},
        "text": "surdosage et atteinte du foie", "name": "b1",
    }


def test_lexical_only_match(store):
    far_from_everything = -np.mean(list(VECTORS.values()), axis=0).astype(np.float32)
    # query language unknown: every hit weighs words first
    hits = store.search(query(far_from_everything, "Nebenwirkungen", languages=()), limit=3)
    assert names(hits)[0] == "c0"


def test_accents_and_case_are_folded(store):
    hits = store.search(query(near("b0"), "SURDOSAGE Foie", languages=("fr",)), limit=1)
    assert names(hits) == ["b1"]


def test_a_match_on_both_sides_comes_first(store):
    hits = store.search(query(near("a1"), "ibuprofen fever"), limit=5)
    assert names(hits)[0] == "a1"
    assert hits[0].score > hits[1].score


def test_words_lead_in_the_query_language_meaning_leads_across_languages(store):
    # dense points at a1, the words are a0's: both English chunks
    english_query = store.search(query(near("a1", 0.0), "maximum dose", languages=("en",)), limit=2)
    assert names(english_query) == ["a0", "a1"]
    french_query = store.search(query(near("a1", 0.0), "maximum dose", languages=("fr",)), limit=2)
    assert names(french_query) == ["a1", "a0"]


def parity_corpus() -> list[ChunkPoint]:
    words = {
        "en": "dose fever child liver pregnancy overdose tablet infection pain kidney".split(),
        "fr": "dose fièvre enfant foie grossesse surdosage comprimé infection douleur rein".split(),
        "de": "Dosis Fieber Kind Leber Schwangerschaft Überdosis Tablette Infektion Schmerz Niere".split(),
    }
    rng = np.random.default_rng(7)
    corpus = []
    for i in range(60):
        language = (*words, None)[i % 4]
        vocabulary = words[language or "en"]
        text = " ".join(rng.choice(vocabulary, size=4, replace=False))
        dense = rng.normal(size=DIM).astype(np.float32)
        corpus.append(ChunkPoint(id=chunk_uuid(f"parity{i}"), dense={DENSE: dense / np.linalg.norm(dense)},
                                 sparse=LEXICAL.encode_document(text, language),
                                 payload={"document_id": f"doc{i % 5}", "language": language, "name": f"parity{i}"}))
    return corpus


def test_both_backends_rank_alike(tmp_path):
    corpus = parity_corpus()
    edge, server = EdgeVectorStore(tmp_path / "edge", DIM), QdrantServerStore(QdrantClient(":memory:"), "parity", DIM)
    try:
        for store in (edge, server):
            store.upsert(corpus)
        rng = np.random.default_rng(11)
        questions = [("fever in a child", ("en",)), ("fièvre enfant", ("fr",)), ("Fieber Kinder", ("de",)),
                     ("liver overdose", ("en", "fr")), ("dose", ()), ("zzzz", ("en",))]
        for text, languages in questions:
            for filters in (None, {"document_id": ["doc1", "doc2"]}):
                q = query(rng.normal(size=DIM).astype(np.float32), text, languages)
                expected = edge.search(q, limit=10, filters=filters)
                found = server.search(q, limit=10, filters=filters)
                assert names(found) == names(expected), (text, filters)
                assert [h.score for h in found] == pytest.approx([h.score for h in expected], rel=1e-4)
    finally:
        edge.close()
        server.close()


def test_query_of_stop_words_falls_back_to_dense(store):
    stop_words = query(near("c0"), "the and of la et du", languages=("en", "fr"))
    assert stop_words.sparse.indices == ()
    assert names(store.search(stop_words, limit=1)) == ["c0"]


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"language": "fr"}, {"b0", "b1"}),
        ({"document_id": "doc-a"}, {"a0", "a1"}),
        ({"type": "medical"}, {"a0", "a1", "c0"}),
        ({"type": ["leaflet", "other"]}, {"b0", "b1"}),
        ({"language": ["en", "de"]}, {"a0", "a1", "c0"}),
        ({"language": "en", "type": "medical"}, {"a0", "a1"}),
        ({"year": 2024}, {"a0", "a1"}),
        ({"version": 1.5}, {"b0", "b1"}),
        ({"reviewed": True}, {"c0"}),
        ({"version": [1.5, "x"], "language": "fr"}, {"b0", "b1"}),
        ({"language": "es"}, set()),
        ({"language": None}, {"a0", "a1", "b0", "b1", "c0"}),
    ],
)
def test_filters(store, filters, expected):
    hits = store.search(query(near("a0"), "paracetamol"), limit=10, filters=filters)
    assert set(names(hits)) == expected
    assert store.count(filters) == len(expected)


def test_empty_filter_list_is_an_error(store):
    with pytest.raises(ValueError, match="empty"):
        store.count({"type": []})


def test_delete_document_removes_its_chunks_only(store):
    assert store.delete_document("doc-a") == 2
    assert store.count() == 3
    assert store.count({"document_id": "doc-a"}) == 0
    assert store.count({"document_id": "doc-b"}) == 2
    assert store.delete_document("doc-a") == 0
    hits = store.search(query(near("a0"), "paracetamol"), limit=10)
    assert not {"a0", "a1"} & set(names(hits))


def test_reupsert_same_ids_overwrites(store):
    changed = [
        ChunkPoint(id=p.id, dense=p.dense, sparse=p.sparse, payload={**p.payload, "meta": {"type": "revised"}})
        for p in points()
    ]
    store.upsert(changed)
    assert store.count() == len(CORPUS)
    assert store.count({"type": "revised"}) == len(CORPUS)


def test_ids_that_are_not_uuids_come_back_unchanged(store):
    point = ChunkPoint(id="doc-x:0", dense={DENSE: VECTORS["a0"]}, sparse=LEXICAL.encode_document("x", None),
                       payload={"document_id": "doc-x", "name": "x0"})
    store.upsert([point])
    store.upsert([point])
    hits = store.search(query(VECTORS["a0"], "x"), limit=10, filters={"document_id": "doc-x"})
    assert [(h.id, dict(h.payload)) for h in hits] == [("doc-x:0", {"document_id": "doc-x", "name": "x0"})]
    assert store.delete_document("doc-x") == 1


def test_wrong_query_dimension_is_an_error(store):
    with pytest.raises(ValueError, match="dimensions"):
        store.search(query(np.zeros(DIM + 1, np.float32), "x"), limit=1)


def test_reopen_finds_every_point(backend, store):
    reopened = backend.reopen(store)
    assert reopened.count() == len(CORPUS)
    assert names(reopened.search(query(near("b0"), "grossesse", languages=("fr",)), limit=1)) == ["b0"]


def test_dimension_mismatch_is_refused(backend, store):
    with pytest.raises(VectorLayoutMismatch, match="[Rr]e-index"):
        backend.reopen(store, dim=DIM * 2)


def test_adding_the_english_vectors_to_an_index_without_them_is_refused(backend, store):
    with pytest.raises(VectorLayoutMismatch, match="MIRAGE_ENGLISH_EMBEDDER"):
        backend.reopen(store, english_dim=4)


ENGLISH_DIM = 4


def english_axis(i: int) -> np.ndarray:
    return np.eye(ENGLISH_DIM, dtype=np.float32)[i]


def test_english_vectors_are_searched_for_english_chunks(backend):
    """a0 and a1 share a random multilingual vector and no query words; only their English vectors tell them apart."""
    store = backend.open(english_dim=ENGLISH_DIM)
    shared = VECTORS["a0"].astype(np.float32)
    store.upsert([
        ChunkPoint(id=chunk_uuid("a0"), dense={DENSE: shared, ENGLISH: english_axis(0)}, sparse=LEXICAL.encode_document("paracetamol dose", "en"),
                   payload={"document_id": "doc-a", "language": "en", "name": "a0"}),
        ChunkPoint(id=chunk_uuid("a1"), dense={DENSE: shared, ENGLISH: english_axis(1)}, sparse=LEXICAL.encode_document("paracetamol dose", "en"),
                   payload={"document_id": "doc-a", "language": "en", "name": "a1"}),
        ChunkPoint(id=chunk_uuid("b0"), dense={DENSE: VECTORS["b0"].astype(np.float32)}, sparse=LEXICAL.encode_document("paracétamol", "fr"),
                   payload={"document_id": "doc-b", "language": "fr", "name": "b0"}),
    ])
    for target in (0, 1):
        found = store.search(query(shared, "paracetamol dose", english=english_axis(target)), limit=3)
        assert names(found)[0] == f"a{target}"
    without = store.search(query(shared, "paracetamol dose"), limit=3)
    assert {names(without)[0], names(without)[1]} == {"a0", "a1"}
    assert store.count() == 3  # a chunk without an English vector is stored all the same
    reopened = backend.reopen(store, english_dim=ENGLISH_DIM)
    assert names(reopened.search(query(shared, "paracetamol dose", english=english_axis(1)), limit=1)) == ["a1"]


def test_edge_lock_refuses_a_second_open(tmp_path):
    first = EdgeVectorStore(tmp_path, DIM)
    try:
        with pytest.raises(StoreLocked, match="this process"):
            EdgeVectorStore(tmp_path, DIM)
        other = subprocess.run(
            [sys.executable, "-c", f"from adapters.stores.edge import EdgeVectorStore; EdgeVectorStore({str(tmp_path)!r}, {DIM})"],
            capture_output=True, text=True, timeout=60,
        )
        assert other.returncode != 0 and "StoreLocked" in other.stderr and "another process" in other.stderr
    finally:
        first.close()
    EdgeVectorStore(tmp_path, DIM).close()  # released on close


def test_edge_serves_reads_while_writing(tmp_path):
    store = EdgeVectorStore(tmp_path, DIM)
    try:
        store.upsert(points())
        paracetamol = query(near("a0"), "paracetamol")

        def write(i):
            doc = [(f"w{i}-{j}", f"doc-w{i}", "en", {"type": "bulk"}, f"bulk text {j}") for j in range(5)]
            for cid, *_ in doc:
                VECTORS.setdefault(cid, RNG.normal(size=DIM))
            store.upsert(points(doc))
            return store.delete_document(f"doc-w{i}")

        with ThreadPoolExecutor(4) as pool:
            reads = [pool.submit(store.search, paracetamol, limit=5) for _ in range(40)]
            writes = [pool.submit(write, i) for i in range(10)]
            assert all(len(f.result()) == 5 for f in reads)
            assert [f.result() for f in writes] == [5] * 10
        assert store.count() == len(CORPUS)
        store.optimize()
        assert store.count() == len(CORPUS)
    finally:
        store.close()


def test_build_store_picks_the_backend(tmp_path):
    edge = build_store(dim=DIM, path=tmp_path)
    server = build_store(dim=DIM, url=":memory:", collection="c")
    try:
        assert isinstance(edge, EdgeVectorStore) and edge.name == "qdrant-edge"
        assert isinstance(server, QdrantServerStore) and server.name == "qdrant"
    finally:
        edge.close()
        server.close()
    with pytest.raises(ValueError):
        build_store(dim=DIM)


def test_edge_points_survive_a_hard_exit(tmp_path):
    writer = (
        "import os, sys, numpy as np\n"
        "from adapters.stores.edge import EdgeVectorStore\n"
        "from adapters.stores.base import ChunkPoint, SparseTerms\n"
        f"store = EdgeVectorStore({str(tmp_path)!r}, {DIM})\n"
        f"store.upsert([ChunkPoint(id=f'c{{i}}', dense={{'dense': np.ones({DIM})}}, sparse=SparseTerms((1,), (1.0,)), "
        f"payload={{'document_id': 'd'}}) for i in range(7)])\n"
        "os._exit(0)\n"  # no close(): the flush after upsert is what makes it durable
    )
    subprocess.run([sys.executable, "-c", writer], check=True, timeout=60)
    store = EdgeVectorStore(tmp_path, DIM)
    try:
        assert store.count({"document_id": "d"}) == 7
    finally:
        store.close()


@pytest.fixture(scope="module")
def use():
    from adapters.embedders.use import UniversalSentenceEncoder

    return UniversalSentenceEncoder(threads=2)


def test_cross_lingual_question_finds_the_english_chunk(backend, use):
    passages = [
        "Paracetamol can be used during pregnancy at the lowest effective dose.",
        "Do not give ibuprofen to infants under three months.",
        "Store insulin pens in the refrigerator; never freeze them.",
    ]
    store = backend.open(use.dim)
    store.upsert(
        [
            ChunkPoint(id=chunk_uuid(f"p{i}"), dense={DENSE: v}, sparse=LEXICAL.encode_document(t, "en"),
                       payload={"document_id": "leaflet", "language": "en", "name": f"p{i}"})
            for i, (t, v) in enumerate(zip(passages, use.embed_documents(passages)))
        ]
    )
    question = "Comment conserver les stylos d'insuline ?"
    hits = store.search(query(use.embed_query(question), question, languages=("fr",)), limit=3)
    assert names(hits)[0] == "p2"


def test_english_vectors_can_come_after_the_chunks_and_skip_deleted_ones(backend):
    store = backend.open(english_dim=ENGLISH_DIM)
    shared = VECTORS["a0"].astype(np.float32)
    store.upsert([
        ChunkPoint(id=chunk_uuid(name), dense={DENSE: shared}, sparse=LEXICAL.encode_document("paracetamol dose", "en"),
                   payload={"document_id": doc, "language": "en", "name": name})
        for name, doc in (("a0", "doc-a"), ("a1", "doc-a"), ("z0", "doc-z"))
    ])
    searched = query(shared, "paracetamol dose", english=english_axis(1))
    assert store.search(searched, limit=3)[0].score == pytest.approx(store.search(searched, limit=3)[1].score)  # no English side yet
    store.delete_document("doc-z")
    updated = store.add_vectors(ENGLISH, {chunk_uuid("a0"): english_axis(0), chunk_uuid("a1"): english_axis(1), chunk_uuid("z0"): english_axis(2)})
    assert updated == 2 and store.count() == 2  # the deleted chunk is not brought back
    assert names(store.search(searched, limit=2)) == ["a1", "a0"]


def test_edge_reads_payloads_into_memory_when_a_segment_opens(tmp_path):
    """Left on disk, the chunk texts of a freshly started worker came from the disk ~50 pages per question
    (docs/BENCHMARKS.md); every segment keeps them in RAM."""
    store = EdgeVectorStore(tmp_path, DIM)
    try:
        store.upsert([ChunkPoint(id=f"c{i}", dense={DENSE: np.ones(DIM)}, sparse=SparseTerms((1,), (1.0,)),
                                 payload={"document_id": "d", "text": "x" * 500})
                      for i in range(2000)])
        store.optimize()
    finally:
        store.close()
    placements = [json.loads(path.read_text())["config"]["payload_storage_type"]["type"] for path in tmp_path.glob("segments/*/segment.json")]
    assert placements and set(placements) == {"in_ram_mmap"}


def test_edge_nearest_is_one_spaces_cosine_ranking_alone(tmp_path):
    store = EdgeVectorStore(tmp_path, DIM)
    try:
        store.upsert(points())
        near_b1 = near("b1")
        expected = sorted((c[0] for c in CORPUS), key=lambda cid: -float(VECTORS[cid] @ near_b1))[:3]  # VECTORS gains other tests' ids
        for options in ({}, {"exact": True}):
            hits = store.nearest(near_b1, limit=3, **options)
            assert names(hits) == expected  # no words, no language weights: the cosine order
            assert [h.score for h in hits] == pytest.approx([float(VECTORS[cid] @ near_b1 / np.linalg.norm(near_b1)) for cid in expected], abs=1e-5)
        assert [h.payload for h in store.nearest(near_b1, limit=2, with_payload=False)] == [{}, {}]
    finally:
        store.close()
