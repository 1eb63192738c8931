"""The success bodies the OpenAPI document declares for documents and questions (the error body is in gateway/errors.py).

The routes send plain dicts built from the stored records (`describe`, `present`); these models only declare them, so
clients know what they get, and tests/gateway/test_fuzz.py checks every answer it provokes against them.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from contracts.documents import DocumentRecord
from contracts.questions import Citation, LanguageDetection, QueryStatus, ReviewNote, RiskFinding, RiskLevel


class DocumentState(DocumentRecord):
    status_url: str = Field(description="Where to follow the document: GET /documents/{document_id}.")
    duplicate: bool | None = Field(default=None, description="Upload: true when these bytes were indexed already.")
    detail: str | None = Field(default=None, description="202: still indexing; poll status_url.")


class DocumentList(BaseModel):
    documents: list[DocumentState]
    limit: int
    offset: int


class RiskSummary(BaseModel):
    level: RiskLevel
    route: str = Field(description='"release" or "review".')
    policy: str = Field(description="The routing rule that applied, in words.")
    categories: list[str]
    findings: list[RiskFinding]


class QuestionState(BaseModel):
    """A question's state; the answer and its citations only once released (a held draft is never shown)."""

    query_id: str
    status: QueryStatus
    query: str
    detected_language: LanguageDetection | None
    language: str | None = Field(description="The answer's language.")
    risk: RiskSummary | None
    status_url: str = Field(description="GET /query/{query_id}, with ?wait= to wait for the outcome.")
    trace_id: str | None = None
    answer: str | None = None
    answered: bool | None = Field(default=None, description="False when the documents do not answer the question.")
    backend: str | None = None
    citations: list[Citation] | None = None
    notice: str | None = Field(default=None, description="Held, rejected, or an answer shown with a caveat: what the asker should know.")
    reviewed: ReviewNote | None = None
    reason: str | None = Field(default=None, description="failed: why.")
    detail: str | None = Field(default=None, description="202 processing: still working; poll status_url.")
    cached: bool | None = Field(default=None, description="Served again from the answer cache.")

