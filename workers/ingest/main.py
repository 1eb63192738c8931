"""Wiring of the ingest worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from runtime.generations import Generations
from workers.ingest import rebuild
from workers.ingest.handlers import build_router
from workers.ingest.services import IngestServices

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    c = runtime.components
    services = IngestServices(
        embedders=c.embedders, lexical=c.lexical, detector=c.detector, store=c.store,
        uploads=runtime.uploads, bus=runtime.bus, max_chars=runtime.settings.chunk_max_chars,
        concurrency=runtime.settings.ingest_concurrency,
    )
    runtime.include(build_router(services, runtime.policy))
    generations = Generations(broker.connection.jetstream(), runtime.settings.jetstream_replicas)
    runtime.include(rebuild.build_router(rebuild.ReindexServices(services, runtime.catalog, generations), runtime.policy))
