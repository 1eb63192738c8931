"""On a real nats-server: a killed worker loses nothing, a failing one ends in the dead-letter stream."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from adapters.formats import DocumentFormat
from adapters.spaces import DENSE, ENGLISH
from adapters.stores.edge import EdgeVectorStore
from contracts import subjects, topology
from contracts.documents import DocumentStatus
from gateway.documents import Documents
from mirage.pipeline import start_pipeline
from runtime.messaging import wait_until_drained
from runtime.process import Components
from tests.factories import make_long_text
from tests.jetstream_helpers import count_messages, wait_for


def start_worker(settings, log: Path) -> subprocess.Popen:  # noqa: ANN001
    env = os.environ | {"NATS_URL": settings.nats_url, "MIRAGE_DATA_DIR": str(settings.data_dir),
                        "MIRAGE_ACK_WAIT_S": str(settings.ack_wait_s)}
    return subprocess.Popen([sys.executable, "-m", "mirage.cli", "worker", "ingest"], env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)




@pytest.mark.timeout(180)
async def test_worker_killed_mid_document_indexes_it_exactly_once(settings_factory, tmp_path: Path) -> None:
    settings = settings_factory(ack_wait_s=3.0, upload_wait_s=0)
    runtime = await start_pipeline(settings, settings.nats_url, workers=["catalog"])
    js = runtime.broker.connection.jetstream()
    try:
        data = make_long_text(paragraphs=1200)
        _, body = await Documents(runtime).upload(data, "long.txt", DocumentFormat.txt, {"language": "en"})
        document_id = body["document_id"]

        first = start_worker(settings, tmp_path / "worker1.log")
        await wait_for(lambda: consumer_busy(js), timeout=60)
        await asyncio.sleep(1.0)  # well inside parsing/embedding of ~1200 chunks
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert (await runtime.catalog.get(document_id)).status is DocumentStatus.processing

        second = start_worker(settings, tmp_path / "worker2.log")
        try:
            record = await wait_for(lambda: indexed(runtime, document_id), timeout=120, interval=0.5)
            await wait_until_drained(js, topology.INGEST, timeout_s=120)  # the English vectors are in too
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)
        assert await count_messages(js, topology.DOCUMENTS.name, subjects.for_document(subjects.DOCUMENT_INDEXED, document_id)) == 1
        info = await js.consumer_info(topology.DOCUMENTS.name, topology.INGEST.durable)
        assert info.num_ack_pending == 0 and info.num_pending == 0
    finally:
        await runtime.stop()
    store = EdgeVectorStore(settings.vectors_dir, {DENSE: 512, ENGLISH: 384})
    try:
        assert store.count({"document_id": document_id}) == record.chunks > 500
        assert store.count() == record.chunks
    finally:
        store.close()


async def consumer_busy(js) -> bool:  # noqa: ANN001
    try:
        info = await js.consumer_info(topology.DOCUMENTS.name, topology.INGEST.durable)
    except Exception:
        return False
    return info.num_ack_pending == 1


async def indexed(runtime, document_id: str):  # noqa: ANN001, ANN201
    record = await runtime.catalog.get(document_id)
    return record if record is not None and record.status is DocumentStatus.indexed else None


class BrokenStore:
    """A vector store whose disk is full: every write fails."""

    name = "broken"

    def __init__(self) -> None:
        self.deleted: list[str] = []

    def upsert(self, points) -> None:  # noqa: ANN001
        raise OSError("No space left on device")

    def delete_document(self, document_id: str) -> int:
        self.deleted.append(document_id)
        return 0

    def close(self) -> None:
        pass


async def test_a_document_that_keeps_failing_is_dead_lettered_and_marked_failed(settings_factory, embedder, detector) -> None:
    settings = settings_factory(max_deliver=2, upload_wait_s=0)
    store = BrokenStore()
    components = Components(settings, embedder=embedder, detector=detector, store=store)  # type: ignore[arg-type]
    runtime = await start_pipeline(settings, settings.nats_url, ["ingest", "catalog"], components)
    try:
        _, body = await Documents(runtime).upload(b"Metformin 500 mg twice daily.", "m.txt", DocumentFormat.txt, {})
        record = await wait_for(lambda: failed(runtime, body["document_id"]), timeout=30)
        assert record.failed_stage == "deliveries" and "No space left on device" in record.reason and "2 times" in record.reason
        js = runtime.broker.connection.jetstream()
        dead = await js.stream_info(topology.DEADLETTER.name)
        assert dead.state.messages == 1
        assert store.deleted == [body["document_id"]]
    finally:
        await runtime.stop()


async def failed(runtime, document_id: str):  # noqa: ANN001, ANN201
    record = await runtime.catalog.get(document_id)
    return record if record.status is DocumentStatus.failed else None


async def test_dead_letters_are_listed_and_replayed_once_the_cause_is_fixed(settings_factory, embedder, detector) -> None:
    from adapters.stores.edge import EdgeVectorStore as Store
    from mirage.deadletters import list_dead_letters, replay

    settings = settings_factory(max_deliver=1, upload_wait_s=0)
    broken = Components(settings, embedder=embedder, detector=detector, store=BrokenStore())  # type: ignore[arg-type]
    runtime = await start_pipeline(settings, settings.nats_url, ["ingest", "catalog"], broken)
    _, body = await Documents(runtime).upload(b"Lisinopril 10 mg once daily.", "l.txt", DocumentFormat.txt, {})
    await wait_for(lambda: failed(runtime, body["document_id"]), timeout=30)
    js = runtime.broker.connection.jetstream()
    [letter] = await list_dead_letters(js)
    assert letter.original_subject == subjects.DOCUMENT_UPLOADED and letter.correlation_id == body["document_id"]
    assert "No space left" in letter.error and letter.deliveries == "1"
    await runtime.stop()

    store = Store(settings.vectors_dir, embedder.dim)
    fixed = Components(settings, embedder=embedder, detector=detector, store=store)
    runtime = await start_pipeline(settings, settings.nats_url, ["ingest", "catalog"], fixed)
    try:
        assert await replay(js := runtime.broker.connection.jetstream(), letter.sequence) == subjects.DOCUMENT_UPLOADED
        record = await wait_for(lambda: indexed(runtime, body["document_id"]), timeout=30)
        assert record.chunks == 1 and store.count() == 1
        assert await list_dead_letters(js) == []
    finally:
        await runtime.stop()


class CountingStore:
    """Counts the documents one replica indexed, writing through to the shared index."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner, self.indexed = inner, []
        self.name = inner.name

    @property
    def documents(self) -> int:
        return len(self.indexed)

    def upsert(self, points) -> None:  # noqa: ANN001
        self.indexed += sorted({p.payload["document_id"] for p in points})  # one write may carry several documents
        self.inner.upsert(points)

    def __getattr__(self, attribute: str):  # noqa: ANN204
        return getattr(self.inner, attribute)


async def test_two_replicas_share_the_work_and_index_each_document_once(settings_factory, embedder, detector) -> None:
    from tests.factories import SAMPLES, make_txt

    settings = settings_factory(upload_wait_s=0)
    shared = EdgeVectorStore(settings.vectors_dir, embedder.dim)
    replicas = [CountingStore(shared), CountingStore(shared)]
    runtimes = [
        await start_pipeline(settings, settings.nats_url, ["ingest", "catalog"],
                            Components(settings, embedder=embedder, detector=detector, store=store))  # type: ignore[arg-type]
        for store in replicas
    ]
    try:
        ids = []
        for i in range(8):
            sample = SAMPLES[("en", "fr", "es", "de")[i % 4]]
            data = make_txt(f"{sample['title']} ({i})", sample["sections"])
            ids.append((await Documents(runtimes[0]).upload(data, f"{i}.txt", DocumentFormat.txt, {}))[1]["document_id"])
        for document_id in ids:
            await wait_for(lambda: indexed(runtimes[0], document_id), timeout=60)  # noqa: B023
    finally:
        for runtime in runtimes:
            await runtime.stop()
    assert sum(r.documents for r in replicas) == 8 and sorted(d for r in replicas for d in r.indexed) == sorted(ids)
    assert all(r.documents > 0 for r in replicas), [r.documents for r in replicas]
