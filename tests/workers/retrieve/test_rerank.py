"""Ranking by the asked medicine and by the section that answers, over leaflets indexed the way ingest indexes them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from adapters.leaflet import asked_names, asked_sections
from adapters.spaces import DENSE
from adapters.stores.edge import EdgeVectorStore
from adapters.stores.lexical import Bm25Encoder
from contracts import topology
from contracts.documents import BlobRef, DocumentUploaded
from contracts.search import SearchHit, SearchRequest
from tests.factories import prepare
from workers.retrieve.search import rerank, search


def leaflet(name: str, substance: str, language: str = "en") -> str:
    if language == "fr":
        return (
            f"## Que contient cette notice\nQu'est-ce que {name} et dans quel cas est-il utilisé\nComment prendre {name}\n"
            f"Comment conserver {name}\n\n"
            f"## 1. Qu'est-ce que {name} et dans quel cas est-il utilisé\n{name} contient la substance active {substance}. "
            "Il est utilisé pour traiter l'hypertension artérielle.\n\n"
            f"## 3. Comment prendre {name}\nSi vous oubliez de prendre {name}, prenez la dose suivante à l'heure habituelle. "
            "Ne prenez pas de dose double pour compenser la dose oubliée.\n\n"
            f"## 5. Comment conserver {name}\nÀ conserver à une température ne dépassant pas 30 °C.\n"
        )
    return (
        f"## What is in this leaflet\nWhat {name} is and what it is used for\nHow to take {name}\nHow to store {name}\n\n"
        f"## 1. What {name} is and what it is used for\n{name} contains the active substance {substance}. "
        "It is used to treat high blood pressure.\n\n"
        f"## 3. How to take {name}\nIf you forget to take {name}, take the next dose at the usual time. "
        "Do not take a double dose to make up for a forgotten dose.\n\n"
        f"## 5. How to store {name}\nStore below 25 °C in the original package to protect from moisture.\n"
    )


LEAFLETS = {
    "karvea": leaflet("Karvea", "irbesartan"),
    "lorvane": leaflet("Lorvane", "losartan", "fr"),
    "velmira": leaflet("Velmira", "valsartan"),
    "cardiola": leaflet("Cardiola", "candesartan", "fr"),
    "olmeta": leaflet("Olmeta", "olmesartan"),
}


@pytest.fixture(scope="module")
def leaflets(tmp_path_factory, embedder, detector) -> Iterator[EdgeVectorStore]:  # noqa: ANN001
    store = EdgeVectorStore(tmp_path_factory.mktemp("leaflets") / "vectors", embedder.dim)
    for name, text in LEAFLETS.items():
        data = text.encode()
        event = DocumentUploaded(
            correlation_id=name, document_id=name, filename=f"{name}.md", format="markdown",
            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=name, size=len(data)), metadata={},
        )
        store.upsert(prepare(data, event, embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, max_chars=1000).points)
    yield store
    store.close()


def found(question: str, store: EdgeVectorStore, embedder, detector, k: int = 3) -> list[SearchHit]:  # noqa: ANN001
    request = SearchRequest(query=question, top_k=k)
    return search(request, embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, store=store).results


@pytest.mark.parametrize("question", [
    "Que faire si j'oublie de prendre mon irbésartan ?",
    "¿Qué hago si olvido tomar el Irbesartán?",
    "What if I forget a dose of IRBESARTAN?",
    "Was tun, wenn ich Irbesartan vergessen habe?",
])
def test_the_substance_finds_its_leaflet_across_accents_case_and_languages(leaflets, embedder, detector, question: str) -> None:
    hits = found(question, leaflets, embedder, detector)

    assert hits[0].document_id == "karvea"


def test_the_section_that_answers_ranks_first_and_the_table_of_contents_never_does(leaflets, embedder, detector) -> None:
    hits = found("How should I store Velmira?", leaflets, embedder, detector, k=5)

    assert (hits[0].document_id, hits[0].heading) == ("velmira", "5. How to store Velmira")
    assert all(hit.heading != "What is in this leaflet" for hit in hits[:3])


def hit(chunk_id: str, document_id: str, text: str, heading: str | None = None, score: float = 0.5) -> SearchHit:
    return SearchHit(chunk_id=chunk_id, score=score, text=text, document_id=document_id, heading=heading)


def test_every_hit_of_a_document_that_names_the_medicine_ranks_above_other_documents() -> None:
    question = "What are the common side effects of Zentrava?"
    hits = [
        hit("other", "other", "Common side effects: headache.", "4. Possible side effects", score=0.9),
        hit("list", "zentrava", "Common side effects: dizziness.", "4. Possible side effects", score=0.6),
        hit("named", "zentrava", "Zentrava lowers blood pressure.", "1. What Zentrava is and what it is used for", score=0.5),
    ]

    ranked = rerank(hits, asked_names(question), asked_sections(question), top_k=3)

    assert [h.chunk_id for h in ranked] == ["list", "other", "named"]
    assert all(0.0 <= h.score <= 1.0 for h in ranked)


def test_one_hit_that_names_the_medicine_is_kept_among_the_results() -> None:
    question = "What are the side effects of Zentrava?"
    hits = [hit(f"list-{i}", "zentrava", f"side effect {i}", "4. Possible side effects", score=0.9 - i / 10) for i in range(3)]
    hits.append(hit("named", "zentrava", "Zentrava lowers blood pressure.", score=0.1))

    ranked = rerank(hits, asked_names(question), asked_sections(question), top_k=3)

    assert [h.chunk_id for h in ranked] == ["list-0", "list-1", "named"]


def test_a_question_without_name_or_section_keeps_the_store_order() -> None:
    hits = [hit("a", "a", "x", score=0.9), hit("b", "b", "y", "What is in this leaflet", score=0.8)]

    assert rerank(hits, [], frozenset(), top_k=2) == hits


def test_a_german_noun_shared_with_an_english_text_does_not_reorder_the_hits() -> None:
    """"Land" is no medicine: a weak (German) name names a document only through its headings."""
    question = "Universitäten und Schulen im ganzen Land wurden geschlossen."
    hits = [hit("closed", "closed", "Universities and schools across the country were closed.", score=0.9),
            hit("land", "land", "The plane could not land in the storm.", score=0.5)]
    names = asked_names(question)

    ranked = rerank(hits, [], asked_sections(question), top_k=2, headings_only=True, shown=names)

    assert [h.chunk_id for h in ranked] == ["closed", "land"]


def version(chunk_id: str, language: str, heading: str, score: float) -> SearchHit:
    return SearchHit(chunk_id=chunk_id, score=score, text="Zentrava.", document_id=f"zentrava-{language}", heading=heading,
                     language=language)


@pytest.mark.parametrize(("question", "languages", "first"), [
    ("Wofür wird Zentrava verschrieben?", frozenset({"de"}), "use-en"),  # no German version: the English one
    ("¿Para qué se usa Zentrava?", frozenset({"es"}), "use-es"),  # the asker's own language first
])
def test_of_a_leaflet_s_versions_the_section_in_the_asker_s_language_else_english_ranks_first(
    question: str, languages: frozenset[str], first: str
) -> None:
    hits = [
        version("use-pt", "pt", "1. O que é Zentrava e para que é utilizado", score=0.9),
        version("use-es", "es", "1. Qué es Zentrava y para qué se utiliza", score=0.8),
        version("how-pt", "pt", "3. Como tomar Zentrava", score=0.7),
        version("use-en", "en", "1. What Zentrava is and what it is used for", score=0.2),
    ]

    ranked = rerank(hits, asked_names(question), asked_sections(question), top_k=2, languages=languages)

    assert ranked[0].chunk_id == first
    assert "use-pt" not in [hit.chunk_id for hit in ranked]


def test_a_leaflet_in_no_preferred_language_keeps_its_place() -> None:
    question = "Wofür wird Zentrava verschrieben?"
    hits = [version("use-es", "es", "1. Qué es Zentrava y para qué se utiliza", score=0.9),
            version("how-es", "es", "3. Cómo tomar Zentrava", score=0.5)]

    ranked = rerank(hits, asked_names(question), asked_sections(question), top_k=2, languages=frozenset({"de"}))

    assert [hit.chunk_id for hit in ranked] == ["use-es", "how-es"]


class CountingStore:
    def __init__(self, store: EdgeVectorStore) -> None:
        self.store, self.searches = store, 0

    def search(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        self.searches += 1
        return self.store.search(*args, **kwargs)


@pytest.mark.parametrize("question, k, searches", [
    ("Tell me about Karvea", 1, 1),  # its one result is Karvea's, in English, outside the contents: nothing can pass it
    ("Tell me about Karvea", 5, 2),  # five results: the first search's fifth is not Karvea's
    ("How do I store Karvea?", 1, 3),  # a section is asked: within the naming documents, and within their storage sections
])
def test_the_search_within_the_naming_documents_runs_when_it_can_change_the_results(
        leaflets, embedder, detector, question: str, k: int, searches: int) -> None:
    counting = CountingStore(leaflets)
    request = SearchRequest(query=question, top_k=k)
    results = search(request, embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, store=counting).results
    assert counting.searches == searches
    assert results[0].document_id == "karvea"


class FilterRecorder(CountingStore):
    def __init__(self, store: EdgeVectorStore) -> None:
        super().__init__(store)
        self.filters: list[dict] = []

    def search(self, query, *, limit, filters=None):  # noqa: ANN001, ANN201
        self.filters.append(dict(filters or {}))
        return super().search(query, limit=limit, filters=filters)


def test_a_question_that_asks_a_section_searches_that_section_of_the_documents_naming_the_medicine(leaflets, embedder, detector):
    recorder = FilterRecorder(leaflets)
    request = SearchRequest(query="Comment conserver Lorvane ?", top_k=2)
    results = search(request, embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, store=recorder).results
    assert recorder.filters[-1] == {"document_id": ["lorvane"], "section": ["storage"]}
    assert (results[0].document_id, results[0].heading) == ("lorvane", "5. Comment conserver Lorvane")


def test_a_section_the_asker_filtered_on_is_kept(leaflets, embedder, detector):
    recorder = FilterRecorder(leaflets)
    request = SearchRequest(query="Comment conserver Lorvane ?", top_k=2, filters={"section": "use"})
    results = search(request, embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, store=recorder).results
    assert all(f.get("section") == "use" for f in recorder.filters)
    assert results and all(hit.heading.startswith("1.") for hit in results)
