"""Wiring of the ledger worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.ledger.handlers import LedgerServices, build_router

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    services = LedgerServices(questions=runtime.questions, bus=runtime.bus)
    broker.include_router(build_router(services, runtime.policy), middlewares=[runtime.policy.middleware(runtime.bus.publish_raw)])
