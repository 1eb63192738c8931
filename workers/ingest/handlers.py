"""Ingest subscribers: index uploaded documents, delete them, record the ones given up on."""

from __future__ import annotations

import asyncio
import logging

from faststream.nats import NatsMessage, NatsRouter

from adapters.batching import MicroBatcher
from adapters.formats import RejectedUpload
from contracts import subjects, topology
from contracts.documents import (
    DocumentDeleted,
    DocumentDeletionRequested,
    DocumentFailed,
    DocumentIndexed,
    DocumentStatus,
    DocumentUploaded,
    FailureStage,
)
from contracts.envelope import derived_event_id, utcnow
from runtime.delivery import DeliveryPolicy
from workers.ingest.indexing import chunk_for_index, language_counts, to_points, wants_english
from workers.ingest.parsing import UnreadableDocument
from workers.ingest.services import IngestServices

log = logging.getLogger(__name__)


# A long document's English side goes in pieces, each its own model call: other documents' multilingual
# embeddings get the model in between, and a stopping worker waits for one piece, not the whole document.
ENGLISH_PIECE = 32


def build_router(services: IngestServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()
    # waiting up to 20 ms for other documents' chunks: bulk ingest 0.76 → 0.81 of the embedder's raw speed
    # (docs/BENCHMARKS.md); a lone upload pays those 20 ms at most
    embed = MicroBatcher(lambda texts: list(services.embedder.embed_documents(texts)), max_items=256, max_wait_s=0.02)
    # English vectors come second, in small batches, so that the next document's searchable phase waits
    # for at most ~0.4 s of the English model (MODEL_LOCK)
    english = services.english and MicroBatcher(lambda texts: list(services.english.embed_documents(texts)), max_items=32, max_wait_s=0.02)
    upsert = MicroBatcher(lambda points: services.store.upsert(points) or [None] * len(points), max_items=4096)

    @router.subscriber(topology.INGEST.filter_subject, **policy.subscriber_kwargs(topology.INGEST, services.concurrency))
    async def index_document(event: DocumentUploaded) -> None:
        record = await services.catalog.get(event.document_id)
        if record is None:
            log.info("document %s was deleted before indexing; skipping", event.document_id)
            return
        data = await services.uploads.get(event.blob)
        try:
            document = await asyncio.to_thread(
                chunk_for_index, data, event, lexical=services.lexical, detector=services.detector, max_chars=services.max_chars
            )
        except (UnreadableDocument, RejectedUpload) as exc:
            await fail(services, event, str(exc), FailureStage.parse)
            return
        points = to_points(event, document, await embed.submit(document.texts))
        await upsert.submit(points)
        indexed = record.model_copy(update={
            "status": DocumentStatus.indexed, "title": document.title, "pages": document.pages,
            "chunks": len(points), "languages": language_counts(points),
            "embedder": services.embedder_name, "indexed_at": utcnow(), "reason": None, "failed_stage": None,
        })
        await services.catalog.put(indexed)
        await services.bus.publish(
            DocumentIndexed(
                event_id=derived_event_id(event.event_id, "indexed"), correlation_id=event.document_id,
                causation_id=event.event_id, document_id=event.document_id, chunks=indexed.chunks,
                languages=indexed.languages, pages=indexed.pages, title=indexed.title, embedder=services.embedder_name,
            ),
            subjects.for_document(subjects.DOCUMENT_INDEXED, event.document_id),
        )
        if english and document.english_texts:
            # Searchable already (multilingual + BM25); the English model's vectors follow, and the message is
            # acked only once they are in, so a worker killed meanwhile has the whole document indexed again.
            texts = document.english_texts
            pieces = [english.submit(texts[i : i + ENGLISH_PIECE]) for i in range(0, len(texts), ENGLISH_PIECE)]
            vectors = [vector for piece in await asyncio.gather(*pieces) for vector in piece]
            ids = [p.id for p in points if wants_english(p.payload["language"])]
            await asyncio.to_thread(services.store.add_english, dict(zip(ids, vectors, strict=True)))

    @router.subscriber(topology.INGEST_DELETE.filter_subject, **policy.subscriber_kwargs(topology.INGEST_DELETE))
    async def delete_document(event: DocumentDeletionRequested) -> None:
        removed = await asyncio.to_thread(services.store.delete_document, event.document_id)
        await services.uploads.delete(event.document_id)
        await services.catalog.delete(event.document_id)
        await services.bus.publish(
            DocumentDeleted(
                event_id=derived_event_id(event.event_id, "deleted"), correlation_id=event.document_id,
                causation_id=event.event_id, document_id=event.document_id, chunks_removed=removed,
            ),
            subjects.for_document(subjects.DOCUMENT_DELETED, event.document_id),
        )

    @router.subscriber(topology.INGEST_GAVE_UP.filter_subject, **policy.subscriber_kwargs(topology.INGEST_GAVE_UP))
    async def record_given_up(event: DocumentUploaded, msg: NatsMessage) -> None:
        error = msg.headers.get("Mirage-Error", "unknown error")
        deliveries = msg.headers.get("Mirage-Deliveries", "?")
        await asyncio.to_thread(services.store.delete_document, event.document_id)
        await fail(services, event, f"indexing failed {deliveries} times; last error: {error}", FailureStage.deliveries)

    return router


async def fail(services: IngestServices, event: DocumentUploaded, reason: str, stage: FailureStage) -> None:
    """Mark the document failed, with no chunks, and say so.

    Unreadable bytes are dropped; after exhausted deliveries (an outage, not the file) they stay, so an operator
    can replay the dead letter once the cause is fixed.
    """
    if stage is FailureStage.parse:
        await services.uploads.delete(event.document_id)
    record = await services.catalog.get(event.document_id)
    if record is not None:
        await services.catalog.put(record.model_copy(update={
            "status": DocumentStatus.failed, "reason": reason, "failed_stage": stage, "chunks": 0, "languages": {},
        }))
    await services.bus.publish(
        DocumentFailed(
            event_id=derived_event_id(event.event_id, "failed"), correlation_id=event.document_id,
            causation_id=event.event_id, document_id=event.document_id, reason=reason, stage=stage,
        ),
        subjects.for_document(subjects.DOCUMENT_FAILED, event.document_id),
    )
