"""Wiring of the classify-risk worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.classify_risk.handlers import ClassifyServices, build_router

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    broker.include_router(build_router(ClassifyServices(bus=runtime.bus), runtime.policy),
                          middlewares=[runtime.policy.middleware(runtime.bus.publish_raw)])
