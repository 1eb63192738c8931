"""The offline answer: the best sentences and lists of the passages about the asked medicine, from the section
that answers the question, quoted verbatim with citations and framed in the answer language.

1. *Declining.* The medicine and product names of the question (adapters.leaflet.asked_names: words in
   parentheses, substance names, capitalized words) must occur in the passages, across accents, case and
   language endings. When none does (or every strong one is missing), the answer says the documents do not
   mention them and cites nothing.
2. *Relevance.* Only passages that name the asked medicine (when the question names one) are quoted; a table of
   contents or a leaflet's preamble never is. A passage must also be relevant enough: its share of the
   question's content words (BM25's analyzers: accents folded, stop words dropped, Snowball stems in every
   language) reaches `min_overlap` (0.3) in the question's language or `min_cross_language_overlap` (0.15)
   in another, or its embedding similarity reaches MIN_CROSS_LANGUAGE_SIMILARITY across languages, or it
   names the medicine and sits in the section that answers the question.
3. *Scoring.* Each unit (a sentence, or a list with its lead-in) scores `w_overlap * overlap + w_rank / (1 + rank)`
   (0.8 / 0.2 within a language, 0.4 / 0.3 across), plus MEANING_WEIGHT times its embedding similarity to the
   question (workers/generate/meaning.py, when the generator has the embedder), plus SECTION_BONUS when its
   passage's heading is the template section the question asks for (use, before taking, how to take, side
   effects, storage, contents), plus LIST_BONUS for a list in that section, minus BOILERPLATE_PENALTY for a line
   every leaflet repeats (workers/generate/boilerplate.py). A question about an amount adds AMOUNT_BONUS to
   units that state one.
4. *Choosing.* The best unit's document is quoted: its `max_sentences` best units scoring within KEEP_MARGIN of
   the best, in passage order, a unit outside the asked section only when it scores within OTHER_SECTION_MARGIN of
   that section's best; a version in the answer language is preferred when the retriever found one.
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import NamedTuple

import numpy as np
from qdrant_edge import Bm25

from adapters.answer_units import Unit, answer_units
from adapters.language import SUPPORTED_LANGUAGES
from adapters.leaflet import (
    NOT_ANSWERS,
    Name,
    asked_names,
    asked_sections,
    fold,
    heading_section,
    missing_names,
    names_to_match,
    naming_text,
)
from adapters.stores.lexical import analyzer_config
from adapters.unit_vectors import unpack
from contracts.questions import Citation, DraftAnswer
from contracts.search import SearchHit
from workers.generate.boilerplate import is_boilerplate
from workers.generate.frames import citation_marker, frame
from workers.generate.meaning import SentenceMeaning
from workers.generate.subsections import SECTION_OF, asked_subsections, subsections

__all__ = ["ExtractiveGenerator", "Lexicon", "fold", "overlap"]

MIN_OVERLAP = 0.3
MIN_CROSS_LANGUAGE_OVERLAP = 0.15
# Across languages few words are shared; the embedding similarity decides. With USE, passages that answer
# a FR/ES/DE question score 0.37-0.48 and off-topic ones under 0.13 (tests/workers/generate, docs/BENCHMARKS.md).
MIN_CROSS_LANGUAGE_SIMILARITY = 0.25
KEEP_MARGIN = 0.8
OTHER_SECTION_MARGIN = 0.2
# USE similarity of a sentence that answers the question is about 0.3-0.5, of one beside the point under 0.2.
MEANING_WEIGHT = 1.0
MAX_SIMILARITY = 0.8  # USE's cosine of a question and a leaflet sentence stays under this
AMOUNT_BONUS = 0.3
SECTION_BONUS = 0.5
SUBSECTION_BONUS = 0.5  # taking too much, a missed dose, stopping (workers/generate/subsections.py)
OTHER_SUBSECTION_PENALTY = 0.3  # and those sub-sections when the question does not ask about them
LIST_BONUS = 0.15
BOILERPLATE_PENALTY = 0.4
# Of the versions of one leaflet, the one in the answer language is quoted, else the English one (the pivot
# language, which EMA leaflets are written in first).
ANSWER_LANGUAGE_BONUS = 0.8
PIVOT_LANGUAGE_BONUS = 0.5
PIVOT_LANGUAGE = "en"


class Weights(NamedTuple):
    overlap: float
    rank: float


SAME_LANGUAGE = Weights(overlap=0.8, rank=0.2)
CROSS_LANGUAGE = Weights(overlap=0.4, rank=0.3)

_WORD = re.compile(r"\w+")
# Matched on the lowercased question with accents folded; no leading \b so that German compounds (Tageshöchstdosis) count.
_ASKS_AMOUNT = re.compile(
    r"dose|dosage|dosing|how (?:much|many|often)|maximum|daily|per day|posologie|combien|par jour|quantite|dosis|cuant[oa]s?\b"
    r"|maxim[oa]|al dia|por dia|cantidad|dosierung|wie ?viele?\b|hochst|maximal|pro tag|am tag|menge"
)
_STATES_AMOUNT = re.compile(
    r"\d(?:[\d.,]*\d)?\s?(?:mg|g|µg|mcg|kg|ml|l|iu|ui|ie|units?|unites?|unidades|einheiten|tablets?|comprimes?|comprimidos?"
    r"|tabletten?|filmtabletten?|capsules?|gelules?|capsulas?|kapseln?|drops?|gouttes?|gotas|tropfen|sachets?|sobres?|beutel|doses?|dosis)\b"
)


class Lexicon:
    """Stemmed term sets for overlap, with the analyzers that BM25 search uses."""

    def __init__(self) -> None:
        self._plain = Bm25(analyzer_config())
        self._stemmed = {language: Bm25(analyzer_config(language)) for language in SUPPORTED_LANGUAGES}

    def question_terms(self, question: str) -> list[frozenset[int]]:
        """One set of term ids per content word: the word unstemmed and stemmed in each language."""
        analyzers = [self._plain, *self._stemmed.values()]
        terms: list[frozenset[int]] = []
        for word in _WORD.findall(question):
            if len(word) < 2 and not word.isdigit():
                continue
            variants = frozenset(i for analyzer in analyzers for i in analyzer.embed_query(word).indices)
            if variants and variants not in terms:
                terms.append(variants)
        return terms

    def text_terms(self, text: str, language: str | None) -> frozenset[int]:
        """Term ids of `text` unstemmed and stemmed in its language (in every language when it is unknown)."""
        stemmed = [self._stemmed[language]] if language in self._stemmed else list(self._stemmed.values())
        return frozenset(i for analyzer in (self._plain, *stemmed) for i in analyzer.embed_document(text).indices)


def overlap(question_terms: Sequence[frozenset[int]], text_terms: frozenset[int]) -> float:
    """Share of the question's content words found in the text; 0 for a question without any."""
    if not question_terms:
        return 0.0
    return sum(1 for variants in question_terms if variants & text_terms) / len(question_terms)


def without_names(question: str, names: Sequence[Name]) -> str:
    """The question without the medicine names it asks about: what it asks of them."""
    for name in names:
        question = re.sub(re.escape(name.word), " ", question, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", question).strip() or question


def term_weights(question_terms: Sequence[frozenset[int]], texts: Sequence[frozenset[int]]) -> list[float]:
    """How much each question word tells the texts apart: log(1 + N / (1 + texts that have it))."""
    return [math.log(1 + len(texts) / (1 + sum(1 for text in texts if variants & text))) for variants in question_terms]


def weighted_overlap(question_terms: Sequence[frozenset[int]], text_terms: frozenset[int], weights: Sequence[float]) -> float:
    """Share of the question's word weight found in the text."""
    total = sum(weights)
    if not total:
        return 0.0
    return sum(weight for variants, weight in zip(question_terms, weights, strict=True) if variants & text_terms) / total


@dataclass(frozen=True)
class _Material:
    """A unit of a passage that may answer, with what its passage gives it."""

    unit: Unit
    passage: SearchHit
    rank: int
    in_section: bool
    base: float  # rank, section and language
    overlap_weight: float
    terms: frozenset[int]
    in_subsection: bool = False  # under the sub-heading the question asks about (an overdose, "X contains lactose")


@dataclass(frozen=True)
class _Candidate:
    text: str
    score: float
    rank: int
    position: int
    in_section: bool = False
    boilerplate: bool = False
    in_subsection: bool = False


class ExtractiveGenerator:
    name = "extractive"

    def __init__(
        self,
        min_score: float = 0.0,
        max_sentences: int = 6,
        min_overlap: float = MIN_OVERLAP,
        min_cross_language_overlap: float = MIN_CROSS_LANGUAGE_OVERLAP,
        meaning: SentenceMeaning | None = None,
    ) -> None:
        if max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        self.min_score = min_score
        self.max_sentences = max_sentences
        self.min_overlap = min_overlap
        self.min_cross_language_overlap = min_cross_language_overlap
        self.meaning = meaning
        self._lexicon = Lexicon()

    async def generate(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer:
        if self.meaning is None:
            return self.answer(question, question_language, answer_language, passages)
        # embedding the sentences takes tens of milliseconds: off the event loop
        return await asyncio.to_thread(self.answer, question, question_language, answer_language, passages)

    def answer(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer:
        """The same as `generate`, for callers without an event loop (benchmarks, scripts)."""
        names = asked_names(question, question_language)
        folded = [naming_text(p.title, p.heading, p.text) for p in passages]
        if passages and (missing := missing_names(names, folded)):
            return self._decline(answer_language, missing)
        by_document: dict[str, str] = {}
        for passage, text in zip(passages, folded, strict=True):
            by_document[passage.document_id] = by_document.get(passage.document_id, "") + "\n" + text
        about = names_to_match(names, by_document)
        # a leaflet's list of side effects does not repeat the medicine's name: the document names it
        # any name will do here: a passage of the document that names all of them may not be among these
        naming = {document for document, text in by_document.items() if any(name.found_in(text) for name in about)}
        asked_topics = asked_subsections(question)
        # an overdose, a missed dose or stopping is told in the "how to take" section, an excipient warning in "before
        # you take", whatever else is asked
        wanted = asked_sections(question) | {SECTION_OF[topic] for topic in asked_topics}
        terms = self._lexicon.question_terms(question)
        material: list[_Material] = []
        for rank, passage in enumerate(passages):
            if about and passage.document_id not in naming:
                continue
            # a passage that runs into the next section has that section's heading in its text (answer_units)
            units = answer_units(passage.text)
            passage_section = heading_section(passage.heading)
            sections = [heading_section(unit.heading) if unit.heading else passage_section for unit in units]
            if all(section in NOT_ANSWERS for section in sections or [passage_section]):
                continue
            cross_language = not question_language or passage.language != question_language
            in_section = any(section is not None and section in wanted for section in sections)
            if passage.score < self.min_score or not (self._relevant(terms, passage, cross_language) or (about and in_section)):
                continue
            weights = CROSS_LANGUAGE if cross_language else SAME_LANGUAGE
            base = weights.rank / (1 + rank) + language_bonus(passage.language, answer_language)
            for unit, section, topic in zip(units, sections, unit_subsections(units), strict=True):
                if section in NOT_ANSWERS:
                    continue
                unit_in_section = section is not None and section in wanted
                unit_terms = self._lexicon.text_terms(unit.text, passage.language)
                bonus = (SECTION_BONUS * unit_in_section + SUBSECTION_BONUS * (unit_in_section and topic in asked_topics)
                         - OTHER_SUBSECTION_PENALTY * (topic not in (None, *asked_topics)))
                material.append(_Material(unit, passage, rank, unit_in_section, base + bonus, weights.overlap, unit_terms,
                                          in_subsection=unit_in_section and topic in asked_topics))
        candidates = self._score(question, terms, material, names)
        chosen = self._choose(candidates, passages)
        if not chosen:
            return DraftAnswer(text=frame(answer_language).no_answer, language=answer_language, answered=False, backend=self.name)
        return self._compose(chosen, answer_language, passages)

    def _score(self, question: str, terms: list[frozenset[int]], material: list[_Material], names: Sequence[Name]) -> list[_Candidate]:
        """Each unit's score: its passage's `base`, its share of the question's words (each weighed by how few
        units have it: the medicine's name, in most of them, tells none apart), its meaning, lists, amounts and boilerplate."""
        weights = term_weights(terms, [m.terms for m in material])
        asks_amount = _ASKS_AMOUNT.search(fold(question)) is not None
        scores, boilerplate = [], []
        for m in material:
            share = weighted_overlap(terms, m.terms, weights)
            if asks_amount and _STATES_AMOUNT.search(fold(m.unit.text)):
                share += AMOUNT_BONUS
            boilerplate.append(is_boilerplate(m.unit.text, question))
            scores.append(m.base + m.overlap_weight * share + LIST_BONUS * (m.unit.is_list and m.in_section) - BOILERPLATE_PENALTY * boilerplate[-1])
        if self.meaning is not None:
            # only units that meaning could bring within KEEP_MARGIN of the best are embedded (the cost of this step);
            # boilerplate goes unquoted when anything else is left
            reach = max(scores, default=0.0) - KEEP_MARGIN - MEANING_WEIGHT * MAX_SIMILARITY
            worth = [i for i, score in enumerate(scores) if score >= reach and not (boilerplate[i] and not all(boilerplate))]
            # the medicine's name would pull the question towards every sentence that repeats it
            # their vectors made at ingest, where the passages carry them
            stored: dict[str, np.ndarray] = {}
            for passage in {material[i].rank: material[i].passage for i in worth}.values():
                stored.update(unpack(passage.units, self.meaning.model))
            similarities = self.meaning.similarities(without_names(question, names), [material[i].unit.text for i in worth], stored)
            for i, similarity in zip(worth, similarities, strict=True):
                scores[i] += MEANING_WEIGHT * float(similarity)
        return [_Candidate(m.unit.text, score, m.rank, m.unit.position, m.in_section, flag, m.in_subsection)
                for m, score, flag in zip(material, scores, boilerplate, strict=True)]

    def _relevant(self, terms: Sequence[frozenset[int]], passage: SearchHit, cross_language: bool) -> bool:
        text = "\n".join(part for part in (passage.title, passage.heading, passage.text) if part)
        share = overlap(terms, self._lexicon.text_terms(text, passage.language))
        if cross_language and passage.similarity is not None and passage.similarity >= MIN_CROSS_LANGUAGE_SIMILARITY:
            return True
        return share > 0 and share >= (self.min_cross_language_overlap if cross_language else self.min_overlap)

    def _choose(self, candidates: list[_Candidate], passages: Sequence[SearchHit]) -> list[_Candidate]:
        """The best units of the best unit's document, and no boilerplate when there is anything else to say. The
        asked section comes first, but not alone: the lactose warning of "before you take" answers "does it contain
        lactose?" as well as the composition does."""
        ranked = sorted(candidates, key=lambda c: (-c.score, c.rank, c.position))
        if not all(c.boilerplate for c in ranked):
            ranked = [c for c in ranked if not c.boilerplate]
        if not ranked or ranked[0].score <= 0:
            return []
        return self._best_of_document(ranked, passages, self.max_sentences)

    def _best_of_document(self, ranked: list[_Candidate], passages: Sequence[SearchHit], limit: int) -> list[_Candidate]:
        """Up to `limit` units within KEEP_MARGIN of the best, and the lines of an asked sub-section however far
        below (its few lines are the answer: "X contains lactose. If you have an intolerance to some sugars, ...");
        when the asked section has some, a unit of another section only within OTHER_SECTION_MARGIN of the
        section's best (it must answer about as well)."""
        document = passages[ranked[0].rank].document_id
        floor = ranked[0].score - KEEP_MARGIN
        section_best = next((c.score for c in ranked if c.in_section), None)
        chosen: list[_Candidate] = []
        for candidate in ranked:
            if len(chosen) == limit:
                break
            if candidate.score < floor and not candidate.in_subsection:
                continue
            if section_best is not None and not candidate.in_section and candidate.score < section_best - OTHER_SECTION_MARGIN:
                continue
            if passages[candidate.rank].document_id == document and all(candidate.text != c.text for c in chosen):
                chosen.append(candidate)
        return sorted(chosen, key=lambda c: (c.rank, c.position))

    def _decline(self, answer_language: str, missing: list[Name]) -> DraftAnswer:
        text = frame(answer_language).not_mentioned([name.word for name in missing])
        return DraftAnswer(text=text, language=answer_language, answered=False, backend=self.name)

    def _compose(self, chosen: list[_Candidate], answer_language: str, passages: Sequence[SearchHit]) -> DraftAnswer:
        the_frame = frame(answer_language)
        numbers: dict[int, int] = {}
        quotes: dict[int, list[str]] = {}
        lines = [the_frame.intro]
        for candidate in chosen:
            number = numbers.setdefault(candidate.rank, len(numbers) + 1)
            quotes.setdefault(candidate.rank, []).append(candidate.text)
            quoted = the_frame.quote(candidate.text, passages[candidate.rank].language)
            lines.append(f"- {quoted} {citation_marker(number)}")
        citations = [
            Citation(
                document_id=passages[rank].document_id, chunk_id=passages[rank].chunk_id, title=passages[rank].title,
                page=passages[rank].page, quote=" ".join(quotes[rank]), language=passages[rank].language,
            )
            for rank in numbers
        ]
        return DraftAnswer(text="\n".join(lines), language=answer_language, citations=citations, answered=True, backend=self.name)


def unit_subsections(units: Sequence[Unit]) -> list[str | None]:
    """Each unit's sub-section (workers/generate/subsections.py); a section that begins inside the passage ends them."""
    topics: list[str | None] = []
    for _, group in groupby(units, key=lambda unit: unit.heading):
        topics.extend(subsections([unit.text for unit in group]))
    return topics


def language_bonus(language: str | None, answer_language: str) -> float:
    if language == answer_language:
        return ANSWER_LANGUAGE_BONUS
    return PIVOT_LANGUAGE_BONUS if language == PIVOT_LANGUAGE else 0.0
