"""Classify-risk subscriber: AnswerGenerated in; AnswerReleased or ReviewRequested out (branch by publishing)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from faststream.nats import NatsRouter

from contracts import subjects, topology
from contracts.envelope import derived_event_id, utcnow
from contracts.questions import AnswerGenerated, AnswerReleased, ReviewRequested, RiskAssessment
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy
from workers.classify_risk.classifier import assess
from workers.classify_risk.notices import review_notice
from workers.classify_risk.policy import decide
from workers.classify_risk.semantic import NearestExamples


@dataclass(frozen=True)
class ClassifyServices:
    bus: Publisher
    nearest: NearestExamples | None = None
    """The semantic stage; None runs the lexicon alone."""


def assessment_of(event: AnswerGenerated, nearest: NearestExamples | None = None) -> RiskAssessment:
    findings = assess(event.query, event.detection.language, event.draft.text, [p.text for p in event.passages])
    semantic = nearest.findings(event.query) if nearest else []
    return decide(findings + semantic, event.enable_human_loop)


def build_router(services: ClassifyServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.CLASSIFY_RISK.filter_subject, **policy.subscriber_kwargs(topology.CLASSIFY_RISK, concurrency=8))
    async def classify(event: AnswerGenerated) -> None:
        assessment = await asyncio.to_thread(assessment_of, event, services.nearest)
        carried = event.model_dump(exclude={"event_id", "causation_id", "occurred_at"})
        common = {"causation_id": event.event_id, "assessment": assessment}
        if assessment.route == "review":
            parked = ReviewRequested(**carried, **common, event_id=derived_event_id(event.event_id, "review"),
                                     notice=review_notice(event.answer_language))
            await services.bus.publish(parked, subjects.for_query(subjects.REVIEW_REQUESTED, event.query_id))
        else:
            released = AnswerReleased(**carried, **common, event_id=derived_event_id(event.event_id, "released"), released_at=utcnow())
            await services.bus.publish(released, subjects.for_query(subjects.ANSWER_RELEASED, event.query_id))

    return router
