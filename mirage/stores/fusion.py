"""Language-aware score fusion of the dense and BM25 hit lists, the same for every backend."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple

from mirage.stores.base import LANGUAGE, Hit


class Weights(NamedTuple):
    dense: float
    bm25: float


# Tuned on the dev sets (docs/BENCHMARKS.md): words decide within a language, meaning decides across languages.
SAME_LANGUAGE = Weights(dense=0.1, bm25=0.9)
CROSS_LANGUAGE = Weights(dense=0.9, bm25=0.1)


def candidate_depth(limit: int) -> int:
    """How many hits each list contributes to a fusion that returns `limit`."""
    return max(limit * 4, 40)


def weights_for(hit: Hit, query_languages: frozenset[str]) -> Weights:
    """Same-language weights unless both the chunk's and the query's languages are known and differ."""
    language = hit.payload.get(LANGUAGE)
    if not language or not query_languages or language in query_languages:
        return SAME_LANGUAGE
    return CROSS_LANGUAGE


def fuse(dense: Sequence[Hit], bm25: Sequence[Hit], query_languages: frozenset[str], *, limit: int) -> list[Hit]:
    """The top `limit` hits by `w_dense * dense/max(dense) + w_bm25 * bm25/max(bm25)`, that sum as their score.

    A hit missing from one list gets 0 there; a list whose best score is not positive adds nothing. Equal
    scores (common among BM25-only hits) are ordered by chunk id, so that every backend agrees. Without
    BM25 hits the dense list is returned as it came (cosine scores): language weights alone would only
    reorder it.
    """
    if not bm25:
        return [replace(hit, similarity=hit.score) for hit in dense[:limit]]
    fused: dict[str, float] = {}
    hits: dict[str, Hit] = {}

    def add(hit: Hit, share: float) -> None:
        hits.setdefault(hit.id, hit)
        fused[hit.id] = fused.get(hit.id, 0.0) + share

    for hit, score in _normalised(dense):
        add(hit, weights_for(hit, query_languages).dense * score)
    for hit, score in _normalised(bm25):
        add(hit, weights_for(hit, query_languages).bm25 * score)
    ranked = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id))
    similarity = {hit.id: hit.score for hit in dense}
    return [replace(hits[chunk_id], score=fused[chunk_id], similarity=similarity.get(chunk_id)) for chunk_id in ranked[:limit]]


def _normalised(hits: Sequence[Hit]) -> list[tuple[Hit, float]]:
    best = max((h.score for h in hits), default=0.0)
    return [(h, h.score / best if best > 0 else 0.0) for h in hits]
