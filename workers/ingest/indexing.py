"""From uploaded bytes to index-ready chunk points: plain functions, no broker."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

from contracts.documents import DocumentUploaded
from mirage.embedders.base import Embedder
from mirage.formats import DocumentFormat
from mirage.language import SUPPORTED_LANGUAGES, LanguageDetector
from mirage.stores.base import ChunkPoint
from mirage.stores.lexical import Bm25Encoder
from workers.ingest.chunking import Chunk, chunk_document
from workers.ingest.parsing import parse


@dataclass(frozen=True)
class PreparedDocument:
    title: str | None
    pages: int | None
    points: list[ChunkPoint]

    @property
    def languages(self) -> dict[str, int]:
        return dict(Counter(p.payload["language"] for p in self.points if p.payload["language"]))


def chunk_id(document_id: str, index: int) -> str:
    """Deterministic: re-indexing the same document overwrites, never duplicates."""
    return str(uuid5(NAMESPACE_URL, f"mirage:chunk:{document_id}:{index}"))


def embedding_text(chunk: Chunk, title: str | None) -> str:
    context = " — ".join(part for part in (title, chunk.heading) if part)
    return f"{context}\n{chunk.text}" if context else chunk.text


def chunk_languages(chunks: Sequence[Chunk], declared: object, detector: LanguageDetector) -> list[str | None]:
    if isinstance(declared, str) and declared.lower() in SUPPORTED_LANGUAGES:
        return [declared.lower()] * len(chunks)
    return [d.language for d in detector.detect_many([c.text for c in chunks])]


def prepare(
    data: bytes,
    event: DocumentUploaded,
    *,
    embedder: Embedder,
    lexical: Bm25Encoder,
    detector: LanguageDetector,
    max_chars: int,
) -> PreparedDocument:
    """Parse, chunk, detect languages, embed. Raises UnreadableDocument for bad content."""
    parsed = parse(data, DocumentFormat(event.format))
    title = str(event.metadata.get("title") or parsed.title or event.filename)
    chunks = chunk_document(parsed, max_chars=max_chars)
    texts = [embedding_text(c, title) for c in chunks]
    languages = chunk_languages(chunks, event.metadata.get("language"), detector)
    dense = embedder.embed_documents(texts)
    points = [
        ChunkPoint(
            id=chunk_id(event.document_id, c.index),
            dense=vector,
            sparse=lexical.encode_document(text),
            payload={
                "document_id": event.document_id,
                "chunk_index": c.index,
                "text": c.text,
                "title": title,
                "filename": event.filename,
                "page": c.page,
                "heading": c.heading,
                "language": language,
                "meta": dict(event.metadata),
            },
        )
        for c, text, vector, language in zip(chunks, texts, dense, languages, strict=True)
    ]
    return PreparedDocument(title=title, pages=parsed.pages, points=points)
