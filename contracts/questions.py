"""Question events, from the question received to the answer released or parked for review."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts.documents import checked_filters
from contracts.envelope import Event
from contracts.search import MAX_QUERY_CHARS, MAX_TOP_K, SearchHit

# Checked where they are made: a filter search cannot apply never reaches a worker.
Filters = Annotated[dict[str, str | int | float | bool | list[str | int | float | bool]], AfterValidator(checked_filters)]


class QueryReceived(Event):
    """A user asked a question."""

    query_id: str = Field(description="Id of the question; also its correlation id.")
    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    target_language: str | None = Field(default=None, description="Language the answer must be in; None = the question's.")
    enable_human_loop: bool = Field(default=False, description="Hold answers for a human expert one risk level lower than by default.")
    top_k: int = Field(default=5, ge=1, le=MAX_TOP_K)
    filters: Filters = Field(default_factory=dict)


class LanguageDetection(BaseModel):
    model_config = ConfigDict(frozen=True)

    language: str | None = Field(description="en, fr, es or de; None when undetermined.")
    confidence: float = Field(ge=0, le=1)
    compatible: list[str] = Field(default_factory=list, description="Languages the question may be in (for lexical search).")


class QueryTranslated(QueryReceived):
    """The question's language is known and the query is prepared for cross-lingual retrieval."""

    detection: LanguageDetection
    answer_language: str = Field(description="Resolved target language of the answer.")
    search_query: str = Field(description="Text to search with (the question, or its English pivot, with glossary terms).")
    translation_backend: str = Field(description='"none" offline, else the LLM backend that translated.')


class ContextRetrieved(QueryTranslated):
    """Passages that may answer the question, best first."""

    passages: list[SearchHit] = Field(default_factory=list)


class Citation(BaseModel):
    model_config = ConfigDict(frozen=True)

    document_id: str
    chunk_id: str
    title: str | None = None
    page: int | None = None
    quote: str = Field(description="The passage text quoted, in its own language.")
    language: str | None = Field(default=None, description="Language of the quote.")


class DraftAnswer(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The answer, framed in the answer language, with [n] citation markers.")
    language: str
    citations: list[Citation] = Field(default_factory=list)
    answered: bool = Field(description="False when the documents do not answer the question.")
    backend: str = Field(description='"extractive", "gemini:<model>" or "openai:<model>".')
    notice: str | None = Field(default=None, description="Said to the user, e.g. that an online backend failed and the extractive answer is shown.")


class AnswerGenerated(ContextRetrieved):
    """A draft answer exists; it is not released until its risk is assessed."""

    draft: DraftAnswer


class RiskLevel(StrEnum):
    none = "none"
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


class RiskCategory(StrEnum):
    pregnancy = "pregnancy_breastfeeding"
    children = "children"
    dosage = "dosage_overdose"
    contraindications = "contraindications_interactions"
    self_harm = "self_harm"
    emergency = "emergency"
    stopping_treatment = "stopping_treatment"


class RiskFinding(BaseModel):
    model_config = ConfigDict(frozen=True)

    category: RiskCategory
    level: RiskLevel
    triggers: list[str] = Field(description="The words that triggered it, as written.")
    source: str = Field(description='"question", "answer" or "evidence".')
    stage: str = Field(default="lexicon", description='"lexicon" (trigger words) or "semantic" (nearest labelled examples; the triggers '
                                                       'are the nearest risky examples).')
    score: float | None = Field(default=None, description="Semantic stage: mean similarity to the nearest risky examples minus to the "
                                                          "nearest harmless ones.")


class RiskAssessment(BaseModel):
    model_config = ConfigDict(frozen=True)

    level: RiskLevel
    findings: list[RiskFinding] = Field(default_factory=list)
    policy: str = Field(description="The routing rule that applied, in words.")
    route: str = Field(description='"release" or "review".')
    classifier: str = Field(description="Name and version of the classifier.")


class ReviewNote(BaseModel):
    """On an answer released after review: who decided what, when (the draft stays in the review case)."""

    model_config = ConfigDict(frozen=True)

    decision: str = Field(description="approved or edited.")
    reviewer: str
    decided_at: datetime
    reused_from: str | None = Field(default=None, description="The question whose reviewed answer this is, given again.")


class AnswerReleased(AnswerGenerated):
    """The answer may be shown to the user."""

    assessment: RiskAssessment
    released_at: datetime
    cached_from: str | None = Field(
        default=None, description="The question whose released answer was served again from the answer cache (None: answered afresh).")
    review: ReviewNote | None = Field(default=None, description="Set when a healthcare professional reviewed the answer before release.")


class ReviewRequested(AnswerGenerated):
    """The answer is parked until a human expert approves, edits or rejects it."""

    assessment: RiskAssessment
    notice: str = Field(description="Short notice for the user, in the answer language.")


class QueryFailed(Event):
    """A question could not be answered for a technical reason."""

    query_id: str
    reason: str
    stage: str


class AnswerRejected(Event):
    """A held answer will not be shown (a reviewer rejected it, or its review expired); the asker reads a safe message."""

    query_id: str
    decision: str = Field(description="rejected or expired.")
    notice: str = Field(description="What the asker reads, in the answer language.")
    answer_language: str


class QueryStatus(StrEnum):
    processing = "processing"
    answered = "answered"
    pending_review = "pending_review"
    rejected = "rejected"
    failed = "failed"


class QueryRecord(BaseModel):
    """Current state of one question, as kept in the questions KV bucket (key = query id)."""

    model_config = ConfigDict(frozen=True)

    query_id: str
    status: QueryStatus
    query: str
    received_at: datetime
    updated_at: datetime
    target_language: str | None = None
    answer_language: str | None = None
    detection: LanguageDetection | None = None
    answer: DraftAnswer | None = None
    assessment: RiskAssessment | None = None
    notice: str | None = None
    reason: str | None = None
    review: ReviewNote | None = None
    trace_id: str | None = Field(default=None, description="The question's trace (32 hex digits), to find it in Tempo.")


Outcome = AnswerReleased | ReviewRequested | AnswerRejected | QueryFailed


def parse_outcome(subject: str, data: bytes | dict) -> Outcome:
    """The outcome event on one of the outcome subjects (…released.<id>, …requested.<id>, …rejected.<id>, …failed.<id>)."""
    from contracts import subjects

    for prefix, model in ((subjects.ANSWER_RELEASED, AnswerReleased), (subjects.REVIEW_REQUESTED, ReviewRequested),
                          (subjects.ANSWER_REJECTED, AnswerRejected), (subjects.QUERY_FAILED, QueryFailed)):
        if subject.startswith(prefix + "."):
            return model.model_validate_json(data) if isinstance(data, bytes) else model.model_validate(data)
    raise ValueError(f"{subject!r} is not a question outcome subject")


def outcome_record(event: Outcome, previous: QueryRecord | None) -> QueryRecord:
    """The question's record once its outcome is known (what the ledger stores, what the gateway answers)."""
    from contracts.envelope import utcnow

    if isinstance(event, AnswerRejected):
        base = previous or QueryRecord(query_id=event.query_id, status=QueryStatus.rejected, query="", received_at=event.occurred_at,
                                       updated_at=utcnow())
        return base.model_copy(update={"status": QueryStatus.rejected, "notice": event.notice, "answer": None,
                                       "answer_language": event.answer_language, "reason": event.decision, "updated_at": utcnow()})
    if isinstance(event, QueryFailed):
        if previous is not None:
            return previous.model_copy(update={"status": QueryStatus.failed, "reason": event.reason, "updated_at": utcnow()})
        return QueryRecord(query_id=event.query_id, status=QueryStatus.failed, query="", received_at=event.occurred_at,
                           updated_at=utcnow(), reason=event.reason)
    if isinstance(event, ReviewRequested) and previous is not None and previous.status in (QueryStatus.answered, QueryStatus.rejected):
        return previous  # the verdict came first (a slow ledger): parking does not undo it
    released = isinstance(event, AnswerReleased)
    return QueryRecord(
        query_id=event.query_id, status=QueryStatus.answered if released else QueryStatus.pending_review, query=event.query,
        received_at=previous.received_at if previous else event.occurred_at, updated_at=utcnow(),
        target_language=event.target_language, answer_language=event.answer_language, detection=event.detection,
        answer=event.draft, assessment=event.assessment, notice=event.draft.notice if released else event.notice,
        review=event.review if released else None, trace_id=previous.trace_id if previous else None,
    )
