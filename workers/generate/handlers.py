"""Generate subscriber: ContextRetrieved in, AnswerGenerated out."""

from __future__ import annotations

from dataclasses import dataclass

from faststream.nats import NatsRouter

from contracts import subjects, topology
from contracts.questions import AnswerGenerated, ContextRetrieved
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy
from workers.generate.base import Generator


@dataclass(frozen=True)
class GenerateServices:
    generator: Generator
    bus: Publisher


async def generate(event: ContextRetrieved, services: GenerateServices) -> None:
    draft = await services.generator.generate(event.query, event.detection.language, event.answer_language, event.passages)
    # the passages' unit vectors served the generator: the review case and the ledger keep the passages without them
    passages = [passage.without_units() for passage in event.passages]
    await services.bus.publish(AnswerGenerated.following(event, "generated", draft=draft, passages=passages), subjects.ANSWER_GENERATED)


def build_router(services: GenerateServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.GENERATE.filter_subject, **policy.subscriber_kwargs(topology.GENERATE, concurrency=8))
    async def on_context_retrieved(event: ContextRetrieved) -> None:
        await generate(event, services)

    return router
