"""The workers by name, and a runtime started with the named ones: the entry layer's seam to the runtime."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from opentelemetry.sdk.trace import TracerProvider

from contracts.chain import WORKERS
from runtime.process import Components, Runtime, WorkerAttach, start_runtime
from runtime.settings import Settings


def attachers(names: Iterable[str]) -> dict[str, WorkerAttach]:
    """Each named worker's `attach` function (workers/<name>/main.py); an unknown name is a ValueError."""
    found: dict[str, WorkerAttach] = {}
    for name in names:
        if name not in WORKERS:
            raise ValueError(f"unknown worker {name!r}: one of {', '.join(WORKERS)}")
        found[name] = import_module(f"workers.{name.replace('-', '_')}.main").attach
    return found


async def start_pipeline(
    settings: Settings, nats_url: str, workers: Iterable[str] = WORKERS, components: Components | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Runtime:
    """Connect to NATS and start the named workers in this process."""
    return await start_runtime(settings, nats_url, attachers(workers), components, tracer_provider)
