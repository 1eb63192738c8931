"""Wiring of the generate worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.generate.backends import build_generator
from workers.generate.base import aclose
from workers.generate.extractive import ExtractiveGenerator
from workers.generate.handlers import GenerateServices, build_router
from workers.generate.meaning import SentenceMeaning

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    extractive = ExtractiveGenerator(meaning=SentenceMeaning(runtime.components.embedder))
    generator = build_generator(runtime.settings.llm, extractive)
    services = GenerateServices(generator=generator, bus=runtime.bus)
    runtime.closers.append(lambda: aclose(generator))
    runtime.include(build_router(services, runtime.policy))
