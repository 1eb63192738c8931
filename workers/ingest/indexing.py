"""From uploaded bytes to index-ready chunk points: plain functions, no broker."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from uuid import NAMESPACE_URL, uuid5

import numpy as np

from adapters.formats import DocumentFormat
from adapters.language import SUPPORTED_LANGUAGES, LanguageDetector
from adapters.leaflet import heading_section
from adapters.spaces import Space
from adapters.stores.base import SECTION, ChunkPoint, SparseTerms
from adapters.stores.lexical import Bm25Encoder
from adapters.unit_vectors import PAYLOAD_KEY, chunk_units
from contracts.documents import DocumentUploaded
from workers.ingest.chunking import Chunk, chunk_document
from workers.ingest.parsing import parse


def language_counts(points: Sequence[ChunkPoint]) -> dict[str, int]:
    return dict(Counter(p.payload["language"] for p in points if p.payload["language"]))


def chunk_id(document_id: str, index: int) -> str:
    """Deterministic: re-indexing the same document overwrites, never duplicates."""
    return str(uuid5(NAMESPACE_URL, f"mirage:chunk:{document_id}:{index}"))


def embedding_text(chunk: Chunk, title: str | None) -> str:
    context = " — ".join(part for part in (title, chunk.heading) if part)
    return f"{context}\n{chunk.text}" if context else chunk.text


def chunk_languages(chunks: Sequence[Chunk], declared: object, detector: LanguageDetector) -> list[str | None]:
    if isinstance(declared, str) and declared.lower() in SUPPORTED_LANGUAGES:
        return [declared.lower()] * len(chunks)
    languages = detector.detect_passages([c.text for c in chunks])
    known = Counter(language for language in languages if language)
    # a chunk whose words do not tell (a list of drug names) takes the language of the rest of its document
    fallback = known.most_common(1)[0][0] if known else None
    return [language or fallback for language in languages]


@dataclass(frozen=True)
class ChunkedDocument:
    """A parsed document cut into chunks, with everything but the dense vectors."""

    title: str
    pages: int | None
    chunks: list[Chunk]
    texts: list[str]
    languages: list[str | None]
    sparse: list[SparseTerms]
    units: list[list[str]]  # each chunk's answer units as the generator embeds them (adapters/unit_vectors.py)

    def covered(self, space: Space) -> list[int]:
        """The positions of the chunks that get this space's vector (`Space.chunks`), in chunk order."""
        return [i for i, language in enumerate(self.languages) if space.chunks(language)]

    def texts_for(self, space: Space) -> list[str]:
        return [self.texts[i] for i in self.covered(space)]

    @property
    def unit_texts(self) -> list[str]:
        """Every chunk's unit texts in one list, to embed in one call."""
        return [text for texts in self.units for text in texts]


def chunk_for_index(
    data: bytes, event: DocumentUploaded, *, lexical: Bm25Encoder, detector: LanguageDetector, max_chars: int
) -> ChunkedDocument:
    """Parse, chunk, detect languages, weigh terms in each chunk's language. Raises UnreadableDocument for bad content."""
    parsed = parse(data, DocumentFormat(event.format))
    title = str(event.metadata.get("title") or parsed.title or event.filename)
    chunks = chunk_document(parsed, max_chars=max_chars)
    texts = [embedding_text(c, title) for c in chunks]
    languages = chunk_languages(chunks, event.metadata.get("language"), detector)
    return ChunkedDocument(
        title=title, pages=parsed.pages, chunks=chunks, texts=texts, languages=languages,
        sparse=[lexical.encode_document(text, language) for text, language in zip(texts, languages, strict=True)],
        units=[chunk_units(c.text) for c in chunks],
    )


def to_points(event: DocumentUploaded, document: ChunkedDocument, vectors: Mapping[Space, Sequence[np.ndarray]],
              units: Sequence[Mapping[str, object]] | None = None) -> list[ChunkPoint]:
    """`vectors`: each space's vectors of `document.texts_for(space)`, in that order. `units`: each chunk's packed
    unit vectors (adapters.unit_vectors.packed_by_chunk), kept in its payload for the answer generator."""
    dense: list[dict[str, np.ndarray]] = [{} for _ in document.chunks]
    for space, made in vectors.items():
        for i, vector in zip(document.covered(space), made, strict=True):
            dense[i][space.name] = vector
    return [
        ChunkPoint(
            id=chunk_id(event.document_id, c.index),
            dense=vectors_of_chunk,
            sparse=sparse,
            payload={
                "document_id": event.document_id,
                "chunk_index": c.index,
                "text": c.text,
                "title": document.title,
                "filename": event.filename,
                "page": c.page,
                "heading": c.heading,
                SECTION: heading_section(c.heading),
                "language": language,
                "meta": dict(event.metadata),
            } | ({PAYLOAD_KEY: units[i]} if units is not None else {}),
        )
        for i, (c, vectors_of_chunk, sparse, language) in enumerate(
            zip(document.chunks, dense, document.sparse, document.languages, strict=True))
    ]
