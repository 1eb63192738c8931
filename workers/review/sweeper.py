"""Deadlines and expiry: a periodic look at every open case. A deadline escalates a case; it never approves one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import datetime

from contracts import subjects
from contracts.envelope import utcnow
from contracts.review import OPEN_STATUSES, SYSTEM, Decision, ReviewCase, ReviewDecided, ReviewEscalated
from workers.review import metrics
from workers.review.services import ReviewServices

log = logging.getLogger(__name__)


async def sweep(services: ReviewServices, now: datetime) -> Counter[str]:
    """Escalate the cases past their deadline, expire those past the maximum age; refresh the queue's gauges."""
    done: Counter[str] = Counter()
    states: Counter[tuple[str, str]] = Counter()
    oldest: datetime | None = None
    async for case in services.cases.scan():
        states[(case.status.value, case.level.value)] += 1
        if case.status not in OPEN_STATUSES:
            continue
        oldest = case.parked_at if oldest is None else min(oldest, case.parked_at)
        if (now - case.parked_at).total_seconds() > services.deadlines.max_age_s:
            done["expired"] += await expire(case, services)
        elif case.deadline is not None and now > case.deadline and not case.escalated:
            done["escalated"] += await escalate(case, services)
    metrics.CASES.clear()
    for (state, level), count in states.items():
        metrics.CASES.labels(state=state, level=level).set(count)
    metrics.OLDEST_OPEN.set((now - oldest).total_seconds() if oldest else 0)
    return done


async def expire(case: ReviewCase, services: ReviewServices) -> bool:
    hours = services.deadlines.max_age_s / 3600
    expired = ReviewDecided(correlation_id=case.query_id, query_id=case.query_id, decision=Decision.expired, reviewer=SYSTEM,
                            reason=f"no verdict within {hours:g} h")
    return await services.bus.publish_if_last(expired, subjects.for_query(subjects.REVIEW_DECIDED, case.query_id), 0)


async def escalate(case: ReviewCase, services: ReviewServices) -> bool:
    escalated = ReviewEscalated(correlation_id=case.query_id, query_id=case.query_id, by=SYSTEM,
                                reason=f"deadline passed ({case.deadline.isoformat()}) without a verdict")
    if await services.bus.publish_if_last(escalated, subjects.for_query(subjects.REVIEW_ESCALATED, case.query_id), 0):
        metrics.DEADLINE_BREACHES.labels(level=case.level.value).inc()
        return True
    return False


async def keep_sweeping(services: ReviewServices, interval_s: float) -> None:
    while True:
        try:
            done = await sweep(services, utcnow())
            if done:
                log.info("review deadlines: %s", dict(done))
        except Exception:
            log.exception("review sweep failed; trying again in %.0f s", interval_s)
        await asyncio.sleep(interval_s)


class Sweeper:
    """The sweeping task of one review worker: started once the worker is connected, stopped with it."""

    def __init__(self, services: ReviewServices, interval_s: float) -> None:
        self.services, self.interval_s = services, interval_s
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(keep_sweeping(self.services, self.interval_s))

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
