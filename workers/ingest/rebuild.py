"""Operators' re-indexing (`mirage replay documents`): every stored document into a new index generation, switched to
when complete, or (with `since`) the recently uploaded ones in place. Its own durable consumer, never the uploads' one.

Each document takes the ingest path again (parse, chunk, embed in every space, points: `workers.ingest.indexing`), from
the bytes in the object store, into the generation being built alone; uploads and deletions meanwhile reach it through
the generation store. Search reads the active generation throughout.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from faststream.nats import NatsRouter

from adapters.formats import RejectedUpload
from adapters.stores.base import VectorStore
from adapters.stores.generations import GenerationStore
from contracts import subjects, topology
from contracts.documents import BlobRef, DocumentFailed, DocumentIndexed, DocumentRecord, DocumentStatus, DocumentUploaded, FailureStage
from contracts.envelope import utcnow
from contracts.index import IndexGenerations, ReindexFinished, ReindexProgressed, ReindexRequested
from runtime.delivery import DeliveryPolicy
from runtime.generations import Generations
from runtime.messaging import Catalog
from workers.ingest.indexing import chunk_for_index, language_counts, to_points
from workers.ingest.parsing import UnreadableDocument
from workers.ingest.services import Batches, IngestServices, unit_vectors

log = logging.getLogger(__name__)

SETTLE_S = 1.0
"""After marking the generation being built, before reading the catalog: every process opens it, so that their writes reach it."""
PROGRESS_EVERY_S = 0.5


@dataclass(frozen=True)
class ReindexServices:
    ingest: IngestServices  # its store is the generation store
    catalog: Catalog
    generations: Generations
    settle_s: float = SETTLE_S


@dataclass
class Reindexed:
    """What a re-index did to each document."""

    indexed: dict[str, DocumentIndexed] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)


def uploaded_again(record: DocumentRecord) -> DocumentUploaded:
    """The upload a catalog record came from, as the ingest path takes it (the bytes are in the object store)."""
    return DocumentUploaded(correlation_id=record.document_id, occurred_at=record.uploaded_at, document_id=record.document_id,
                            filename=record.filename, format=record.format, metadata=record.metadata,
                            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=record.document_id, size=record.size))


def begun(state: IndexGenerations, event: ReindexRequested, *, generations: bool) -> IndexGenerations | None:
    """The state once this re-index runs: unchanged when it resumes (a redelivery), None when it is refused or finished."""
    if state.running:
        return state if state.reindex_id == event.reindex_id else None
    if state.reindex_id == event.reindex_id or (event.since is None and not generations):
        return None
    building = None if event.since is not None else max(state.active, state.latest) + 1
    return state.model_copy(update={"building": building, "latest": building or state.latest, "reindex_id": event.reindex_id,
                                    "running": True, "since": event.since, "started_at": utcnow(), "finished_at": None})


def refusal(state: IndexGenerations | None, event: ReindexRequested) -> str | None:
    """Why a re-index that did not begin was refused; None when it had already finished (a redelivery)."""
    if state is None:
        return f"the index bucket's {topology.GENERATIONS_KEY!r} record cannot be read (see /health: unreadable_records)"
    if state.running:
        where = f"into generation {state.building}" if state.building is not None else "in place"
        return (f"re-index {state.reindex_id} is running {where} since {state.started_at:%Y-%m-%d %H:%M:%S} UTC: "
                "wait for it to finish, then run this one again")
    if state.reindex_id == event.reindex_id:
        return None
    return "this ingest worker's vector index has no generations (a store given to it directly): re-index in place with --since"


def finished(state: IndexGenerations, event: ReindexRequested) -> IndexGenerations | None:
    """The state once this re-index completed: its generation active. None when it is no longer the running one."""
    if not state.running or state.reindex_id != event.reindex_id:
        return None
    return state.model_copy(update={"active": state.building if state.building is not None else state.active, "building": None,
                                    "running": False, "finished_at": utcnow()})


def abandoned(state: IndexGenerations) -> IndexGenerations | None:
    """The state with the running re-index given up (its generation is dropped by every process); None when none runs."""
    if not state.running:
        return None
    return state.model_copy(update={"building": None, "running": False, "finished_at": utcnow()})


def wanted(record: DocumentRecord, since: datetime | None) -> bool:
    """Indexed documents (and, for a new generation, those still indexing: their upload may have reached only the old one)."""
    if since is not None:
        return record.status is DocumentStatus.indexed and record.uploaded_at >= since
    return record.status in (DocumentStatus.indexed, DocumentStatus.processing)


async def reindex_document(record: DocumentRecord, target: VectorStore, services: IngestServices, batches: Batches,
                           *, replace: bool, step: str) -> DocumentIndexed:
    """One document through the ingest path into `target`, every space's vectors at once. `replace`: its old chunks
    go first, in the same thread call as the upsert, so that it is out of search for one write at most."""
    event = uploaded_again(record)
    data = await services.uploads.find(event.blob)
    if data is None:
        raise LookupError("its uploaded bytes are gone (deleted meanwhile)")
    document = await asyncio.to_thread(
        chunk_for_index, data, event, lexical=services.lexical, detector=services.detector, max_chars=services.max_chars
    )
    spaces = services.spaces
    made, units = await asyncio.gather(
        asyncio.gather(*(batches.embed[space.name].submit(document.texts_for(space)) for space in spaces)), unit_vectors(document, services, batches))
    points = to_points(event, document, dict(zip(spaces, made, strict=True)), units)

    def write() -> None:
        if replace:
            target.delete_document(record.document_id)
        target.upsert(points)

    await asyncio.to_thread(write)
    return DocumentIndexed.following(event, step, chunks=len(points), languages=language_counts(points), pages=document.pages,
                                     title=document.title, embedder=services.embedder_name)


async def walk(records: list[DocumentRecord], target: VectorStore, services: IngestServices, *, replace: bool, step: str,
               progress: Callable[[int, int], Awaitable[None]]) -> Reindexed:
    """Every record re-indexed into `target`, `services.concurrency` at a time (that many tasks taking the next record, not
    one task per document: a large catalog costs no more memory than its records); one document's failure is reported,
    not fatal."""
    done, batches, queue = Reindexed(), Batches.for_services(services), iter(records)

    async def take() -> None:
        for record in queue:  # shared by the tasks: each record is taken once
            try:
                done.indexed[record.document_id] = await reindex_document(record, target, services, batches, replace=replace, step=step)
            except (UnreadableDocument, RejectedUpload, LookupError) as exc:
                done.failed[record.document_id] = str(exc)
            except Exception as exc:  # noqa: BLE001 - an embedder or store error on one document: the others go on
                log.exception("re-indexing %s failed", record.document_id)
                done.failed[record.document_id] = f"{type(exc).__name__}: {exc}"
            await progress(len(done.indexed) + len(done.failed), len(done.failed))

    await asyncio.gather(*(take() for _ in range(max(1, services.concurrency))))
    return done


async def forget_deleted(done: Reindexed, target: VectorStore, catalog: Catalog) -> None:
    """A document deleted while it was being re-indexed may have been written after its deletion: remove it again (and
    it did not fail: it is gone)."""
    for document_id in [*done.indexed, *done.failed]:
        record = await catalog.get(document_id)
        if record is None or record.status is DocumentStatus.deleted:
            await asyncio.to_thread(target.delete_document, document_id)
            done.indexed.pop(document_id, None)
            done.failed.pop(document_id, None)


async def reindex(event: ReindexRequested, services: ReindexServices) -> None:
    """Mark the generation being built, re-index every wanted document into it, switch, then tell the catalog (chunks and
    embedder of each document) and the operator. A redelivery (the worker stopped) resumes from the start, into the same generation."""
    ingest, store = services.ingest, services.ingest.store
    state = await services.generations.update(lambda s: begun(s, event, generations=isinstance(store, GenerationStore)))
    if state is None:
        current = await services.generations.get()
        if (detail := refusal(current, event)) is not None:
            active = current.active if current is not None else 0
            await publish_finished(ingest, event, "refused", active, active, detail=detail)
        return
    target: VectorStore = store
    if state.building is not None and isinstance(store, GenerationStore):
        await asyncio.to_thread(store.apply, state.active, state.building)
        target = store.generation(state.building)
        await asyncio.sleep(services.settle_s)
    generation = state.building if state.building is not None else state.active
    records = [record async for record in services.catalog.scan() if wanted(record, event.since)]
    log.info("re-index %s: %d documents into generation %d%s", event.reindex_id, len(records), generation,
             " (in place)" if state.building is None else "")
    progress = Progressing(ingest, event, generation, len(records))
    await progress(0, 0)
    done = await walk(records, target, ingest, replace=state.building is None, step=f"reindexed:{event.reindex_id}", progress=progress)
    await progress(len(done.indexed) + len(done.failed), len(done.failed), final=True)
    await forget_deleted(done, target, services.catalog)
    after = await services.generations.update(lambda s: finished(s, event))
    if after is None:
        log.warning("re-index %s was abandoned before it finished; nothing switched", event.reindex_id)
        return
    if isinstance(store, GenerationStore):
        await asyncio.to_thread(store.apply, after.active, after.building)
    await tell_catalog(ingest, done, new_generation=state.building is not None)
    await publish_finished(ingest, event, "switched" if state.building is not None else "in_place", after.active, state.active,
                           documents=len(done.indexed), chunks=sum(e.chunks for e in done.indexed.values()), failed=done.failed)


async def tell_catalog(services: IngestServices, done: Reindexed, *, new_generation: bool) -> None:
    """Each document's chunks and embedder as they are now; in a new generation a document that failed is no longer searchable."""
    for indexed in done.indexed.values():
        await services.bus.publish(indexed, subjects.for_document(subjects.DOCUMENT_INDEXED, indexed.document_id))
    if new_generation:
        for document_id, reason in done.failed.items():
            failed = DocumentFailed(correlation_id=document_id, document_id=document_id, stage=FailureStage.index,
                                    reason=f"re-indexing into a new index generation failed: {reason}")
            await services.bus.publish(failed, subjects.for_document(subjects.DOCUMENT_FAILED, document_id))


class Progressing:
    """Publishes how far the re-index is, at most every PROGRESS_EVERY_S (and always the last)."""

    def __init__(self, services: IngestServices, event: ReindexRequested, generation: int, total: int) -> None:
        self.services, self.event, self.generation, self.total = services, event, generation, total
        self.sent_at = 0.0

    async def __call__(self, done: int, failed: int, *, final: bool = False) -> None:
        if not final and done and time.monotonic() - self.sent_at < PROGRESS_EVERY_S:
            return
        self.sent_at = time.monotonic()
        progressed = ReindexProgressed(correlation_id=self.event.reindex_id, causation_id=self.event.event_id,
                                       reindex_id=self.event.reindex_id, generation=self.generation, total=self.total,
                                       done=done, failed=failed)
        await self.services.bus.publish(progressed, subjects.for_reindex(subjects.REINDEX_PROGRESSED, self.event.reindex_id))


async def publish_finished(services: IngestServices, event: ReindexRequested, outcome: str, generation: int, previous: int,
                           **fields: object) -> None:
    result = ReindexFinished.following(event, f"finished:{outcome}", outcome=outcome, generation=generation, previous_generation=previous, **fields)
    await services.bus.publish(result, subjects.for_reindex(subjects.REINDEX_FINISHED, event.reindex_id))


def build_router(services: ReindexServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.INGEST_REINDEX.filter_subject, **policy.subscriber_kwargs(topology.INGEST_REINDEX))
    async def on_reindex_requested(event: ReindexRequested) -> None:
        await reindex(event, services)

    return router
