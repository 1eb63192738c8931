"""Translate subscriber: QueryReceived in, QueryTranslated out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from faststream.nats import NatsRouter

from contracts import subjects, topology
from contracts.questions import QueryReceived
from mirage.bus import Publisher
from mirage.delivery import DeliveryPolicy
from mirage.language import LanguageDetector
from workers.translate.preparation import prepare


@dataclass(frozen=True)
class TranslateServices:
    detector: LanguageDetector
    bus: Publisher


def build_router(services: TranslateServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.TRANSLATE.filter_subject, **policy.subscriber_kwargs(topology.TRANSLATE, concurrency=8))
    async def translate(event: QueryReceived) -> None:
        translated = await asyncio.to_thread(prepare, event, services.detector)
        await services.bus.publish(translated, subjects.QUERY_TRANSLATED)

    return router
