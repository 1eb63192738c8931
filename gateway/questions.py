"""The gateway's question operations: build QueryReceived, publish, await the outcome.

The questions bucket is read here, never written: the ledger records every question's events.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any
from uuid import uuid4

from contracts import subjects
from contracts.envelope import utcnow
from contracts.questions import AnswerReleased, QueryReceived, QueryRecord, QueryStatus, outcome_record, parse_outcome
from gateway import metrics
from gateway.errors import ApiError
from gateway.outcomes import outcome_of
from runtime.logs import about
from runtime.process import Runtime
from runtime.telemetry import current_trace_id, exemplar


def status_url(query_id: str) -> str:
    return f"/query/{query_id}"


def risk_summary(record: QueryRecord) -> dict[str, Any] | None:
    if record.assessment is None:
        return None
    return {
        "level": record.assessment.level, "route": record.assessment.route, "policy": record.assessment.policy,
        "categories": sorted({f.category for f in record.assessment.findings}),
        "findings": [f.model_dump(mode="json") for f in record.assessment.findings],
    }


def present(record: QueryRecord) -> dict[str, Any]:
    """What a user may see: the answer only once released, never a parked draft."""
    body: dict[str, Any] = {
        "query_id": record.query_id, "status": record.status, "query": record.query,
        "detected_language": record.detection.model_dump() if record.detection else None,
        "language": record.answer_language, "risk": risk_summary(record), "status_url": status_url(record.query_id),
        "trace_id": record.trace_id,
    }
    if record.status is QueryStatus.answered and record.answer is not None:
        body |= {"answer": record.answer.text, "answered": record.answer.answered, "backend": record.answer.backend,
                 "citations": [c.model_dump() for c in record.answer.citations], "notice": record.answer.notice,
                 "reviewed": record.review.model_dump(mode="json") if record.review else None}
    elif record.status in (QueryStatus.pending_review, QueryStatus.rejected):
        body["notice"] = record.notice
    elif record.status is QueryStatus.failed:
        body["reason"] = record.reason
    return body


def answer_key(event: QueryReceived, generation: int) -> str:
    """Same question, options and index generation: same answer. A new upload or deletion moves the generation."""
    normalized = " ".join(event.query.casefold().split())
    parts = [generation, normalized, event.target_language, event.enable_human_loop, event.top_k, event.filters]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


FINAL = (QueryStatus.answered, QueryStatus.rejected, QueryStatus.failed)
# how long a response waits for the ledger to record an outcome the gateway has seen (milliseconds as a rule)
PROJECTION_WAIT_S = 2.0


class Questions:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.cache = runtime.components.cache("answers")

    async def get(self, query_id: str) -> QueryRecord:
        record = await self.runtime.questions.get(query_id)
        if record is None:
            raise ApiError(404, "query_not_found", f"no question {query_id}")
        return record

    async def wait(self, query_id: str, seconds: float) -> QueryRecord:
        """The record once the question is answered, rejected or failed, or as it is after `seconds` (a long poll)."""
        record = await self.get(query_id)
        if record.status in FINAL or seconds <= 0:
            return record
        async with outcome_of(self.runtime.broker.connection, *subjects.query_outcomes(query_id, parked=False)) as outcome:
            record = await self.get(query_id)  # it may have ended between the first read and the subscription
            if record.status in FINAL:
                return record
            arrival = await outcome.wait(seconds)
        if arrival is None:
            return await self.get(query_id)
        return await self.recorded(outcome_record(parse_outcome(arrival.subject, arrival.data), None))

    async def ask(self, event: QueryReceived) -> tuple[int, dict[str, Any]]:
        with about(query_id=event.query_id):
            return await self._ask(event)

    async def _ask(self, event: QueryReceived) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        key = answer_key(event, (await self.runtime.document_figures.get()).generation)
        if self.settings.answer_cache_ttl_s and (cached := await self.cache.get(key)) is not None:
            return await self.serve_again(event, AnswerReleased.model_validate_json(cached))
        async with outcome_of(self.runtime.broker.connection, *subjects.query_outcomes(event.query_id)) as outcome:
            await self.runtime.bus.publish(event, subjects.QUERY_RECEIVED)
            arrival = await outcome.wait(self.settings.query_wait_s)
        metrics.QUERY_SECONDS.observe(time.perf_counter() - started, exemplar=exemplar())
        if arrival is None:
            metrics.QUERIES.labels(outcome="pending").inc()
            received = QueryRecord(query_id=event.query_id, status=QueryStatus.processing, query=event.query,
                                   received_at=event.occurred_at, updated_at=utcnow(), target_language=event.target_language,
                                   trace_id=current_trace_id())
            return 202, present(received) | {"detail": f"still working after {self.settings.query_wait_s:g}s; poll status_url"}
        result = parse_outcome(arrival.subject, arrival.data)
        record = await self.recorded(outcome_record(result, None))
        metrics.QUERIES.labels(outcome=record.status.value).inc()
        if isinstance(result, AnswerReleased) and self.settings.answer_cache_ttl_s:
            await self.cache.set(key, arrival.data, self.settings.answer_cache_ttl_s)
        if record.status is QueryStatus.failed:
            raise ApiError(503, "query_failed", record.reason or "the question could not be answered",
                           query_id=event.query_id, status_url=status_url(event.query_id))
        return (200 if record.status is QueryStatus.answered else 202), present(record)

    async def serve_again(self, event: QueryReceived, cached: AnswerReleased) -> tuple[int, dict[str, Any]]:
        """A released answer to the same question over the same documents: published again under this question's id,
        so the ledger, the audit trail and replays see every answer anyone received."""
        now = utcnow()
        again = cached.model_copy(update={
            "event_id": uuid4(), "correlation_id": event.query_id, "causation_id": event.event_id, "occurred_at": now,
            "query_id": event.query_id, "query": event.query, "released_at": now, "cached_from": cached.cached_from or cached.query_id,
        })
        await self.runtime.bus.publish(again, subjects.for_query(subjects.ANSWER_RELEASED, event.query_id))
        metrics.QUERIES.labels(outcome="answered_from_cache").inc()
        return 200, present(await self.recorded(outcome_record(again, None))) | {"cached": True}

    async def recorded(self, expected: QueryRecord) -> QueryRecord:
        """The record as the ledger writes it: waited for, so that the next GET agrees with this response."""
        stored = await self.runtime.questions.wait_for(
            expected.query_id, lambda record: record is not None and record.status is expected.status, PROJECTION_WAIT_S)
        return stored if stored is not None and stored.status is expected.status else expected


def new_query_id() -> str:
    return uuid4().hex
