"""An in-order projector's consumer read a batch at a time on a real nats-server: each event counted once, in stream order,
whatever is lost on the way; an event alone applied at once; one that can never apply dead-lettered alone."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Sequence

import nats
import pytest
from nats.aio.msg import Msg

from contracts import subjects, topology
from contracts.documents import DocumentRecord
from mirage.pipeline import start_pipeline
from runtime.delivery import DeliveryPolicy
from runtime.in_order import BatchHandler, InOrderConsumer
from runtime.messaging import FiguresStore, Records, open_bucket, wait_until_drained
from runtime.process import Runtime
from runtime.projection import Projection
from tests.jetstream_helpers import count_messages, wait_for
from tests.runtime.test_projection import LostWrite, RecordsLosingTheNextWrite
from tests.workers.catalog.test_catalog import indexed, uploaded
from workers.catalog.figures import tally
from workers.catalog.handlers import record_facts

QUICK = DeliveryPolicy(max_deliver=5, ack_wait_s=5.0, retry_delays_s=(0.1,))


@pytest.fixture
async def runtime(settings_factory) -> AsyncIterator[Runtime]:  # noqa: ANN001
    """A process with no worker: the bus, the buckets, the connection."""
    settings = settings_factory()
    started = await start_pipeline(settings, settings.nats_url, [])
    yield started
    await started.stop()


async def publish_documents(runtime: Runtime, count: int, first: int = 0) -> list[str]:
    """Each document's upload, then its outcome: out of order, an outcome finds no record and is dead-lettered."""
    ids = [f"{i:064d}" for i in range(first, first + count)]
    for document_id in ids:
        await runtime.bus.publish(uploaded(document_id), subjects.DOCUMENT_UPLOADED)
        await runtime.bus.publish(indexed(document_id), subjects.for_document(subjects.DOCUMENT_INDEXED, document_id))
    return ids


async def exact(runtime: Runtime, documents: int) -> None:
    await wait_until_drained(runtime.broker.connection.jetstream(), topology.CATALOG, 30)
    figures = await runtime.document_figures.get()
    assert figures.groups["by_status"] == {"indexed": documents} and figures.count("totals", "chunks") == 4 * documents
    assert await dead_letters(runtime.broker.connection.jetstream()) == 0


async def dead_letters(js) -> int:  # noqa: ANN001
    return (await js.stream_info(topology.DEADLETTER.name)).state.messages


async def consuming(runtime: Runtime, handle: BatchHandler, nc: nats.NATS | None = None, reader: str | None = None) -> InOrderConsumer:
    consumer = InOrderConsumer(nc or runtime.broker.connection, topology.CATALOG, QUICK, handle, runtime.bus.publish_raw, reader=reader)
    await consumer.start()
    return consumer


async def test_an_event_alone_is_applied_at_once(settings_factory) -> None:  # noqa: ANN001
    settings = settings_factory()
    catalog = await start_pipeline(settings, settings.nats_url, ["catalog"])
    try:
        await asyncio.sleep(0.5)  # idle: the consumer waits for the next event
        document_id = "1" * 64
        published = time.monotonic()
        await catalog.bus.publish(uploaded(document_id), subjects.DOCUMENT_UPLOADED)
        assert await catalog.catalog.wait_for(document_id, lambda record: record is not None, timeout_s=5) is not None
        # not held back for a batch to fill (the consumer's fetch lingers for 1 s)
        assert time.monotonic() - published < 0.5
    finally:
        await catalog.stop()


class CountedFigures(FiguresStore):
    writes = 0

    async def replace(self, figures, revision: int) -> int:  # noqa: ANN001
        self.writes += 1
        return await super().replace(figures, revision)


async def test_waiting_events_are_applied_a_batch_at_a_time_each_once_and_one_never_applicable_is_dead_lettered(
        runtime: Runtime) -> None:
    await publish_documents(runtime, 60)
    never = "f" * 64
    await runtime.bus.publish(indexed(never), subjects.for_document(subjects.DOCUMENT_INDEXED, never))
    await publish_documents(runtime, 60, first=60)
    js = runtime.broker.connection.jetstream()
    figures = CountedFigures(runtime.document_figures.kv, topology.CATALOG_BUCKET)
    consumer = await consuming(runtime, record_facts(Projection(runtime.catalog, figures, tally)))
    try:
        await wait_until_drained(js, topology.CATALOG, 30)
        counted = await figures.get()
        assert counted.groups["by_status"] == {"indexed": 120} and counted.count("totals", "documents") == 120
        assert counted.through == (await js.stream_info(topology.DOCUMENTS.name)).state.last_seq
        assert await runtime.catalog.get(never) is None
        assert await count_messages(js, topology.DEADLETTER.name, subjects.deadletter(f"{subjects.DOCUMENT_INDEXED}.{never}")) == 1
        assert await dead_letters(js) == 1
        assert figures.writes <= 241 / 8, f"{figures.writes} writes of the totals for 241 events"  # batches, not one write per event
    finally:
        await consumer.stop()


async def test_a_batch_whose_record_write_was_lost_is_delivered_again_and_leaves_exact_totals(runtime: Runtime) -> None:
    js = runtime.broker.connection.jetstream()
    records = RecordsLosingTheNextWrite(await open_bucket(js, topology.CATALOG_BUCKET), DocumentRecord, "document_id")
    records.lose_next = True
    consumer = await consuming(runtime, record_facts(Projection(records, runtime.document_figures, tally)))
    try:
        await publish_documents(runtime, 30)
        await wait_for(lambda: asyncio.sleep(0, not records.lose_next), timeout=10)
        await exact(runtime, 30)
    finally:
        await consumer.stop()


async def test_a_batch_applied_whose_acks_were_lost_moves_nothing_when_delivered_again(runtime: Runtime) -> None:
    projection = Projection(runtime.catalog, runtime.document_figures, tally)
    applied, lost = record_facts(projection), []

    async def acks_lost_once(msgs: Sequence[Msg]) -> Sequence[Exception | None]:
        failures = await applied(msgs)
        if not lost:
            lost.append(len(msgs))
            raise LostWrite("the connection dropped before the acks")
        return failures

    consumer = await consuming(runtime, acks_lost_once)
    try:
        await publish_documents(runtime, 30)
        await exact(runtime, 30)
        assert lost
    finally:
        await consumer.stop()


async def test_two_replicas_keep_stream_order_between_them(runtime: Runtime, nats_server) -> None:  # noqa: ANN001
    """One reads while the other waits; when the first stops, the second goes on from where it stopped."""
    other = await nats.connect(nats_server.url)
    figures = FiguresStore(await open_bucket(other.jetstream(), topology.FIGURES_BUCKET), topology.CATALOG_BUCKET)
    records = Records(await open_bucket(other.jetstream(), topology.CATALOG_BUCKET), DocumentRecord, "document_id")
    first = await consuming(runtime, record_facts(Projection(runtime.catalog, runtime.document_figures, tally)), reader="one host:1")
    second = await consuming(runtime, record_facts(Projection(records, figures, tally)), nc=other, reader="another host:1")
    try:
        for start in range(0, 100, 20):
            await publish_documents(runtime, 20, first=start)
        await exact(runtime, 100)
        assert (await figures.get()).through and second._lease is not None and not second._lease.held
        await first.stop()
        for start in range(100, 200, 20):
            await publish_documents(runtime, 20, first=start)
        await exact(runtime, 200)
    finally:
        await first.stop()
        await second.stop()
        await other.close()


async def test_a_batch_waits_for_an_earlier_event_delivered_elsewhere_and_lost(runtime: Runtime, nats_server) -> None:  # noqa: ANN001
    """An upload delivered to a connection that then went away is redelivered only after `ack_wait`: its outcome,
    delivered meanwhile, is held until then instead of finding no record (and being dead-lettered)."""
    policy = DeliveryPolicy(max_deliver=5, ack_wait_s=1.0, retry_delays_s=(0.1,))
    js = runtime.broker.connection.jetstream()
    await js.add_consumer(topology.CATALOG.stream.name, policy.consumer_config(topology.CATALOG))
    await publish_documents(runtime, 2)
    lost = await nats.connect(nats_server.url)
    pulled = await lost.jetstream().pull_subscribe_bind(topology.CATALOG.durable, topology.CATALOG.stream.name)
    (stolen,) = await pulled.fetch(1, timeout=5)
    assert stolen.subject == subjects.DOCUMENT_UPLOADED
    await lost.close()  # never acked
    consumer = InOrderConsumer(runtime.broker.connection, topology.CATALOG, policy,
                               record_facts(Projection(runtime.catalog, runtime.document_figures, tally)), runtime.bus.publish_raw)
    await consumer.start()
    try:
        await exact(runtime, 2)
    finally:
        await consumer.stop()
