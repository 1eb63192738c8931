"""`mirage up`: a private nats-server, every worker and the gateway, in one process."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable

import uvicorn
from opentelemetry.sdk.trace import TracerProvider

from contracts.chain import WORKERS
from gateway.app import create_app
from mirage.pipeline import start_pipeline
from runtime.nats_server import EmbeddedNats, StoreInUse
from runtime.process import Components, Runtime
from runtime.settings import Settings
from runtime.telemetry import tracer_provider_from_env

log = logging.getLogger(__name__)


def runtime_factory(  # noqa: ANN201
    settings: Settings, nats_url: str, workers: list[str], components: Components | None = None,
    tracer_provider: TracerProvider | None = None,
):
    @contextlib.asynccontextmanager
    async def open_runtime() -> AsyncIterator[Runtime]:
        runtime = await start_pipeline(settings, nats_url, workers, components, tracer_provider)
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
        try:
            nats = EmbeddedNats(settings.nats_dir).start()
        except StoreInUse as exc:
            raise SystemExit(f"mirage: {exc}") from None
        nats_url = nats.url
        log.info("private nats-server with JetStream at %s (store %s)", nats_url, settings.nats_dir)
    try:
        tracing = tracer_provider_from_env("mirage" if workers else "mirage-gateway")
        app = create_app(settings, runtime_factory(settings, nats_url, workers, tracer_provider=tracing))
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", log_config=None)  # our handlers, our format
    finally:
        if nats is not None:
            nats.stop()


@contextlib.asynccontextmanager
async def private_pipeline(settings: Settings, workers: Iterable[str] = WORKERS, components: Components | None = None) -> AsyncIterator[Runtime]:
    """Everything `mirage up` runs but HTTP, on a private nats-server under `settings.data_dir`: for measurements."""
    with EmbeddedNats(settings.nats_dir) as nats:
        scoped = settings.model_copy(update={"nats_url": nats.url})
        runtime = await start_pipeline(scoped, nats.url, workers, components)
        try:
            yield runtime
        finally:
            await runtime.stop()
