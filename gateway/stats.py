"""Figures computed from the bucket views: document stats and translation quality."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from contracts.documents import DocumentRecord, DocumentStatus
from contracts.questions import QueryRecord

LOW_CONFIDENCE = 0.5


def document_stats(records: Iterable[DocumentRecord]) -> dict[str, Any]:
    records = list(records)
    indexed = [r for r in records if r.status is DocumentStatus.indexed]
    chunk_languages: Counter[str] = Counter()
    for r in indexed:
        chunk_languages.update(r.languages)
    doc_languages = Counter(max(r.languages, key=r.languages.get) for r in indexed if r.languages)
    last = max((r.indexed_at for r in indexed if r.indexed_at), default=None)
    embedders = sorted({r.embedder for r in indexed if r.embedder})
    return {
        "documents": len(indexed),
        "chunks": sum(r.chunks for r in indexed),
        "by_status": dict(Counter(r.status.value for r in records)),
        "languages": {"chunks": dict(chunk_languages), "documents": dict(doc_languages)},
        "types": dict(Counter(str(r.metadata.get("type", "unspecified")) for r in indexed)),
        "formats": dict(Counter(r.format for r in indexed)),
        "last_indexed_at": last.isoformat() if last else None,
        "embedder": embedders[0] if len(embedders) == 1 else embedders or None,
    }


def translation_quality(records: Iterable[QueryRecord], backend: str) -> dict[str, Any]:
    """What the service measured about its own language handling, over every question it has recorded."""
    records = [r for r in records if r.detection is not None]
    confidences: dict[str, list[float]] = defaultdict(list)
    for r in records:
        confidences[r.detection.language or "undetermined"].append(r.detection.confidence)
    answers = [r for r in records if r.answer is not None]
    asked = [r for r in answers if r.target_language]
    citations = [(r.answer.language, c.language) for r in answers for c in r.answer.citations]
    foreign = [1 for answer_language, quote_language in citations if quote_language and quote_language != answer_language]
    with_foreign = [r for r in answers if any(c.language and c.language != r.answer.language for c in r.answer.citations)]
    return {
        "questions": len(records),
        "language_detection": {
            language: {"questions": len(values), "mean_confidence": round(sum(values) / len(values), 3),
                       "low_confidence_share": round(sum(v < LOW_CONFIDENCE for v in values) / len(values), 3)}
            for language, values in sorted(confidences.items())
        },
        "answers": len(answers),
        "answered_in_requested_language": share(sum(r.answer.language == r.target_language for r in asked), len(asked)),
        "answered_in_question_language": share(
            sum(r.answer.language == r.detection.language for r in answers if r.detection.language), sum(1 for r in answers if r.detection.language)
        ),
        "evidence_quoted_in_another_language": share(len(foreign), len(citations)),
        "answers_quoting_another_language": share(len(with_foreign), len(answers)),
        "translation_backend": backend,
    }


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None
