"""The offline answer: the passages' best sentences for the question, quoted verbatim with citations, framed in the answer language.

Relevance is lexical. Question and sentences go through the same analyzers as BM25 search (qdrant-edge: word
tokens, lowercase, accents folded, the four languages' stop words dropped, Snowball stems); a question word
matches when any of its stems (in each language, or unstemmed) is among the sentence's, so "paracétamol"
meets "Paracetamol" and "doses" meets "dose". Overlap = the share of the question's content words matched.

- A passage is *relevant enough* when its overlap (text, title and heading) reaches `min_overlap` (0.3:
  about a third of the question's content words) in the question's language, or `min_cross_language_overlap`
  (0.15, and at least one word) in another or unknown language, where only names, numbers and cognates can
  match, and its retrieval score reaches `min_score` (0 by default: fused scores are relative to the best
  hit of the same search, so they do not tell an unrelated top hit from a good one). No relevant passage,
  no answer: `answered=False` with the frame's "do not answer" sentence.
- A sentence of a relevant passage scores `w_overlap * overlap + w_rank / (1 + rank)`; words decide within a
  language (0.8 / 0.2), the retriever's cross-lingual rank decides across languages (0.4 / 0.6), like the
  search fusion. A question about an amount ("dose", "combien", "cuánto", "wie viel", ...) adds
  `AMOUNT_BONUS` (0.3) to the overlap of sentences that state one (a number with a unit or a dose form).
- The best `max_sentences` that score at least `KEEP_RATIO` (0.6) of the best sentence are quoted, passage by
  passage in retrieval order, each passage's in their own order; headings, questions and lead-ins ending in
  ":" are never quoted.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from qdrant_edge import Bm25

from adapters.language import SUPPORTED_LANGUAGES
from adapters.stores.lexical import analyzer_config
from contracts.questions import Citation, DraftAnswer
from contracts.search import SearchHit
from workers.generate.frames import citation_marker, frame

MIN_OVERLAP = 0.3
MIN_CROSS_LANGUAGE_OVERLAP = 0.15
# Across languages few words are shared; the embedding similarity decides. With USE, passages that answer
# a FR/ES/DE question score 0.37-0.48 and off-topic ones under 0.13 (tests/workers/generate, docs/BENCHMARKS.md).
MIN_CROSS_LANGUAGE_SIMILARITY = 0.25
KEEP_RATIO = 0.6
AMOUNT_BONUS = 0.3


class Weights(NamedTuple):
    overlap: float
    rank: float


SAME_LANGUAGE = Weights(overlap=0.8, rank=0.2)
CROSS_LANGUAGE = Weights(overlap=0.4, rank=0.6)

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s)|\n")
# "z. B.", "e.g.", "Dr." or "3." (an ordinal, a list number) end a word, not a sentence; "1,2 g." ends one.
_NOT_SENTENCE_END = re.compile(
    r"(?:^|[\s(])(?:\d+|[zdup]|e\.g|i\.e|z\.\s?b|d\.\s?h|u\.\s?a|ca|approx|dr|prof|bzw|usw|vgl|ggf|evtl|inkl|vs|nr|no|cf"
    r"|p\.\s?ex|env|sr|sra|dra)\.$",
    re.IGNORECASE,
)
_BULLET = "-–•*·▪ \t"
# Matched on the lowercased question with accents folded; no leading \b so that German compounds (Tageshöchstdosis) count.
_ASKS_AMOUNT = re.compile(
    r"dose|dosage|dosing|how (?:much|many|often)|maximum|daily|per day|posologie|combien|par jour|quantite|dosis|cuant[oa]s?\b"
    r"|maxim[oa]|al dia|por dia|cantidad|dosierung|wie ?viele?\b|hochst|maximal|pro tag|am tag|menge"
)
_STATES_AMOUNT = re.compile(
    r"\d(?:[\d.,]*\d)?\s?(?:mg|g|µg|mcg|kg|ml|l|iu|ui|ie|units?|unites?|unidades|einheiten|tablets?|comprimes?|comprimidos?"
    r"|tabletten?|filmtabletten?|capsules?|gelules?|capsulas?|kapseln?|drops?|gouttes?|gotas|tropfen|sachets?|sobres?|beutel|doses?|dosis)\b"
)


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of `text`, each an exact substring of it (only surrounding spaces and bullets removed)."""
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        if end.group().startswith(".") and _NOT_SENTENCE_END.search(text, max(0, end.start() - 12), end.start() + 1):
            continue
        sentences.append(text[start:end.end()].strip().lstrip(_BULLET))
        start = end.end()
    sentences.append(text[start:].strip().lstrip(_BULLET))
    return [sentence for sentence in sentences if sentence]


def fold(text: str) -> str:
    """Lowercase without accents: "Höchstdosis" -> "hochstdosis"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def is_statement(sentence: str) -> bool:
    """Worth quoting: not a question, not a lead-in to a list, not a heading (short and unpunctuated)."""
    words = len(_WORD.findall(sentence))
    if words < 3 or sentence.endswith(("?", ":")):
        return False
    return words >= 8 or sentence.rstrip("\"'»”’)]").endswith((".", "!", "…"))


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


@dataclass(frozen=True)
class _Candidate:
    text: str
    score: float
    rank: int
    position: int


class ExtractiveGenerator:
    name = "extractive"

    def __init__(
        self,
        min_score: float = 0.0,
        max_sentences: int = 4,
        min_overlap: float = MIN_OVERLAP,
        min_cross_language_overlap: float = MIN_CROSS_LANGUAGE_OVERLAP,
    ) -> None:
        if max_sentences < 1:
            raise ValueError("max_sentences must be at least 1")
        self.min_score = min_score
        self.max_sentences = max_sentences
        self.min_overlap = min_overlap
        self.min_cross_language_overlap = min_cross_language_overlap
        self._lexicon = Lexicon()

    async def generate(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer:
        return self.answer(question, question_language, answer_language, passages)

    def answer(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer:
        """The same as `generate`, for callers without an event loop (benchmarks, scripts)."""
        terms = self._lexicon.question_terms(question)
        bonus = AMOUNT_BONUS if _ASKS_AMOUNT.search(fold(question)) else 0.0
        candidates: list[_Candidate] = []
        for rank, passage in enumerate(passages):
            cross_language = not question_language or passage.language != question_language
            if not self._relevant(terms, passage, cross_language):
                continue
            weights = CROSS_LANGUAGE if cross_language else SAME_LANGUAGE
            for position, sentence in enumerate(split_sentences(passage.text)):
                if is_statement(sentence):
                    share = overlap(terms, self._lexicon.text_terms(sentence, passage.language))
                    if bonus and _STATES_AMOUNT.search(fold(sentence)):
                        share += bonus
                    candidates.append(_Candidate(sentence, weights.overlap * share + weights.rank / (1 + rank), rank, position))
        chosen = self._choose(candidates)
        if not chosen:
            return DraftAnswer(text=frame(answer_language).no_answer, language=answer_language, answered=False, backend=self.name)
        return self._compose(chosen, answer_language, passages)

    def _relevant(self, terms: Sequence[frozenset[int]], passage: SearchHit, cross_language: bool) -> bool:
        if passage.score < self.min_score:
            return False
        text = "\n".join(part for part in (passage.title, passage.heading, passage.text) if part)
        share = overlap(terms, self._lexicon.text_terms(text, passage.language))
        if cross_language and passage.similarity is not None and passage.similarity >= MIN_CROSS_LANGUAGE_SIMILARITY:
            return True
        return share > 0 and share >= (self.min_cross_language_overlap if cross_language else self.min_overlap)

    def _choose(self, candidates: list[_Candidate]) -> list[_Candidate]:
        ranked = sorted(candidates, key=lambda c: (-c.score, c.rank, c.position))
        if not ranked:
            return []
        floor = KEEP_RATIO * ranked[0].score
        chosen: list[_Candidate] = []
        for candidate in ranked:
            if candidate.score < floor or len(chosen) == self.max_sentences:
                break
            if all(candidate.text != c.text for c in chosen):
                chosen.append(candidate)
        return sorted(chosen, key=lambda c: (c.rank, c.position))

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
