"""Hybrid search: tell the query's possible languages, embed it both ways, let the store fuse, shape the hits."""

from __future__ import annotations

import time

import numpy as np

from adapters.embedders.base import Embedder
from adapters.language import LanguageDetector
from adapters.stores.base import Hit, QueryVectors, VectorStore
from adapters.stores.lexical import Bm25Encoder
from contracts.search import SearchHit, SearchRequest, SearchResponse


def to_search_hit(hit: Hit) -> SearchHit:
    p = hit.payload
    return SearchHit(
        chunk_id=hit.id, score=hit.score, similarity=hit.similarity, text=p.get("text", ""), document_id=p.get("document_id", ""),
        title=p.get("title"), filename=p.get("filename"), page=p.get("page"), heading=p.get("heading"),
        language=p.get("language"), metadata=p.get("meta") or {},
    )


def may_be_english(languages: frozenset[str]) -> bool:
    return "en" in languages or not languages


def search(
    request: SearchRequest, *, embedder: Embedder, lexical: Bm25Encoder, detector: LanguageDetector, store: VectorStore,
    dense: np.ndarray | None = None, english: Embedder | None = None, english_dense: np.ndarray | None = None,
    languages: frozenset[str] | None = None,
) -> SearchResponse:
    """`dense`, `english_dense`, `languages`: the query's embeddings (from the embedding cache) and compatible
    languages when the caller already has them. The English model's embedding is searched only when the
    query may be English."""
    started = time.perf_counter()
    if languages is None:
        languages = detector.compatible_languages(request.query)
    if english is not None and english_dense is None and may_be_english(languages):
        english_dense = english.embed_query(request.query)
    query = QueryVectors(
        dense=embedder.embed_query(request.query) if dense is None else dense,
        sparse=lexical.encode_query(request.query, languages), languages=languages,
        english=english_dense if english is not None and may_be_english(languages) else None,
    )
    hits = store.search(query, limit=request.top_k, filters=request.filters)
    return SearchResponse(
        query=request.query,
        results=[to_search_hit(h) for h in hits],
        took_ms=round((time.perf_counter() - started) * 1000, 3),
    )
