"""Wiring of the review worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from workers.review.cases import Deadlines
from workers.review.handlers import build_router
from workers.review.services import ReviewServices
from workers.review.sweeper import Sweeper

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    s = runtime.settings
    deadlines = Deadlines(critical_s=s.review_deadline_critical_s, high_s=s.review_deadline_high_s, other_s=s.review_deadline_s,
                          max_age_s=s.review_max_age_s)
    services = ReviewServices(cases=runtime.reviews, bus=runtime.bus, deadlines=deadlines, lease_s=s.review_lease_s,
                              approved=runtime.approved, catalog=runtime.catalog)
    sweeper = Sweeper(services, s.review_sweep_s)
    runtime.on_start(sweeper.start)
    runtime.closers.append(sweeper.stop)
    runtime.include(build_router(services, runtime.policy))
