"""Classify-risk subscriber: AnswerGenerated in; AnswerReleased or ReviewRequested out (branch by publishing)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from faststream.nats import NatsRouter

from contracts import subjects, topology
from contracts.envelope import utcnow
from contracts.questions import AnswerGenerated, AnswerReleased, ReviewRequested, RiskAssessment
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy
from workers.classify_risk.classifier import assess, evidence_findings
from workers.classify_risk.notices import review_notice
from workers.classify_risk.policy import REVIEW, decide
from workers.classify_risk.semantic import NearestExamples


@dataclass(frozen=True)
class ClassifyServices:
    bus: Publisher
    nearest: NearestExamples | None = None
    """The semantic stage; None runs the lexicon alone."""


def assessment_of(event: AnswerGenerated, nearest: NearestExamples | None = None) -> RiskAssessment:
    """The question and the answer decide. The passages' findings never hold an answer (policy.HOLD_FROM): they are
    read for a held answer alone, whose reviewer sees their triggers marked in the evidence; reading them for every
    answer was a fifth of a released answer's time (docs/BENCHMARKS.md)."""
    findings = assess(event.query, event.detection.language, event.draft.text, ())
    findings += nearest.findings(event.query) if nearest else []
    assessment = decide(findings, event.enable_human_loop)
    if assessment.route != REVIEW:
        return assessment
    return decide(findings + evidence_findings([p.text for p in event.passages]), event.enable_human_loop)


async def classify(event: AnswerGenerated, services: ClassifyServices) -> None:
    """Release the answer, or park it for a human expert: one of two subjects (branch by publishing)."""
    assessment = await asyncio.to_thread(assessment_of, event, services.nearest)
    if assessment.route == "review":
        parked = ReviewRequested.following(event, "review", assessment=assessment, notice=review_notice(event.answer_language))
        await services.bus.publish(parked, subjects.for_query(subjects.REVIEW_REQUESTED, event.query_id))
    else:
        released = AnswerReleased.following(event, "released", assessment=assessment, released_at=utcnow())
        await services.bus.publish(released, subjects.for_query(subjects.ANSWER_RELEASED, event.query_id))


def build_router(services: ClassifyServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.CLASSIFY_RISK.filter_subject, **policy.subscriber_kwargs(topology.CLASSIFY_RISK, concurrency=8))
    async def on_answer_generated(event: AnswerGenerated) -> None:
        await classify(event, services)

    return router
