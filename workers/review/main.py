"""Wiring of the review worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.review.handlers import ReviewServices, build_router

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    services = ReviewServices(cases=runtime.reviews)
    runtime.include(build_router(services, runtime.policy))
