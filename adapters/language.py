"""Which of the supported languages a text is written in (lingua, restricted to EN/FR/ES/DE)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from lingua import ConfidenceValue, Language, LanguageDetectorBuilder

SUPPORTED_LANGUAGES = ("en", "fr", "es", "de")
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish", "de": "German"}
"""The supported languages' names in English (for LLM instructions)."""
# Tuned on the dev sets with the fusion weights (docs/BENCHMARKS.md): short queries often read as several languages.
COMPATIBLE_THRESHOLD = 0.1

_MIN_LETTERS = 3
# A passage's language is lingua's only when it is this sure: it reads biomedical English with few common
# words ("HAO1 silencing is the mechanism of lumasiran...") as Spanish at 0.99, so below this the passage
# stays unknown (searched like every language) unless its common words tell.
PASSAGE_CONFIDENCE = 0.9
# Common words that belong to one of the four languages only; a passage using them decides by them.
_FUNCTION_WORDS = {
    "en": "the of and to is that for with was were are by this which from as be have has been these their than or not an it its at on we",
    "fr": "le les du et est une un dans pour que qui par sur au aux avec ce cette sont pas ne il elle ou nous vous leur été être",
    "es": "el los las del y es una por para con se al lo como más su sus son este esta pero entre sin sobre fue ha han",
    "de": "der die das und ist nicht mit von zu den dem des ein eine einer im auf für sich auch werden wird bei oder sind nach wie",
}
_FUNCTION_WORD_LANGUAGE = {word: language for language, words in _FUNCTION_WORDS.items() for word in words.split()}
# Common words of European languages MIRAGE does not answer in, found in none of the four lists above: a passage
# that uses them far more than those is labelled with its own language (a Danish leaflet is not German).
_OTHER_FUNCTION_WORDS = {
    "da": "og ikke af til på skal eller hvis jeg være bliver også din dine dit når hvor ved efter mere meget kun lægen tage tager",
    "pt": "não com uma um em ao aos na nas pelo pela você também são os das dos é já às após até sem tem muito isto seja pode",
    "it": "il della delle degli gli sono questo questa essere nel nella che anche può deve",
    "nl": "het een van niet zijn wordt bij dat ook uw deze kunt geneesmiddel voor",
}
_OTHER_WORD_LANGUAGE = {word: language for language, words in _OTHER_FUNCTION_WORDS.items() for word in words.split()}
# Words those languages share with the four lists: no evidence either way, so they do not count against them.
_SHARED_WORDS = {
    "da": set("for at der den det er som med har under du et se have".split()),
    "pt": set("para se como este esta por entre sobre o a e de ou que as das".split()),
    "it": set("con per se come".split()),
    "nl": set("de en in op te".split()),
}
_WORD = re.compile(r"\w+")
_LINGUA = {Language.ENGLISH: "en", Language.FRENCH: "fr", Language.SPANISH: "es", Language.GERMAN: "de"}


@dataclass(frozen=True)
class Detection:
    language: str | None
    confidence: float


class LanguageDetector:
    """Build once per process (loading the models takes a moment); safe to share between threads.

    `language` is None when the text has too few letters or the top confidence is below `min_confidence`
    (with four candidates, chance is 0.25).
    """

    def __init__(self, min_confidence: float = 0.4) -> None:
        self.min_confidence = min_confidence
        self._lingua = LanguageDetectorBuilder.from_languages(*_LINGUA).with_preloaded_language_models().build()

    def detect(self, text: str) -> Detection:
        if not _has_letters(text):
            return Detection(None, 0.0)
        return self._decide(self._lingua.compute_language_confidence_values(text))

    def confidences(self, text: str) -> dict[str, float]:
        """lingua's confidence for each supported language (summing to 1; all 0.0 when nothing can be told)."""
        if not _has_letters(text):
            return dict.fromkeys(SUPPORTED_LANGUAGES, 0.0)
        values = {_LINGUA[v.language]: v.value for v in self._lingua.compute_language_confidence_values(text)}
        return {language: values.get(language, 0.0) for language in SUPPORTED_LANGUAGES}

    def compatible_languages(self, text: str, threshold: float = COMPATIBLE_THRESHOLD) -> frozenset[str]:
        """The languages a short text (a query) may be written in: the most likely one and every other at
        `threshold` or above. Empty when nothing can be told (too few letters, or another script)."""
        confidences = self.confidences(text)
        top = max(confidences, key=confidences.__getitem__)
        if confidences[top] <= 0.0:
            return frozenset()
        return frozenset(language for language, c in confidences.items() if c >= threshold) | {top}

    def detect_many(self, texts: Sequence[str]) -> list[Detection]:
        texts = list(texts)
        worded = [i for i, text in enumerate(texts) if _has_letters(text)]
        detections = [Detection(None, 0.0)] * len(texts)
        scored = self._lingua.compute_language_confidence_values_in_parallel([texts[i] for i in worded])
        for i, values in zip(worded, scored, strict=True):
            detections[i] = self._decide(values)
        return detections

    def detect_passages(self, texts: Sequence[str]) -> list[str | None]:
        """Each passage's language for indexing: its common words when they decide, else lingua's top
        language when it is at least PASSAGE_CONFIDENCE sure, else None (unknown).

        On BioASQ's 13,449 English abstracts and snippets lingua alone calls 139 Spanish, French or German;
        this calls 0 another language and leaves 245 short snippets ("JAK1 pseudokinase") unknown.
        """
        voted = [other_language(text) or function_word_language(text) for text in texts]
        undecided = [i for i, language in enumerate(voted) if language is None]
        for i, detection in zip(undecided, self.detect_many([texts[i] for i in undecided]), strict=True):
            voted[i] = detection.language if detection.confidence >= PASSAGE_CONFIDENCE else None
        return voted

    def _decide(self, values: list[ConfidenceValue]) -> Detection:
        if not values:
            return Detection(None, 0.0)
        top = values[0]
        if top.value < self.min_confidence:
            return Detection(None, top.value)
        return Detection(_LINGUA[top.language], top.value)


def function_word_language(text: str) -> str | None:
    """The language whose common words the text uses: at least 3 and twice any other's, or 2 and no other's."""
    counts = Counter(_FUNCTION_WORD_LANGUAGE[w] for w in _WORD.findall(text.lower()) if w in _FUNCTION_WORD_LANGUAGE)
    if not counts:
        return None
    (language, n), *others = counts.most_common()
    runner_up = others[0][1] if others else 0
    return language if (n >= 3 and n >= 2 * runner_up) or (n >= 2 and runner_up == 0) else None


def other_language(text: str) -> str | None:
    """A language outside the four (da, pt, it, nl) whose common words the text uses: at least 3, and twice as
    many as any one of the four languages' (leaving out the words they share) or any other's."""
    words = _WORD.findall(text.lower())
    others = Counter(_OTHER_WORD_LANGUAGE[w] for w in words if w in _OTHER_WORD_LANGUAGE)
    if not others:
        return None
    (language, n), *rest = others.most_common()
    shared = _SHARED_WORDS[language]
    supported = Counter(_FUNCTION_WORD_LANGUAGE[w] for w in words if w in _FUNCTION_WORD_LANGUAGE and w not in shared)
    rival = max([count for _, count in rest] + list(supported.values()) + [0])
    return language if n >= 3 and n >= 2 * rival else None


def _has_letters(text: str) -> bool:
    """Fewer than three letters ("500 mg", "IV") say nothing about a language."""
    return sum(ch.isalpha() for ch in text) >= _MIN_LETTERS
