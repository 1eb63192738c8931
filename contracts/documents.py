"""Document events and the document record kept in the catalog bucket."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Event

MetadataValue = str | int | float | bool


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
    metadata: dict[str, MetadataValue] = Field(default_factory=dict, description="Uploader's metadata (type, language, ...).")


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

    @property
    def terminal(self) -> bool:
        return self.status is not DocumentStatus.processing

