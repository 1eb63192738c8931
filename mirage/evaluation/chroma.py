"""The same chunks and embeddings in ChromaDB (what the original runbook used), measured side by side."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

BATCH = 5000


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
                        edge_dense_top: list[list[int]] | None = None) -> dict[str, Any]:
    """Index time, search latency and recall@10 against exact nearest neighbours, for ChromaDB's HNSW."""
    collection = chroma_collection(path)
    started = time.perf_counter()
    for start in range(0, len(texts), BATCH):
        end = min(start + BATCH, len(texts))
        collection.add(ids=[str(i) for i in range(start, end)], embeddings=dense[start:end], documents=texts[start:end])
    index_seconds = time.perf_counter() - started
    latencies, found = [], []
    for vector in query_vectors:
        started = time.perf_counter()
        result = collection.query(query_embeddings=vector[None, :], n_results=10)
        latencies.append((time.perf_counter() - started) * 1000)
        found.append([int(i) for i in result["ids"][0]])
    exact = exact_top(query_vectors, dense, 10)
    report = {
        "index_seconds": round(index_seconds, 2),
        **{f"search_{k}": v for k, v in _percentiles(latencies).items()},
        "dense_recall_at_10_vs_exact": round(recall_against(exact, found), 4),
    }
    if edge_dense_top is not None:
        report["mirage_dense_recall_at_10_vs_exact"] = round(recall_against(exact, edge_dense_top), 4)
    return report


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    return {f"p{p}_ms": round(float(np.percentile(samples_ms, p)), 2) for p in (50, 95)}
