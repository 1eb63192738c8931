"""Hybrid search: tell the query's possible languages, embed it in the spaces it searches, let the store fuse, shape the hits,
then rank first the passages that name the medicine asked about and sit in the section that answers it."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from adapters.embedders.base import Embedder
from adapters.language import LanguageDetector
from adapters.leaflet import (
    NOT_ANSWERS,
    Name,
    asked_names,
    asked_sections,
    documents_naming_most,
    heading_section,
    names_to_match,
    naming_text,
)
from adapters.spaces import PRIMARY, for_question
from adapters.stores.base import SECTION, Hit, QueryVectors, SparseTerms, VectorStore
from adapters.stores.lexical import Bm25Encoder
from adapters.terminology import english_text
from adapters.unit_vectors import PAYLOAD_KEY
from contracts.search import SearchHit, SearchRequest, SearchResponse

# The store's fused scores are re-ranked over this many hits (or top_k when larger).
RERANK_DEPTH = 30
NAME_BONUS = 0.5  # the passage names the medicine asked about
SECTION_BONUS = 0.5  # its section is the one that answers the question (side effects, storage, ...)
NOT_ANSWER_PENALTY = 0.5  # a table of contents or the leaflet's preamble
MAX_NAMING_DOCUMENTS = 8  # searched again on their own
NAME_SEARCH_DEPTH = 10
# Of the versions of a leaflet that names the medicine, the one in the question's language, else the English one.
QUESTION_LANGUAGE_BONUS = 0.3
PIVOT_LANGUAGE_BONUS = 0.2
PIVOT_LANGUAGE = "en"


def to_search_hit(hit: Hit) -> SearchHit:
    p = hit.payload
    return SearchHit(
        chunk_id=hit.id, score=hit.score, similarity=hit.similarity, text=p.get("text", ""), document_id=p.get("document_id", ""),
        title=p.get("title"), filename=p.get("filename"), page=p.get("page"), heading=p.get("heading"),
        language=p.get("language"), metadata=p.get("meta") or {}, units=p.get(PAYLOAD_KEY),
    )


def search(
    request: SearchRequest, *, embedders: Mapping[str, Embedder], lexical: Bm25Encoder, detector: LanguageDetector,
    store: VectorStore, dense: Mapping[str, np.ndarray] | None = None, languages: frozenset[str] | None = None,
) -> SearchResponse:
    """`embedders`: the model of each enabled space, by space name. `dense`, `languages`: the query's embeddings
    in the spaces it searches (from the embedding cache) and its compatible languages, when the caller already
    has them; else each space whose `questions` accept the languages embeds it here."""
    started = time.perf_counter()
    if languages is None:
        languages = detector.compatible_languages(request.query)
    if dense is None:
        dense = {space.name: embedders[space.name].embed_query(space.reads(request.query, languages)) for space in for_question(languages, embedders)}
    query = QueryVectors(dense=dense, sparse=query_terms(request.query, languages, lexical), languages=languages)
    depth = max(request.top_k, RERANK_DEPTH)
    hits = [to_search_hit(h) for h in store.search(query, limit=depth, filters=request.filters)]
    asked = asked_names(request.query)
    # a German capitalized noun is only a weak name: it names a leaflet where its headings do ("3. Wie ist X
    # einzunehmen?"), not where an English text happens to share the word ("Land", "Studie")
    headings_only = bool(asked) and not any(name.strong for name in asked)
    candidates = hits
    if asked and not all(any(name.found_in(text) for text in document_texts(hits).values()) for name in asked):
        # a name asked in one language weighs little on chunks of another (BM25 counts a tenth across languages):
        # look the names up as words of every language, to find the documents that name them (their hits come
        # from the search within those documents below: scores of two searches do not compare)
        by_name = QueryVectors(dense={PRIMARY.name: query.dense[PRIMARY.name]}, sparse=lexical.encode_names(" ".join(n.word for n in asked)),
                               languages=frozenset())
        candidates = merged(hits, store.search(by_name, limit=NAME_SEARCH_DEPTH, filters=request.filters))
    texts = document_texts(candidates)
    shown = names_to_match(asked, texts)  # one passage naming them is kept among the results
    names = names_to_match(asked, document_texts(candidates, headings_only=True)) if headings_only else shown
    naming = documents_naming_most(shown, texts)
    wanted = asked_sections(request.query)
    results = rerank(hits, names, wanted, request.top_k, languages, headings_only, shown=shown)
    if naming and "document_id" not in request.filters and not settled(results, request.top_k, wanted, languages, names, shown, hits,
                                                                       headings_only):
        # the section that answers may rank low in the whole index (a Spanish leaflet's storage section for an
        # English question): search again within the documents that name the medicine; and when a section is asked,
        # within that section of theirs too ("Comment conserver Dovato ?": Dovato's storage section came 40th of its
        # 167 passages), when their passages carry it (indexed since `section` was kept). Both: the answer may also lie
        # elsewhere ("can I stop Dovato if I have hepatitis B?" is answered among the warnings before taking it)
        within_naming = {**request.filters, "document_id": naming[:MAX_NAMING_DOCUMENTS]}
        within = store.search(query, limit=depth, filters=within_naming)
        if wanted and SECTION not in request.filters:  # a section the asker filtered on stays theirs
            within += store.search(query, limit=request.top_k, filters=within_naming | {SECTION: sorted(wanted)})
        # fused scores are relative to the best hit of their own search: these enter below every first-search hit
        floor = min((hit.score for hit in hits), default=0.0)
        hits = merged(hits, [replace(hit, score=min(hit.score, floor)) for hit in within])
        results = rerank(hits, names, wanted, request.top_k, languages, headings_only, shown=shown)
    return SearchResponse(query=request.query, results=results, took_ms=round((time.perf_counter() - started) * 1000, 3))


def settled(results: list[SearchHit], top_k: int, wanted: frozenset[str], languages: frozenset[str], names: list[Name],
            shown: list[Name], hits: list[SearchHit], headings_only: bool) -> bool:
    """True when a search within the naming documents cannot change the first search's `results`: no section is asked
    (none of its hits could gain the section bonus), and every result is already a passage of a document that names the
    medicine, in the question's language, outside a table of contents, with one passage naming it among them. Such a
    search's hits enter below every first-search hit with at most the same bonuses, so they would all rank after these."""
    naming = set(documents_naming_most(names, document_texts(hits, headings_only)))
    return (not wanted and len(results) == top_k and (not shown or any(mentions(hit, shown) for hit in results))
            and all(hit.document_id in naming and hit.language in languages and heading_section(hit.heading) not in NOT_ANSWERS
                    for hit in results))


def query_terms(question: str, languages: frozenset[str], lexical: Bm25Encoder) -> SparseTerms:
    """The question's BM25 terms in each of its languages and, when it cannot be English, the English forms its
    words may have (adapters.terminology: glossary words, cognates), so that its words reach English chunks."""
    terms = lexical.encode_query(question, languages)
    english = english_text(question, languages) if languages and "en" not in languages else ""
    if not english:
        return terms
    indices = sorted({*terms.indices, *lexical.encode_query(english, {"en"}).indices})
    return SparseTerms(indices=tuple(indices), values=(1.0,) * len(indices))


def rerank(
    hits: list[SearchHit], names: list[Name], wanted: frozenset[str], top_k: int, languages: frozenset[str] = frozenset(),
    headings_only: bool = False, shown: list[Name] | None = None,
) -> list[SearchHit]:
    """The best `top_k` by fused score plus bonuses for a document that names the asked medicine and for the
    answering section, scaled back to 0-1.

    Names match across accents, case and language endings ("irbésartan" finds "Irbesartan") in a hit's text,
    heading or title; every hit of a document that one of its hits names counts, since a leaflet's list of
    side effects does not repeat the medicine's name. One hit that names it is kept among the results, so
    that the answer can tell the medicine is covered (`shown`: the names to keep such a hit for, when they
    differ from `names`). Of such a document's versions, the one in one of the
    question's `languages` ranks first, then the English one (`prefer_versions`). Hits keep the store's order
    among equals."""
    if not names and not wanted:
        return hits[:top_k]
    scale = 1 + (NAME_BONUS + QUESTION_LANGUAGE_BONUS if names else 0) + (SECTION_BONUS if wanted else 0)
    naming = set(documents_naming_most(names, document_texts(hits, headings_only)))

    def adjusted(hit: SearchHit) -> SearchHit:
        section = heading_section(hit.heading)
        score = hit.score
        if hit.document_id in naming:
            score += NAME_BONUS + (QUESTION_LANGUAGE_BONUS if hit.language in languages else PIVOT_LANGUAGE_BONUS * (hit.language == "en"))
        score += SECTION_BONUS * (section in wanted) - NOT_ANSWER_PENALTY * (section in NOT_ANSWERS)
        return hit.model_copy(update={"score": round(max(score, 0.0) / scale, 6)})

    ranked = prefer_versions(sorted((adjusted(hit) for hit in hits), key=lambda hit: -hit.score), naming, languages)
    best, rest = ranked[:top_k], ranked[top_k:]
    shown = names if shown is None else shown
    if shown and top_k > 1 and not any(mentions(hit, shown) for hit in best):
        best[-1] = next((hit for hit in rest if mentions(hit, shown)), best[-1])
    return best


def prefer_versions(ranked: list[SearchHit], naming: set[str], languages: frozenset[str]) -> list[SearchHit]:
    """A section of a leaflet about the medicine goes after every other hit when another leaflet about it has
    that section in a language the question prefers (one of its own, else English): a German question gets the
    English Dovato leaflet's section rather than the Portuguese one, however the fused scores compare. A leaflet
    in no preferred language keeps its place."""

    def preference(hit: SearchHit) -> int:
        return 0 if hit.language in languages else 1 if hit.language == PIVOT_LANGUAGE else 2

    best: dict[str, int] = {}
    for hit in ranked:
        section = heading_section(hit.heading)
        if hit.document_id in naming and section is not None:
            best[section] = min(best.get(section, 2), preference(hit))

    def elsewhere(hit: SearchHit) -> bool:
        section = heading_section(hit.heading)
        return hit.document_id in naming and section is not None and preference(hit) > best[section]

    return [hit for hit in ranked if not elsewhere(hit)] + [hit for hit in ranked if elsewhere(hit)]


def merged(hits: list[SearchHit], more: list[Hit]) -> list[SearchHit]:
    seen = {hit.chunk_id for hit in hits}
    return hits + [hit for hit in map(to_search_hit, more) if hit.chunk_id not in seen]


def document_texts(hits: list[SearchHit], headings_only: bool = False) -> dict[str, str]:
    """Where each document's hits name what it is about (adapters.leaflet.naming_text; their titles and
    headings alone with `headings_only`), folded into one text."""
    texts: dict[str, list[str]] = {}
    for hit in hits:
        texts.setdefault(hit.document_id, []).append(naming_text(hit.title, hit.heading, "" if headings_only else hit.text))
    return {document: "\n".join(parts) for document, parts in texts.items()}


def mentions(hit: SearchHit, names: list[Name]) -> bool:
    folded = naming_text(hit.title, hit.heading, hit.text)
    return any(name.found_in(folded) for name in names)
