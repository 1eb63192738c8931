"""`mirage up`: a private nats-server, every worker and the gateway, in one process."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import uvicorn

from gateway.app import create_app
from mirage.nats_server import EmbeddedNats
from mirage.runtime import Components, Runtime, start_runtime
from mirage.settings import Settings

log = logging.getLogger(__name__)
ALL_WORKERS = ["ingest", "retrieve"]


def runtime_factory(settings: Settings, nats_url: str, workers: list[str], components: Components | None = None):  # noqa: ANN201
    @contextlib.asynccontextmanager
    async def open_runtime() -> AsyncIterator[Runtime]:
        runtime = await start_runtime(settings, nats_url, workers, components)
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
        app = create_app(settings, runtime_factory(settings, nats_url, workers))
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    finally:
        if nats is not None:
            nats.stop()
