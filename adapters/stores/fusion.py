"""Language-aware score fusion of the dense, English and BM25 hit lists, the same for every backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import NamedTuple

from adapters.stores._shared import DENSE, ENGLISH, SPARSE
from adapters.stores.base import LANGUAGE, Hit


class Weights(NamedTuple):
    dense: float
    bm25: float
    english: float = 0.0

    def of(self, name: str) -> float:
        return getattr(self, _FIELDS[name])


_FIELDS = {DENSE: "dense", SPARSE: "bm25", ENGLISH: "english"}


# Tuned on the dev sets (docs/BENCHMARKS.md): words decide within a language, meaning decides across
# languages, and within English the English model shares the say with the words.
SAME_LANGUAGE = Weights(dense=0.1, bm25=0.9)
ENGLISH_SAME_LANGUAGE = Weights(dense=0.0, bm25=0.5, english=0.5)
CROSS_LANGUAGE = Weights(dense=0.9, bm25=0.1)


def candidate_depth(limit: int) -> int:
    """How many hits each list contributes to a fusion that returns `limit`."""
    return max(limit * 4, 40)


def weights_for(hit: Hit, query_languages: frozenset[str], *, english: bool = False) -> Weights:
    """Same-language weights unless the query's languages are known and the chunk's is not among them; the
    English ones for an English chunk when the query was embedded by the English model too (`english`).

    A chunk of unknown language (a run of terms with no common words, "JAK1 pseudokinase") counts as
    English: medical terms mostly are. Counting it as every language's instead cost FR→EN recall@10
    0.998 → 0.988 (docs/BENCHMARKS.md).
    """
    language = hit.payload.get(LANGUAGE) or "en"
    if not query_languages or language in query_languages:
        return ENGLISH_SAME_LANGUAGE if english and language == "en" else SAME_LANGUAGE
    return CROSS_LANGUAGE


def fuse(lists: Mapping[str, Sequence[Hit]], query_languages: frozenset[str], *, limit: int) -> list[Hit]:
    """The top `limit` hits by the weighted sum of each list's scores divided by that list's best score.

    `lists` maps a vector name (DENSE, SPARSE, ENGLISH) to its hits. A hit missing from a list gets 0
    there; a list whose best score is not positive adds nothing. Equal scores (common among BM25-only
    hits) are ordered by chunk id, so that every backend agrees. With the dense list alone it is returned
    as it came (cosine scores): language weights alone would only reorder it.
    """
    dense = lists.get(DENSE, ())
    if not any(lists.get(name) for name in (SPARSE, ENGLISH)):
        return [replace(hit, similarity=hit.score) for hit in dense[:limit]]
    english = bool(lists.get(ENGLISH))
    fused: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for name, found in lists.items():
        for hit, score in _normalised(found):
            hits.setdefault(hit.id, hit)
            fused[hit.id] = fused.get(hit.id, 0.0) + weights_for(hit, query_languages, english=english).of(name) * score
    ranked = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id))
    similarity = {hit.id: hit.score for hit in dense}
    return [replace(hits[chunk_id], score=fused[chunk_id], similarity=similarity.get(chunk_id)) for chunk_id in ranked[:limit]]


def _normalised(hits: Sequence[Hit]) -> list[tuple[Hit, float]]:
    best = max((h.score for h in hits), default=0.0)
    return [(h, h.score / best if best > 0 else 0.0) for h in hits]
