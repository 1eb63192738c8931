"""The ingest worker's wiring and logic on FastStream's in-memory broker (no acks, no redelivery here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from faststream.nats import NatsBroker, TestNatsBroker
from qdrant_edge import CountRequest, Filter, HasVectorCondition

from adapters.spaces import DENSE, ENGLISH
from adapters.stores.base import QueryVectors, SparseTerms
from adapters.stores.edge import EdgeVectorStore
from adapters.stores.lexical import Bm25Encoder
from adapters.unit_vectors import chunk_units, unit_key, unpack
from contracts import subjects, topology
from contracts.documents import (
    BlobRef,
    DocumentDeleted,
    DocumentDeletionRequested,
    DocumentFailed,
    DocumentIndexed,
    DocumentUploaded,
)
from contracts.envelope import Event
from contracts.search import UnitVectors
from runtime.delivery import DeliveryPolicy
from tests.factories import SAMPLES, corrupt_pdf, make_pdf
from workers.ingest.handlers import build_router
from workers.ingest.services import IngestServices


class MemoryUploads:
    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    async def find(self, ref: BlobRef) -> bytes | None:
        return self.blobs.get(ref.name)

    async def delete(self, name: str) -> None:
        self.blobs.pop(name, None)


class RecordingBus:
    def __init__(self) -> None:
        self.published: list[tuple[str, Event]] = []

    async def publish(self, event: Event, subject: str) -> None:
        self.published.append((subject, event))


@pytest.fixture
def services(tmp_path: Path, embedder, detector) -> IngestServices:  # noqa: ANN001
    return IngestServices(
        embedders={DENSE: embedder}, lexical=Bm25Encoder(), detector=detector, store=EdgeVectorStore(tmp_path / "v", embedder.dim),
        uploads=MemoryUploads(), bus=RecordingBus(),
    )


def accept(services: IngestServices, document_id: str, data: bytes, fmt: str) -> DocumentUploaded:
    services.uploads.blobs[document_id] = data
    return DocumentUploaded(correlation_id=document_id, document_id=document_id, filename=f"x.{fmt}", format=fmt,
                            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=document_id, size=len(data)),
                            metadata={"type": "leaflet"})


async def run(services: IngestServices, event: Event, subject: str) -> None:
    broker = NatsBroker()
    broker.include_router(build_router(services, DeliveryPolicy(max_deliver=3, ack_wait_s=30)))
    async with TestNatsBroker(broker) as test_broker:
        await test_broker.publish(event, subject, stream=topology.DOCUMENTS.name)


async def test_uploaded_document_is_indexed_and_announced(services: IngestServices) -> None:
    sample = SAMPLES["de"]
    event = accept(services, "a" * 64, make_pdf(sample["title"], sample["sections"]), "pdf")
    await run(services, event, subjects.DOCUMENT_UPLOADED)
    [(subject, indexed)] = services.bus.published
    assert subject == subjects.for_document(subjects.DOCUMENT_INDEXED, "a" * 64)
    assert isinstance(indexed, DocumentIndexed) and indexed.causation_id == event.event_id
    assert indexed.languages == {"de": indexed.chunks} and indexed.title == sample["title"]
    assert services.store.count({"document_id": "a" * 64}) == indexed.chunks > 0
    assert services.uploads.blobs, "the original bytes stay for re-indexing"


async def test_each_chunk_carries_its_answer_units_embedded_for_the_generator(services: IngestServices, embedder) -> None:  # noqa: ANN001
    sample = SAMPLES["en"]
    event = accept(services, "e" * 64, make_pdf(sample["title"], sample["sections"]), "pdf")
    await run(services, event, subjects.DOCUMENT_UPLOADED)
    hits = services.store.nearest(embedder.embed_query(sample["title"]), limit=50)
    assert hits and all(UnitVectors(**hit.payload["units"]).model == embedder.name for hit in hits)
    hit = next(hit for hit in hits if chunk_units(hit.payload["text"]))
    texts = chunk_units(hit.payload["text"])
    stored = unpack(UnitVectors(**hit.payload["units"]), embedder.name)
    assert list(stored) == [unit_key(text) for text in texts]
    assert float(stored[unit_key(texts[0])] @ embedder.embed_documents(texts[:1])[0]) > 0.999
    # the hybrid search reads the candidates without them, and the hits it returns with them
    query = QueryVectors(dense={DENSE: embedder.embed_query(sample["title"])}, sparse=SparseTerms((), ()))
    searched = services.store.search(query, limit=3)
    assert searched and all(UnitVectors(**hit.payload["units"]).model == embedder.name for hit in searched)


async def test_reindexing_the_same_event_does_not_duplicate_chunks(services: IngestServices) -> None:
    sample = SAMPLES["en"]
    event = accept(services, "b" * 64, make_pdf(sample["title"], sample["sections"]), "pdf")
    await run(services, event, subjects.DOCUMENT_UPLOADED)
    first = services.store.count()
    await run(services, event, subjects.DOCUMENT_UPLOADED)
    assert services.store.count() == first
    assert services.bus.published[0][1].event_id == services.bus.published[1][1].event_id


async def test_unreadable_document_fails_with_its_reason_and_leaves_nothing(services: IngestServices) -> None:
    event = accept(services, "c" * 64, corrupt_pdf(), "pdf")
    await run(services, event, subjects.DOCUMENT_UPLOADED)
    assert services.uploads.blobs == {} and services.store.count() == 0
    [(subject, failed)] = services.bus.published
    assert isinstance(failed, DocumentFailed) and subject.endswith("c" * 64)
    assert "PDF" in failed.reason and failed.stage == "parse"


async def test_deletion_removes_chunks_and_bytes(services: IngestServices) -> None:
    sample = SAMPLES["fr"]
    event = accept(services, "d" * 64, make_pdf(sample["title"], sample["sections"]), "pdf")
    await run(services, event, subjects.DOCUMENT_UPLOADED)
    chunks = services.bus.published[-1][1].chunks
    await run(services, DocumentDeletionRequested(correlation_id="d" * 64, document_id="d" * 64), subjects.DOCUMENT_DELETE_REQUESTED)
    assert services.store.count() == 0 and services.uploads.blobs == {}
    deleted = services.bus.published[-1][1]
    assert isinstance(deleted, DocumentDeleted) and deleted.chunks_removed == chunks


async def test_a_redelivered_upload_of_a_deleted_document_is_skipped(services: IngestServices) -> None:
    sample = SAMPLES["es"]
    event = accept(services, "f" * 64, make_pdf(sample["title"], sample["sections"]), "pdf")
    services.uploads.blobs.clear()  # deleted: its bytes went with it
    await run(services, event, subjects.DOCUMENT_UPLOADED)
    assert services.store.count() == 0 and services.bus.published == []


class AnnouncingStore:
    """The real index, noting what had been announced on the bus when the English vectors arrived."""

    def __init__(self, inner: EdgeVectorStore, bus: RecordingBus) -> None:
        self.inner, self.bus, self.english_after = inner, bus, []

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.inner, name)

    def add_vectors(self, space, vectors):  # noqa: ANN001, ANN201
        self.english_after.append((space, [type(e).__name__ for _, e in self.bus.published]))
        return self.inner.add_vectors(space, vectors)


async def test_english_vectors_follow_once_the_document_is_searchable(tmp_path: Path, embedder, english_embedder, detector) -> None:
    bus = RecordingBus()
    store = AnnouncingStore(EdgeVectorStore(tmp_path / "v", {DENSE: embedder.dim, ENGLISH: english_embedder.dim}), bus)
    services = IngestServices(embedders={DENSE: embedder, ENGLISH: english_embedder}, lexical=Bm25Encoder(), detector=detector,
                              store=store, uploads=MemoryUploads(), bus=bus)  # type: ignore[arg-type]
    sample = SAMPLES["en"]
    event = accept(services, "e" * 64, make_pdf(sample["title"], sample["sections"]), "pdf")
    await run(services, event, subjects.DOCUMENT_UPLOADED)
    assert store.english_after == [(ENGLISH, ["DocumentIndexed"])]  # searchable first, then the English side, once
    record = bus.published[0][1]
    assert record.embedder == f"{embedder.name} + {english_embedder.name} (English)"
    shard = store.inner._open_shard()
    with_english = shard.count(CountRequest(exact=True, filter=Filter(must=[HasVectorCondition(ENGLISH)])))
    assert with_english == record.chunks > 0  # every (English) chunk has its English vector
