"""Language-aware score fusion of the hit lists of every embedding space and BM25, the same for every backend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from adapters.spaces import PRIMARY, SPACES, Space, Weights
from adapters.stores.base import LANGUAGE, Hit


def candidate_depth(limit: int) -> int:
    """How many hits each list contributes to a fusion that returns `limit`: twice as many (4x read 360 candidates for
    the retrieve worker's 30, and cost a question's p95 ~20 ms at 100k chunks with no change in recall,
    docs/BENCHMARKS.md)."""
    return max(limit * 2, 40)


def weights_for(hit: Hit, query_languages: frozenset[str], searched: Sequence[Space] = (PRIMARY,)) -> Weights:
    """The weights of the last of the `searched` spaces that covers the hit's chunk (`adapters.spaces`): its
    same-language ones unless the query's languages are known and the chunk's is not among them.

    A chunk of unknown language (a run of terms with no common words, "JAK1 pseudokinase") counts as
    English: medical terms mostly are. Counting it as every language's instead cost FR→EN recall@10
    0.998 → 0.988 (docs/BENCHMARKS.md).
    """
    language = hit.payload.get(LANGUAGE)
    space = [s for s in searched if s.chunks(language)][-1]
    same = not query_languages or (language or "en") in query_languages
    return space.same_language if same else space.cross_language


def fuse(lists: Mapping[str, Sequence[Hit]], query_languages: frozenset[str], *, limit: int) -> list[Hit]:
    """The top `limit` hits by the weighted sum of each list's scores divided by that list's best score.

    `lists` maps a vector name (a space's, or BM25's) to its hits. A hit missing from a list gets 0 there; a
    list whose best score is not positive adds nothing; a space whose list is empty has no say. Equal scores
    (common among BM25-only hits) are ordered by chunk id, so that every backend agrees. With the first space's
    list alone it is returned as it came (cosine scores): language weights alone would only reorder it.
    """
    first = lists.get(PRIMARY.name, ())
    if not any(found for name, found in lists.items() if name != PRIMARY.name):
        return [replace(hit, similarity=hit.score) for hit in first[:limit]]
    searched = [PRIMARY] + [space for space in SPACES[1:] if lists.get(space.name)]
    fused: dict[str, float] = {}
    hits: dict[str, Hit] = {}
    for name, found in lists.items():
        for hit, score in _normalised(found):
            hits.setdefault(hit.id, hit)
            fused[hit.id] = fused.get(hit.id, 0.0) + weights_for(hit, query_languages, searched).get(name, 0.0) * score
    ranked = sorted(fused, key=lambda chunk_id: (-fused[chunk_id], chunk_id))
    similarity = {hit.id: hit.score for hit in first}
    return [replace(hits[chunk_id], score=fused[chunk_id], similarity=similarity.get(chunk_id)) for chunk_id in ranked[:limit]]


def _normalised(hits: Sequence[Hit]) -> list[tuple[Hit, float]]:
    best = max((h.score for h in hits), default=0.0)
    return [(h, h.score / best if best > 0 else 0.0) for h in hits]
