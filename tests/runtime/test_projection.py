"""Records and their running totals move together exactly once per event, whatever a restart loses (real nats-server)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import nats
import pytest
from nats.js.errors import KeyWrongLastSequenceError

from contracts import topology
from contracts.documents import BlobRef, DocumentIndexed, DocumentRecord, DocumentUploaded, project_document
from runtime.messaging import FiguresStore, Records, catalog, open_bucket
from runtime.projection import Projection
from workers.catalog.figures import tally

DOC = "a" * 64
UPLOADED = DocumentUploaded(correlation_id=DOC, document_id=DOC, filename="a.txt", format="txt",
                            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=DOC, size=10))
INDEXED = DocumentIndexed(correlation_id=DOC, document_id=DOC, chunks=4, languages={"fr": 4}, embedder="use")


class LostWrite(Exception):
    pass


class RecordsLosingTheNextWrite(Records[DocumentRecord]):
    """The connection drops after the totals are written and before the record is (a nats-server restart)."""

    lose_next = False

    async def store(self, key: str, value: bytes, revision: int) -> None:
        if self.lose_next:
            self.lose_next = False
            raise LostWrite
        await super().store(key, value, revision)


@pytest.fixture
async def stores(nats_server) -> AsyncIterator[tuple[RecordsLosingTheNextWrite, FiguresStore]]:  # noqa: ANN001
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    records = RecordsLosingTheNextWrite(await open_bucket(js, topology.CATALOG_BUCKET), DocumentRecord, "document_id")
    yield records, FiguresStore(await open_bucket(js, topology.FIGURES_BUCKET), topology.CATALOG_BUCKET)
    await nc.close()


def apply(projection: Projection, sequence: int, event):  # noqa: ANN001, ANN201
    return projection.apply(sequence, DOC, lambda record: project_document(record, event))


async def test_an_event_delivered_again_after_its_ack_was_lost_moves_nothing(stores) -> None:  # noqa: ANN001
    records, figures = stores
    projection = Projection(records, figures, tally)
    await apply(projection, 1, UPLOADED)
    await apply(projection, 2, INDEXED)
    counted = await figures.get()
    await apply(projection, 2, INDEXED)  # the record is as the event leaves it: before, this hid whether the totals had moved
    await apply(projection, 1, UPLOADED)
    assert await figures.get() == counted
    assert counted.count("totals", "documents") == 1 and counted.count("totals", "chunks") == 4 and counted.through == 2


async def test_totals_written_and_the_record_lost_are_finished_by_the_next_delivery(stores) -> None:  # noqa: ANN001
    records, figures = stores
    projection = Projection(records, figures, tally)
    await apply(projection, 1, UPLOADED)
    records.lose_next = True
    with pytest.raises(LostWrite):
        await apply(projection, 2, INDEXED)
    assert (await catalog(records.kv).get(DOC)).status.value == "processing"  # the totals count it indexed already
    await apply(projection, 2, INDEXED)
    assert (await records.get(DOC)).chunks == 4
    counted = await figures.get()
    assert counted.count("totals", "documents") == 1 and counted.groups["by_status"] == {"indexed": 1}


async def test_two_writers_of_the_totals_are_refused_not_merged(stores) -> None:  # noqa: ANN001
    records, figures = stores
    await apply(Projection(records, figures, tally), 1, UPLOADED)
    stale, revision = await figures.fetch()
    await apply(Projection(records, figures, tally), 2, INDEXED)
    with pytest.raises(KeyWrongLastSequenceError):
        await figures.replace(stale, revision)


async def test_totals_kept_in_memory_are_read_again_when_another_replica_moved_them(stores) -> None:  # noqa: ANN001
    records, figures = stores
    first, second = Projection(records, figures, tally), Projection(records, figures, tally)
    await apply(first, 1, UPLOADED)
    await apply(second, 2, INDEXED)  # the first replica's totals in memory are now stale
    other = "b" * 64
    upload = UPLOADED.model_copy(update={"document_id": other})
    await first.apply(3, other, lambda record: project_document(record, upload))
    counted = await figures.get()
    assert counted.groups["by_status"] == {"indexed": 1, "processing": 1} and counted.through == 3
