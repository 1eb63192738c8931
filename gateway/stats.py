"""Figures the projectors keep, as the gateway reports them: document stats and translation quality."""

from __future__ import annotations

from typing import Any

from contracts.figures import Figures


def document_stats(figures: Figures) -> dict[str, Any]:
    embedders = sorted(figures.groups.get("embedders", {}))
    last = figures.marks.get("last_indexed_at")
    return {
        "documents": int(figures.count("totals", "documents")),
        "chunks": int(figures.count("totals", "chunks")),
        "by_status": counts(figures, "by_status", without=("deleted",)),
        "languages": {"chunks": counts(figures, "chunk_languages"), "documents": counts(figures, "document_languages")},
        "types": counts(figures, "types"),
        "formats": counts(figures, "formats"),
        "last_indexed_at": last.isoformat() if last else None,
        "embedder": embedders[0] if len(embedders) == 1 else embedders or None,
    }


def translation_quality(figures: Figures, backend: str) -> dict[str, Any]:
    """What the service measured about its own language handling, over every question it has recorded."""
    detected = figures.groups.get("detected", {})
    answers = figures.groups.get("answers", {})
    return {
        "questions": int(sum(detected.values())),
        "language_detection": {
            language: {"questions": int(n), "mean_confidence": round(figures.count("confidence", language) / n, 3),
                       "low_confidence_share": round(figures.count("low_confidence", language) / n, 3)}
            for language, n in sorted(detected.items())
        },
        "answers": int(answers.get("answers", 0)),
        "answered_in_requested_language": share(answers.get("in_requested_language", 0), answers.get("asked_for_a_language", 0)),
        "answered_in_question_language": share(answers.get("in_question_language", 0), answers.get("question_language_known", 0)),
        "evidence_quoted_in_another_language": share(answers.get("citations_in_another_language", 0), answers.get("citations", 0)),
        "answers_quoting_another_language": share(answers.get("quoting_another_language", 0), answers.get("answers", 0)),
        "translation_backend": backend,
    }


def counts(figures: Figures, group: str, without: tuple[str, ...] = ()) -> dict[str, int]:
    return {key: int(n) for key, n in figures.groups.get(group, {}).items() if key not in without}


def share(part: float, whole: float) -> float | None:
    return round(part / whole, 3) if whole else None
