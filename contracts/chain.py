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
from contracts.index import ReindexFinished, ReindexProgressed, ReindexRequested
from contracts.questions import (
    AnswerGenerated,
    AnswerRejected,
    AnswerReleased,
    ContextRetrieved,
    QueryFailed,
    QueryReceived,
    QueryTranslated,
    ReviewRequested,
)
from contracts.review import ReviewClaimed, ReviewCommand, ReviewDecided, ReviewEscalated
from contracts.search import SearchRequest

WORKERS: tuple[str, ...] = ("ingest", "catalog", "translate", "retrieve", "generate", "classify-risk", "review", "ledger", "audit")
"""Every worker, by the name `mirage worker NAME` and the chain table use."""


@dataclass(frozen=True)
class Link:
    subject: str
    message: type
    publisher: str
    consumer: str
    kind: Literal["stream", "request", "outcome"] = "stream"  # outcome: followed by a waiter (gateway, operator), not a worker


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
    Link(s.REINDEX_REQUESTED, ReindexRequested, "operator", "ingest"),
    Link(s.wildcard(s.REINDEX_PROGRESSED), ReindexProgressed, "ingest", "operator", "outcome"),
    Link(s.wildcard(s.REINDEX_FINISHED), ReindexFinished, "ingest", "operator", "outcome"),
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
    Link(s.REVIEW_DESK, ReviewCommand, "gateway", "review", "request"),
    Link(s.wildcard(s.REVIEW_CLAIMED), ReviewClaimed, "review", "review"),
    Link(s.wildcard(s.REVIEW_ESCALATED), ReviewEscalated, "review", "review"),
    Link(s.wildcard(s.REVIEW_DECIDED), ReviewDecided, "review", "review"),
    Link(s.wildcard(s.ANSWER_RELEASED), AnswerReleased, "review", "ledger"),
    Link(s.wildcard(s.ANSWER_REJECTED), AnswerRejected, "review", "ledger"),
    Link(s.wildcard(s.ANSWER_REJECTED), AnswerRejected, "review", "gateway", "outcome"),
    Link(s.wildcard(s.REVIEW_REQUESTED), ReviewRequested, "classify-risk", "audit"),
    Link(s.wildcard(s.REVIEW_CLAIMED), ReviewClaimed, "review", "audit"),
    Link(s.wildcard(s.REVIEW_ESCALATED), ReviewEscalated, "review", "audit"),
    Link(s.wildcard(s.REVIEW_DECIDED), ReviewDecided, "review", "audit"),
    Link(s.wildcard(s.ANSWER_RELEASED), AnswerReleased, "classify-risk", "audit"),
    Link(s.wildcard(s.ANSWER_REJECTED), AnswerRejected, "review", "audit"),
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
    ReviewClaimed,
    ReviewEscalated,
    ReviewDecided,
    AnswerRejected,
    ReindexRequested,
    ReindexProgressed,
    ReindexFinished,
)
