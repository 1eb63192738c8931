"""Human review: who decides, the facts of a case (claimed, escalated, decided), and the case as kept in the reviews bucket.

A case moves pending → claimed → approved | edited | rejected | expired, and may be escalated on the way (by a
reviewer, or when its deadline passes). A deadline escalates, it never approves. The draft is never overwritten.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Event
from contracts.questions import DraftAnswer, ReviewRequested, RiskAssessment, RiskLevel
from contracts.search import SearchHit

MAX_REASON_CHARS = 2000
MAX_ANSWER_CHARS = 8000

Role = Literal["asker", "reviewer", "admin", "auditor", "system"]


class Actor(BaseModel):
    """Who did something: a person by account name, or MIRAGE itself for automatic steps."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description='Account name; "local" in the single-user local mode; "mirage" for automatic steps.')
    role: Role
    authenticated_by: str = Field(description='"api_key", "session", "local_mode" or "system".')


SYSTEM = Actor(name="mirage", role="system", authenticated_by="system")


class Decision(StrEnum):
    approved = "approved"
    edited = "edited"
    rejected = "rejected"
    escalated = "escalated"
    expired = "expired"


FINAL_DECISIONS = (Decision.approved, Decision.edited, Decision.rejected, Decision.expired)


class ReviewClaimed(Event):
    """A reviewer holds a case for a while (a lease), or lets it go (`released`)."""

    query_id: str
    reviewer: Actor
    lease_until: datetime = Field(description="The claim lapses then unless renewed.")
    released: bool = Field(default=False, description="True: the claim was given up (by its holder or an admin).")
    released_by: Actor | None = None


class ReviewEscalated(Event):
    """A case needs more senior eyes: a reviewer said so, or its deadline passed. It stays in the queue, first."""

    query_id: str
    by: Actor
    reason: str = Field(max_length=MAX_REASON_CHARS)


class Reuse(BaseModel):
    """An earlier reviewed answer to the same question over the same documents, given again without a new review."""

    model_config = ConfigDict(frozen=True)

    query_id: str
    reviewer: str
    decided_at: datetime


class ReviewDecided(Event):
    """The one final verdict on a case; at most one is ever accepted per case (compare-and-set on its subject)."""

    query_id: str
    decision: Decision = Field(description="approved, edited, rejected or expired.")
    reviewer: Actor
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS, description="Required for edited and rejected.")
    answer: str | None = Field(default=None, max_length=MAX_ANSWER_CHARS, description="The corrected answer text (edited).")
    reuses: Reuse | None = Field(default=None, description="Set when MIRAGE gave an earlier reviewed answer again (same question, "
                                                           "same cited documents).")


class ApprovedAnswer(BaseModel):
    """A reviewed answer that may be given again to the same question over the same documents (key: see `reuse_key`)."""

    model_config = ConfigDict(frozen=True)

    key: str
    query_id: str
    decision: Decision
    text: str
    reviewer: str
    decided_at: datetime
    documents: list[str] = Field(description="The cited documents' ids (content hashes): deleting or replacing one ends the reuse.")


class Claim(BaseModel):
    model_config = ConfigDict(frozen=True)

    holder: Actor
    until: datetime


class Verdict(BaseModel):
    model_config = ConfigDict(frozen=True)

    decision: Decision
    reviewer: Actor
    reason: str | None = None
    answer: str | None = Field(default=None, description="The released text when edited (the draft stays as it was).")
    decided_at: datetime


class CaseStatus(StrEnum):
    pending = "pending"
    claimed = "claimed"
    escalated = "escalated"
    approved = "approved"
    edited = "edited"
    rejected = "rejected"
    expired = "expired"


OPEN_STATUSES = (CaseStatus.pending, CaseStatus.claimed, CaseStatus.escalated)


class CaseEntry(BaseModel):
    """One line of a case's history."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    action: str = Field(description="parked, claimed, claim released, escalated, approved, edited, rejected, expired.")
    actor: Actor
    detail: str | None = None


class ReviewCase(BaseModel):
    """A parked answer and everything a reviewer needs to decide, as kept in the reviews KV bucket (key = query id)."""

    model_config = ConfigDict(frozen=True)

    query_id: str
    status: CaseStatus = CaseStatus.pending
    question: str
    question_language: str | None
    answer_language: str
    assessment: RiskAssessment
    draft: DraftAnswer = Field(description="The answer as drafted; never overwritten.")
    evidence: list[SearchHit]
    parked_at: datetime
    deadline: datetime | None = Field(default=None, description="Escalated when it passes without a verdict.")
    claim: Claim | None = None
    escalated: bool = False
    verdict: Verdict | None = None
    history: list[CaseEntry] = Field(default_factory=list)
    request: ReviewRequested | None = Field(default=None, description="The event that parked the case: what a release carries on.")

    @property
    def level(self) -> RiskLevel:
        return self.assessment.level

    @property
    def decided(self) -> bool:
        return self.verdict is not None

    def holder_at(self, now: datetime) -> Actor | None:
        return self.claim.holder if self.claim is not None and self.claim.until > now else None

    @property
    def queue_position(self) -> tuple[int, int, datetime]:
        """Escalated first, then critical before high before medium before low, then oldest first."""
        return (0 if self.escalated else 1, LEVEL_RANK.get(self.level, len(LEVEL_RANK)), self.parked_at)


LEVEL_RANK = {RiskLevel.critical: 0, RiskLevel.high: 1, RiskLevel.medium: 2, RiskLevel.low: 3, RiskLevel.none: 4}


class ReviewCommand(BaseModel):
    """What the gateway asks of the review desk (request/reply): claim a case, let a claim go, or decide."""

    model_config = ConfigDict(frozen=True)

    action: Literal["claim", "release", "decide"]
    query_id: str
    actor: Actor
    decision: Decision | None = None
    reason: str | None = Field(default=None, max_length=MAX_REASON_CHARS)
    answer: str | None = Field(default=None, max_length=MAX_ANSWER_CHARS)
    lease_s: float | None = Field(default=None, gt=0, description="Claim length; None: the configured default.")


class ReviewCommandResult(BaseModel):
    """The desk's answer: done (with the case as recorded), or why not, as an HTTP status and an error code."""

    model_config = ConfigDict(frozen=True)

    status: int = Field(description="200 done; 404 no such case; 409 claimed by another or already decided; 422 not allowed.")
    error: str | None = None
    detail: str | None = None
    case: ReviewCase | None = None
