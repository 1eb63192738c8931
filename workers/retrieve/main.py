"""Wiring of the retrieve worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.retrieve.handlers import RetrieveServices, build_router

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    c = runtime.components
    services = RetrieveServices(embedders=c.embedders, lexical=c.lexical, detector=c.detector, store=c.store, bus=runtime.bus,
                                embeddings=c.cache("embeddings"))
    runtime.include(build_router(services, runtime.policy))
