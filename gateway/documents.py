"""The gateway's document operations: build the contract, publish, await the outcome.

The catalog is read here, never written: the catalog projector records every document event.
"""

from __future__ import annotations

import hashlib
import heapq
import time
from datetime import datetime
from typing import Any

from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import APIError

from adapters.formats import DocumentFormat
from contracts import subjects
from contracts.documents import (
    DocumentDeletionRequested,
    DocumentRecord,
    DocumentStatus,
    DocumentUploaded,
    FailureStage,
    MetadataValue,
    parse_document_fact,
    project_document,
)
from contracts.envelope import derived_event_id, utcnow
from contracts.figures import Figures
from contracts.search import SearchRequest, SearchResponse
from gateway import metrics
from gateway.errors import ApiError
from gateway.outcomes import Arrival, outcome_of
from runtime.logs import about
from runtime.messaging import Catalog
from runtime.process import Runtime

# how long a response waits for the catalog projector to record an outcome the gateway has seen (milliseconds as a rule)
PROJECTION_WAIT_S = 2.0


def kind_of(arrival: Arrival | None) -> str | None:
    return subjects.outcome_kind(arrival.subject) if arrival else None


def status_url(document_id: str) -> str:
    return f"/documents/{document_id}"


async def newest(catalog: Catalog, status: DocumentStatus | None, count: int) -> list[DocumentRecord]:
    """The `count` most recently uploaded documents (of one status; deleted ones only when asked for): one pass over
    the bucket, `count` records held."""
    kept: list[tuple[datetime, str, DocumentRecord]] = []
    async for record in catalog.scan():
        if record.status is status or (status is None and record.visible):
            entry = (record.uploaded_at, record.document_id, record)
            (heapq.heappush if len(kept) < count else heapq.heappushpop)(kept, entry)
    return [record for _, _, record in sorted(kept, reverse=True)]


def describe(record: DocumentRecord, **extra: Any) -> dict[str, Any]:
    return {**record.model_dump(mode="json"), "status_url": status_url(record.document_id), **extra}


class Documents:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings

    async def get(self, document_id: str) -> DocumentRecord:
        record = await self.runtime.catalog.get(document_id)
        if record is None or not record.visible:
            raise ApiError(404, "document_not_found", f"no document {document_id}")
        return record

    async def upload(self, data: bytes, filename: str, fmt: DocumentFormat, metadata: dict[str, MetadataValue]) -> tuple[int, dict[str, Any]]:
        document_id = hashlib.sha256(data).hexdigest()
        with about(document_id=document_id):
            return await self._upload(document_id, data, filename, fmt, metadata)

    async def _upload(self, document_id: str, data: bytes, filename: str, fmt: DocumentFormat,
                      metadata: dict[str, MetadataValue]) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        existing = await self.runtime.catalog.get(document_id)
        if existing is not None and existing.status is DocumentStatus.indexed:
            metrics.UPLOADS.labels(outcome="duplicate").inc()
            return 200, describe(existing, duplicate=True)
        blob = await self.runtime.uploads.put(document_id, data)
        # Still processing: the same event again (same id, so JetStream drops it within its duplicate window).
        again = existing is not None and existing.status is DocumentStatus.processing
        uploaded_at = existing.uploaded_at if again else utcnow()
        event = DocumentUploaded(
            event_id=derived_event_id(document_id, "uploaded", uploaded_at.isoformat()), occurred_at=uploaded_at,
            correlation_id=document_id, document_id=document_id, filename=existing.filename if again else filename,
            format=fmt.value, blob=blob, metadata=existing.metadata if again else metadata,
        )
        async with outcome_of(self.runtime.broker.connection, subjects.document_outcomes(document_id)) as outcome:
            try:
                await self.runtime.bus.publish(event, subjects.DOCUMENT_UPLOADED)
            except APIError:  # refused (the store is full): no record will come, so no bytes may stay
                if existing is None or not existing.visible:
                    await self.runtime.uploads.delete(document_id)
                raise
            arrival = await outcome.wait(self.settings.upload_wait_s)
        kind = kind_of(arrival)
        metrics.UPLOAD_SECONDS.observe(time.perf_counter() - started)
        metrics.UPLOADS.labels(outcome=kind or "pending").inc()
        final = await self.recorded(event, arrival)
        if kind == "failed" and final.failed_stage is FailureStage.storage:
            raise ApiError(507, "insufficient_storage", final.reason or "the vector index's disk is full",
                           document_id=document_id, status_url=status_url(document_id))
        if kind == "failed":
            raise ApiError(422, "unreadable_document", final.reason or "the document could not be indexed",
                           document_id=document_id, status_url=status_url(document_id))
        if kind == "indexed":
            return 201, describe(final, duplicate=existing is not None and existing.visible)
        return 202, describe(final, detail=f"still indexing after {self.settings.upload_wait_s:g}s; poll status_url")

    async def recorded(self, uploaded: DocumentUploaded, arrival: Arrival | None) -> DocumentRecord:
        """The record as the projector writes it: waited for, so that the next GET agrees with this response."""
        expected = project_document(None, uploaded)
        if arrival is not None:
            expected = project_document(expected, parse_document_fact(arrival.subject, arrival.data))
        stored = await self.runtime.catalog.wait_for(
            uploaded.document_id, lambda record: record is not None and record.status is expected.status, PROJECTION_WAIT_S)
        if expected.indexed_at is not None:  # and the totals (the projector moves them just after the record)
            await self.counted_since(expected.indexed_at)
        return stored if stored is not None and stored.status is expected.status else expected

    async def counted_since(self, indexed_at: datetime) -> None:
        """Until the totals count the document (the projector moves them just after its record), or PROJECTION_WAIT_S."""

        def counted(figures: Figures) -> bool:
            last = figures.marks.get("last_indexed_at")
            return last is not None and last >= indexed_at

        await self.runtime.document_figures.wait_until(counted, PROJECTION_WAIT_S)

    async def delete(self, document_id: str) -> tuple[int, dict[str, Any]]:
        record = await self.get(document_id)
        if record.status is DocumentStatus.processing:
            raise ApiError(409, "document_busy", "the document is still being indexed; delete it once it is indexed or failed",
                           status_url=status_url(document_id))
        event = DocumentDeletionRequested(correlation_id=document_id, document_id=document_id)
        async with outcome_of(self.runtime.broker.connection, subjects.document_outcomes(document_id)) as outcome:
            await self.runtime.bus.publish(event, subjects.DOCUMENT_DELETE_REQUESTED)
            kind = kind_of(await outcome.wait(self.settings.request_timeout_s))
        if kind == "deleted":
            await self.runtime.catalog.wait_for(document_id, lambda r: r is None or not r.visible, PROJECTION_WAIT_S)
            return 200, {"document_id": document_id, "status": "deleted", "chunks_removed": record.chunks}
        return 202, {"document_id": document_id, "status": "deleting", "status_url": status_url(document_id)}

    async def search(self, request: SearchRequest) -> SearchResponse:
        started = time.perf_counter()
        try:
            reply = await self.runtime.broker.request(request, subjects.SEARCH, timeout=self.settings.request_timeout_s)
        except NoRespondersError as exc:
            raise ApiError(503, "search_unavailable", "no retrieve worker is running") from exc
        except (NatsTimeout, TimeoutError) as exc:
            raise ApiError(503, "search_unavailable", f"the retrieve worker did not answer within {self.settings.request_timeout_s:g}s") from exc
        metrics.SEARCH_SECONDS.observe(time.perf_counter() - started)
        return SearchResponse.model_validate_json(reply.body)
