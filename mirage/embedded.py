"""`mirage up`: a private nats-server, every worker and the gateway, in one process."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import uvicorn
from opentelemetry.sdk.trace import TracerProvider

from gateway.app import create_app
from mirage.nats_server import EmbeddedNats
from mirage.runtime import Components, Runtime, start_runtime
from mirage.settings import Settings
from mirage.telemetry import tracer_provider_from_env

log = logging.getLogger(__name__)
ALL_WORKERS = ["ingest", "translate", "retrieve", "generate", "classify-risk", "review", "ledger"]


def runtime_factory(  # noqa: ANN201
    settings: Settings, nats_url: str, workers: list[str], components: Components | None = None,
    tracer_provider: TracerProvider | None = None,
):
    @contextlib.asynccontextmanager
    async def open_runtime() -> AsyncIterator[Runtime]:
        runtime = await start_runtime(settings, nats_url, workers, components, tracer_provider)
        try:
            yield runtime
        finally:
            await runtime.stop()

    return open_runtime


def serve(settings: Settings, workers: list[str]) -> None:
    """Run the gateway (with the named workers in-process) until Ctrl-C."""
    nats: EmbeddedNats | None = None
    nats_url = settings.nats_url
    if nats_url is None:
        nats = EmbeddedNats(settings.nats_dir).start()
        nats_url = nats.url
        log.info("private nats-server with JetStream at %s (store %s)", nats_url, settings.nats_dir)
    try:
        tracing = tracer_provider_from_env("mirage" if workers else "mirage-gateway")
        app = create_app(settings, runtime_factory(settings, nats_url, workers, tracer_provider=tracing))
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    finally:
        if nats is not None:
            nats.stop()


@contextlib.asynccontextmanager
async def private_pipeline(settings: Settings, workers: list[str] = ALL_WORKERS, components: Components | None = None) -> AsyncIterator[Runtime]:
    """Everything `mirage up` runs but HTTP, on a private nats-server under `settings.data_dir`: for measurements."""
    with EmbeddedNats(settings.nats_dir) as nats:
        scoped = settings.model_copy(update={"nats_url": nats.url})
        runtime = await start_runtime(scoped, nats.url, workers, components)
        try:
            yield runtime
        finally:
            await runtime.stop()
