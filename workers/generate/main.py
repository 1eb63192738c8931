"""Wiring of the generate worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.generate.backends import build_generator
from workers.generate.base import aclose
from workers.generate.handlers import GenerateServices, build_router

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    s = runtime.settings
    generator = build_generator(
        gemini_api_key=s.gemini_api_key, gemini_model=s.gemini_model, openai_base_url=s.openai_base_url,
        openai_model=s.openai_model, openai_api_key=s.openai_api_key, timeout_s=s.llm_timeout_s,
    )
    services = GenerateServices(generator=generator, bus=runtime.bus)
    runtime.closers.append(lambda: aclose(generator))
    broker.include_router(build_router(services, runtime.policy), middlewares=[runtime.policy.middleware(runtime.bus.publish_raw)])
