"""Wiring of the ledger worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from contracts import topology
from runtime.in_order import attach_in_order
from runtime.projection import Projection
from workers.ledger.figures import tally
from workers.ledger.handlers import LedgerServices, build_router, count_if_never_counted, record_question_facts

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    services = LedgerServices(questions=runtime.questions, figures=runtime.question_figures, bus=runtime.bus,
                              projection=Projection(runtime.questions, runtime.question_figures, tally))
    runtime.on_start(lambda: count_if_never_counted(services))  # before the first event is projected
    attach_in_order(runtime, topology.LEDGER, record_question_facts(services.projection))
    runtime.include(build_router(services, runtime.policy, question_facts=False))
