"""Wiring shared by every process: connect to NATS, declare the topology, attach workers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from faststream.nats import NatsBroker, NatsRouter
from faststream.nats.opentelemetry import NatsTelemetryMiddleware
from faststream.nats.prometheus import NatsPrometheusMiddleware
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import REGISTRY

from adapters.cache import CountingCache, build_cache
from adapters.embedders import build_embedder
from adapters.embedders.base import Embedder
from adapters.language import LanguageDetector
from adapters.spaces import SPACES
from adapters.stores.base import VectorStore
from adapters.stores.generations import GenerationStore
from adapters.stores.lexical import Bm25Encoder
from contracts import topology
from contracts.questions import QueryRecord
from contracts.review import ApprovedAnswer, ReviewCase
from runtime import telemetry
from runtime.bus import EventBus
from runtime.delivery import DeliveryPolicy
from runtime.generations import follow_generations, generation_store
from runtime.logs import MessageLog
from runtime.messaging import (
    Catalog,
    FiguresStore,
    Records,
    Uploads,
    catalog,
    ensure_topology,
    open_bucket,
    open_catalog,
    open_uploads,
)
from runtime.settings import Settings

log = logging.getLogger(__name__)


class Components:
    """The heavy objects (models, index), built on first use and shared by the workers of one process."""

    def __init__(self, settings: Settings, *, embedder: Embedder | None = None, detector: LanguageDetector | None = None,
                 store: VectorStore | None = None, english: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder, self._detector, self._store = embedder, detector, store
        self._english = english
        self._lexical: Bm25Encoder | None = None
        self._caches: dict[str, CountingCache] = {}

    def cache(self, name: str) -> CountingCache:
        """A named cache (answers, embeddings): Redis when REDIS_URL is set, else in-process."""
        if name not in self._caches:
            self._caches[name] = build_cache(self.settings.redis_url, name)
        return self._caches[name]

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            s = self.settings
            self._embedder = build_embedder(s.embedder, threads=s.embedder_threads, cache_dir=s.fastembed_cache,
                                            model_path=s.fastembed_model_path, model_cache=s.model_cache)
        return self._embedder

    @property
    def english_embedder(self) -> Embedder | None:
        """The English model for English chunks and questions; None when MIRAGE_ENGLISH_EMBEDDER=none."""
        if self._english is None and self.settings.english_embedder == "minilm":
            from adapters.embedders.english import EnglishEmbedder

            self._english = EnglishEmbedder(self.settings.model_cache, threads=self.settings.embedder_threads)
        return self._english

    @property
    def embedders(self) -> dict[str, Embedder]:
        """The model of each enabled embedding space (`adapters.spaces.SPACES`), by space name."""
        models = {"multilingual": self.embedder, "english": self.english_embedder}
        return {space.name: models[space.model] for space in SPACES if models[space.model] is not None}

    @property
    def lexical(self) -> Bm25Encoder:
        if self._lexical is None:
            self._lexical = Bm25Encoder()
        return self._lexical

    @property
    def detector(self) -> LanguageDetector:
        if self._detector is None:
            self._detector = LanguageDetector()
        return self._detector

    @property
    def store(self) -> VectorStore:
        if self._store is None:
            self._store = generation_store(self.settings, {name: model.dim for name, model in self.embedders.items()})
        return self._store

    async def close_caches(self) -> None:
        for cache in self._caches.values():
            await cache.close()
        self._caches.clear()

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


@dataclass
class Runtime:
    """One process's connection to the pipeline, and what its workers need."""

    settings: Settings
    broker: NatsBroker
    catalog: Catalog
    uploads: Uploads
    questions: Records[QueryRecord]
    reviews: Records[ReviewCase]
    approved: Records[ApprovedAnswer]
    document_figures: FiguresStore
    question_figures: FiguresStore
    bus: EventBus
    components: Components
    policy: DeliveryPolicy
    tracer_provider: TracerProvider
    workers: list[str] = field(default_factory=list)
    # what workers hold beyond the shared components (LLM clients' connections), released after the broker stops
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # what workers do once connected, before consuming (e.g. totals for a bucket written by an older release)
    starters: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    def on_start(self, start: Callable[[], Awaitable[None]]) -> None:
        self.starters.append(start)

    def include(self, router: NatsRouter) -> None:
        """Add a worker's subscribers, under the delivery policy (retries, heartbeat, dead letters)."""
        self.broker.include_router(router, middlewares=[self.policy.middleware(self.bus.publish_raw)])

    async def stop(self) -> None:
        await self.broker.stop()
        for close in self.closers:
            try:
                await close()
            except Exception:
                log.exception("releasing a worker's resources failed")
        await self.components.close_caches()
        self.components.close()
        self.tracer_provider.shutdown()


# Reconnect for as long as the process lives, every second: a restarted server (or a replaced cluster node) is found
# again, where nats-py's default gives up after 60 attempts and leaves a process that runs but never consumes again.
RECONNECT = {"max_reconnect_attempts": -1, "reconnect_time_wait": 1}
WorkerAttach = Callable[[NatsBroker, "Runtime"], None]


async def start_runtime(
    settings: Settings, nats_url: str, workers: Mapping[str, WorkerAttach], components: Components | None = None,
    tracer_provider: TracerProvider | None = None,
) -> Runtime:
    """Connect, declare streams and buckets, attach the given workers (name -> attach function), start consuming.
    Without a `tracer_provider` (tests, measurements) spans get ids but go nowhere."""
    servers = [url.strip() for url in nats_url.split(",") if url.strip()]
    tracer_provider = tracer_provider or telemetry.tracer_provider("mirage")
    broker = NatsBroker(servers, middlewares=[NatsPrometheusMiddleware(registry=REGISTRY),
                                              NatsTelemetryMiddleware(tracer_provider=tracer_provider)],
                        logger=MessageLog(log, lambda: getattr(broker.context.get_local("message"), "headers", None)),
                        **RECONNECT)
    await broker.connect()
    js = broker.connection.jetstream()
    await ensure_topology(js, settings.jetstream_replicas)
    runtime = Runtime(
        settings=settings, broker=broker, catalog=catalog(await open_catalog(js)), uploads=Uploads(await open_uploads(js)),
        questions=Records(await open_bucket(js, topology.QUESTIONS_BUCKET), QueryRecord, "query_id"),
        reviews=Records(await open_bucket(js, topology.REVIEWS_BUCKET), ReviewCase, "query_id"),
        approved=Records(await open_bucket(js, topology.APPROVED_BUCKET), ApprovedAnswer, "key"),
        document_figures=FiguresStore(figures := await open_bucket(js, topology.FIGURES_BUCKET), topology.CATALOG_BUCKET),
        question_figures=FiguresStore(figures, topology.QUESTIONS_BUCKET),
        bus=EventBus(broker), components=components or Components(settings),
        policy=DeliveryPolicy(max_deliver=settings.max_deliver, ack_wait_s=settings.ack_wait_s),
        workers=list(workers), tracer_provider=tracer_provider,
    )
    for attach in workers.values():
        attach(broker, runtime)
    if isinstance(runtime.components._store, GenerationStore):  # a worker here uses the index: it follows the active generation
        runtime.closers.append(await follow_generations(js, runtime.components._store, settings))
    for start in runtime.starters:
        await start()
    await broker.start()
    return runtime
