"""A wait for a record hears each write of its key as it is made (runtime/messaging.py `key_writes`), on a real nats-server."""

from __future__ import annotations

import asyncio
import contextlib
import time

import nats
import pytest
from nats.js.errors import KeyWrongLastSequenceError

from contracts import topology
from contracts.documents import DocumentRecord, DocumentStatus
from contracts.envelope import utcnow
from contracts.figures import Figures
from runtime import messaging
from runtime.messaging import FiguresStore, Records, open_bucket

DOCUMENT = "d" * 64


@pytest.fixture
async def js(nats_server, monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr(messaging, "REREAD_S", 30.0)  # only a write can end these waits early
    nc = await nats.connect(nats_server.url)
    yield nc.jetstream()
    await nc.close()


def indexed(record: DocumentRecord | None) -> bool:
    return record is not None and record.status is DocumentStatus.indexed


def record(status: DocumentStatus) -> DocumentRecord:
    return DocumentRecord(document_id=DOCUMENT, filename="a.txt", format="txt", size=3, uploaded_at=utcnow(), status=status)


async def test_a_wait_returns_as_soon_as_the_key_is_written_not_at_the_next_poll(js) -> None:  # noqa: ANN001
    kv = await open_bucket(js, topology.CATALOG_BUCKET)
    reads, get = [], kv.get
    kv.get = lambda key, *args, **kwargs: reads.append(key) or get(key, *args, **kwargs)  # type: ignore[method-assign]
    records = Records(kv, DocumentRecord, "document_id")
    await records.put(record(DocumentStatus.processing))
    waiting = asyncio.create_task(records.wait_for(DOCUMENT, indexed, 10))
    await asyncio.sleep(0.5)
    assert not waiting.done() and len(reads) == 1  # read once, then nothing until a write: no polling
    written = time.perf_counter()
    await records.put(record(DocumentStatus.indexed))
    assert (await waiting).status is DocumentStatus.indexed
    assert time.perf_counter() - written < 1.0

    gone = asyncio.create_task(records.wait_for(DOCUMENT, lambda r: r is None, 10))
    await asyncio.sleep(0.1)
    await records.delete(DOCUMENT)
    assert await asyncio.wait_for(gone, 2) is None


async def test_a_compare_and_set_write_the_stream_refused_does_not_end_a_wait(js) -> None:  # noqa: ANN001
    """The refused write is published to the key's subject all the same: the wait reads the key, it does not trust the message."""
    kv = await open_bucket(js, topology.CATALOG_BUCKET)
    records = Records(kv, DocumentRecord, "document_id")
    await records.put(record(DocumentStatus.processing))
    waiting = asyncio.create_task(records.wait_for(DOCUMENT, indexed, 1.5))
    await asyncio.sleep(0.1)
    with contextlib.suppress(KeyWrongLastSequenceError):
        await kv.update(DOCUMENT, record(DocumentStatus.indexed).model_dump_json().encode(), last=999)
    assert (await waiting).status is DocumentStatus.processing  # as stored, once the wait ran out


async def test_the_totals_are_waited_for_the_same_way(js) -> None:  # noqa: ANN001
    kv = await open_bucket(js, topology.FIGURES_BUCKET)
    counted = asyncio.create_task(FiguresStore(kv, topology.CATALOG_BUCKET).wait_until(lambda f: f.generation >= 1, 10))
    await asyncio.sleep(0.2)
    assert not counted.done()
    await kv.put(topology.CATALOG_BUCKET, Figures(generation=1).model_dump_json().encode())
    assert (await asyncio.wait_for(counted, 1)).generation == 1
