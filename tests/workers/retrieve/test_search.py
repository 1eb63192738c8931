"""The retrieve worker's search over passages indexed the way ingest indexes them (real USE, lingua, Qdrant Edge)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from adapters.spaces import DENSE, ENGLISH
from adapters.stores.edge import EdgeVectorStore
from adapters.stores.lexical import Bm25Encoder
from adapters.terminology import english_question
from contracts import topology
from contracts.documents import BlobRef, DocumentUploaded
from contracts.search import SearchRequest
from tests.factories import prepare
from workers.retrieve.search import query_terms, search

PASSAGES = {
    "imatinib": "Imatinib inhibits the BCR-ABL tyrosine kinase and is the first-line treatment of chronic myeloid leukemia.",
    "gefitinib": "Gefitinib targets the EGFR tyrosine kinase in non-small cell lung cancer with activating mutations.",
    "vemurafenib": "Vemurafenib targets the BRAF V600E mutated kinase in metastatic melanoma.",
    "crizotinib": "Crizotinib inhibits ALK rearrangements in lung adenocarcinoma.",
    "ibrutinib": "Ibrutinib irreversibly inhibits Bruton's tyrosine kinase in chronic lymphocytic leukemia.",
    "ruxolitinib": "Ruxolitinib targets JAK1 and JAK2 in myelofibrosis.",
    "olaparib": "Olaparib targets PARP enzymes in BRCA-mutated ovarian cancer.",
    "trastuzumab": "Trastuzumab targets the HER2 receptor in breast cancer.",
    "rituximab": "Rituximab targets CD20 on B lymphocytes.",
    "sunitinib": "Sunitinib targets several receptor tyrosine kinases in renal cell carcinoma.",
    "insulin": "Store insulin pens in the refrigerator; never freeze them.",
    "paracetamol": "Paracetamol can be used during pregnancy at the lowest effective dose.",
    "natalizumab": "Natalizumab blocks alpha-4 integrin and carries a risk of progressive multifocal leukoencephalopathy.",
    "grossesse": "Le paracétamol peut être utilisé pendant la grossesse, à la dose efficace la plus faible.",
}


@pytest.fixture(scope="module")
def lexical() -> Bm25Encoder:
    return Bm25Encoder()


@pytest.fixture
def indexed(tmp_path, embedder, lexical, detector) -> Iterator[EdgeVectorStore]:  # noqa: ANN001
    store = EdgeVectorStore(tmp_path / "vectors", embedder.dim)
    for name, text in PASSAGES.items():
        data = text.encode()
        event = DocumentUploaded(
            correlation_id=name, document_id=name, filename=f"{name}.txt", format="txt",
            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=name, size=len(data)), metadata={"title": "Drug notes"},
        )
        store.upsert(prepare(data, event, embedders={DENSE: embedder}, lexical=lexical, detector=detector, max_chars=1000).points)
    yield store
    store.close()


def top(question: str, store, embedder, lexical, detector, k: int = 3) -> list[str]:  # noqa: ANN001
    response = search(SearchRequest(query=question, top_k=k), embedders={DENSE: embedder}, lexical=lexical, detector=detector, store=store)
    return [hit.document_id for hit in response.results]


def dense_only_top(question: str, embedder) -> str:  # noqa: ANN001
    names = list(PASSAGES)
    vectors = embedder.embed_documents([f"Drug notes\n{PASSAGES[n]}" for n in names])
    return names[int(np.argmax(vectors @ embedder.embed_query(question)))]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("Comment conserver les stylos d'insuline ?", "insulin"),
        ("Quel médicament cible le récepteur HER2 ?", "trastuzumab"),
        ("¿Qué medicamento actúa sobre JAK2?", "ruxolitinib"),
    ],
)
def test_a_question_in_another_language_finds_the_english_passage(indexed, embedder, lexical, detector, question, expected):
    assert top(question, indexed, embedder, lexical, detector)[0] == expected


@pytest.mark.parametrize(
    "question, expected",
    [("What is the target of crizotinib?", "crizotinib"), ("What does sunitinib target?", "sunitinib")],
)
def test_an_english_question_finds_the_passage_that_names_its_drug(indexed, embedder, lexical, detector, question, expected):
    assert dense_only_top(question, embedder) != expected  # meaning alone misses it: the words decide
    assert top(question, indexed, embedder, lexical, detector)[0] == expected


def test_a_french_question_prefers_the_french_passage_that_shares_its_words(indexed, embedder, lexical, detector):
    found = top("paracétamol pendant la grossesse", indexed, embedder, lexical, detector, k=2)
    assert found == ["grossesse", "paracetamol"]


def test_hits_carry_their_language_and_a_fused_score(indexed, embedder, lexical, detector):
    response = search(SearchRequest(query="Which drug targets HER2?", top_k=5), embedders={DENSE: embedder}, lexical=lexical,
                      detector=detector, store=indexed)
    assert response.results[0].document_id == "trastuzumab" and response.results[0].language == "en"
    scores = [hit.score for hit in response.results]
    assert scores == sorted(scores, reverse=True) and 0.0 < scores[0] <= 1.0


@pytest.fixture
def indexed_with_english(tmp_path, embedder, english_embedder, lexical, detector) -> Iterator[EdgeVectorStore]:  # noqa: ANN001
    store = EdgeVectorStore(tmp_path / "vectors-en", {DENSE: embedder.dim, ENGLISH: english_embedder.dim})
    for name, text in PASSAGES.items():
        data = text.encode()
        event = DocumentUploaded(
            correlation_id=name, document_id=name, filename=f"{name}.txt", format="txt",
            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=name, size=len(data)), metadata={"title": "Drug notes"},
        )
        store.upsert(prepare(data, event, embedders={DENSE: embedder, ENGLISH: english_embedder}, lexical=lexical, detector=detector,
                             max_chars=1000).points)
    yield store
    store.close()


class CountingEmbedder:
    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner, self.name, self.dim, self.queries = inner, inner.name, inner.dim, []

    def embed_query(self, text: str) -> np.ndarray:
        self.queries.append(text)
        return self.inner.embed_query(text)


@pytest.mark.parametrize(
    "question, expected",
    [
        # no word in common with its passage: only meaning can find it
        ("Which medicine can cause a rare viral brain infection?", "natalizumab"),
        ("Which antibody depletes B cells?", "rituximab"),
        ("Comment conserver les stylos d'insuline ?", "insulin"),
        ("What is the target of crizotinib?", "crizotinib"),
    ],
)
def test_with_the_english_model_english_and_other_questions_find_their_passage(
    indexed_with_english, embedder, english_embedder, lexical, detector, question, expected,
):
    english = CountingEmbedder(english_embedder)
    response = search(SearchRequest(query=question, top_k=3), embedders={DENSE: embedder, ENGLISH: english}, lexical=lexical,
                      detector=detector, store=indexed_with_english)
    assert response.results[0].document_id == expected
    languages = detector.compatible_languages(question)
    # a French question is read by the English model in English words ("conserver les stylos d'insuline" → "store ... insulin")
    assert english.queries == [english_question(question, languages)]


def test_a_question_in_another_language_carries_its_words_english_forms_to_bm25(lexical):
    french = frozenset({"fr"})
    terms = set(query_terms("hépatite chronique", french, lexical).indices)
    assert set(lexical.encode_query("chronic hepatitis", {"en"}).indices) <= terms
    assert set(lexical.encode_query("hépatite chronique", french).indices) <= terms
    english = frozenset({"en"})
    assert query_terms("chronic hepatitis", english, lexical) == lexical.encode_query("chronic hepatitis", english)
