"""Wiring of the audit worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.audit.handlers import AuditServices, build_router
from workers.audit.trail import AuditTrail

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    services = AuditServices(trail=AuditTrail(broker.connection.jetstream()), cases=runtime.reviews)
    runtime.include(build_router(services, runtime.policy))
