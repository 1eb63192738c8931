"""Which of the supported languages a text is written in (lingua, restricted to EN/FR/ES/DE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lingua import ConfidenceValue, Language, LanguageDetectorBuilder

SUPPORTED_LANGUAGES = ("en", "fr", "es", "de")

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
