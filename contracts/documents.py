"""Document events and the document record kept in the catalog bucket."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contracts.envelope import Event

MetadataValue = str | int | float | bool
# What search can filter on: the chunk's document id, language and leaflet section ("storage", "side_effects", ...: the
# numbered section of an EU package leaflet its heading names), or one key of the uploader's flat metadata (a dot
# would be read as a path into nested metadata, and metadata is flat).
FILTER_FIELDS = ("document_id", "language", "section")
FILTER_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
MAX_FILTERS = 20
MAX_FILTER_VALUES = 100
MAX_FILTER_VALUE_CHARS = 1000


def finite_metadata(metadata: dict[str, MetadataValue]) -> dict[str, MetadataValue]:
    """NaN and infinities have no JSON form: a record holding one could not be read back."""
    for key, value in metadata.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"metadata value of {key!r} is not a finite number")
    return metadata


def filter_problem(filters: Mapping[str, Any]) -> str | None:
    """What is wrong with search filters `{key: value | [values]}`, naming the key; None when search can apply them."""
    if len(filters) > MAX_FILTERS:
        return f"{len(filters)} filters; at most {MAX_FILTERS} are allowed"
    for key, value in filters.items():
        if key not in FILTER_FIELDS and not FILTER_KEY.match(key):
            return (f"filter {key!r} is not something search can filter on: document_id, language, section, or a metadata key "
                    "(a letter, then letters, digits, '_' or '-'; 64 at most)")
        values = value if isinstance(value, list | tuple) else [value]
        if not values:
            return f"filter {key!r} has an empty list of values"
        if len(values) > MAX_FILTER_VALUES:
            return f"filter {key!r} has {len(values)} values; at most {MAX_FILTER_VALUES} are allowed"
        for item in values:
            if not isinstance(item, str | int | float | bool):
                return f"filter {key!r}: {item!r} is not a string, number or boolean"
            if isinstance(item, float) and not math.isfinite(item):
                return f"filter {key!r}: {item!r} is not a finite number"
            if isinstance(item, str) and len(item) > MAX_FILTER_VALUE_CHARS:
                return f"filter {key!r}: a value is longer than {MAX_FILTER_VALUE_CHARS} characters"
    return None


def checked_filters(filters: dict[str, Any]) -> dict[str, Any]:
    if (problem := filter_problem(filters)) is not None:
        raise ValueError(problem)
    return filters


Metadata = Annotated[dict[str, MetadataValue], AfterValidator(finite_metadata)]


class BlobRef(BaseModel):
    """Where the uploaded bytes live in the JetStream object store."""

    model_config = ConfigDict(frozen=True)

    bucket: str = Field(description="Object-store bucket name.")
    name: str = Field(description="Object name (the document id).")
    size: int = Field(ge=0, description="Size in bytes.")


class DocumentUploaded(Event):
    """A user uploaded a document; its bytes are in the object store."""

    document_id: str = Field(description="SHA-256 of the content (hex): same bytes, same document.")
    filename: str = Field(description="Sanitised original file name, for display.")
    format: str = Field(description="Format detected from the content: pdf, docx, txt, markdown or html.")
    blob: BlobRef
    metadata: Metadata = Field(default_factory=dict, description="Uploader's metadata (type, language, ...).")


class DocumentIndexed(Event):
    """Every chunk of a document is searchable."""

    document_id: str
    chunks: int = Field(ge=0, description="Number of chunks indexed.")
    languages: dict[str, int] = Field(default_factory=dict, description="Chunks per detected language.")
    pages: int | None = Field(default=None, description="Pages, for paginated formats.")
    title: str | None = None
    embedder: str = Field(description="Name of the embedding model used.")


class FailureStage(StrEnum):
    parse = "parse"
    index = "index"
    deliveries = "deliveries"
    storage = "storage"  # the vector index's disk is full: the upload is kept, to index again once there is room


class DocumentFailed(Event):
    """A document could not be indexed; nothing of it is searchable."""

    document_id: str
    reason: str = Field(description="What went wrong, for the uploader.")
    stage: FailureStage


class DocumentDeletionRequested(Event):
    """Someone asked to delete a document and all its chunks."""

    document_id: str


class DocumentDeleted(Event):
    """A document and all its chunks are gone."""

    document_id: str
    chunks_removed: int = Field(ge=0)


class DocumentStatus(StrEnum):
    processing = "processing"
    indexed = "indexed"
    failed = "failed"
    deleted = "deleted"


class DocumentRecord(BaseModel):
    """Current state of one document, as kept in the catalog KV bucket (key = document id)."""

    model_config = ConfigDict(frozen=True)

    document_id: str
    status: DocumentStatus
    filename: str
    format: str
    size: int
    metadata: dict[str, MetadataValue] = Field(default_factory=dict)
    uploaded_at: datetime
    title: str | None = None
    pages: int | None = None
    chunks: int = 0
    languages: dict[str, int] = Field(default_factory=dict)
    embedder: str | None = None
    indexed_at: datetime | None = None
    reason: str | None = None
    failed_stage: FailureStage | None = None
    deleted_at: datetime | None = Field(default=None, description="When the document and its chunks were removed (status deleted).")

    @property
    def terminal(self) -> bool:
        return self.status is not DocumentStatus.processing

    @property
    def visible(self) -> bool:
        """False for the record a deletion leaves behind (kept so that a late event cannot bring the document back)."""
        return self.status is not DocumentStatus.deleted


DocumentOutcome = DocumentIndexed | DocumentFailed | DocumentDeleted
DocumentFact = DocumentUploaded | DocumentOutcome


class NotYetKnown(LookupError):
    """An outcome arrived before its upload was recorded: try again once the upload is."""


def project_document(record: DocumentRecord | None, event: DocumentFact) -> DocumentRecord | None:
    """The catalog record after one document event (what the catalog projector stores, what the gateway expects).

    Order-tolerant: an upload never undoes an outcome, and an event older than a deletion is ignored.
    """
    if record is not None and record.deleted_at is not None and event.occurred_at <= record.deleted_at:
        return record
    if isinstance(event, DocumentUploaded):
        if record is not None and record.status in (DocumentStatus.processing, DocumentStatus.indexed):
            return record
        return DocumentRecord(
            document_id=event.document_id, status=DocumentStatus.processing, filename=event.filename, format=event.format,
            size=event.blob.size, metadata=event.metadata, uploaded_at=event.occurred_at,
        )
    if record is None:
        if isinstance(event, DocumentDeleted):
            return None
        raise NotYetKnown(f"{type(event).__name__} for {event.document_id} before its upload")
    if isinstance(event, DocumentIndexed):
        return record.model_copy(update={
            "status": DocumentStatus.indexed, "title": event.title, "pages": event.pages, "chunks": event.chunks,
            "languages": event.languages, "embedder": event.embedder, "indexed_at": event.occurred_at, "reason": None,
            "failed_stage": None, "deleted_at": None,
        })
    if isinstance(event, DocumentFailed):
        return record.model_copy(update={
            "status": DocumentStatus.failed, "reason": event.reason, "failed_stage": event.stage, "chunks": 0, "languages": {},
            "deleted_at": None,
        })
    return record.model_copy(update={"status": DocumentStatus.deleted, "chunks": 0, "languages": {}, "deleted_at": event.occurred_at})


def parse_document_fact(subject: str, data: bytes | dict) -> DocumentFact:
    """The document event on one of the catalog's subjects (uploaded, or an outcome `…<outcome>.<id>`)."""
    from contracts import subjects

    for prefix, model in ((subjects.DOCUMENT_UPLOADED, DocumentUploaded), (subjects.DOCUMENT_INDEXED + ".", DocumentIndexed),
                          (subjects.DOCUMENT_FAILED + ".", DocumentFailed), (subjects.DOCUMENT_DELETED + ".", DocumentDeleted)):
        if subject == prefix or (prefix.endswith(".") and subject.startswith(prefix)):
            return model.model_validate_json(data) if isinstance(data, bytes) else model.model_validate(data)
    raise ValueError(f"{subject!r} is not a document event subject")
