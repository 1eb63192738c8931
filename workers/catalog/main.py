"""Wiring of the catalog projector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from contracts import topology
from runtime.in_order import attach_in_order
from runtime.projection import Projection
from workers.catalog.figures import tally
from workers.catalog.handlers import CatalogServices, count_if_never_counted, record_facts

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    services = CatalogServices(catalog=runtime.catalog, figures=runtime.document_figures,
                               projection=Projection(runtime.catalog, runtime.document_figures, tally))
    runtime.on_start(lambda: count_if_never_counted(services))  # before the first event is projected
    attach_in_order(runtime, topology.CATALOG, record_facts(services.projection))
