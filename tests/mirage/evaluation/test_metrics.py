"""Ranking metrics on hand-computed examples."""

from __future__ import annotations

import math

import pytest

from mirage.evaluation.metrics import evaluate, ndcg_at, recall_at, reciprocal_rank_at


def test_ndcg_by_hand() -> None:
    relevant = {"a": 1, "b": 1}
    # relevant at ranks 1 and 3: DCG = 1/log2(2) + 1/log2(4) = 1.5; ideal = 1 + 1/log2(3)
    assert ndcg_at(["a", "x", "b"], relevant, 10) == pytest.approx(1.5 / (1 + 1 / math.log2(3)))
    assert ndcg_at(["a", "b"], relevant, 10) == pytest.approx(1.0)
    assert ndcg_at(["x", "y"], relevant, 10) == 0.0


def test_graded_relevance_weighs_higher_grades() -> None:
    relevant = {"a": 2, "b": 1}
    better, worse = ndcg_at(["a", "b"], relevant, 10), ndcg_at(["b", "a"], relevant, 10)
    assert better == pytest.approx(1.0) and worse == pytest.approx((1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3)))


def test_cutoffs_are_respected() -> None:
    ranking = [f"x{i}" for i in range(10)] + ["a"]
    assert recall_at(ranking, {"a": 1}, 10) == 0.0 and recall_at(ranking, {"a": 1}, 100) == 1.0
    assert reciprocal_rank_at(["x", "a"], {"a": 1}, 10) == 0.5 and reciprocal_rank_at(ranking, {"a": 1}, 10) == 0.0
    assert recall_at(["a", "c"], {"a": 1, "b": 1}, 10) == 0.5


def test_mean_over_judged_queries_counts_missing_rankings_as_zero() -> None:
    scores = evaluate({"q1": ["a"]}, {"q1": {"a": 1}, "q2": {"b": 1}})
    assert scores == {"ndcg@10": 0.5, "recall@10": 0.5, "recall@100": 0.5, "mrr@10": 0.5}
    with pytest.raises(ValueError):
        evaluate({}, {})
