"""Wiring of the catalog projector."""

from __future__ import annotations

from typing import TYPE_CHECKING

from faststream.nats import NatsBroker

from runtime.projection import Projection
from workers.catalog.figures import tally
from workers.catalog.handlers import CatalogServices, build_router, count_if_never_counted

if TYPE_CHECKING:
    from runtime.process import Runtime


def attach(broker: NatsBroker, runtime: Runtime) -> None:
    services = CatalogServices(catalog=runtime.catalog, figures=runtime.document_figures,
                               projection=Projection(runtime.catalog, runtime.document_figures, tally))
    runtime.on_start(lambda: count_if_never_counted(services))
    runtime.include(build_router(services, runtime.policy))
