"""Index generations kept in the index bucket: where each lives, and every process following the active one.

Generation 0 is `settings.vectors_dir` (or `settings.qdrant_collection`), so an index built before generations existed
loads as it was; generation N>0 lives beside it. Every process whose workers use the index watches the bucket's key and
opens, switches, closes and drops generations as it changes (`adapters.stores.generations.GenerationStore.apply`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import threading
from collections.abc import Awaitable, Callable, Mapping

from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from pydantic import ValidationError

from adapters.stores import build_store
from adapters.stores.generations import (
    GenerationStore,
    collection_generations,
    generation_collection,
    generation_path,
    path_generations,
)
from contracts import topology
from contracts.index import IndexGenerations
from runtime.messaging import UNREADABLE, open_bucket
from runtime.settings import Settings

log = logging.getLogger(__name__)

FOLLOW_POLL_S = 5.0
"""The key is read again this often besides the watch: a watcher that lost its server still finds the switch."""
SERVER_DROP_GRACE_S = 30.0
"""A Qdrant server's old collection goes this long after the switch: other replicas switch within it."""


class Generations:
    """The index bucket's `generations` key, changed with compare-and-set (the bucket is opened on first use)."""

    def __init__(self, js: JetStreamContext, replicas: int = 1) -> None:
        self.js, self.replicas = js, replicas
        self._kv: KeyValue | None = None

    async def bucket(self) -> KeyValue:
        if self._kv is None:
            self._kv = await open_bucket(self.js, topology.INDEX_BUCKET, self.replicas)
        return self._kv

    def read_value(self, value: bytes | None, revision: int) -> IndexGenerations | None:
        try:
            return IndexGenerations.model_validate_json(value or b"{}")
        except (ValidationError, ValueError) as exc:
            UNREADABLE.note(topology.INDEX_BUCKET, topology.GENERATIONS_KEY, revision, exc)
            return None

    async def get(self) -> IndexGenerations | None:
        """The state (generation 0 alone when never written); None when unreadable (set aside: nothing is switched)."""
        try:
            return await self.stored()
        except KeyNotFoundError:
            return IndexGenerations()

    async def stored(self) -> IndexGenerations | None:
        """The state as written (KeyNotFoundError when it never was, or was deleted); None when unreadable."""
        entry = await (await self.bucket()).get(topology.GENERATIONS_KEY)
        return self.read_value(entry.value, entry.revision or 0)

    async def update(self, change: Callable[[IndexGenerations], IndexGenerations | None]) -> IndexGenerations | None:
        """Apply `change` with compare-and-set (again on a concurrent write); the new state, or None when `change`
        declined (returned None) or the stored state is unreadable."""
        kv = await self.bucket()
        while True:
            try:
                entry = await kv.get(topology.GENERATIONS_KEY)
                before, revision = self.read_value(entry.value, entry.revision or 0), entry.revision or 0
            except KeyNotFoundError:
                before, revision = IndexGenerations(), 0
            if before is None:
                return None
            after = change(before)
            if after is None:
                return None
            value = after.model_dump_json().encode()
            try:
                await (kv.update(topology.GENERATIONS_KEY, value, last=revision) if revision
                       else kv.create(topology.GENERATIONS_KEY, value))
            except KeyWrongLastSequenceError:
                continue
            return after


def generation_store(settings: Settings, dims: Mapping[str, int]) -> GenerationStore:
    """The configured index (embedded Edge under the data directory, or a Qdrant server) as generations."""
    return GenerationStore(lambda n: open_generation(settings, dims, n), lambda n: drop_generation(settings, n))


def open_generation(settings: Settings, dims: Mapping[str, int], n: int):  # noqa: ANN201 - a VectorStore
    return build_store(url=settings.qdrant_url, api_key=settings.qdrant_api_key, dim=dims,
                       collection=generation_collection(settings.qdrant_collection, n), path=str(generation_path(settings.vectors_dir, n)),
                       disk_reserve_mb=settings.vector_disk_reserve_mb)


def drop_generation(settings: Settings, n: int, grace_s: float = SERVER_DROP_GRACE_S) -> None:
    """Remove a generation for good: its directory at once (an Edge index is this process's alone), a server's
    collection after a grace period (other replicas may still be on it for a moment). ":memory:" keeps nothing to drop."""
    if settings.qdrant_url == ":memory:":
        return
    if settings.qdrant_url:
        timer = threading.Timer(grace_s, drop_collection, (settings, generation_collection(settings.qdrant_collection, n)))
        timer.daemon = True
        timer.start()
        return
    shutil.rmtree(generation_path(settings.vectors_dir, n), ignore_errors=True)
    log.info("dropped index generation %d (%s)", n, generation_path(settings.vectors_dir, n))


def drop_collection(settings: Settings, name: str) -> None:
    from qdrant_client import QdrantClient

    client = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
    try:
        if client.collection_exists(name):
            client.delete_collection(name)
            log.info("dropped index generation collection %s", name)
    finally:
        client.close()


def present_generations(settings: Settings) -> list[int]:
    """The generations that exist where the index lives."""
    if settings.qdrant_url == ":memory:":
        return []
    if settings.qdrant_url:
        from qdrant_client import QdrantClient

        client = QdrantClient(url=settings.qdrant_url, api_key=settings.qdrant_api_key)
        try:
            return collection_generations(settings.qdrant_collection, [c.name for c in client.get_collections().collections])
        finally:
            client.close()
    return path_generations(settings.vectors_dir)


def drop_unused(settings: Settings, state: IndexGenerations, grace_s: float = SERVER_DROP_GRACE_S) -> list[int]:
    """Drop the generations neither active nor being built (left by a switch this process did not see through)."""
    wanted = {state.active, state.building}
    unused = [n for n in present_generations(settings) if n not in wanted]
    for n in unused:
        drop_generation(settings, n, grace_s)
    return unused


async def follow_generations(js: JetStreamContext, store: GenerationStore, settings: Settings) -> Callable[[], Awaitable[None]]:
    """Apply the stored state now (before consuming), drop what it no longer names, then follow its changes; the closer."""
    generations = Generations(js, settings.jetstream_replicas)
    try:
        state = await generations.stored()
    except KeyNotFoundError:  # never written (or deleted by hand): generation 0, and nothing on disk is dropped on a guess
        await asyncio.to_thread(store.apply, 0, None)
    else:
        if state is not None:
            await asyncio.to_thread(store.apply, state.active, state.building)
            await asyncio.to_thread(drop_unused, settings, state)
    task = asyncio.create_task(follow(generations, store), name="index-generations")

    async def stop() -> None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    return stop


async def follow(generations: Generations, store: GenerationStore) -> None:
    while True:
        try:
            watcher = await (await generations.bucket()).watch(topology.GENERATIONS_KEY)
            try:
                while True:
                    try:
                        entry = await watcher.updates(timeout=FOLLOW_POLL_S)
                    except TimeoutError:
                        entry = None
                    if entry is not None and entry.value:
                        state = generations.read_value(entry.value, entry.revision or 0)
                    else:  # the end of the initial values, a quiet spell, or a deletion: what is stored now, if anything
                        try:
                            state = await generations.stored()
                        except KeyNotFoundError:
                            state = None  # a deleted state switches nothing: generations are never dropped on a guess
                    if state is not None and (state.active, state.building) != (store.active, store.building):
                        log.info("index generations: active %d, building %s", state.active, state.building)
                        await asyncio.to_thread(store.apply, state.active, state.building)
            finally:
                with contextlib.suppress(Exception):  # a closed connection: the cancellation (or the retry) goes on
                    await watcher.stop()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("following the index generations failed; again in a second")
            await asyncio.sleep(1.0)
