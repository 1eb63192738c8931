"""What the dashboard page shows, in one answer: documents, ingestion, questions per minute and their latency, the answer
cache, the review queue, dead letters and each dependency's health; read from what the gateway already has."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from contracts import topology
from gateway.activity import Activity
from gateway.health import check_health
from gateway.review import Reviews
from gateway.stats import document_stats
from runtime.process import Runtime


class LanguageFigures(BaseModel):
    documents: int
    chunks: int


class DocumentFigures(BaseModel):
    documents: int = Field(description="Documents indexed, processing or failed (deleted ones aside).")
    chunks: int
    by_language: dict[str, LanguageFigures] = Field(description="Documents and chunks per language.")
    processing: int = Field(description="Uploads not indexed yet (ingestion in progress).")
    failed: int = Field(description="Uploads that could not be indexed (`GET /documents?status=failed` lists them).")
    last_indexed_at: datetime | None


class Minute(BaseModel):
    minute: datetime = Field(description="Start of the minute (UTC).")
    answered: int = Field(description="Answers released at once (answer cache hits included).")
    held: int = Field(description="Answers held for human review.")
    failed: int = Field(description="Questions that could not be answered.")
    still_working: int = Field(description="Questions still in the chain when the gateway stopped waiting (202).")
    latency_p50_ms: float | None = Field(description="Question to outcome through the whole chain (cache hits aside), estimated "
                                                     "from mirage_query_seconds' buckets.")
    latency_p95_ms: float | None
    latency_mean_ms: float | None
    cache_hits: int
    cache_lookups: int


class QuestionFigures(BaseModel):
    since: datetime = Field(description="When this gateway started counting (its figures are its own: a replica counts its own).")
    minutes: list[Minute] = Field(description="Each minute since then, the last 30 at most, oldest first; the last one is running.")
    last_5_minutes: Minute = Field(description="The last five minutes added up (the running one included), latency over all of "
                                               "their questions; `minute` is the first one's start.")
    cache_hit_rate: float | None = Field(description="Answer cache hits per lookup since the start (None: no lookup yet).")


class ReviewQueue(BaseModel):
    open: int = Field(description="Cases waiting for a verdict (pending, claimed or escalated).")
    open_by_level: dict[str, int]
    oldest_open_age_s: int | None
    deadlines_breached: int
    reviewers_active: list[str]


class ConsumerBacklog(BaseModel):
    consumer: str
    pending: int = Field(description="Messages not delivered yet.")
    ack_pending: int = Field(description="Delivered, not acknowledged yet (being handled, or stuck).")
    redelivered: int


class Dependency(BaseModel):
    name: str
    state: str = Field(description="up, down, degraded or not_configured.")
    detail: str | None = None


class DashboardData(BaseModel):
    generated_at: datetime
    status: str = Field(description="ok, or degraded when a dependency is down (as GET /health says).")
    documents: DocumentFigures | None = Field(description="None when the figures bucket did not answer.")
    questions: QuestionFigures
    review: ReviewQueue | None = Field(description="None when the reviews bucket did not answer.")
    dead_letters: int | None = Field(description="Messages the workers gave up on (`mirage dead-letters` lists them).")
    dead_letters_by_subject: dict[str, int] = Field(description="The dead letters by the subject they were given up on.")
    dependencies: list[Dependency]
    consumers: list[ConsumerBacklog]


async def dashboard_data(runtime: Runtime, reviews: Reviews, activity: Activity) -> DashboardData:
    stats, health, queue, dead = await asyncio.gather(
        document_figures(runtime), check_health(runtime), review_queue(reviews), dead_letters_by_subject(runtime))
    jetstream = health["dependencies"]["jetstream"]
    return DashboardData(
        generated_at=datetime.now(UTC), status=health["status"], documents=stats,
        questions=questions(activity), review=queue, dead_letters=jetstream.get("dead_letters"), dead_letters_by_subject=dead,
        dependencies=dependencies(health["dependencies"]),
        consumers=[ConsumerBacklog(consumer=name, **backlog) for name, backlog in jetstream.get("consumers", {}).items()],
    )


async def document_figures(runtime: Runtime) -> DocumentFigures | None:
    try:
        figures = await runtime.document_figures.get()
    except Exception:  # NATS is down: the page says so (dependencies) and shows every other figure it has
        return None
    return documents(document_stats(figures))


def documents(stats: dict[str, Any]) -> DocumentFigures:
    languages = stats["languages"]
    names = sorted(set(languages["documents"]) | set(languages["chunks"]))
    return DocumentFigures(
        documents=stats["documents"], chunks=stats["chunks"],
        by_language={name: LanguageFigures(documents=languages["documents"].get(name, 0), chunks=languages["chunks"].get(name, 0))
                     for name in names},
        processing=stats["by_status"].get("processing", 0), failed=stats["by_status"].get("failed", 0),
        last_indexed_at=stats["last_indexed_at"],
    )


def questions(activity: Activity) -> QuestionFigures:
    since = activity.since_start()
    return QuestionFigures(
        since=datetime.fromtimestamp(since["since"], UTC), minutes=[minute(m) for m in activity.minutes()],
        last_5_minutes=minute(activity.recent(5)),
        cache_hit_rate=round(since["cache_hits"] / since["cache_lookups"], 3) if since["cache_lookups"] else None,
    )


def minute(figures: dict[str, Any]) -> Minute:
    return Minute(**(figures | {"minute": datetime.fromtimestamp(figures["minute"], UTC)}))


async def review_queue(reviews: Reviews) -> ReviewQueue | None:
    try:
        status = await reviews.status()
    except Exception:  # the page shows the queue as unknown; the dependencies say why
        return None
    return ReviewQueue(open=status["open"], open_by_level=status["open_by_level"], oldest_open_age_s=status["oldest_open_age_s"],
                       deadlines_breached=status["deadlines_breached"], reviewers_active=status["reviewers_active"])


async def dead_letters_by_subject(runtime: Runtime) -> dict[str, int]:
    try:
        info = await runtime.broker.connection.jetstream().stream_info(topology.DEADLETTER.name, subjects_filter=">")
    except Exception:  # counted (or reported down) by the health check
        return {}
    return dict(sorted((info.state.subjects or {}).items()))


def dependencies(deps: dict[str, Any]) -> list[Dependency]:
    """The health check's dependencies in words, in the order an operator looks at them (one it adds later shows too)."""
    nats, jetstream, retrieve, redis = deps["nats"], deps["jetstream"], deps["retrieve"], deps["redis"]
    others = [Dependency(name=name, state=dep.get("state", "unknown"), detail=dep.get("error"))
              for name, dep in deps.items() if name not in ("nats", "jetstream", "retrieve", "redis")]
    return [
        Dependency(name="NATS", state=nats["state"], detail=nats.get("server")),
        Dependency(name="JetStream consumers", state=jetstream["state"], detail=jetstream.get("error")),
        Dependency(name="Vector store", state=retrieve["state"],
                   detail=f"a search through the retrieve worker: {retrieve['latency_ms']} ms" if "latency_ms" in retrieve
                   else retrieve.get("error")),
        Dependency(name="Redis", state=redis["state"],
                   detail="in-process caches (REDIS_URL unset)" if redis["state"] == "not_configured" else redis.get("error")),
        *others,
    ]
