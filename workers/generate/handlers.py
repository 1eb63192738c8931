"""Generate subscriber: ContextRetrieved in, AnswerGenerated out."""

from __future__ import annotations

from dataclasses import dataclass

from faststream.nats import NatsRouter

from contracts import subjects, topology
from contracts.envelope import derived_event_id
from contracts.questions import AnswerGenerated, ContextRetrieved
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy
from workers.generate.base import Generator


@dataclass(frozen=True)
class GenerateServices:
    generator: Generator
    bus: Publisher


def build_router(services: GenerateServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.GENERATE.filter_subject, **policy.subscriber_kwargs(topology.GENERATE, concurrency=8))
    async def generate(event: ContextRetrieved) -> None:
        draft = await services.generator.generate(event.query, event.detection.language, event.answer_language, event.passages)
        generated = AnswerGenerated(
            **event.model_dump(exclude={"event_id", "causation_id", "occurred_at"}),
            event_id=derived_event_id(event.event_id, "generated"), causation_id=event.event_id, draft=draft,
        )
        await services.bus.publish(generated, subjects.ANSWER_GENERATED)

    return router
