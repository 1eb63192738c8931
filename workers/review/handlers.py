"""Review subscribers: keep every parked case until a human expert's verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from faststream.nats import NatsRouter

from contracts import topology
from contracts.questions import ReviewCase, ReviewRequested
from runtime.delivery import DeliveryPolicy


class CasesPort(Protocol):
    async def create(self, record: ReviewCase) -> bool: ...


@dataclass(frozen=True)
class ReviewServices:
    cases: CasesPort


def parked_case(event: ReviewRequested) -> ReviewCase:
    return ReviewCase(
        query_id=event.query_id, question=event.query, question_language=event.detection.language,
        answer_language=event.answer_language, assessment=event.assessment, draft=event.draft,
        evidence=event.passages, parked_at=event.occurred_at,
    )


async def park(event: ReviewRequested, services: ReviewServices) -> None:
    await services.cases.create(parked_case(event))  # False on redelivery: the case is already parked


def build_router(services: ReviewServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.REVIEW_PARK.filter_subject, **policy.subscriber_kwargs(topology.REVIEW_PARK))
    async def on_review_requested(event: ReviewRequested) -> None:
        await park(event, services)

    return router
