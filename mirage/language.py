"""Which of the supported languages a text is written in (lingua, restricted to EN/FR/ES/DE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lingua import ConfidenceValue, Language, LanguageDetectorBuilder

SUPPORTED_LANGUAGES = ("en", "fr", "es", "de")
# Tuned on the dev sets with the fusion weights (docs/BENCHMARKS.md): short queries often read as several languages.
COMPATIBLE_THRESHOLD = 0.1

_MIN_LETTERS = 3
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

    def _decide(self, values: list[ConfidenceValue]) -> Detection:
        if not values:
            return Detection(None, 0.0)
        top = values[0]
        if top.value < self.min_confidence:
            return Detection(None, top.value)
        return Detection(_LINGUA[top.language], top.value)


def _has_letters(text: str) -> bool:
    """Fewer than three letters ("500 mg", "IV") say nothing about a language."""
    return sum(ch.isalpha() for ch in text) >= _MIN_LETTERS
