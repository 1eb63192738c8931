"""What one document record adds to the catalog's running totals (what `GET /documents/stats` reports)."""

from __future__ import annotations

from contracts.documents import DocumentRecord, DocumentStatus
from contracts.figures import Figures, Tally


def tally(record: DocumentRecord | None) -> Tally:
    if record is None:
        return {}
    counts: Tally = {"by_status": {record.status.value: 1}}
    if record.status is DocumentStatus.indexed:
        counts |= {
            "totals": {"documents": 1, "chunks": record.chunks},
            "chunk_languages": {language: float(n) for language, n in record.languages.items()},
            "types": {str(record.metadata.get("type", "unspecified")): 1},
            "formats": {record.format: 1},
        }
        if record.languages:
            counts["document_languages"] = {max(record.languages, key=record.languages.get): 1}
        if record.embedder:
            counts["embedders"] = {record.embedder: 1}
    return counts


def with_record(figures: Figures, record: DocumentRecord) -> Figures:
    """`figures` with one more record counted: for a catalog written before figures were kept."""
    marks = {"last_indexed_at": record.indexed_at} if record.indexed_at and record.status is DocumentStatus.indexed else None
    return figures.moved({}, tally(record), record.indexed_at or record.uploaded_at, marks)
