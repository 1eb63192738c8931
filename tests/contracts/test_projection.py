"""The catalog's projection of document events, and the running totals beside it: pure functions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts import topology
from contracts.documents import (
    BlobRef,
    DocumentDeleted,
    DocumentFailed,
    DocumentIndexed,
    DocumentStatus,
    DocumentUploaded,
    FailureStage,
    NotYetKnown,
    project_document,
)
from contracts.envelope import utcnow
from contracts.figures import Figures

ID = "a" * 64


def uploaded(seconds: float = 0) -> DocumentUploaded:
    return DocumentUploaded(correlation_id=ID, document_id=ID, filename="leaflet.pdf", format="pdf", metadata={"type": "leaflet"},
                            blob=BlobRef(bucket=topology.UPLOADS_BUCKET, name=ID, size=42), occurred_at=utcnow() + timedelta(seconds=seconds))


def indexed(seconds: float = 1) -> DocumentIndexed:
    return DocumentIndexed(correlation_id=ID, document_id=ID, chunks=3, languages={"fr": 3}, pages=2, title="Notice",
                           embedder="use", occurred_at=utcnow() + timedelta(seconds=seconds))


def deleted(seconds: float = 2) -> DocumentDeleted:
    return DocumentDeleted(correlation_id=ID, document_id=ID, chunks_removed=3, occurred_at=utcnow() + timedelta(seconds=seconds))


def test_an_upload_then_its_indexing_make_an_indexed_record() -> None:
    record = project_document(project_document(None, uploaded()), indexed())
    assert record.status is DocumentStatus.indexed and record.chunks == 3 and record.size == 42
    assert record.filename == "leaflet.pdf" and record.languages == {"fr": 3} and record.indexed_at is not None


def test_a_late_upload_event_never_undoes_an_outcome() -> None:
    record = project_document(project_document(None, uploaded()), indexed())
    assert project_document(record, uploaded()) is record


def test_an_outcome_before_its_upload_waits_for_it() -> None:
    with pytest.raises(NotYetKnown):
        project_document(None, indexed())


def test_a_failure_clears_the_chunks_and_says_why() -> None:
    failed = DocumentFailed(correlation_id=ID, document_id=ID, reason="not a PDF", stage=FailureStage.parse)
    record = project_document(project_document(None, uploaded()), failed)
    assert record.status is DocumentStatus.failed and record.reason == "not a PDF" and record.chunks == 0


def test_a_deletion_leaves_a_record_that_late_events_cannot_bring_back() -> None:
    gone = project_document(project_document(project_document(None, uploaded()), indexed()), deleted())
    assert gone.status is DocumentStatus.deleted and not gone.visible and gone.chunks == 0
    assert project_document(gone, uploaded(seconds=0)) is gone  # the old upload, redelivered
    assert project_document(gone, indexed(seconds=1)) is gone
    again = project_document(gone, uploaded(seconds=10))  # uploaded anew after the deletion
    assert again.status is DocumentStatus.processing and again.visible


def test_figures_add_what_a_record_change_adds_and_drop_what_reaches_zero() -> None:
    now = utcnow()
    figures = Figures().moved({}, {"by_status": {"processing": 1}}, now)
    figures = figures.moved({"by_status": {"processing": 1}}, {"by_status": {"indexed": 1}, "totals": {"chunks": 3}}, now,
                            {"last_indexed_at": now})
    assert figures.groups == {"by_status": {"indexed": 1}, "totals": {"chunks": 3}} and figures.generation == 2
    earlier = figures.moved({"by_status": {"indexed": 1}, "totals": {"chunks": 3}}, {}, now, {"last_indexed_at": now - timedelta(days=1)})
    assert earlier.groups == {} and earlier.marks["last_indexed_at"] == now  # a mark keeps the latest time
