"""Catalog subscribers: every document event projected into the catalog bucket and its running totals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from faststream.nats import NatsMessage, NatsRouter

from contracts import topology
from contracts.documents import DocumentFact, DocumentIndexed, DocumentRecord, parse_document_fact, project_document
from contracts.figures import Figures, Tally
from runtime.delivery import DeliveryPolicy
from workers.catalog.figures import tally, with_record

log = logging.getLogger(__name__)


class CatalogPort(Protocol):
    async def update(self, key: str, change: Any) -> tuple[DocumentRecord | None, DocumentRecord | None]: ...
    def scan(self) -> Any: ...


class FiguresPort(Protocol):
    async def move(self, before: Tally, after: Tally, marks: dict[str, datetime] | None = None) -> None: ...
    async def count_once(self, records: Any, add: Callable[[Figures, DocumentRecord], Figures]) -> int | None: ...


@dataclass(frozen=True)
class CatalogServices:
    catalog: CatalogPort
    figures: FiguresPort


async def record_fact(event: DocumentFact, services: CatalogServices) -> None:
    """Project one event into its document's record; move the totals by what the record's change adds.

    An outcome that comes before its upload is recorded raises NotYetKnown: the delivery policy retries it later.
    """
    before, after = await services.catalog.update(event.document_id, lambda record: project_document(record, event))
    if after is not before:
        marks = {"last_indexed_at": event.occurred_at} if isinstance(event, DocumentIndexed) else None
        await services.figures.move(tally(before), tally(after), marks)


async def count_if_never_counted(services: CatalogServices) -> None:
    """A catalog written by a release that kept no figures gets them once, from its records."""
    if (counted := await services.figures.count_once(services.catalog, with_record)) is not None:
        log.info("catalog figures counted from %d existing records", counted)


def build_router(services: CatalogServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    async def on_fact(body: dict[str, Any], msg: NatsMessage) -> None:
        await record_fact(parse_document_fact(msg.raw_message.subject, body), services)

    for spec in topology.CATALOG:
        router.subscriber(spec.filter_subject, **policy.subscriber_kwargs(spec))(on_fact)
    return router
