"""Review subscribers: the reviews bucket's only writer; the desk that checks claims and verdicts; releases after a verdict.

Claims and verdicts are appended to the stream with a compare-and-set on their subject (the case's last claim,
no verdict yet), so two reviewers can never both hold a case or both decide it; the bucket follows the stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from faststream.nats import NatsRouter

from contracts import subjects, topology
from contracts.documents import DocumentRecord, DocumentStatus
from contracts.envelope import utcnow
from contracts.questions import AnswerReleased, ReviewRequested
from contracts.review import (
    ApprovedAnswer,
    Decision,
    ReviewCase,
    ReviewClaimed,
    ReviewCommand,
    ReviewCommandResult,
    ReviewDecided,
    ReviewEscalated,
)
from runtime.delivery import DeliveryPolicy
from workers.review import metrics
from workers.review.cases import (
    Deadlines,
    approved_answer,
    cited,
    claim_refusal,
    outcome_of,
    parked_case,
    reuse_key,
    reused_verdict,
    with_claim,
    with_escalation,
    with_verdict,
)

# how long the desk waits for its own write to reach the bucket before answering (milliseconds as a rule)
PROJECTION_WAIT_S = 2.0


class CasesPort(Protocol):
    async def get(self, key: str) -> ReviewCase | None: ...
    async def update(self, key: str, change: Any) -> tuple[ReviewCase | None, ReviewCase | None]: ...
    async def wait_for(self, key: str, done: Any, timeout_s: float) -> ReviewCase | None: ...
    def scan(self) -> Any: ...


class BusPort(Protocol):
    async def publish(self, event: Any, subject: str) -> None: ...
    async def publish_if_last(self, event: Any, subject: str, last_sequence: int) -> bool: ...
    async def last_on(self, subject: str) -> tuple[int, bytes] | None: ...


class ApprovedPort(Protocol):
    async def get(self, key: str) -> ApprovedAnswer | None: ...
    async def put(self, record: ApprovedAnswer) -> None: ...


class CatalogPort(Protocol):
    async def get(self, key: str) -> DocumentRecord | None: ...


@dataclass(frozen=True)
class ReviewServices:
    cases: CasesPort
    bus: BusPort | None = None
    deadlines: Deadlines = Deadlines()
    lease_s: float = 600.0
    approved: ApprovedPort | None = None  # reviewed answers given again to the same question over the same documents
    catalog: CatalogPort | None = None


async def park(event: ReviewRequested, services: ReviewServices) -> None:
    before, after = await services.cases.update(event.query_id, lambda case: case or parked_case(event, services.deadlines))
    if before is None and after is not None:
        metrics.PARKED.labels(level=after.level.value).inc()
        if (earlier := await reusable(after, services)) is not None:
            await services.bus.publish_if_last(reused_verdict(after, earlier), subjects.for_query(subjects.REVIEW_DECIDED, after.query_id), 0)


async def reusable(case: ReviewCase, services: ReviewServices) -> ApprovedAnswer | None:
    """A reviewed answer to the same question over the same documents, every one of them still indexed."""
    if services.approved is None or services.catalog is None or not case.draft.citations:
        return None
    earlier = await services.approved.get(reuse_key(case.question, case.answer_language, cited(case.draft)))
    if earlier is None:
        return None
    for document_id in earlier.documents:
        record = await services.catalog.get(document_id)
        if record is None or record.status is not DocumentStatus.indexed:
            return None  # deleted or replaced since the review: a new review it is
    return earlier


async def record_claim(event: ReviewClaimed, services: ReviewServices) -> None:
    before, after = await services.cases.update(event.query_id, lambda case: case and with_claim(case, event))
    if before is not None and before.claim is None and not event.released and after is not before:
        metrics.TIME_TO_CLAIM.observe((event.occurred_at - before.parked_at).total_seconds())


async def record_escalation(event: ReviewEscalated, services: ReviewServices) -> None:
    await services.cases.update(event.query_id, lambda case: case and with_escalation(case, event))


async def record_verdict(event: ReviewDecided, services: ReviewServices) -> None:
    """Record the verdict, then release the answer or send the asker the safe message (ids fixed by the verdict)."""
    before, after = await services.cases.update(event.query_id, lambda case: case and with_verdict(case, event))
    if after is None or after.verdict is None or after.verdict.decided_at != event.occurred_at:
        return  # no such case, or another verdict was recorded first
    outcome = outcome_of(after, event)
    kind = subjects.ANSWER_RELEASED if isinstance(outcome, AnswerReleased) else subjects.ANSWER_REJECTED
    await services.bus.publish(outcome, subjects.for_query(kind, event.query_id))
    if services.approved is not None and (approved := approved_answer(after, event)) is not None:
        await services.approved.put(approved)
    if before is not None and before.verdict is None:
        metrics.observe_verdict(after, event)


async def handle_command(command: ReviewCommand, services: ReviewServices) -> ReviewCommandResult:
    case = await services.cases.get(command.query_id)
    if case is None:
        return ReviewCommandResult(status=404, error="case_not_found", detail=f"no review case for question {command.query_id}")
    now = utcnow()
    if command.action == "release":
        holder = case.holder_at(now)
        if holder is None:
            return ReviewCommandResult(status=200, case=case)
        if holder.name != command.actor.name and command.actor.role != "admin":
            return ReviewCommandResult(status=403, error="not_the_holder", detail=f"claimed by {holder.name}; only they or an admin can release it")
        released = ReviewClaimed(correlation_id=case.query_id, query_id=case.query_id, reviewer=holder, lease_until=now,
                                 released=True, released_by=command.actor)
        await services.bus.publish(released, subjects.for_query(subjects.REVIEW_CLAIMED, case.query_id))
        return await settled(services, case.query_id, lambda c: c.claim is None or c.decided)
    if (refusal := claim_refusal(case, command.actor, now)) is not None:
        return ReviewCommandResult(status=refusal[0], error=refusal[1], detail=refusal[2], case=case)
    if command.action == "claim" or case.holder_at(now) is None:
        lease_until = now + timedelta(seconds=command.lease_s or services.lease_s)
        if not await claim(case, command, lease_until, services):
            fresh = await services.cases.wait_for(case.query_id, lambda c: c is not None and c.holder_at(utcnow()) is not None, 1.0)
            refusal = claim_refusal(fresh or case, command.actor, utcnow())
            return ReviewCommandResult(status=409, error=refusal[1] if refusal else "claimed", case=fresh,
                                       detail=refusal[2] if refusal else "another reviewer claimed it at the same moment")
        if command.action == "claim":
            return await settled(services, case.query_id, lambda c: c.claim is not None and c.claim.until == lease_until)
    return await decide(case, command, services)


async def claim(case: ReviewCase, command: ReviewCommand, lease_until: Any, services: ReviewServices) -> bool:
    subject = subjects.for_query(subjects.REVIEW_CLAIMED, case.query_id)
    last = await services.bus.last_on(subject)
    claimed = ReviewClaimed(correlation_id=case.query_id, query_id=case.query_id, reviewer=command.actor, lease_until=lease_until)
    return await services.bus.publish_if_last(claimed, subject, last[0] if last else 0)


async def decide(case: ReviewCase, command: ReviewCommand, services: ReviewServices) -> ReviewCommandResult:
    if command.decision is Decision.escalated:
        escalated = ReviewEscalated(correlation_id=case.query_id, query_id=case.query_id, by=command.actor, reason=command.reason or "")
        await services.bus.publish(escalated, subjects.for_query(subjects.REVIEW_ESCALATED, case.query_id))
        return await settled(services, case.query_id, lambda c: c.escalated)
    decided = ReviewDecided(correlation_id=case.query_id, query_id=case.query_id, decision=command.decision, reviewer=command.actor,
                            reason=command.reason, answer=command.answer if command.decision is Decision.edited else None)
    if not await services.bus.publish_if_last(decided, subjects.for_query(subjects.REVIEW_DECIDED, case.query_id), 0):
        first = await services.cases.wait_for(case.query_id, lambda c: c is not None and c.decided, PROJECTION_WAIT_S)
        refusal = claim_refusal(first, command.actor, utcnow()) if first is not None else None
        return ReviewCommandResult(status=409, error="already_decided", case=first,
                                   detail=refusal[2] if refusal else "another verdict was recorded first")
    return await settled(services, case.query_id, lambda c: c.decided)


async def settled(services: ReviewServices, query_id: str, done: Any) -> ReviewCommandResult:
    case = await services.cases.wait_for(query_id, lambda c: c is not None and done(c), PROJECTION_WAIT_S)
    return ReviewCommandResult(status=200, case=case)


def build_router(services: ReviewServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()
    claimed, escalated, decided = topology.REVIEW_CASES

    @router.subscriber(topology.REVIEW_PARK.filter_subject, **policy.subscriber_kwargs(topology.REVIEW_PARK))
    async def on_review_requested(event: ReviewRequested) -> None:
        await park(event, services)

    @router.subscriber(claimed.filter_subject, **policy.subscriber_kwargs(claimed))
    async def on_claimed(event: ReviewClaimed) -> None:
        await record_claim(event, services)

    @router.subscriber(escalated.filter_subject, **policy.subscriber_kwargs(escalated))
    async def on_escalated(event: ReviewEscalated) -> None:
        await record_escalation(event, services)

    @router.subscriber(decided.filter_subject, **policy.subscriber_kwargs(decided))
    async def on_decided(event: ReviewDecided) -> None:
        await record_verdict(event, services)

    @router.subscriber(topology.REVIEW_DESK.subject, queue=topology.REVIEW_DESK.queue)
    async def on_command(command: ReviewCommand) -> ReviewCommandResult:
        return await handle_command(command, services)

    return router
