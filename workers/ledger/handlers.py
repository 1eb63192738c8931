"""Ledger subscribers: every question's outcome in the questions bucket; given-up questions failed visibly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from faststream.nats import NatsMessage, NatsRouter

from contracts import subjects, topology
from contracts.envelope import derived_event_id
from contracts.questions import QueryFailed, QueryReceived, QueryRecord, outcome_record, parse_outcome
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy


class QuestionsPort(Protocol):
    async def get(self, key: str) -> QueryRecord | None: ...
    async def put(self, record: QueryRecord) -> None: ...


@dataclass(frozen=True)
class LedgerServices:
    questions: QuestionsPort
    bus: Publisher


def build_router(services: LedgerServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    async def record_outcome(body: dict[str, Any], msg: NatsMessage) -> None:
        event = parse_outcome(msg.raw_message.subject, body)
        await services.questions.put(outcome_record(event, await services.questions.get(event.query_id)))

    async def give_up(question: QueryReceived, msg: NatsMessage) -> None:
        reason = f"gave up after {msg.headers.get('Mirage-Deliveries', '?')} deliveries: {msg.headers.get('Mirage-Error', 'unknown error')}"
        stage = msg.headers.get("Mirage-Original-Subject", "?")
        failure = QueryFailed(event_id=derived_event_id(question.event_id, "failed"), correlation_id=question.query_id,
                              causation_id=question.event_id, query_id=question.query_id, reason=reason, stage=stage)
        await services.bus.publish(failure, subjects.for_query(subjects.QUERY_FAILED, question.query_id))

    for spec in topology.LEDGER:
        router.subscriber(spec.filter_subject, **policy.subscriber_kwargs(spec, concurrency=8))(record_outcome)
    for spec in topology.QUESTIONS_GAVE_UP:
        router.subscriber(spec.filter_subject, **policy.subscriber_kwargs(spec))(give_up)
    return router
