"""What the ingest handlers depend on: the one injection seam of this worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from adapters.embedders.base import Embedder
from adapters.language import LanguageDetector
from adapters.stores.base import VectorStore
from adapters.stores.lexical import Bm25Encoder
from contracts.documents import BlobRef, DocumentRecord
from runtime.bus import Publisher


class CatalogPort(Protocol):
    async def get(self, document_id: str) -> DocumentRecord | None: ...
    async def put(self, record: DocumentRecord) -> None: ...
    async def delete(self, document_id: str) -> None: ...


class UploadsPort(Protocol):
    async def get(self, ref: BlobRef) -> bytes: ...
    async def delete(self, name: str) -> None: ...


@dataclass(frozen=True)
class IngestServices:
    embedder: Embedder
    lexical: Bm25Encoder
    detector: LanguageDetector
    store: VectorStore
    catalog: CatalogPort
    uploads: UploadsPort
    bus: Publisher
    max_chars: int = 1000
    concurrency: int = 1
    english: Embedder | None = None  # the English model, for English chunks (None: disabled)

    @property
    def embedder_name(self) -> str:
        return self.embedder.name if self.english is None else f"{self.embedder.name} + {self.english.name} (English)"
