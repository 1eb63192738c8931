"""The same chunks and embeddings in ChromaDB (what the original runbook used), measured side by side."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 5000
Nearest = Callable[[np.ndarray], list[int]]


def chroma_collection(path: Path):  # noqa: ANN201
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
    except ImportError as exc:
        raise SystemExit("the ChromaDB comparison needs chromadb: pip install -e '.[bench]'") from exc
    client = chromadb.PersistentClient(path=str(path), settings=ChromaSettings(anonymized_telemetry=False))
    return client.create_collection("mirage-bench", embedding_function=None, configuration={"hnsw": {"space": "cosine"}})


def exact_top(query_vectors: np.ndarray, dense: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(query_vectors @ dense.T), axis=1)[:, :k]


def recall_against(exact: np.ndarray, found: list[list[int]]) -> float:
    return float(np.mean([len(set(row) & set(f)) / len(row) for row, f in zip(exact.tolist(), found, strict=True)]))


def compare_with_chroma(texts: list[str], dense: np.ndarray, query_vectors: np.ndarray, path: Path,
                        ours: Mapping[str, Nearest] | None = None) -> dict[str, Any]:
    """Index time, search latency and recall@10 against exact nearest neighbours, for ChromaDB's HNSW and for
    `ours` (name -> a function from a query vector to its 10 nearest chunks, as positions in `texts`).

    Each query goes to ChromaDB and to each of ours in turn, so that a busy moment of the machine falls on
    all of them alike."""
    collection = chroma_collection(path)
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        end = min(start + BATCH, len(texts))
        collection.add(ids=[str(i) for i in range(start, end)], embeddings=dense[start:end], documents=texts[start:end])
    index_seconds = time.perf_counter() - started
    def chroma(vector: np.ndarray) -> list[int]:
        return [int(i) for i in collection.query(query_embeddings=vector[None, :], n_results=10)["ids"][0]]

    searches: dict[str, Nearest] = {"chroma": chroma, **(ours or {})}
    latencies: dict[str, list[float]] = {name: [] for name in searches}
    found: dict[str, list[list[int]]] = {name: [] for name in searches}
    for vector in query_vectors:
        for name, nearest in searches.items():
            started = time.perf_counter()
            found[name].append(nearest(vector))
            latencies[name].append((time.perf_counter() - started) * 1000)
    exact = exact_top(query_vectors, dense, 10)
    report: dict[str, Any] = {
        "index_seconds": round(index_seconds, 2),
        **{f"search_{k}": v for k, v in _percentiles(latencies.pop("chroma")).items()},
        "dense_recall_at_10_vs_exact": round(recall_against(exact, found.pop("chroma")), 4),
    }
    for name, samples in latencies.items():
        report[name] = {**_percentiles(samples), "recall_at_10_vs_exact": round(recall_against(exact, found[name]), 4),
                        "chroma_p50_over_this_p50": round(report["search_p50_ms"] / _percentiles(samples)["p50_ms"], 2)}
    return report


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    return {f"p{p}_ms": round(float(np.percentile(samples_ms, p)), 2) for p in (50, 95)}
