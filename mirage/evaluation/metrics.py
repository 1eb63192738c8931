"""Ranking metrics over graded relevance judgements, as BEIR and TREC compute them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

Ranking = Sequence[str]
Judgements = Mapping[str, int]


def dcg(gains: Sequence[float]) -> float:
    return sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains))


def ndcg_at(ranking: Ranking, relevant: Judgements, k: int) -> float:
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg([relevant.get(doc, 0) for doc in ranking[:k]]) / ideal if ideal else 0.0


def recall_at(ranking: Ranking, relevant: Judgements, k: int) -> float:
    return len(set(ranking[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def reciprocal_rank_at(ranking: Ranking, relevant: Judgements, k: int) -> float:
    return next((1.0 / (rank + 1) for rank, doc in enumerate(ranking[:k]) if doc in relevant), 0.0)


def evaluate(rankings: Mapping[str, Ranking], qrels: Mapping[str, Judgements]) -> dict[str, float]:
    """Mean nDCG@10, recall@10, recall@100 and MRR@10 over the judged queries (a query with no ranking scores 0)."""
    judged = [q for q in qrels if qrels[q]]
    if not judged:
        raise ValueError("no judged queries")
    per_metric = {
        "ndcg@10": lambda r, j: ndcg_at(r, j, 10),
        "recall@10": lambda r, j: recall_at(r, j, 10),
        "recall@100": lambda r, j: recall_at(r, j, 100),
        "mrr@10": lambda r, j: reciprocal_rank_at(r, j, 10),
    }
    return {name: sum(f(rankings.get(q, ()), qrels[q]) for q in judged) / len(judged) for name, f in per_metric.items()}
