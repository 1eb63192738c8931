"""Every subject name, in one place."""

DOCUMENT_UPLOADED = "mirage.document.uploaded"
DOCUMENT_INDEXED = "mirage.document.indexed"
DOCUMENT_FAILED = "mirage.document.failed"
DOCUMENT_DELETE_REQUESTED = "mirage.document.delete_requested"
DOCUMENT_DELETED = "mirage.document.deleted"

SEARCH = "mirage.retrieve.search"

REINDEX_REQUESTED = "mirage.index.requested"
REINDEX_PROGRESSED = "mirage.index.progressed"
REINDEX_FINISHED = "mirage.index.finished"


def for_reindex(subject: str, reindex_id: str) -> str:
    """Progress and outcome subjects end with the re-index id, so the operator's command follows exactly one."""
    return f"{subject}.{reindex_id}"

DEADLETTER_PREFIX = "mirage.deadletter"


def for_document(subject: str, document_id: str) -> str:
    """Outcome subjects end with the document id, so a waiter can listen for exactly one."""
    return f"{subject}.{document_id}"


def document_outcomes(document_id: str) -> str:
    """Every outcome of one document (indexed, failed, deleted), for a waiter."""
    return f"mirage.document.*.{document_id}"


def wildcard(subject: str) -> str:
    return f"{subject}.*"


def deadletter(subject: str) -> str:
    return f"{DEADLETTER_PREFIX}.{subject.removeprefix('mirage.')}"

QUERY_RECEIVED = "mirage.query.received"
QUERY_TRANSLATED = "mirage.query.translated"
CONTEXT_RETRIEVED = "mirage.query.retrieved"
ANSWER_GENERATED = "mirage.answer.generated"
ANSWER_RELEASED = "mirage.answer.released"
REVIEW_REQUESTED = "mirage.review.requested"
REVIEW_CLAIMED = "mirage.review.claimed"
REVIEW_ESCALATED = "mirage.review.escalated"
REVIEW_DECIDED = "mirage.review.decided"
ANSWER_REJECTED = "mirage.answer.rejected"
QUERY_FAILED = "mirage.query.failed"

REVIEW_DESK = "mirage.reviewing.command"
"""Request/reply: claims, releases and verdicts, answered by the review worker (not captured by a stream)."""

AUDIT_PREFIX = "mirage.audit"


def for_query(subject: str, query_id: str) -> str:
    """Outcome subjects of a question end with its id, so the gateway can wait for exactly one."""
    return f"{subject}.{query_id}"


def query_outcomes(query_id: str, *, parked: bool = True) -> list[str]:
    """The outcomes of one question a waiter listens for: released, rejected, failed, and parked for review unless
    only a final one will do."""
    kinds = (ANSWER_RELEASED, ANSWER_REJECTED, QUERY_FAILED, *((REVIEW_REQUESTED,) if parked else ()))
    return [for_query(kind, query_id) for kind in kinds]


OUTCOMES = {
    DOCUMENT_INDEXED: "indexed", DOCUMENT_FAILED: "failed", DOCUMENT_DELETED: "deleted",
    ANSWER_RELEASED: "released", REVIEW_REQUESTED: "parked", ANSWER_REJECTED: "rejected", QUERY_FAILED: "failed",
}


def outcome_kind(subject: str) -> str | None:
    """"indexed", "failed", "deleted", "released" or "parked" for an outcome subject (`<outcome>.<id>`), else None."""
    return OUTCOMES.get(subject.rpartition(".")[0])
