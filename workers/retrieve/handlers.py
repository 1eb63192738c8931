"""Retrieve subscribers: search requests from the gateway, and the passages for each question."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

import numpy as np
from faststream.nats import NatsRouter

from adapters.cache import Cache
from adapters.embedders.base import Embedder
from adapters.language import LanguageDetector
from adapters.stores.base import VectorStore
from adapters.stores.lexical import Bm25Encoder
from contracts import subjects, topology
from contracts.envelope import derived_event_id
from contracts.questions import ContextRetrieved, QueryTranslated
from contracts.search import SearchRequest, SearchResponse
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy
from workers.retrieve.search import may_be_english, search


@dataclass(frozen=True)
class RetrieveServices:
    embedder: Embedder
    lexical: Bm25Encoder
    detector: LanguageDetector
    store: VectorStore
    bus: Publisher | None = None
    embeddings: Cache | None = None  # query embeddings; they do not depend on the index, only on the model
    english: Embedder | None = None  # the English model (None: disabled)


EMBEDDING_TTL_S = 7 * 24 * 3600


def build_router(services: RetrieveServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    async def run(request: SearchRequest) -> SearchResponse:
        languages = services.detector.compatible_languages(request.query)  # once: it decides the English side too
        if services.english is not None and may_be_english(languages):
            # Side by side: the multilingual model (one BLAS thread for a question, under MODEL_LOCK) and the
            # English model's int8 session (one thread, outside it). Worth 0-0.5 ms at p95 on sentence-long
            # questions (`mirage bench questions`: 13.6 vs 14.1 ms one run, 7.7 vs 7.8 ms another).
            dense, english = await asyncio.gather(
                query_embedding(services.embedder, request.query), query_embedding(services.english, request.query))
        else:
            dense, english = await query_embedding(services.embedder, request.query), None
        return await asyncio.to_thread(
            search, request, embedder=services.embedder, lexical=services.lexical, detector=services.detector,
            store=services.store, dense=dense, english=services.english, english_dense=english, languages=languages,
        )

    async def query_embedding(model: Embedder, text: str) -> np.ndarray:
        if services.embeddings is None:
            return await asyncio.to_thread(model.embed_query, text)
        key = hashlib.sha256(f"{model.name}\n{text}".encode()).hexdigest()
        if (cached := await services.embeddings.get(key)) is not None:
            return np.frombuffer(cached, dtype=np.float32)
        vector = np.asarray(await asyncio.to_thread(model.embed_query, text), dtype=np.float32)
        await services.embeddings.set(key, vector.tobytes(), EMBEDDING_TTL_S)
        return vector

    @router.subscriber(topology.SEARCH.subject, queue=topology.SEARCH.queue)
    async def answer_search(request: SearchRequest) -> SearchResponse:
        return await run(request)

    @router.subscriber(topology.RETRIEVE.filter_subject, **policy.subscriber_kwargs(topology.RETRIEVE, concurrency=8))
    async def retrieve_context(event: QueryTranslated) -> None:
        found = await run(SearchRequest(query=event.search_query, top_k=event.top_k, filters=event.filters))
        retrieved = ContextRetrieved(
            **event.model_dump(exclude={"event_id", "causation_id", "occurred_at"}),
            event_id=derived_event_id(event.event_id, "retrieved"), causation_id=event.event_id, passages=found.results,
        )
        await services.bus.publish(retrieved, subjects.CONTEXT_RETRIEVED)

    return router
