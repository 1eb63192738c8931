"""Events of one held question, built from the contracts' models, for the audit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.questions import (
    AnswerReleased,
    DraftAnswer,
    LanguageDetection,
    ReviewNote,
    ReviewRequested,
    RiskAssessment,
    RiskCategory,
    RiskFinding,
    RiskLevel,
)
from contracts.review import Actor, ReviewCase

REVIEWER = Actor(name="dr.martin", role="reviewer", authenticated_by="api_key")
DRAFT = "Take 500 mg every 6 hours [1]."
EDITED = "Take 250 mg every 6 hours, and ask your pharmacist [1]."
ASSESSMENT = RiskAssessment(
    level=RiskLevel.high, route="review", classifier="mirage-risk 3 (lexicon 2025-11, semantic xsafety-1)",
    policy="a child's dose in the answer is high: held",
    findings=[RiskFinding(category=RiskCategory.children, level=RiskLevel.high, triggers=["enfant"], source="question")],
)


def parked(query_id: str, draft: str = DRAFT) -> ReviewRequested:
    return ReviewRequested(
        correlation_id=query_id, query_id=query_id, query="Quelle dose pour un enfant ?", enable_human_loop=True,
        detection=LanguageDetection(language="fr", confidence=0.98), answer_language="fr", search_query="dose enfant",
        translation_backend="none", passages=[],
        draft=DraftAnswer(text=draft, language="fr", answered=True, backend="extractive"),
        assessment=ASSESSMENT, notice="Votre question est relue par un professionnel de santé.",
    )


def released(request: ReviewRequested, text: str, *, review: ReviewNote | None = None, cached_from: str | None = None) -> AnswerReleased:
    fields = request.model_dump(exclude={"event_id", "causation_id", "occurred_at", "notice", "draft"})
    return AnswerReleased(**fields, draft=request.draft.model_copy(update={"text": text}), released_at=datetime.now(UTC),
                          review=review, cached_from=cached_from)


def case_of(request: ReviewRequested) -> ReviewCase:
    return ReviewCase(query_id=request.query_id, question=request.query, question_language="fr", answer_language="fr",
                      assessment=request.assessment, draft=request.draft, evidence=[], parked_at=request.occurred_at, request=request)
