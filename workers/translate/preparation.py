"""Prepare a question for retrieval: its language, the answer's language, the text to search with."""

from __future__ import annotations

from contracts.envelope import derived_event_id
from contracts.questions import LanguageDetection, QueryReceived, QueryTranslated
from mirage.language import LanguageDetector

FALLBACK_LANGUAGE = "en"


def detect(query: str, detector: LanguageDetector) -> LanguageDetection:
    detection = detector.detect(query)
    return LanguageDetection(
        language=detection.language, confidence=round(detection.confidence, 4),
        compatible=sorted(detector.compatible_languages(query)),
    )


def answer_language(event: QueryReceived, detection: LanguageDetection) -> str:
    """Asked for, else the question's own language, else English."""
    return event.target_language or detection.language or FALLBACK_LANGUAGE


def prepare(event: QueryReceived, detector: LanguageDetector) -> QueryTranslated:
    """Offline there is no translation: retrieval is cross-lingual, and evidence is quoted in its own language."""
    detection = detect(event.query, detector)
    return QueryTranslated(
        **event.model_dump(exclude={"event_id", "causation_id", "occurred_at"}),
        event_id=derived_event_id(event.event_id, "translated"), causation_id=event.event_id,
        detection=detection, answer_language=answer_language(event, detection),
        search_query=event.query, translation_backend="none",
    )
