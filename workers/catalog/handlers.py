"""Catalog subscriber: every document event projected, in stream order, into the catalog bucket and its running totals."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from faststream.nats import NatsMessage, NatsRouter

from contracts import topology
from contracts.documents import DocumentFact, DocumentIndexed, DocumentRecord, NotYetKnown, parse_document_fact, project_document
from contracts.figures import Figures
from runtime.delivery import DeliveryPolicy, Unprocessable, stream_sequence
from workers.catalog.figures import with_record

log = logging.getLogger(__name__)


class ProjectionPort(Protocol):
    async def apply(self, sequence: int | None, key: str, change: Callable[[DocumentRecord | None], DocumentRecord | None],
                    marks: Callable[[DocumentRecord], dict[str, datetime] | None] = ...) -> Any: ...


class FiguresPort(Protocol):
    async def count_once(self, records: Any, add: Callable[[Figures, DocumentRecord], Figures]) -> int | None: ...


@dataclass(frozen=True)
class CatalogServices:
    catalog: Any  # the records, for counting a catalog written before figures were kept
    figures: FiguresPort
    projection: ProjectionPort


async def record_fact(event: DocumentFact, services: CatalogServices, sequence: int | None = None) -> None:
    """Project one event into its document's record and the totals (exactly once: runtime/projection.py).

    Events come in stream order, so an outcome always follows its upload; one that does not names a document that was
    never uploaded, and no later delivery will change that: it is dead-lettered at once."""
    marks = (lambda _: {"last_indexed_at": event.occurred_at}) if isinstance(event, DocumentIndexed) else (lambda _: None)
    try:
        await services.projection.apply(sequence, event.document_id, lambda record: project_document(record, event), marks)
    except NotYetKnown as exc:
        raise Unprocessable(str(exc)) from exc


async def count_if_never_counted(services: CatalogServices) -> None:
    """A catalog written by a release that kept no figures gets them once, from its records."""
    if (counted := await services.figures.count_once(services.catalog, with_record)) is not None:
        log.info("catalog figures counted from %d existing records", counted)


def build_router(services: CatalogServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.CATALOG.filter_subject, **policy.subscriber_kwargs(topology.CATALOG))
    async def on_document_fact(body: dict[str, Any], msg: NatsMessage) -> None:
        await record_fact(parse_document_fact(msg.raw_message.subject, body), services, stream_sequence(msg.raw_message))

    return router
