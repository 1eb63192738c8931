"""The review desk (request/reply): claims, claim releases and verdicts checked against the case, then appended to
the stream with a compare-and-set on their subject, so two reviewers can never both hold a case or both decide it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from contracts import subjects
from contracts.envelope import utcnow
from contracts.review import Decision, ReviewCase, ReviewClaimed, ReviewCommand, ReviewCommandResult, ReviewDecided, ReviewEscalated
from workers.review.cases import claim_refusal
from workers.review.services import ReviewServices

# how long the desk waits for its own write to reach the bucket before answering (milliseconds as a rule)
PROJECTION_WAIT_S = 2.0


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
