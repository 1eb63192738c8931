"""`mirage worker NAME`: one worker alone against external servers, as compose runs it."""

from __future__ import annotations

import asyncio
import logging
import signal

from prometheus_client import start_http_server

from mirage.pipeline import start_pipeline
from runtime.settings import Settings
from runtime.telemetry import tracer_provider_from_env

log = logging.getLogger(__name__)


async def run_workers(settings: Settings, workers: list[str], stop: asyncio.Event | None = None) -> None:
    if settings.nats_url is None:
        raise SystemExit("NATS_URL is not set: a lone worker joins an existing NATS (use `mirage up` for everything in one process)")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if settings.metrics_port:
        start_http_server(settings.metrics_port)
    tracing = tracer_provider_from_env("mirage-" + "-".join(workers))
    runtime = await start_pipeline(settings, settings.nats_url, workers, tracer_provider=tracing)
    log.info("worker(s) %s consuming from %s", ", ".join(workers), settings.nats_url)
    try:
        await stop.wait()
    finally:
        await runtime.stop()
