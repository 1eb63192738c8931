"""The catalog projector on a real nats-server: the catalog's only writer, and its running totals."""

from __future__ import annotations

from contracts import subjects, topology
from contracts.documents import BlobRef, DocumentIndexed, DocumentRecord, DocumentStatus, DocumentUploaded
from contracts.envelope import utcnow
from mirage.pipeline import start_pipeline
from tests.jetstream_helpers import wait_for


def uploaded(document_id: str) -> DocumentUploaded:
    return DocumentUploaded(correlation_id=document_id, document_id=document_id, filename=f"{document_id[:4]}.txt", format="txt",
                            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=document_id, size=10), metadata={"type": "leaflet"})


def indexed(document_id: str) -> DocumentIndexed:
    return DocumentIndexed(correlation_id=document_id, document_id=document_id, chunks=4, languages={"de": 3, "en": 1}, embedder="use")


async def test_document_events_become_records_and_figures(settings_factory) -> None:
    settings = settings_factory()
    runtime = await start_pipeline(settings, settings.nats_url, ["catalog"])
    try:
        first, second, never = "1" * 64, "2" * 64, "3" * 64
        await runtime.bus.publish(uploaded(first), subjects.DOCUMENT_UPLOADED)
        await runtime.bus.publish(uploaded(second), subjects.DOCUMENT_UPLOADED)
        # an outcome for a document never uploaded: no later delivery can place it, it is dead-lettered at once
        await runtime.bus.publish(indexed(never), subjects.for_document(subjects.DOCUMENT_INDEXED, never))
        await runtime.bus.publish(indexed(first), subjects.for_document(subjects.DOCUMENT_INDEXED, first))
        await runtime.bus.publish(indexed(second), subjects.for_document(subjects.DOCUMENT_INDEXED, second))

        async def both_indexed() -> bool:
            records = [await runtime.catalog.get(d) for d in (first, second)]
            return all(r is not None and r.status is DocumentStatus.indexed for r in records)

        await wait_for(both_indexed, timeout=10)
        assert await runtime.catalog.get(never) is None
        figures = await runtime.document_figures.get()
        assert figures.count("totals", "documents") == 2 and figures.count("totals", "chunks") == 8
        assert figures.groups["document_languages"] == {"de": 2} and figures.groups["types"] == {"leaflet": 2}
        assert figures.groups["by_status"] == {"indexed": 2} and "last_indexed_at" in figures.marks
        dead = await runtime.broker.connection.jetstream().stream_info(topology.DEADLETTER.name)
        assert dead.state.messages == 1
    finally:
        await runtime.stop()


async def test_a_catalog_from_a_release_without_figures_is_counted_once_at_start(settings_factory) -> None:
    settings = settings_factory()
    bare = await start_pipeline(settings, settings.nats_url, [])
    try:
        for i, status in enumerate((DocumentStatus.indexed, DocumentStatus.indexed, DocumentStatus.failed)):
            await bare.catalog.put(DocumentRecord(document_id=str(i) * 64, status=status, filename="x.txt", format="txt", size=1,
                                                  uploaded_at=utcnow(), chunks=5 if status is DocumentStatus.indexed else 0,
                                                  languages={"fr": 5} if status is DocumentStatus.indexed else {}))
        assert not await bare.document_figures.exists()
    finally:
        await bare.stop()
    runtime = await start_pipeline(settings, settings.nats_url, ["catalog"])
    try:
        figures = await runtime.document_figures.get()
        assert figures.groups["by_status"] == {"indexed": 2, "failed": 1} and figures.count("totals", "chunks") == 10
    finally:
        await runtime.stop()
