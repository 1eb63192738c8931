"""Wiring of the translate worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.translate.handlers import TranslateServices, build_router
from workers.translate.llm import build_translator

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    translator = build_translator(runtime.settings.llm)
    services = TranslateServices(detector=runtime.components.detector, bus=runtime.bus, translator=translator)
    if translator is not None:
        runtime.closers.append(translator.aclose)
    runtime.include(build_router(services, runtime.policy))
