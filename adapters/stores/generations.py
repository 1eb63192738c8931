"""Index generations behind the store seam: search reads the active one while a re-index fills the next.

A re-index (after an embedder or chunker change) builds generation N+1 beside the active N; uploads and deletions
meanwhile reach both, so the new one misses nothing, and searches never see a half-built index. When it is
complete the active generation moves and the old one is closed (once no call is using it) and dropped.
Generation 0 is the index as it always was (the vectors directory or the collection, unchanged); N>0 lives beside it.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from adapters.stores._shared import VectorLayoutMismatch
from adapters.stores.base import ChunkPoint, Hit, QueryVectors, VectorStore

log = logging.getLogger(__name__)


def generation_path(base: Path, generation: int) -> Path:
    """`vectors` for generation 0 (existing indexes load as they are), `vectors-gN` beside it for N>0."""
    return base if generation == 0 else base.with_name(f"{base.name}-g{generation}")


def path_generations(base: Path) -> list[int]:
    """The generations present on disk beside `base`."""
    found = [0] if base.is_dir() else []
    for path in base.parent.glob(f"{base.name}-g*"):
        suffix = path.name.removeprefix(f"{base.name}-g")
        if suffix.isdigit() and path.is_dir():
            found.append(int(suffix))
    return sorted(found)


def generation_collection(collection: str, generation: int) -> str:
    """The collection itself for generation 0, `<collection>_gN` for N>0."""
    return collection if generation == 0 else f"{collection}_g{generation}"


def collection_generations(collection: str, names: Sequence[str]) -> list[int]:
    """The generations among a server's collection names."""
    found = [0] if collection in names else []
    for name in names:
        suffix = name.removeprefix(f"{collection}_g")
        if name.startswith(f"{collection}_g") and suffix.isdigit():
            found.append(int(suffix))
    return sorted(found)


class Outdated:
    """An active generation built for other embedders (other vector sizes or spaces): today's models cannot search it.
    Searches and writes fail with the reason until a re-index builds a generation for them (uploads meanwhile reach that
    one alone); a deletion has nothing here to remove."""

    name = "outdated"

    def __init__(self, error: VectorLayoutMismatch) -> None:
        self.error = VectorLayoutMismatch(f"{error} Or run `mirage replay documents`: it builds a generation for the configured "
                                          "embedders and switches search to it.")

    def fail(self, *args: object, **kwargs: object) -> Any:
        raise self.error

    upsert = add_vectors = search = count = fail

    def delete_document(self, document_id: str) -> int:
        return 0

    def close(self) -> None:
        return None


class GenerationStore:
    """A `VectorStore` over index generations: reads from the active one, writes to the active one and the one being built.

    `open_generation(n)` opens generation n's store (created empty when new); `drop_generation(n)` removes a closed one
    for good. `apply(active, building)` follows the index bucket; until it is called, generation 0 is active.
    Thread-safe: a generation is closed only once no call is using it.
    """

    def __init__(self, open_generation: Callable[[int], VectorStore], drop_generation: Callable[[int], None]) -> None:
        self._open_generation, self._drop_generation = open_generation, drop_generation
        self._stores: dict[int, VectorStore] = {}
        self._active, self._building = 0, None  # type: tuple[int, int | None]
        self._users: Counter[int] = Counter()
        self._lock = threading.Condition()
        self._applying = threading.Lock()
        self._closed = False

    @property
    def name(self) -> str:
        with self._using(False) as (active, *_):
            return active.name

    @property
    def active(self) -> int:
        return self._active

    @property
    def building(self) -> int | None:
        return self._building

    def apply(self, active: int, building: int | None) -> None:
        """Read from `active`, write to it and to `building`: open what is missing first, then switch, then close and drop
        the generations no longer wanted (generation numbers only grow: an unwanted one is finished with)."""
        with self._applying:
            if self._closed:
                raise RuntimeError("the vector index is closed")
            wanted = {active} | ({building} if building is not None else set())
            opened = {n: self._open(n, outdated_ok=n == active) for n in sorted(wanted) if n not in self._stores}
            with self._lock:
                self._stores.update(opened)
                self._active, self._building = active, building
                stale = [n for n in self._stores if n not in wanted]
            for n in stale:
                with self._lock:
                    self._lock.wait_for(lambda n=n: self._users[n] == 0)
                    store = self._stores.pop(n)
                store.close()
                self._drop_generation(n)

    def generation(self, n: int) -> VectorStore:
        """Generation n's own store (a re-index writes into the one it builds alone); it must be active or building."""
        with self._lock:
            if n not in self._stores:
                raise LookupError(f"index generation {n} is not open here (active {self._active}, building {self._building})")
            return self._stores[n]

    def _ensure_open(self) -> None:
        """Before any `apply` (no index bucket, or not read yet), generation 0: the index as it always was."""
        if not self._stores:
            with self._applying:
                if self._closed:
                    raise RuntimeError("the vector index is closed")
                if not self._stores:
                    self._stores[0] = self._open(0, outdated_ok=True)

    def _open(self, n: int, *, outdated_ok: bool) -> VectorStore:
        """Generation n's store; the active one built for other embedders opens as `Outdated`, so that a re-index can
        replace it (a generation being built is always made for today's)."""
        try:
            return self._open_generation(n)
        except VectorLayoutMismatch as exc:
            if not outdated_ok:
                raise
            log.warning("index generation %d cannot be searched with the configured embedders: %s", n, exc)
            return Outdated(exc)  # type: ignore[return-value]

    @contextmanager
    def _using(self, writing: bool) -> Iterator[list[VectorStore]]:
        self._ensure_open()
        with self._lock:
            used = [self._active] + ([self._building] if writing and self._building is not None else [])
            if len(used) > 1 and isinstance(self._stores[self._active], Outdated):
                used = used[1:]  # while a re-index replaces an outdated generation, writes go to the new one alone
            stores = [self._stores[n] for n in used]
            self._users.update(used)
        try:
            yield stores
        finally:
            with self._lock:
                self._users.subtract(used)
                self._lock.notify_all()

    def upsert(self, points: Sequence[ChunkPoint]) -> None:
        with self._using(True) as stores:
            for store in stores:
                store.upsert(points)

    def add_vectors(self, space: str, vectors: Mapping[str, np.ndarray]) -> int:
        with self._using(True) as (active, *others):
            for store in others:
                store.add_vectors(space, vectors)
            return active.add_vectors(space, vectors)

    def delete_document(self, document_id: str) -> int:
        with self._using(True) as (active, *others):
            for store in others:
                store.delete_document(document_id)
            return active.delete_document(document_id)

    def search(self, query: QueryVectors, *, limit: int, filters: Mapping[str, Any] | None = None) -> list[Hit]:
        with self._using(False) as (active,):
            return active.search(query, limit=limit, filters=filters)

    def count(self, filters: Mapping[str, Any] | None = None) -> int:
        with self._using(False) as (active,):
            return active.count(filters)

    def __getattr__(self, attribute: str) -> Any:
        """What one backend offers beyond the seam (`optimize`, `nearest`, `flush`), on the active generation."""
        if attribute.startswith("_"):
            raise AttributeError(attribute)
        self._ensure_open()
        return getattr(self._stores[self._active], attribute)

    def close(self) -> None:
        with self._applying, self._lock:
            stores, self._stores, self._closed = list(self._stores.values()), {}, True
        for store in stores:
            store.close()
