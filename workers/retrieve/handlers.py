"""Retrieve subscribers: answer search requests from the gateway."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from faststream.nats import NatsRouter

from contracts import topology
from contracts.search import SearchRequest, SearchResponse
from mirage.embedders.base import Embedder
from mirage.language import LanguageDetector
from mirage.stores.base import VectorStore
from mirage.stores.lexical import Bm25Encoder
from workers.retrieve.search import search


@dataclass(frozen=True)
class RetrieveServices:
    embedder: Embedder
    lexical: Bm25Encoder
    detector: LanguageDetector
    store: VectorStore


def build_router(services: RetrieveServices) -> NatsRouter:
    router = NatsRouter()

    @router.subscriber(topology.SEARCH.subject, queue=topology.SEARCH.queue)
    async def answer_search(request: SearchRequest) -> SearchResponse:
        return await asyncio.to_thread(
            search, request, embedder=services.embedder, lexical=services.lexical, detector=services.detector,
            store=services.store,
        )

    return router
