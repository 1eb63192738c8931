"""What the ingest handlers depend on: the one injection seam of this worker."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from adapters.batching import MicroBatcher
from adapters.embedders.base import Embedder
from adapters.language import LanguageDetector
from adapters.spaces import PRIMARY, SPACES, Space, described
from adapters.stores.base import ChunkPoint, VectorStore
from adapters.stores.lexical import Bm25Encoder
from adapters.unit_vectors import packed_by_chunk
from contracts.documents import BlobRef
from runtime.bus import Publisher
from workers.ingest.indexing import ChunkedDocument


class UploadsPort(Protocol):
    async def find(self, ref: BlobRef) -> bytes | None: ...
    async def delete(self, name: str) -> None: ...


@dataclass(frozen=True)
class IngestServices:
    embedders: Mapping[str, Embedder]  # the model of each enabled embedding space, by space name (adapters.spaces)
    lexical: Bm25Encoder
    detector: LanguageDetector
    store: VectorStore
    uploads: UploadsPort
    bus: Publisher
    max_chars: int = 1000
    concurrency: int = 1

    @property
    def spaces(self) -> list[Space]:
        """The enabled spaces, the first one first."""
        return [space for space in SPACES if space.name in self.embedders]

    @property
    def embedder_name(self) -> str:
        return described({name: model.name for name, model in self.embedders.items()})


@dataclass(frozen=True)
class Batches:
    """Model and index calls merged across the documents in flight (measured in docs/BENCHMARKS.md, "Ingest").

    The first space's batches are large; the other spaces' small, so that the next document's searchable phase
    waits little for their models."""

    embed: Mapping[str, MicroBatcher]  # by space name
    upsert: MicroBatcher

    @classmethod
    def for_services(cls, services: IngestServices) -> Batches:
        return cls(
            embed={space.name: MicroBatcher(embedding(services, space.name), max_items=256 if space is PRIMARY else 32, max_wait_s=0.02)
                   for space in SPACES},
            upsert=MicroBatcher(lambda points: store_all(services.store, points), max_items=4096),
        )


def embedding(services: IngestServices, space: str) -> Callable[[list[str]], list[np.ndarray]]:
    """The space's model, looked up when a batch runs (a router is built before, or without, the models)."""
    return lambda texts: list(services.embedders[space].embed_documents(texts))


def store_all(store: VectorStore, points: list[ChunkPoint]) -> list[None]:
    store.upsert(points)
    return [None] * len(points)


async def unit_vectors(document: ChunkedDocument, services: IngestServices, batches: Batches) -> list[dict[str, object]]:
    """Each chunk's answer units embedded once by the first space's model, the one the answer generator scores
    them with (adapters/unit_vectors.py), packed for the chunk's payload."""
    made = await batches.embed[PRIMARY.name].submit(document.unit_texts)
    return packed_by_chunk(services.embedders[PRIMARY.name].name, document.units, made)
