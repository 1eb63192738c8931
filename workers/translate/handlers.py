"""Translate subscriber: QueryReceived in, QueryTranslated out."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from faststream.nats import NatsRouter

from adapters.language import LanguageDetector
from contracts import subjects, topology
from contracts.questions import QueryReceived
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy
from workers.translate.llm import LlmTranslator
from workers.translate.preparation import prepare, prepare_online


@dataclass(frozen=True)
class TranslateServices:
    detector: LanguageDetector
    bus: Publisher
    translator: LlmTranslator | None = None


async def translate(event: QueryReceived, services: TranslateServices) -> None:
    if services.translator is None:
        translated = await asyncio.to_thread(prepare, event, services.detector)
    else:
        translated = await prepare_online(event, services.detector, services.translator)
    await services.bus.publish(translated, subjects.QUERY_TRANSLATED)


def build_router(services: TranslateServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.TRANSLATE.filter_subject, **policy.subscriber_kwargs(topology.TRANSLATE, concurrency=8))
    async def on_question_to_translate(event: QueryReceived) -> None:
        await translate(event, services)

    return router
