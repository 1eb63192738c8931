"""Wiring of the classify-risk worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.classify_risk.handlers import ClassifyServices, build_router
from workers.classify_risk.semantic import NearestExamples, read_examples

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    nearest = NearestExamples(runtime.components.embedder, read_examples(), runtime.settings.model_cache)
    runtime.include(build_router(ClassifyServices(bus=runtime.bus, nearest=nearest), runtime.policy))
