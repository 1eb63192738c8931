"""Ingest subscribers: index uploaded documents, delete them, report the ones given up on.

The catalog is not written here: the catalog projector records what these events say.
"""

from __future__ import annotations

import asyncio
import logging

from faststream.nats import NatsMessage, NatsRouter
from prometheus_client import Counter, Histogram

from adapters.formats import RejectedUpload
from adapters.spaces import PRIMARY, Space
from adapters.stores import IndexDiskFull
from contracts import subjects, topology
from contracts.documents import (
    DocumentDeleted,
    DocumentDeletionRequested,
    DocumentFailed,
    DocumentIndexed,
    DocumentUploaded,
    FailureStage,
)
from runtime.delivery import DeliveryPolicy
from workers.ingest.indexing import ChunkedDocument, chunk_for_index, language_counts, to_points
from workers.ingest.parsing import UnreadableDocument
from workers.ingest.services import Batches, IngestServices, unit_vectors

log = logging.getLogger(__name__)

# A long document's other spaces go in pieces, each its own model call: other documents' first-space
# embeddings get the cores in between, and a stopping worker waits for one piece, not the whole document.
PIECE = 32
DOCUMENTS = Counter("mirage_documents_processed_total", "Documents indexed or failed, by outcome and failure stage (stage is empty "
                    "when indexed)", ["outcome", "stage"])
EMBEDDING_SECONDS = Histogram("mirage_embedding_seconds", "Multilingual embedding of one document's chunks (batched with others')",
                              buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))


async def index_document(event: DocumentUploaded, services: IngestServices, batches: Batches) -> None:
    """Searchable first (the first space's and the BM25 vectors, then DocumentIndexed), the other spaces second.

    The message is acked only once every space's vectors are in, so a worker killed meanwhile indexes the
    whole document again.
    """
    data = await services.uploads.find(event.blob)
    if data is None:
        log.info("document %s was deleted before indexing; skipping", event.document_id)
        return
    try:
        document = await asyncio.to_thread(
            chunk_for_index, data, event, lexical=services.lexical, detector=services.detector, max_chars=services.max_chars
        )
    except (UnreadableDocument, RejectedUpload) as exc:
        await fail(services, event, str(exc), FailureStage.parse)
        return
    with EMBEDDING_SECONDS.time():
        vectors, units = await asyncio.gather(batches.embed[PRIMARY.name].submit(document.texts), unit_vectors(document, services, batches))
    points = to_points(event, document, {PRIMARY: vectors}, units)
    try:
        await batches.upsert.submit(points)
    except IndexDiskFull as exc:  # no later delivery finds room by itself: failed now, with the reason, bytes kept
        await fail(services, event, exc.strerror or str(exc), FailureStage.storage)
        return
    indexed = DocumentIndexed.following(
        event, "indexed", chunks=len(points), languages=language_counts(points), pages=document.pages, title=document.title,
        embedder=services.embedder_name,
    )
    await services.bus.publish(indexed, subjects.for_document(subjects.DOCUMENT_INDEXED, event.document_id))
    DOCUMENTS.labels("indexed", "").inc()
    for space in services.spaces[1:]:
        await add_space(space, document, [p.id for p in points], services, batches)


async def add_space(space: Space, document: ChunkedDocument, ids: list[str], services: IngestServices, batches: Batches) -> None:
    """The vectors of one more space for the chunks it applies to, added to the indexed chunks."""
    texts = document.texts_for(space)
    pieces = [batches.embed[space.name].submit(texts[i : i + PIECE]) for i in range(0, len(texts), PIECE)]
    vectors = [vector for piece in await asyncio.gather(*pieces) for vector in piece]
    if vectors:
        covered = [ids[i] for i in document.covered(space)]
        await asyncio.to_thread(services.store.add_vectors, space.name, dict(zip(covered, vectors, strict=True)))


async def delete_document(event: DocumentDeletionRequested, services: IngestServices) -> None:
    removed = await asyncio.to_thread(services.store.delete_document, event.document_id)
    await services.uploads.delete(event.document_id)
    deleted = DocumentDeleted.following(event, "deleted", chunks_removed=removed)
    await services.bus.publish(deleted, subjects.for_document(subjects.DOCUMENT_DELETED, event.document_id))


async def record_given_up(event: DocumentUploaded, error: str, deliveries: str, services: IngestServices) -> None:
    await asyncio.to_thread(services.store.delete_document, event.document_id)
    await fail(services, event, f"indexing failed {deliveries} times; last error: {error}", FailureStage.deliveries)


async def fail(services: IngestServices, event: DocumentUploaded, reason: str, stage: FailureStage) -> None:
    """Say that the document failed, with no chunks.

    Unreadable bytes are dropped; after exhausted deliveries (an outage, not the file) they stay, so an operator
    can replay the dead letter once the cause is fixed.
    """
    if stage is FailureStage.parse:
        await services.uploads.delete(event.document_id)
    failed = DocumentFailed.following(event, "failed", reason=reason, stage=stage)
    await services.bus.publish(failed, subjects.for_document(subjects.DOCUMENT_FAILED, event.document_id))
    DOCUMENTS.labels("failed", stage.value).inc()


def build_router(services: IngestServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()
    batches = Batches.for_services(services)

    @router.subscriber(topology.INGEST.filter_subject, **policy.subscriber_kwargs(topology.INGEST, services.concurrency))
    async def on_uploaded(event: DocumentUploaded) -> None:
        await index_document(event, services, batches)

    @router.subscriber(topology.INGEST_DELETE.filter_subject, **policy.subscriber_kwargs(topology.INGEST_DELETE))
    async def on_delete_requested(event: DocumentDeletionRequested) -> None:
        await delete_document(event, services)

    @router.subscriber(topology.INGEST_GAVE_UP.filter_subject, **policy.subscriber_kwargs(topology.INGEST_GAVE_UP))
    async def on_given_up(event: DocumentUploaded, msg: NatsMessage) -> None:
        await record_given_up(event, msg.headers.get("Mirage-Error", "unknown error"), msg.headers.get("Mirage-Deliveries", "?"), services)

    return router
