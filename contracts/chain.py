"""Who publishes what, and who consumes it: the pipeline as a table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from contracts import subjects as s
from contracts.documents import (
    DocumentDeleted,
    DocumentDeletionRequested,
    DocumentFailed,
    DocumentIndexed,
    DocumentUploaded,
)
from contracts.envelope import Event
from contracts.questions import (
    AnswerGenerated,
    AnswerReleased,
    ContextRetrieved,
    QueryFailed,
    QueryReceived,
    QueryTranslated,
    ReviewRequested,
)
from contracts.search import SearchRequest

WORKERS: tuple[str, ...] = ("ingest", "catalog", "translate", "retrieve", "generate", "classify-risk", "review", "ledger")
"""Every worker, by the name `mirage worker NAME` and the chain table use."""


@dataclass(frozen=True)
class Link:
    subject: str
    message: type
    publisher: str
    consumer: str
    kind: Literal["stream", "request", "outcome"] = "stream"


CHAIN: tuple[Link, ...] = (
    Link(s.DOCUMENT_UPLOADED, DocumentUploaded, "gateway", "ingest"),
    Link(s.wildcard(s.DOCUMENT_INDEXED), DocumentIndexed, "ingest", "gateway", "outcome"),
    Link(s.wildcard(s.DOCUMENT_FAILED), DocumentFailed, "ingest", "gateway", "outcome"),
    Link(s.DOCUMENT_DELETE_REQUESTED, DocumentDeletionRequested, "gateway", "ingest"),
    Link(s.wildcard(s.DOCUMENT_DELETED), DocumentDeleted, "ingest", "gateway", "outcome"),
    Link(s.deadletter(s.DOCUMENT_UPLOADED), DocumentUploaded, "ingest", "ingest"),
    Link(s.DOCUMENT_UPLOADED, DocumentUploaded, "gateway", "catalog"),
    Link(s.wildcard(s.DOCUMENT_INDEXED), DocumentIndexed, "ingest", "catalog"),
    Link(s.wildcard(s.DOCUMENT_FAILED), DocumentFailed, "ingest", "catalog"),
    Link(s.wildcard(s.DOCUMENT_DELETED), DocumentDeleted, "ingest", "catalog"),
    Link(s.SEARCH, SearchRequest, "gateway", "retrieve", "request"),
    Link(s.QUERY_RECEIVED, QueryReceived, "gateway", "translate"),
    Link(s.QUERY_TRANSLATED, QueryTranslated, "translate", "retrieve"),
    Link(s.CONTEXT_RETRIEVED, ContextRetrieved, "retrieve", "generate"),
    Link(s.ANSWER_GENERATED, AnswerGenerated, "generate", "classify-risk"),
    Link(s.wildcard(s.ANSWER_RELEASED), AnswerReleased, "classify-risk", "gateway", "outcome"),
    Link(s.wildcard(s.REVIEW_REQUESTED), ReviewRequested, "classify-risk", "review"),
    Link(s.QUERY_RECEIVED, QueryReceived, "gateway", "ledger"),
    Link(s.wildcard(s.ANSWER_RELEASED), AnswerReleased, "classify-risk", "ledger"),
    Link(s.wildcard(s.ANSWER_RELEASED), AnswerReleased, "gateway", "ledger"),
    Link(s.wildcard(s.REVIEW_REQUESTED), ReviewRequested, "classify-risk", "ledger"),
    Link(s.wildcard(s.QUERY_FAILED), QueryFailed, "ledger", "ledger"),
    Link(s.wildcard(s.QUERY_FAILED), QueryFailed, "ledger", "gateway", "outcome"),
    Link(s.deadletter(s.QUERY_RECEIVED), QueryReceived, "translate", "ledger"),
    Link(s.deadletter(s.QUERY_TRANSLATED), QueryTranslated, "retrieve", "ledger"),
    Link(s.deadletter(s.CONTEXT_RETRIEVED), ContextRetrieved, "generate", "ledger"),
    Link(s.deadletter(s.ANSWER_GENERATED), AnswerGenerated, "classify-risk", "ledger"),
    Link(s.deadletter(s.wildcard(s.REVIEW_REQUESTED)), ReviewRequested, "review", "ledger"),
)

EVENT_TYPES: tuple[type[Event], ...] = (
    DocumentUploaded,
    DocumentIndexed,
    DocumentFailed,
    DocumentDeletionRequested,
    DocumentDeleted,
    QueryReceived,
    QueryTranslated,
    ContextRetrieved,
    AnswerGenerated,
    AnswerReleased,
    ReviewRequested,
    QueryFailed,
)
