"""Audit subscribers: every review action and every answer released or withheld becomes one entry of the chained trail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from faststream.nats import NatsMessage, NatsRouter
from prometheus_client import Counter

from contracts import subjects, topology
from contracts.audit import AuditAction, AuditEntry
from contracts.questions import AnswerRejected, AnswerReleased, ReviewRequested, RiskAssessment
from contracts.review import SYSTEM, Decision, ReviewCase, ReviewClaimed, ReviewDecided, ReviewEscalated
from runtime.delivery import DeliveryPolicy

ENTRIES = Counter("mirage_audit_entries_total", "Entries appended to the audit trail, by action.", ["action"])

Audited = ReviewRequested | ReviewClaimed | ReviewEscalated | ReviewDecided | AnswerReleased | AnswerRejected
AUDITED: dict[str, type[Audited]] = {
    subjects.REVIEW_REQUESTED: ReviewRequested, subjects.REVIEW_CLAIMED: ReviewClaimed, subjects.REVIEW_ESCALATED: ReviewEscalated,
    subjects.REVIEW_DECIDED: ReviewDecided, subjects.ANSWER_RELEASED: AnswerReleased, subjects.ANSWER_REJECTED: AnswerRejected,
}


class TrailPort(Protocol):
    async def append(self, entry: AuditEntry) -> AuditEntry | None: ...


class CasesPort(Protocol):
    async def get(self, key: str) -> ReviewCase | None: ...


@dataclass(frozen=True)
class AuditServices:
    trail: TrailPort
    cases: CasesPort


def parse_audited(subject: str, body: dict[str, Any]) -> Audited:
    """The event on one of the audited subjects (<kind>.<query id>)."""
    for prefix, model in AUDITED.items():
        if subject.startswith(prefix + "."):
            return model.model_validate(body)
    raise ValueError(f"{subject!r} is not an audited subject")


def policy_of(assessment: RiskAssessment | None) -> str | None:
    return f"{assessment.classifier}: {assessment.policy}" if assessment is not None else None


def risk_of(assessment: RiskAssessment) -> str:
    categories = sorted({finding.category.value for finding in assessment.findings})
    return f"risk {assessment.level.value}" + (f" ({', '.join(categories)})" if categories else "")


def entry_for(event: Audited, case: ReviewCase | None) -> AuditEntry:
    """What the trail records of `event`; `case` (the parked case, if any) gives the draft and the policy it was held under."""
    draft = case.draft.text if case is not None else None
    common: dict[str, Any] = {"at": event.occurred_at, "query_id": event.query_id, "source_event_id": str(event.event_id),
                              "policy": policy_of(case.assessment if case is not None else None)}
    match event:
        case ReviewRequested():
            return AuditEntry(**common | {"policy": policy_of(event.assessment)}, action=AuditAction.parked, actor=SYSTEM,
                              after=event.draft.text, reason=f"{risk_of(event.assessment)}; held for review")
        case ReviewClaimed(released=False):
            return AuditEntry(**common, action=AuditAction.claimed, actor=event.reviewer, reason=f"lease until {event.lease_until.isoformat()}")
        case ReviewClaimed():
            by = event.released_by or event.reviewer
            return AuditEntry(**common, action=AuditAction.claim_released, actor=by,
                              reason=None if by == event.reviewer else f"claim held by {event.reviewer.name}")
        case ReviewEscalated():
            return AuditEntry(**common, action=AuditAction.escalated, actor=event.by, reason=event.reason)
        case ReviewDecided():
            after = {Decision.approved: draft, Decision.edited: event.answer}.get(event.decision)
            return AuditEntry(**common, action=AuditAction(event.decision.value), actor=event.reviewer, before=draft, after=after,
                              reason=event.reason)
        case AnswerReleased(cached_from=str(original)):
            return AuditEntry(**common | {"policy": policy_of(event.assessment)}, action=AuditAction.released_from_cache, actor=SYSTEM,
                              after=event.draft.text, reason=f"the answer released for {original}, served again from the cache")
        case AnswerReleased(review=None):
            return AuditEntry(**common | {"policy": policy_of(event.assessment)}, action=AuditAction.released_automatically,
                              actor=SYSTEM, after=event.draft.text, reason=risk_of(event.assessment))
        case AnswerReleased(review=review):
            return AuditEntry(**common | {"policy": policy_of(event.assessment)}, action=AuditAction.released_after_review,
                              actor=SYSTEM, before=draft, after=event.draft.text,
                              reason=f"{review.decision} by {review.reviewer} at {review.decided_at.isoformat()}"
                                     + (f", given again from question {review.reused_from}" if review.reused_from else ""))
        case AnswerRejected():
            return AuditEntry(**common, action=AuditAction.withheld, actor=SYSTEM, before=draft, after=event.notice,
                              reason=f"answer {event.decision}; the asker reads the notice")
    raise TypeError(f"{type(event).__name__} is not audited")


def needs_case(event: Audited) -> bool:
    """Only an answer released without review carries all it needs itself."""
    return not isinstance(event, ReviewRequested) and not (isinstance(event, AnswerReleased) and event.review is None)


async def record(subject: str, body: dict[str, Any], services: AuditServices) -> AuditEntry | None:
    """Append the entry for the event on `subject`; None when the trail already holds it (a redelivery)."""
    event = parse_audited(subject, body)
    case = await services.cases.get(event.query_id) if needs_case(event) else None
    appended = await services.trail.append(entry_for(event, case))
    if appended is not None:
        ENTRIES.labels(appended.action.value).inc()
    return appended


def build_router(services: AuditServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    async def on_audited(body: dict[str, Any], msg: NatsMessage) -> None:
        await record(msg.raw_message.subject, body, services)

    for spec in topology.AUDIT_TRAIL:
        router.subscriber(spec.filter_subject, **policy.subscriber_kwargs(spec))(on_audited)
    return router
