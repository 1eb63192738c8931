"""Review subscribers: the reviews bucket's only writer (cases parked, claimed, escalated, decided), the release or
rejection after a verdict, and the desk's request/reply endpoint (workers/review/desk.py)."""

from __future__ import annotations

from faststream.nats import NatsRouter

from contracts import subjects, topology
from contracts.documents import DocumentStatus
from contracts.questions import AnswerReleased, ReviewRequested
from contracts.review import ApprovedAnswer, ReviewCase, ReviewClaimed, ReviewCommand, ReviewCommandResult, ReviewDecided, ReviewEscalated
from runtime.delivery import DeliveryPolicy
from workers.review import metrics
from workers.review.cases import (
    approved_answer,
    cited,
    outcome_of,
    parked_case,
    reuse_key,
    reused_verdict,
    with_claim,
    with_escalation,
    with_verdict,
)
from workers.review.desk import handle_command
from workers.review.services import ReviewServices


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
