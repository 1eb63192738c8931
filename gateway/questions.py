"""The gateway's question operations: build QueryReceived, publish, await the outcome."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

from contracts import subjects
from contracts.envelope import utcnow
from contracts.questions import QueryReceived, QueryRecord, QueryStatus, outcome_record, parse_outcome
from gateway import metrics
from gateway.errors import ApiError
from gateway.outcomes import outcome_of
from runtime.process import Runtime


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
    }
    if record.status is QueryStatus.answered and record.answer is not None:
        body |= {"answer": record.answer.text, "answered": record.answer.answered, "backend": record.answer.backend,
                 "citations": [c.model_dump() for c in record.answer.citations], "notice": record.answer.notice}
    elif record.status is QueryStatus.pending_review:
        body["notice"] = record.notice
    elif record.status is QueryStatus.failed:
        body["reason"] = record.reason
    return body


def answer_key(event: QueryReceived, generation: int) -> str:
    """Same question, options and index generation: same answer. A new upload or deletion moves the generation."""
    normalized = " ".join(event.query.casefold().split())
    parts = [generation, normalized, event.target_language, event.enable_human_loop, event.top_k, event.filters]
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class Questions:
    def __init__(self, runtime: Runtime, generation: Callable[[], int] = lambda: 0) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.generation = generation
        self.cache = runtime.components.cache("answers")

    async def get(self, query_id: str) -> QueryRecord:
        record = await self.runtime.questions.get(query_id)
        if record is None:
            raise ApiError(404, "query_not_found", f"no question {query_id}")
        return record

    async def ask(self, event: QueryReceived) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        now = utcnow()
        key = answer_key(event, self.generation())
        if self.settings.answer_cache_ttl_s and (cached := await self.cache.get(key)) is not None:
            record = QueryRecord.model_validate_json(cached).model_copy(
                update={"query_id": event.query_id, "received_at": now, "updated_at": now})
            await self.runtime.questions.put(record)
            metrics.QUERIES.labels(outcome="answered_from_cache").inc()
            return 200, present(record) | {"cached": True}
        received = QueryRecord(query_id=event.query_id, status=QueryStatus.processing, query=event.query, received_at=now,
                               updated_at=now, target_language=event.target_language)
        await self.runtime.questions.create(received)
        async with outcome_of(self.runtime.broker.connection, subjects.for_query("mirage.*.*", event.query_id)) as outcome:
            await self.runtime.bus.publish(event, subjects.QUERY_RECEIVED)
            arrival = await outcome.wait(self.settings.query_wait_s)
        metrics.QUERY_SECONDS.observe(time.perf_counter() - started)
        if arrival is None:
            metrics.QUERIES.labels(outcome="pending").inc()
            return 202, present(received) | {"detail": f"still working after {self.settings.query_wait_s:g}s; poll status_url"}
        record = outcome_record(parse_outcome(arrival.subject, arrival.data), received)
        await self.runtime.questions.put(record)  # read-your-writes for the asker; the ledger records the same for everyone else
        metrics.QUERIES.labels(outcome=record.status.value).inc()
        if record.status is QueryStatus.answered and self.settings.answer_cache_ttl_s:
            await self.cache.set(key, record.model_dump_json().encode(), self.settings.answer_cache_ttl_s)
        if record.status is QueryStatus.failed:
            raise ApiError(503, "query_failed", record.reason or "the question could not be answered",
                           query_id=event.query_id, status_url=status_url(event.query_id))
        return (200 if record.status is QueryStatus.answered else 202), present(record)


def new_query_id() -> str:
    return uuid4().hex
