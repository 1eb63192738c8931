"""Records and their running totals move together exactly once per event, a batch of events at a time, whatever a restart
loses (real nats-server)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import nats
import pytest
from nats.js.errors import KeyWrongLastSequenceError

from contracts import topology
from contracts.documents import BlobRef, DocumentIndexed, DocumentRecord, DocumentUploaded, NotYetKnown, project_document
from runtime.messaging import FiguresStore, Records, catalog, open_bucket
from runtime.projection import Change, Projection
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


OTHER = "b" * 64


def changes(*events_at: tuple[int, object]) -> list[Change]:
    return [Change(sequence, event.document_id, lambda record, event=event: project_document(record, event)) for sequence, event in events_at]


def on(document_id: str, event):  # noqa: ANN001, ANN201
    return event.model_copy(update={"document_id": document_id})


async def totals_writes(figures: FiguresStore) -> int:
    return len(await figures.kv.history(topology.CATALOG_BUCKET))


async def test_a_batch_counts_each_event_once_with_one_write_of_the_totals(stores) -> None:  # noqa: ANN001
    records, figures = stores
    await Projection(records, figures, tally).apply_batch(changes((1, UPLOADED), (2, on(OTHER, UPLOADED)), (3, INDEXED)))
    counted = await figures.get()
    assert counted.groups["by_status"] == {"indexed": 1, "processing": 1} and counted.count("totals", "chunks") == 4
    assert counted.through == 3 and await totals_writes(figures) == 1
    assert {u.key: u.sequence for u in counted.unstored} == {DOC: 3, OTHER: 2}  # each record as the batch leaves it
    assert (await records.get(DOC)).chunks == 4 and (await records.get(OTHER)).status.value == "processing"


async def test_a_batch_redelivered_after_the_totals_were_written_moves_only_what_is_new(stores) -> None:  # noqa: ANN001
    records, figures = stores
    await Projection(records, figures, tally).apply_batch(changes((1, UPLOADED), (2, on(OTHER, UPLOADED))))
    records.lose_next = True
    with pytest.raises(LostWrite):  # the totals count the batch, one of its two records is lost
        await Projection(records, figures, tally).apply_batch(changes((3, INDEXED), (4, on(OTHER, INDEXED))))
    # another process (the first one restarted) gets the batch again, with an event the first never saw
    third = "c" * 64
    again = Projection(records, figures, tally)
    await again.apply_batch(changes((3, INDEXED), (4, on(OTHER, INDEXED)), (5, on(third, UPLOADED))))
    await again.apply_batch(changes((4, on(OTHER, INDEXED)), (5, on(third, UPLOADED))))  # and its ack lost too
    counted = await figures.get()
    assert counted.groups["by_status"] == {"indexed": 2, "processing": 1} and counted.count("totals", "chunks") == 8
    assert counted.through == 5 and (await records.get(DOC)).chunks == 4 and (await records.get(OTHER)).chunks == 4


async def test_the_same_projection_finishes_its_own_lost_record_write(stores) -> None:  # noqa: ANN001
    records, figures = stores
    projection = Projection(records, figures, tally)
    await projection.apply_batch(changes((1, UPLOADED)))
    records.lose_next = True
    with pytest.raises(LostWrite):
        await projection.apply_batch(changes((2, INDEXED)))
    await projection.apply_batch(changes((2, INDEXED)))
    assert (await records.get(DOC)).chunks == 4 and (await figures.get()).count("totals", "documents") == 1


async def test_an_event_whose_change_raises_is_reported_and_the_rest_of_its_batch_applies(stores) -> None:  # noqa: ANN001
    records, figures = stores
    never = on(OTHER, INDEXED)  # an outcome for a document never uploaded
    failures = await Projection(records, figures, tally).apply_batch(changes((1, UPLOADED), (2, never), (3, INDEXED)))
    assert failures[0] is None and failures[2] is None and isinstance(failures[1], NotYetKnown)
    counted = await figures.get()
    assert counted.groups["by_status"] == {"indexed": 1} and counted.through == 3 and await records.get(OTHER) is None


async def test_totals_written_before_batches_name_their_one_record_and_are_finished(stores) -> None:  # noqa: ANN001
    records, figures = stores
    await apply(Projection(records, figures, tally), 1, UPLOADED)
    uploaded = await records.raw(DOC)
    indexed = project_document(await records.get(DOC), INDEXED).model_dump_json()
    counted = (await figures.get()).moved(tally(await records.get(DOC)), tally(DocumentRecord.model_validate_json(indexed)), UPLOADED.occurred_at)
    older = json.loads(counted.model_dump_json(exclude={"unstored"})) | {"through": 2, "unstored": {"sequence": 2, "key": DOC, "value": indexed}}
    await figures.kv.put(topology.CATALOG_BUCKET, json.dumps(older).encode())  # the record itself was lost
    assert await records.raw(DOC) == uploaded
    await apply(Projection(records, figures, tally), 2, INDEXED)
    assert (await records.get(DOC)).chunks == 4 and (await figures.get()).count("totals", "chunks") == 4
