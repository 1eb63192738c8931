"""The gateway's document operations: build the contract, publish, await the outcome."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from adapters.formats import DocumentFormat
from contracts import subjects
from contracts.documents import (
    DocumentDeletionRequested,
    DocumentRecord,
    DocumentStatus,
    DocumentUploaded,
    MetadataValue,
)
from contracts.envelope import derived_event_id, utcnow
from contracts.search import SearchRequest, SearchResponse
from gateway import metrics
from gateway.errors import ApiError
from gateway.outcomes import Arrival, outcome_of
from runtime.process import Runtime


def outcomes_for(document_id: str) -> str:
    return subjects.for_document("mirage.document.*", document_id)


def kind_of(arrival: Arrival | None) -> str | None:
    return arrival.kind if arrival else None


def status_url(document_id: str) -> str:
    return f"/documents/{document_id}"


def describe(record: DocumentRecord, **extra: Any) -> dict[str, Any]:
    return {**record.model_dump(mode="json"), "status_url": status_url(record.document_id), **extra}


class Documents:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings

    async def get(self, document_id: str) -> DocumentRecord:
        record = await self.runtime.catalog.get(document_id)
        if record is None:
            raise ApiError(404, "document_not_found", f"no document {document_id}")
        return record

    async def upload(self, data: bytes, filename: str, fmt: DocumentFormat, metadata: dict[str, MetadataValue]) -> tuple[int, dict[str, Any]]:
        started = time.perf_counter()
        document_id = hashlib.sha256(data).hexdigest()
        existing = await self.runtime.catalog.get(document_id)
        if existing is not None and existing.status is DocumentStatus.indexed:
            metrics.UPLOADS.labels(outcome="duplicate").inc()
            return 200, describe(existing, duplicate=True)
        record = existing if existing is not None and existing.status is DocumentStatus.processing else DocumentRecord(
            document_id=document_id, status=DocumentStatus.processing, filename=filename, format=fmt.value,
            size=len(data), metadata=metadata, uploaded_at=utcnow(),
        )
        blob = await self.runtime.uploads.put(document_id, data)
        if existing is None:
            if not await self.runtime.catalog.create(record):
                record = await self.get(document_id)
        elif existing.status is DocumentStatus.failed:
            await self.runtime.catalog.put(record)
        event = DocumentUploaded(
            event_id=derived_event_id(document_id, "uploaded", record.uploaded_at.isoformat()),
            correlation_id=document_id, document_id=document_id, filename=record.filename,
            format=record.format, blob=blob, metadata=record.metadata,
        )
        async with outcome_of(self.runtime.broker.connection, outcomes_for(document_id)) as outcome:
            await self.runtime.bus.publish(event, subjects.DOCUMENT_UPLOADED)
            kind = kind_of(await outcome.wait(self.settings.upload_wait_s))
        metrics.UPLOAD_SECONDS.observe(time.perf_counter() - started)
        metrics.UPLOADS.labels(outcome=kind or "pending").inc()
        final = await self.get(document_id)
        if kind == "failed":
            raise ApiError(422, "unreadable_document", final.reason or "the document could not be indexed",
                           document_id=document_id, status_url=status_url(document_id))
        if kind == "indexed":
            return 201, describe(final, duplicate=existing is not None)
        return 202, describe(final, detail=f"still indexing after {self.settings.upload_wait_s:g}s; poll status_url")

    async def delete(self, document_id: str) -> tuple[int, dict[str, Any]]:
        record = await self.get(document_id)
        if record.status is DocumentStatus.processing:
            raise ApiError(409, "document_busy", "the document is still being indexed; delete it once it is indexed or failed",
                           status_url=status_url(document_id))
        event = DocumentDeletionRequested(correlation_id=document_id, document_id=document_id)
        async with outcome_of(self.runtime.broker.connection, outcomes_for(document_id)) as outcome:
            await self.runtime.bus.publish(event, subjects.DOCUMENT_DELETE_REQUESTED)
            kind = kind_of(await outcome.wait(self.settings.request_timeout_s))
        if kind == "deleted":
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
