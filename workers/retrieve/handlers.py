"""Retrieve subscribers: search requests from the gateway, and the passages for each question."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from faststream.nats import NatsRouter

from adapters.cache import Cache
from adapters.embedders.base import Embedder
from adapters.language import LanguageDetector
from adapters.spaces import for_question
from adapters.stores.base import VectorStore
from adapters.stores.lexical import Bm25Encoder
from contracts import subjects, topology
from contracts.questions import ContextRetrieved, QueryTranslated
from contracts.search import SearchRequest, SearchResponse
from runtime.bus import Publisher
from runtime.delivery import DeliveryPolicy
from workers.retrieve.search import search


@dataclass(frozen=True)
class RetrieveServices:
    embedders: Mapping[str, Embedder]  # the model of each enabled embedding space, by space name (adapters.spaces)
    lexical: Bm25Encoder
    detector: LanguageDetector
    store: VectorStore
    bus: Publisher | None = None
    embeddings: Cache | None = None  # query embeddings; they do not depend on the index, only on the model


EMBEDDING_TTL_S = 7 * 24 * 3600


async def search_documents(request: SearchRequest, services: RetrieveServices) -> SearchResponse:
    languages = services.detector.compatible_languages(request.query)  # once: it decides the spaces searched too
    spaces = for_question(languages, services.embedders)
    # Side by side: the multilingual model (one BLAS thread for a question, under MODEL_LOCK) and the English
    # model's int8 session (one thread, outside it); measured in docs/BENCHMARKS.md (`mirage bench questions`).
    vectors = await asyncio.gather(*(
        query_embedding(services.embedders[space.name], space.reads(request.query, languages), services.embeddings) for space in spaces))
    return await asyncio.to_thread(
        search, request, embedders=services.embedders, lexical=services.lexical, detector=services.detector,
        store=services.store, dense={space.name: vector for space, vector in zip(spaces, vectors, strict=True)}, languages=languages,
    )


async def query_embedding(model: Embedder, text: str, cache: Cache | None) -> np.ndarray:
    if cache is None:
        return await asyncio.to_thread(model.embed_query, text)
    key = hashlib.sha256(f"{model.name}\n{text}".encode()).hexdigest()
    if (cached := await cache.get(key)) is not None:
        return np.frombuffer(cached, dtype=np.float32)
    vector = np.asarray(await asyncio.to_thread(model.embed_query, text), dtype=np.float32)
    await cache.set(key, vector.tobytes(), EMBEDDING_TTL_S)
    return vector


async def retrieve_context(event: QueryTranslated, services: RetrieveServices) -> None:
    found = await search_documents(SearchRequest(query=event.search_query, top_k=event.top_k, filters=event.filters), services)
    await services.bus.publish(ContextRetrieved.following(event, "retrieved", passages=found.results), subjects.CONTEXT_RETRIEVED)


def build_router(services: RetrieveServices, policy: DeliveryPolicy) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.SEARCH.subject, queue=topology.SEARCH.queue)
    async def on_search(request: SearchRequest) -> SearchResponse:
        found = await search_documents(request, services)
        # the answer units' vectors are for the generator (ContextRetrieved), not for a reader of search results
        return found.model_copy(update={"results": [hit.without_units() for hit in found.results]})

    @router.subscriber(topology.RETRIEVE.filter_subject, **policy.subscriber_kwargs(topology.RETRIEVE, concurrency=8))
    async def on_translated(event: QueryTranslated) -> None:
        await retrieve_context(event, services)

    return router
