"""Prepare a question for retrieval: its language, the answer's language, the text to search with."""

from __future__ import annotations

import asyncio
import logging

from adapters.language import LanguageDetector
from contracts.questions import LanguageDetection, QueryReceived, QueryTranslated
from contracts.search import MAX_QUERY_CHARS
from workers.translate.llm import LlmTranslator, TranslationFailed

FALLBACK_LANGUAGE = "en"
PIVOT_LANGUAGE = "en"

logger = logging.getLogger(__name__)


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
    return QueryTranslated.following(
        event, "translated", detection=detection, answer_language=answer_language(event, detection),
        search_query=event.query, translation_backend="none",
    )


async def prepare_online(event: QueryReceived, detector: LanguageDetector, translator: LlmTranslator) -> QueryTranslated:
    """Adds an English pivot to the search query of a question not in English; if the translator fails, the
    offline preparation with the reason in `translation_backend`: a question never fails because of it."""
    offline = await asyncio.to_thread(prepare, event, detector)
    if offline.detection.language == PIVOT_LANGUAGE:
        return offline
    try:
        pivot = await translator.translate(event.query, offline.detection.language, PIVOT_LANGUAGE)
    except TranslationFailed as error:
        reason = str(error)
        logger.warning("%s failed to translate query %s (%s); searching with the question alone", translator.name, event.query_id, reason)
    except Exception as error:
        reason = f"unexpected {type(error).__name__}"
        logger.exception("%s failed unexpectedly on query %s; searching with the question alone", translator.name, event.query_id)
    else:
        return offline.model_copy(update={"search_query": pivot_query(event.query, pivot), "translation_backend": translator.name})
    return offline.model_copy(update={"translation_backend": f"none ({translator.name} failed: {reason})"})


def pivot_query(query: str, pivot: str) -> str:
    """The original keeps dense search multilingual; the English pivot adds lexical matches on English documents.
    Cut to what a search request accepts."""
    if pivot.casefold() == query.casefold():
        return query
    return f"{query}\n{pivot}"[:MAX_QUERY_CHARS].rstrip()
