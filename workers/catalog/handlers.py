"""Catalog projector: every document event projected, in stream order, into the catalog bucket and its running totals.

A process reads the consumer a batch at a time (`record_facts`, runtime/in_order.py); the FastStream subscriber of
`build_router`, one event at a time, is what the AsyncAPI document and the in-memory broker see."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from faststream.nats import NatsMessage, NatsRouter
from nats.aio.msg import Msg

from contracts import topology
from contracts.documents import DocumentFact, DocumentIndexed, DocumentRecord, NotYetKnown, parse_document_fact, project_document
from contracts.figures import Figures
from runtime.delivery import DeliveryPolicy, Unprocessable, stream_sequence
from runtime.in_order import BatchHandler, projecting
from runtime.projection import Change, Projection
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


def fact_change(event: DocumentFact, sequence: int | None = None) -> Change[DocumentRecord]:
    """What one event does to its document's record (and to the totals' marks).

    Events come in stream order, so an outcome always follows its upload; one that does not names a document that was
    never uploaded, and no later delivery will change that: it is dead-lettered at once."""

    def change(record: DocumentRecord | None) -> DocumentRecord | None:
        try:
            return project_document(record, event)
        except NotYetKnown as exc:
            raise Unprocessable(str(exc)) from exc

    if isinstance(event, DocumentIndexed):
        return Change(sequence, event.document_id, change, lambda _: {"last_indexed_at": event.occurred_at})
    return Change(sequence, event.document_id, change)


async def record_fact(event: DocumentFact, services: CatalogServices, sequence: int | None = None) -> None:
    """Project one event into its document's record and the totals (exactly once: runtime/projection.py)."""
    one = fact_change(event, sequence)
    await services.projection.apply(one.sequence, one.key, one.change, one.marks)


def record_facts(projection: Projection[DocumentRecord]) -> BatchHandler:
    """Project a batch of events with one write of the totals; an event that can never apply is dead-lettered alone."""

    def change_of(msg: Msg) -> Change[DocumentRecord]:
        return fact_change(parse_document_fact(msg.subject, msg.data), msg.metadata.sequence.stream)

    return projecting(projection, change_of)


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
