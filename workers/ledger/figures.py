"""What one question record adds to the questions' running totals (what `GET /translation/quality` reports)."""

from __future__ import annotations

from contracts.figures import Figures, Tally
from contracts.questions import QueryRecord

LOW_CONFIDENCE = 0.5


def tally(record: QueryRecord | None) -> Tally:
    if record is None or record.detection is None:
        return {}
    language = record.detection.language or "undetermined"
    confidence = record.detection.confidence
    counts: Tally = {
        "detected": {language: 1}, "confidence": {language: confidence},
        "low_confidence": {language: float(confidence < LOW_CONFIDENCE)},
    }
    answer = record.answer
    if answer is not None:
        quoted = [c.language for c in answer.citations]
        foreign = sum(1 for q in quoted if q and q != answer.language)
        detected = record.detection.language
        counts["answers"] = {
            "answers": 1,
            "asked_for_a_language": float(bool(record.target_language)),
            "in_requested_language": float(bool(record.target_language) and answer.language == record.target_language),
            "question_language_known": float(bool(detected)),
            "in_question_language": float(bool(detected) and answer.language == detected),
            "citations": len(quoted),
            "citations_in_another_language": foreign,
            "quoting_another_language": float(foreign > 0),
        }
    return counts


def with_record(figures: Figures, record: QueryRecord) -> Figures:
    """`figures` with one more record counted: for a questions bucket written before figures were kept."""
    return figures.moved({}, tally(record), record.updated_at)
