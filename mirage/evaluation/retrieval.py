"""`mirage eval retrieval`: index a BEIR set through the real ingest path, query it through the real search path."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from adapters.formats import DocumentFormat
from contracts import topology
from contracts.search import SearchRequest
from gateway.documents import Documents
from mirage.embedded import private_pipeline
from mirage.evaluation.beir import BeirDocument, BeirSet
from mirage.evaluation.metrics import evaluate
from runtime.messaging import wait_until_drained
from runtime.process import Components
from runtime.settings import Settings

Progress = Callable[[int], None]
SEARCH_DEPTH = 100


@dataclass(frozen=True)
class RetrievalReport:
    dataset: str
    queries: int
    documents: int
    chunks: int
    metrics: dict[str, float]
    index_seconds: float
    documents_per_second: float
    search_p50_ms: float
    search_p95_ms: float
    embedder: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def document_bytes(doc: BeirDocument) -> bytes:
    return (f"{doc.title}\n\n{doc.text}" if doc.title else doc.text).encode()


async def upload_corpus(documents: Documents, corpus: list[BeirDocument], progress: Progress, concurrency: int = 32) -> dict[str, list[str]]:
    """Upload every document, `concurrency` at a time, each answered once searchable; document id → BEIR ids."""
    owners: dict[str, list[str]] = {}
    gate = asyncio.Semaphore(concurrency)

    async def one(doc: BeirDocument) -> None:
        async with gate:
            status, body = await documents.upload(document_bytes(doc), f"{doc.id}.txt", DocumentFormat.txt, {"beir_id": doc.id})
        if status not in (200, 201):
            raise RuntimeError(f"document {doc.id} was not indexed in time: {body}")
        owners.setdefault(body["document_id"], []).append(doc.id)
        progress(1)

    await asyncio.gather(*(one(doc) for doc in corpus if doc.text.strip() or doc.title.strip()))
    return owners


async def rank(documents: Documents, query: str, owners: dict[str, list[str]]) -> tuple[list[str], float]:
    started = time.perf_counter()
    response = await documents.search(SearchRequest(query=query, top_k=SEARCH_DEPTH))
    elapsed = time.perf_counter() - started
    ranking: list[str] = []
    for hit in response.results:
        for beir_id in owners.get(hit.document_id, []):
            if beir_id not in ranking:
                ranking.append(beir_id)
    return ranking, elapsed


async def run_retrieval_eval(
    dataset: BeirSet, settings: Settings | None = None, components: Components | None = None,
    on_indexed: Progress = lambda n: None, on_searched: Progress = lambda n: None,
) -> RetrievalReport:
    with tempfile.TemporaryDirectory(prefix="mirage-eval-") as scratch:
        settings = (settings or Settings()).model_copy(update={"data_dir": Path(scratch), "upload_wait_s": 600.0, "nats_url": None})
        async with private_pipeline(settings, components=components) as runtime:
            documents = Documents(runtime)
            started = time.perf_counter()
            owners = await upload_corpus(documents, dataset.corpus, on_indexed)
            # searchable now; the English model's vectors may still be on their way
            await wait_until_drained(runtime.broker.connection.jetstream(), topology.INGEST, timeout_s=3600)
            index_seconds = time.perf_counter() - started
            rankings, latencies = {}, []
            for query_id, text in dataset.queries.items():
                rankings[query_id], elapsed = await rank(documents, text, owners)
                latencies.append(elapsed * 1000)
                on_searched(1)
            chunks = runtime.components.store.count()
            english = runtime.components.english_embedder
            embedder = runtime.components.embedder.name + (f" + {english.name} (English)" if english else "")
    return RetrievalReport(
        dataset=dataset.name, queries=len(dataset.queries), documents=len(owners), chunks=chunks,
        metrics={k: round(v, 4) for k, v in evaluate(rankings, dataset.qrels).items()},
        index_seconds=round(index_seconds, 2), documents_per_second=round(len(owners) / index_seconds, 1),
        search_p50_ms=round(float(np.percentile(latencies, 50)), 2), search_p95_ms=round(float(np.percentile(latencies, 95)), 2),
        embedder=embedder,
    )
