"""Streams, durable consumers, buckets and services: the JetStream layout, declared once."""

from __future__ import annotations

from dataclasses import dataclass

from contracts import subjects


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    description: str
    duplicate_window_s: float = 120.0
    append_only: bool = False  # deny delete and purge: an audit trail


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable pull consumer: replicas of a worker share it, so each message is handled once."""

    durable: str
    stream: StreamSpec
    filter_subject: str  # "" when `filter_subjects` names several
    description: str
    long_running: bool = False  # one message may take hours (a re-index): its age alone does not make it stuck
    filter_subjects: tuple[str, ...] = ()
    # in stream order, one batch in hand at a time across every replica (runtime/in_order.py): a projector whose
    # records and running totals must move together exactly once (runtime/projection.py)
    in_order: bool = False

    @property
    def subjects(self) -> tuple[str, ...]:
        return self.filter_subjects or (self.filter_subject,)


@dataclass(frozen=True)
class ServiceSpec:
    """A request-reply endpoint on core NATS; replicas share it through a queue group."""

    subject: str
    queue: str
    description: str


DOCUMENTS = StreamSpec(
    name="MIRAGE_DOCUMENTS",
    subjects=("mirage.document.>",),
    description="Document lifecycle events: uploaded, indexed, failed, deletion requested, deleted.",
)
DEADLETTER = StreamSpec(
    name="MIRAGE_DEADLETTER",
    subjects=(f"{subjects.DEADLETTER_PREFIX}.>",),
    description="Messages a worker gave up on after its last delivery, with the error, for inspection and replay.",
)
QUESTIONS = StreamSpec(
    name="MIRAGE_QUESTIONS",
    subjects=("mirage.query.>", "mirage.answer.>", "mirage.review.>"),
    description="Question lifecycle: received, translated, retrieved, answer generated, released, parked for review, failed.",
)
AUDIT = StreamSpec(
    name="MIRAGE_AUDIT",
    subjects=(f"{subjects.AUDIT_PREFIX}.>",),
    description="The audit trail: one entry per review action and per automatic release, each with the hash of the one before.",
    append_only=True,
)
INDEX = StreamSpec(
    name="MIRAGE_INDEX",
    subjects=("mirage.index.>",),
    description="Operators' re-indexing of the stored documents: requests, progress, outcomes.",
)
STREAMS = (DOCUMENTS, QUESTIONS, DEADLETTER, AUDIT, INDEX)

INGEST = ConsumerSpec(
    durable="ingest",
    stream=DOCUMENTS,
    filter_subject=subjects.DOCUMENT_UPLOADED,
    description="Parse, chunk, embed and index uploaded documents.",
)
INGEST_DELETE = ConsumerSpec(
    durable="ingest-delete",
    stream=DOCUMENTS,
    filter_subject=subjects.DOCUMENT_DELETE_REQUESTED,
    description="Remove a document's chunks, bytes and record.",
)
INGEST_GAVE_UP = ConsumerSpec(
    durable="ingest-gave-up",
    stream=DEADLETTER,
    filter_subject=subjects.deadletter(subjects.DOCUMENT_UPLOADED),
    description="Mark documents failed when indexing was given up after the last delivery.",
)
INGEST_REINDEX = ConsumerSpec(
    durable="ingest-reindex",
    stream=INDEX,
    filter_subject=subjects.REINDEX_REQUESTED,
    description="Re-index the stored documents into a new index generation (or in place) for an operator; never the uploads' consumer.",
    long_running=True,
)
CATALOG = ConsumerSpec(
    durable="catalog", stream=DOCUMENTS, filter_subject="", in_order=True,
    filter_subjects=(subjects.DOCUMENT_UPLOADED, subjects.wildcard(subjects.DOCUMENT_INDEXED),
                     subjects.wildcard(subjects.DOCUMENT_FAILED), subjects.wildcard(subjects.DOCUMENT_DELETED)),
    description="Record documents uploaded, indexed, failed and deleted in the catalog bucket and its figures, in stream order.",
)
TRANSLATE = ConsumerSpec(
    durable="translate", stream=QUESTIONS, filter_subject=subjects.QUERY_RECEIVED,
    description="Detect the question's language, resolve the answer language, prepare the search query.",
)
RETRIEVE = ConsumerSpec(
    durable="retrieve", stream=QUESTIONS, filter_subject=subjects.QUERY_TRANSLATED,
    description="Find the passages that may answer the question.",
)
GENERATE = ConsumerSpec(
    durable="generate", stream=QUESTIONS, filter_subject=subjects.CONTEXT_RETRIEVED,
    description="Draft a cited answer in the answer language.",
)
CLASSIFY_RISK = ConsumerSpec(
    durable="classify-risk", stream=QUESTIONS, filter_subject=subjects.ANSWER_GENERATED,
    description="Assess the risk of question and answer; release the answer or park it for review.",
)
REVIEW_PARK = ConsumerSpec(
    durable="review-park", stream=QUESTIONS, filter_subject=subjects.wildcard(subjects.REVIEW_REQUESTED),
    description="Keep each parked case in the review bucket until a verdict.",
)
REVIEW_CASES = tuple(
    ConsumerSpec(durable=f"review-{name}", stream=QUESTIONS, filter_subject=subjects.wildcard(subject),
                 description=f"Record cases {name} in the review bucket" + ("; release or reject the answer." if name == "decided" else "."))
    for name, subject in (("claimed", subjects.REVIEW_CLAIMED), ("escalated", subjects.REVIEW_ESCALATED),
                          ("decided", subjects.REVIEW_DECIDED))
)
AUDIT_TRAIL = tuple(
    ConsumerSpec(durable=f"audit-{name}", stream=QUESTIONS, filter_subject=subjects.wildcard(subject),
                 description=f"Append an audit entry for every question {name}.")
    for name, subject in (("parked", subjects.REVIEW_REQUESTED), ("claimed", subjects.REVIEW_CLAIMED),
                          ("escalated", subjects.REVIEW_ESCALATED), ("decided", subjects.REVIEW_DECIDED),
                          ("released", subjects.ANSWER_RELEASED), ("rejected", subjects.ANSWER_REJECTED))
)
LEDGER = ConsumerSpec(
    durable="ledger", stream=QUESTIONS, filter_subject="", in_order=True,
    filter_subjects=(subjects.QUERY_RECEIVED, subjects.wildcard(subjects.ANSWER_RELEASED), subjects.wildcard(subjects.REVIEW_REQUESTED),
                     subjects.wildcard(subjects.ANSWER_REJECTED), subjects.wildcard(subjects.QUERY_FAILED)),
    description="Record questions received, released, parked, rejected and failed in the questions bucket and its figures, in stream order.",
)
# A question whose step was given up on fails visibly. The ledger's own outcome subjects are left to
# operators (`mirage dead-letters`): the answer may already have been shown.
QUESTIONS_GAVE_UP = tuple(
    ConsumerSpec(durable=f"gave-up-{name}", stream=DEADLETTER, filter_subject=subjects.deadletter(subject),
                 description=f"Fail questions whose {name} step was given up after the last delivery.")
    for name, subject in (("translate", subjects.QUERY_RECEIVED), ("retrieve", subjects.QUERY_TRANSLATED),
                          ("generate", subjects.CONTEXT_RETRIEVED), ("classify-risk", subjects.ANSWER_GENERATED),
                          ("review", subjects.wildcard(subjects.REVIEW_REQUESTED)))
)
# Durables of earlier releases, deleted when the topology is declared: their work is now their successors'
# (the catalog's and the ledger's one consumer each, which read their streams from the start).
RETIRED_CONSUMERS = (
    *((DOCUMENTS.name, f"catalog-{name}") for name in ("uploaded", "indexed", "failed", "deleted")),
    *((QUESTIONS.name, f"ledger-{name}") for name in ("received", "released", "parked", "rejected", "failed")),
)
CONSUMERS = (INGEST, INGEST_DELETE, INGEST_GAVE_UP, INGEST_REINDEX, CATALOG, TRANSLATE, RETRIEVE, GENERATE, CLASSIFY_RISK, REVIEW_PARK,
             *REVIEW_CASES, LEDGER, *QUESTIONS_GAVE_UP, *AUDIT_TRAIL)

SEARCH = ServiceSpec(
    subject=subjects.SEARCH,
    queue="retrieve",
    description="Hybrid search over indexed chunks.",
)
REVIEW_DESK = ServiceSpec(
    subject=subjects.REVIEW_DESK,
    queue="review",
    description="Claims, claim releases and verdicts on review cases: checked against the case, then published.",
)
SERVICES = (SEARCH, REVIEW_DESK)

CATALOG_BUCKET = "mirage_documents"
QUESTIONS_BUCKET = "mirage_questions"
REVIEWS_BUCKET = "mirage_reviews"
FIGURES_BUCKET = "mirage_figures"
ACCOUNTS_BUCKET = "mirage_accounts"
APPROVED_BUCKET = "mirage_approved"
UPLOADS_BUCKET = "mirage_uploads"
INDEX_BUCKET = "mirage_index"
GENERATIONS_KEY = "generations"


def stream_for(subject: str) -> StreamSpec:
    """The stream that captures a subject (subjects are `mirage.<area>.…`)."""
    for stream in STREAMS:
        if any(subject.startswith(pattern.removesuffix(">")) for pattern in stream.subjects):
            return stream
    raise LookupError(f"no stream captures {subject!r}")
