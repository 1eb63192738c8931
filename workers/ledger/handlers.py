"""Ledger subscribers: the questions bucket's only writer; given-up questions failed visibly.

A process reads the question events a batch at a time (`record_question_facts`, runtime/in_order.py): an event alone is
applied at once, as before (the gateway waits for the record of a question's outcome), and under many questions the
totals are written once per batch. The FastStream subscriber of `build_router`, one event at a time, is what the
AsyncAPI document and the in-memory broker see."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from faststream.nats import NatsMessage, NatsRouter
from nats.aio.msg import Msg

from contracts import subjects, topology
from contracts.figures import Figures
from contracts.questions import QueryFailed, QueryReceived, QueryRecord, QueryStatus, outcome_record, parse_outcome
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy, stream_sequence
from runtime.in_order import BatchHandler, projecting
from runtime.projection import Change, Projection
from runtime.telemetry import current_trace_id, trace_id_in
from workers.ledger.figures import with_record

log = logging.getLogger(__name__)


class ProjectionPort(Protocol):
    async def apply(self, sequence: int | None, key: str, change: Callable[[QueryRecord | None], QueryRecord | None]) -> Any: ...


class FiguresPort(Protocol):
    async def count_once(self, records: Any, add: Callable[[Figures, QueryRecord], Figures]) -> int | None: ...


@dataclass(frozen=True)
class LedgerServices:
    questions: Any  # the records, for counting a bucket written before figures were kept
    figures: FiguresPort
    projection: ProjectionPort
    bus: Publisher


def received_change(question: QueryReceived, trace_id: str | None = None, sequence: int | None = None) -> Change[QueryRecord]:
    """A question being worked on, in its trace; an outcome recorded first (a slow ledger) is kept."""
    received = QueryRecord(query_id=question.query_id, status=QueryStatus.processing, query=question.query,
                           received_at=question.occurred_at, updated_at=question.occurred_at, target_language=question.target_language,
                           trace_id=trace_id)
    return Change(sequence, question.query_id,
                  lambda record: record.model_copy(update={"trace_id": record.trace_id or trace_id}) if record else received)


def outcome_change(subject: str, body: bytes | dict[str, Any], sequence: int | None = None) -> Change[QueryRecord]:
    event = parse_outcome(subject, body)
    return Change(sequence, event.query_id, lambda record: outcome_record(event, record))


async def record_received(question: QueryReceived, services: LedgerServices, trace_id: str | None = None,
                          sequence: int | None = None) -> None:
    one = received_change(question, trace_id, sequence)
    await services.projection.apply(one.sequence, one.key, one.change)


async def record_outcome(subject: str, body: dict[str, Any], services: LedgerServices, sequence: int | None = None) -> None:
    one = outcome_change(subject, body, sequence)
    await services.projection.apply(one.sequence, one.key, one.change)


def record_question_facts(projection: Projection[QueryRecord]) -> BatchHandler:
    """Project a batch of question events with one write of the totals."""

    def change_of(msg: Msg) -> Change[QueryRecord]:
        sequence = msg.metadata.sequence.stream
        if msg.subject == subjects.QUERY_RECEIVED:
            return received_change(QueryReceived.model_validate_json(msg.data), trace_id_in(msg.headers or {}), sequence)
        return outcome_change(msg.subject, msg.data, sequence)

    return projecting(projection, change_of)


async def give_up(question: QueryReceived, headers: dict[str, str], services: LedgerServices) -> None:
    reason = f"gave up after {headers.get('Mirage-Deliveries', '?')} deliveries: {headers.get('Mirage-Error', 'unknown error')}"
    failure = QueryFailed.following(question, "failed", query_id=question.query_id, reason=reason,
                                    stage=headers.get("Mirage-Original-Subject", "?"))
    await services.bus.publish(failure, subjects.for_query(subjects.QUERY_FAILED, question.query_id))


async def count_if_never_counted(services: LedgerServices) -> None:
    """A questions bucket written by a release that kept no figures gets them once, from its records."""
    if (counted := await services.figures.count_once(services.questions, with_record)) is not None:
        log.info("question figures counted from %d existing records", counted)


def build_router(services: LedgerServices, policy: DeliveryPolicy, question_facts: bool = True) -> NatsRouter:
    """The ledger's subscribers; without `question_facts` when the process reads them a batch at a time."""
    router = NatsRouter()

    async def on_question_fact(body: dict[str, Any], msg: NatsMessage) -> None:
        subject, sequence = msg.raw_message.subject, stream_sequence(msg.raw_message)
        if subject == subjects.QUERY_RECEIVED:
            await record_received(QueryReceived.model_validate(body), services, current_trace_id(), sequence)
        else:
            await record_outcome(subject, body, services, sequence)

    if question_facts:
        router.subscriber(topology.LEDGER.filter_subject, **policy.subscriber_kwargs(topology.LEDGER))(on_question_fact)

    async def on_given_up(question: QueryReceived, msg: NatsMessage) -> None:
        await give_up(question, msg.headers, services)

    for spec in topology.QUESTIONS_GAVE_UP:
        router.subscriber(spec.filter_subject, **policy.subscriber_kwargs(spec))(on_given_up)
    return router
