"""What the ingest handlers depend on: the one injection seam of this worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from adapters.batching import MicroBatcher
from adapters.embedders.base import Embedder
from adapters.language import LanguageDetector
from adapters.stores.base import ChunkPoint, VectorStore
from adapters.stores.lexical import Bm25Encoder
from contracts.documents import BlobRef
from runtime.bus import Publisher


class UploadsPort(Protocol):
    async def find(self, ref: BlobRef) -> bytes | None: ...
    async def delete(self, name: str) -> None: ...


@dataclass(frozen=True)
class IngestServices:
    embedder: Embedder
    lexical: Bm25Encoder
    detector: LanguageDetector
    store: VectorStore
    uploads: UploadsPort
    bus: Publisher
    max_chars: int = 1000
    concurrency: int = 1
    english: Embedder | None = None  # the English model, for English chunks (None: disabled)

    @property
    def embedder_name(self) -> str:
        return self.embedder.name if self.english is None else f"{self.embedder.name} + {self.english.name} (English)"


@dataclass(frozen=True)
class Batches:
    """Model and index calls merged across the documents in flight (measured in docs/BENCHMARKS.md, "Ingest")."""

    embed: MicroBatcher
    upsert: MicroBatcher
    english: MicroBatcher | None  # small batches, so the next document's searchable phase waits little for the English model

    @classmethod
    def for_services(cls, services: IngestServices) -> Batches:
        english = services.english
        return cls(
            embed=MicroBatcher(lambda texts: list(services.embedder.embed_documents(texts)), max_items=256, max_wait_s=0.02),
            upsert=MicroBatcher(lambda points: store_all(services.store, points), max_items=4096),
            english=english and MicroBatcher(lambda texts: list(english.embed_documents(texts)), max_items=32, max_wait_s=0.02),
        )


def store_all(store: VectorStore, points: list[ChunkPoint]) -> list[None]:
    store.upsert(points)
    return [None] * len(points)
