"""Ledger subscribers: the questions bucket's only writer; given-up questions failed visibly."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from faststream.nats import NatsMessage, NatsRouter

from contracts import subjects, topology
from contracts.figures import Figures, Tally
from contracts.questions import QueryFailed, QueryReceived, QueryRecord, QueryStatus, outcome_record, parse_outcome
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy
from runtime.telemetry import current_trace_id
from workers.ledger.figures import tally, with_record

log = logging.getLogger(__name__)


class QuestionsPort(Protocol):
    async def update(self, key: str, change: Any) -> tuple[QueryRecord | None, QueryRecord | None]: ...
    def scan(self) -> Any: ...


class FiguresPort(Protocol):
    async def move(self, before: Tally, after: Tally) -> None: ...
    async def count_once(self, records: Any, add: Callable[[Figures, QueryRecord], Figures]) -> int | None: ...


@dataclass(frozen=True)
class LedgerServices:
    questions: QuestionsPort
    figures: FiguresPort
    bus: Publisher


async def record_received(question: QueryReceived, services: LedgerServices, trace_id: str | None = None) -> None:
    """A question being worked on, in its trace; an outcome recorded first (a slow ledger) is kept."""
    received = QueryRecord(query_id=question.query_id, status=QueryStatus.processing, query=question.query,
                           received_at=question.occurred_at, updated_at=question.occurred_at, target_language=question.target_language,
                           trace_id=trace_id)
    await services.questions.update(
        question.query_id, lambda record: record.model_copy(update={"trace_id": record.trace_id or trace_id}) if record else received)


async def record_outcome(subject: str, body: dict[str, Any], services: LedgerServices) -> None:
    event = parse_outcome(subject, body)
    before, after = await services.questions.update(event.query_id, lambda record: outcome_record(event, record))
    await services.figures.move(tally(before), tally(after))


async def give_up(question: QueryReceived, headers: dict[str, str], services: LedgerServices) -> None:
    reason = f"gave up after {headers.get('Mirage-Deliveries', '?')} deliveries: {headers.get('Mirage-Error', 'unknown error')}"
    failure = QueryFailed.following(question, "failed", query_id=question.query_id, reason=reason,
                                    stage=headers.get("Mirage-Original-Subject", "?"))
    await services.bus.publish(failure, subjects.for_query(subjects.QUERY_FAILED, question.query_id))


async def count_if_never_counted(services: LedgerServices) -> None:
    """A questions bucket written by a release that kept no figures gets them once, from its records."""
    if (counted := await services.figures.count_once(services.questions, with_record)) is not None:
        log.info("question figures counted from %d existing records", counted)


def build_router(services: LedgerServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()
    received, *outcomes = topology.LEDGER

    @router.subscriber(received.filter_subject, **policy.subscriber_kwargs(received, concurrency=8))
    async def on_question_to_record(question: QueryReceived) -> None:
        await record_received(question, services, current_trace_id())

    async def on_outcome(body: dict[str, Any], msg: NatsMessage) -> None:
        await record_outcome(msg.raw_message.subject, body, services)

    async def on_given_up(question: QueryReceived, msg: NatsMessage) -> None:
        await give_up(question, msg.headers, services)

    for spec in outcomes:
        router.subscriber(spec.filter_subject, **policy.subscriber_kwargs(spec, concurrency=8))(on_outcome)
    for spec in topology.QUESTIONS_GAVE_UP:
        router.subscriber(spec.filter_subject, **policy.subscriber_kwargs(spec))(on_given_up)
    return router
