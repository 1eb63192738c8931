"""`mirage bench`: throughput and latency of the real pipeline, with the embedder's raw speed beside it."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from nats.errors import Error as NatsError

from adapters.formats import DocumentFormat
from adapters.spaces import PRIMARY, SPACES
from adapters.unit_vectors import PAYLOAD_KEY as UNITS_KEY
from contracts import topology
from contracts.search import SearchRequest
from gateway.documents import Documents
from mirage.embedded import private_pipeline
from mirage.evaluation.corpus import TextFactory
from runtime.messaging import wait_until_drained
from runtime.process import Components
from runtime.settings import Settings

Progress = Callable[[int], None]


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    if not samples_ms:
        return {}
    values = np.asarray(samples_ms)
    return {f"p{p}_ms": round(float(np.percentile(values, p)), 2) for p in (50, 95, 99)}


def text_document(factory: TextFactory, title: str, sections: int) -> bytes:
    lines = [title, ""]
    for heading, paragraphs in factory.sections(sections):
        lines += [heading, "", *(p + "\n" for p in paragraphs)]
    return "\n".join(lines).encode()


def pdf_document(factory: TextFactory, title: str, pages: int) -> bytes:
    try:
        from fpdf import FPDF
    except ImportError as exc:
        raise SystemExit("the PDF benchmark needs fpdf2: pip install -e '.[bench]'") from exc
    pdf = FPDF()
    pdf.set_title(title)
    for heading, paragraphs in factory.sections(pages, paragraphs=3):
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, heading.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 5, paragraph.encode("latin-1", "replace").decode("latin-1"), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def chunk_texts(components: Components, documents: list[bytes], max_chars: int) -> dict[str, list[str]]:
    """The exact texts the ingest worker embeds for these documents (title and heading included) in each
    enabled space, by space name: all of them in the first, those a space applies to in the others."""
    from contracts.documents import BlobRef, DocumentUploaded
    from workers.ingest.indexing import chunk_for_index

    spaces = [space for space in SPACES if space.name in components.embedders]
    texts: dict[str, list[str]] = {space.name: [] for space in spaces}
    for i, data in enumerate(documents):
        event = DocumentUploaded(correlation_id=str(i), document_id=str(i), filename=f"bulk-{i}.txt", format="txt",
                                 blob=BlobRef(bucket="-", name="-", size=len(data)))
        document = chunk_for_index(data, event, lexical=components.lexical, detector=components.detector, max_chars=max_chars)
        for space in spaces:
            texts[space.name] += document.texts_for(space)
    return texts


def raw_embedder_rate(components: Components, texts: dict[str, list[str]]) -> float:
    """Chunks per second of the embedders alone (each on its space's share), on the texts the pipeline will embed."""
    models = [(components.embedders[name], batch) for name, batch in texts.items()]
    for model, batch in models:
        model.embed_documents(batch[:64])  # warm-up
    started = time.perf_counter()
    for model, batch in models:
        model.embed_documents(batch)
    return len(texts[PRIMARY.name]) / (time.perf_counter() - started)


# As `mirage ingest` does on a 503: an upload whose NATS request timed out (a starved machine: the process's cores
# busy embedding, others' work besides) is sent again. Uploading is idempotent (the id is the bytes' hash; the same
# event again is dropped by JetStream's duplicate window), and the first timeout no longer aborts the whole run.
UPLOAD_TRIES = 5


async def upload_again_on_timeout(gateway: Documents, data: bytes, filename: str, retried: list[int]) -> tuple[int, dict[str, Any]]:
    for attempt in range(UPLOAD_TRIES):
        try:
            return await gateway.upload(data, filename, DocumentFormat.txt, {"type": "bench"})
        except NatsError:
            if attempt == UPLOAD_TRIES - 1:
                raise
            retried.append(1)
            await asyncio.sleep(2.0**attempt)
    raise AssertionError("unreachable")


async def bulk_upload(gateway: Documents, corpus: list[bytes], name: str, on_progress: Progress) -> tuple[int, float, float, int]:
    """Every document uploaded, 64 at a time, until the ingest consumer has nothing left in hand (every space's
    vectors in): the chunks, the seconds until all were searchable, the seconds until all were complete, and the
    uploads sent again after a NATS timeout. A failure stops the other uploads before the pipeline closes (else each
    of them fails too, with ConnectionClosedError, and hides the first)."""
    gate = asyncio.Semaphore(64)
    chunks, retried, counted_later = 0, [], []

    async def upload(data: bytes, index: int) -> None:
        nonlocal chunks
        async with gate:
            status, body = await upload_again_on_timeout(gateway, data, f"{name}-{index}.txt", retried)
        if status == 201 or (status == 200 and retried):  # 200: a retry of one whose first try got through
            chunks += body["chunks"]
        else:  # a retry can miss the outcome of its first try (indexed before it listened): counted once all are in
            assert status == 202 and retried, body
            counted_later.append(body["document_id"])
        on_progress(1)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as uploads:
        for i, data in enumerate(corpus):
            uploads.create_task(upload(data, i))
    searchable = time.perf_counter() - started
    await wait_until_drained(gateway.runtime.broker.connection.jetstream(), topology.INGEST, timeout_s=3600, interval_s=0.02)
    complete = time.perf_counter() - started
    for document_id in counted_later:
        chunks += (await gateway.get(document_id)).chunks
    return chunks, searchable, complete, len(retried)


def short_document(factory: TextFactory, index: int) -> bytes:
    """A question-and-answer sized document: a title and one paragraph (one chunk)."""
    return f"Note {index}: {factory.random.choice(factory.sentences)[:80]}\n\n{factory.paragraph(4)}\n".encode()


async def bench_ingest(factory: TextFactory, documents: int, pdfs: int, library: int = 0,
                       on_progress: Progress = lambda n: None) -> dict[str, Any]:
    """`library`: a corpus of that many short documents is indexed last, into the same index, for its wall time."""
    with tempfile.TemporaryDirectory(prefix="mirage-bench-") as scratch:
        settings = Settings(data_dir=Path(scratch), upload_wait_s=600.0, nats_url=None)
        corpus = [text_document(factory, f"Synthetic leaflet {i}", sections=4) for i in range(documents)]
        async with private_pipeline(settings) as runtime:
            gateway = Documents(runtime)
            probe = chunk_texts(runtime.components, corpus[:100], settings.chunk_max_chars)
            # in a thread: minutes on a loaded machine, with the event loop (the pipeline's NATS connection) left to answer
            raw_before = await asyncio.to_thread(raw_embedder_rate, runtime.components, probe)
            chunks, searchable_seconds, bulk_seconds, bulk_retried = await bulk_upload(gateway, corpus, "bulk", on_progress)
            raw_after = await asyncio.to_thread(raw_embedder_rate, runtime.components, probe)
            raw = (raw_before + raw_after) / 2  # before and after: machine noise averages out

            js = runtime.broker.connection.jetstream()
            searchable, complete = [], []
            for i in range(pdfs):
                data = pdf_document(factory, f"Ten-page leaflet {i}", pages=10)
                started = time.perf_counter()
                status, body = await gateway.upload(data, f"leaflet-{i}.pdf", DocumentFormat.pdf, {})
                searchable.append((time.perf_counter() - started) * 1000)
                assert status == 201, body
                found = await gateway.search(SearchRequest(query=body["title"], top_k=1, filters={"document_id": body["document_id"]}))
                assert found.results, "uploaded PDF not searchable"
                await wait_until_drained(js, topology.INGEST, timeout_s=600, interval_s=0.005)
                complete.append((time.perf_counter() - started) * 1000)
                on_progress(1)
            shelf = [short_document(factory, i) for i in range(library)]
            library_chunks, _, library_seconds, library_retried = (await bulk_upload(gateway, shelf, "note", on_progress) if library
                                                                   else (0, 0.0, 0.0, 0))
    rate = chunks / bulk_seconds
    report = {
        "bulk": {"documents": documents, "chunks": chunks, "seconds": round(bulk_seconds, 2),
                 "documents_per_s": round(documents / bulk_seconds, 1), "chunks_per_s": round(rate, 1),
                 "searchable_seconds": round(searchable_seconds, 2), "uploads_retried": bulk_retried},
        "embedder_raw_chunks_per_s": round(raw, 1),
        "ingest_to_raw_ratio": round(rate / raw, 3),
        "pdf_10_pages_upload_to_searchable": {"uploads": pdfs, **percentiles(searchable)},
        "pdf_10_pages_upload_to_fully_indexed": {"uploads": pdfs, **percentiles(complete)},
    }
    if library:
        report["library"] = {"documents": library, "chunks": library_chunks, "wall_seconds": round(library_seconds, 1),
                             "chunks_per_s": round(library_chunks / library_seconds, 1), "uploads_retried": library_retried}
    return report


def build_index(components: Components, texts: list[str], on_progress: Progress) -> tuple[np.ndarray, dict[str, int], float]:
    """Embed and index `texts` straight into the store (the search benchmark measures search, not ingest).
    Returns the first space's vectors, each chunk id's position in `texts`, and the seconds the index took."""
    from adapters.stores.base import ChunkPoint
    from workers.ingest.indexing import chunk_id

    cache = components.settings.model_cache.expanduser() / "bench"
    dense = {}
    for name, model in components.embedders.items():  # every chunk is English: every space applies
        dense[name] = embedded(model, texts, cache, lambda n: on_progress(n // len(components.embedders)))
    units = unit_payloads(components, texts)
    ids = [chunk_id(f"bench-{i // 10}", i % 10) for i in range(len(texts))]
    started = time.perf_counter()
    for start in range(0, len(texts), 1000):
        components.store.upsert([
            ChunkPoint(id=ids[i], dense={name: made[i] for name, made in dense.items()},
                       sparse=components.lexical.encode_document(texts[i], "en"),
                       payload={"document_id": f"bench-{i // 10}", "chunk": i % 10, "text": texts[i], "language": "en",
                                "meta": {"type": "bench"}, UNITS_KEY: units[i]})
            for i in range(start, min(start + 1000, len(texts)))
        ])
    optimize = getattr(components.store, "optimize", None)
    if optimize is not None:
        optimize()
    return dense[PRIMARY.name], {chunk: i for i, chunk in enumerate(ids)}, time.perf_counter() - started


def embedded(model: Any, texts: list[str], cache: Path, on_progress: Progress) -> np.ndarray:
    """`model`'s vectors of `texts`, 1,000 at a time; kept under `cache` (the model cache's `bench/`) and read back when
    the same model embeds the same texts again: a 100,000-chunk index takes half an hour to embed on 2 cores, and
    `mirage bench query` and `mirage bench search` at that size then share it. The same model = the same vectors of a
    probe sentence, so a changed model or quantization never reads another's vectors."""
    import hashlib

    digest = hashlib.sha256(model.name.encode())
    digest.update(np.round(model.embed_documents(["Take one tablet twice a day with water."]), 4).tobytes())
    digest.update("\x00".join(texts).encode())
    path = cache / f"{digest.hexdigest()[:32]}.npy"
    if path.exists():
        on_progress(len(texts))
        return np.load(path)
    made = []
    for start in range(0, len(texts), 1000):
        made.append(model.embed_documents(texts[start:start + 1000]))
        on_progress(len(texts[start:start + 1000]))
    vectors = np.vstack(made).astype(np.float32)
    if len(texts) >= 10_000:  # what takes minutes to make; small runs (tests) leave nothing behind
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path.with_suffix(".tmp.npy"), vectors)
        path.with_suffix(".tmp.npy").replace(path)
    return vectors


def unit_payloads(components: Components, texts: list[str]) -> list[dict[str, object]]:
    """Each chunk's answer-unit vectors, as ingest stores them (adapters/unit_vectors.py). The synthetic chunks reuse
    their seed sentences, so each distinct unit is embedded once (units are keyed by their text: the same vectors)."""
    from adapters.unit_vectors import chunk_units, packed_by_chunk

    model = components.embedders[PRIMARY.name]
    by_chunk = [chunk_units(text) for text in texts]
    distinct = list(dict.fromkeys(unit for units in by_chunk for unit in units))
    made = dict(zip(distinct, model.embed_documents(distinct), strict=True)) if distinct else {}
    return packed_by_chunk(model.name, by_chunk, [made[unit] for units in by_chunk for unit in units])


def dense_only(components: Components, positions: Mapping[str, int]) -> dict[str, Callable[[np.ndarray], list[int]]]:
    """The embedded index's own nearest neighbours in the first space, as chunk positions: as a search runs them
    (HNSW, the chunk's payload with it), and the variants that tell where the time goes (no payload; exact)."""
    nearest = getattr(components.store, "nearest", None)
    if nearest is None:  # a Qdrant server (QDRANT_URL): ChromaDB alone
        return {}
    variants: dict[str, dict[str, bool]] = {"mirage_dense": {}, "mirage_dense_no_payload": {"with_payload": False},
                                            "mirage_dense_exact": {"exact": True}}
    return {name: (lambda vector, options=options: [positions[h.id] for h in nearest(vector, limit=10, **options)])
            for name, options in variants.items()}


async def bench_search_at(factory: TextFactory, size: int, queries: int, compare_chroma: bool, on_progress: Progress) -> dict[str, Any]:
    from workers.retrieve.search import search

    with tempfile.TemporaryDirectory(prefix="mirage-bench-") as scratch:
        settings = Settings(data_dir=Path(scratch), nats_url=None)
        components = Components(settings)
        texts = factory.chunks(size)
        dense, positions, index_seconds = build_index(components, texts, on_progress)
        questions = [factory.random.choice(factory.sentences) for _ in range(queries)]
        in_process, through_pipeline = [], []
        async with private_pipeline(settings, workers=["retrieve"], components=components) as runtime:
            gateway = Documents(runtime)
            for question in questions:
                request = SearchRequest(query=question, top_k=10)
                started = time.perf_counter()
                search(request, embedders=components.embedders, lexical=components.lexical, detector=components.detector,
                       store=components.store)
                in_process.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                await gateway.search(request)
                through_pipeline.append((time.perf_counter() - started) * 1000)
        result: dict[str, Any] = {
            "chunks": size, "index_seconds": round(index_seconds, 2), "queries": queries,
            "search_in_process": percentiles(in_process), "search_through_nats": percentiles(through_pipeline),
        }
        result["broker_overhead_ratio"] = round(result["search_through_nats"]["p50_ms"] / result["search_in_process"]["p50_ms"], 2)
        if compare_chroma:
            from mirage.evaluation.chroma import compare_with_chroma

            query_vectors = np.vstack([components.embedder.embed_query(q) for q in questions])
            result["chroma"] = compare_with_chroma(texts, dense, query_vectors, Path(scratch) / "chroma",
                                                   ours=dense_only(components, positions))
    return result


def in_process_answer(components: Components, question: str, generator: Any) -> None:
    """Translate, retrieve, generate and classify, as plain calls in one thread: the chain without its hops."""
    from contracts.questions import QueryReceived
    from workers.classify_risk.classifier import assess
    from workers.classify_risk.policy import decide
    from workers.retrieve.search import search
    from workers.translate.preparation import prepare

    translated = prepare(QueryReceived(correlation_id="b", query_id="b", query=question), components.detector)
    found = search(SearchRequest(query=translated.search_query, top_k=5), embedders=components.embedders,
                   lexical=components.lexical, detector=components.detector, store=components.store)
    draft = generator.answer(question, translated.detection.language, translated.answer_language, found.results)
    decide(assess(question, translated.detection.language, draft.text, ()), False)  # as classify-risk releases it: evidence unread


async def timed_queries(client: Any, questions: list[str], concurrency: int) -> tuple[list[float], float]:
    gate, latencies = asyncio.Semaphore(concurrency), []

    async def one(question: str) -> None:
        async with gate:
            started = time.perf_counter()
            response = await client.post("/query", json={"query": question})
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code in (200, 202), response.text

    started = time.perf_counter()
    await asyncio.gather(*(one(q) for q in questions))
    return latencies, len(questions) / (time.perf_counter() - started)


async def bench_query(factory: TextFactory, chunks: int, queries: int, concurrency: int, on_progress: Progress) -> dict[str, Any]:
    """POST /query over HTTP (cache cold, then warm) against the same steps called in-process."""
    import httpx
    import uvicorn

    from contracts.chain import WORKERS
    from gateway.app import create_app
    from mirage.embedded import runtime_factory
    from runtime.nats_server import EmbeddedNats, free_port

    with tempfile.TemporaryDirectory(prefix="mirage-bench-") as scratch:
        settings = Settings(data_dir=Path(scratch), query_wait_s=30.0, nats_url=None)
        components = Components(settings)
        build_index(components, factory.chunks(chunks), on_progress)
        questions = list(dict.fromkeys(factory.random.choice(factory.sentences) for _ in range(queries * 2)))[:queries]
        from workers.generate.extractive import ExtractiveGenerator

        generator, in_process = ExtractiveGenerator(), []
        in_process_answer(components, "warm-up question about doses", generator)  # models and lexicons load once
        for question in questions:
            started = time.perf_counter()
            in_process_answer(components, question, generator)
            in_process.append((time.perf_counter() - started) * 1000)
        with EmbeddedNats(settings.nats_dir) as nats:
            port = free_port()
            app = create_app(settings, runtime_factory(settings, nats.url, WORKERS, components))
            server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
            serving = asyncio.create_task(server.serve())
            while not server.started:
                await asyncio.sleep(0.05)
            try:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                    cold, _ = await timed_queries(client, questions, concurrency=1)
                    warm, _ = await timed_queries(client, questions, concurrency=1)
                    fresh = [f"{q} ({i})" for i, q in enumerate(questions)]  # new texts: the answer cache misses
                    _, throughput = await timed_queries(client, fresh, concurrency=concurrency)
            finally:
                server.should_exit = True
                await serving
    cold_p = percentiles(cold)
    return {
        "chunks": chunks, "queries": len(questions),
        "http_cold": cold_p, "http_warm": percentiles(warm), "in_process": percentiles(in_process),
        "broker_and_http_overhead_ratio_p50": round(cold_p["p50_ms"] / percentiles(in_process)["p50_ms"], 2),
        f"throughput_qps_{concurrency}_concurrent_cold": round(throughput, 1),
    }


def bench_question_embedding(factory: TextFactory, questions: int, on_progress: Progress) -> dict[str, Any]:
    """A question's embeddings as the retrieve worker makes them, against the alternatives it does not take.

    Each question goes through every variant, in a shuffled order per question, so that the machine's
    slower moments fall on all variants alike."""
    from concurrent.futures import ThreadPoolExecutor

    components = Components(Settings(nats_url=None))
    multilingual, english = components.embedder, components.english_embedder
    texts = [factory.random.choice(factory.sentences) for _ in range(questions)]
    with ThreadPoolExecutor(2) as pool:

        def side_by_side(text: str) -> None:
            for done in [pool.submit(multilingual.embed_query, text), pool.submit(english.embed_query, text)]:
                done.result()

        variants: dict[str, Callable[[str], object]] = {"multilingual": multilingual.embed_query}
        if english is not None:
            variants |= {
                "english_int8": english.embed_query,
                "both_one_after_the_other": lambda text: (multilingual.embed_query(text), english.embed_query(text)),
                "both_side_by_side": side_by_side,
            }
        samples: dict[str, list[float]] = {name: [] for name in variants}
        for text in texts[:10]:  # warm-up, not counted
            for run in variants.values():
                run(text)
        for text in texts:
            for name in factory.random.sample(list(variants), len(variants)):
                started = time.perf_counter()
                variants[name](text)
                samples[name].append((time.perf_counter() - started) * 1000)
            on_progress(1)
    return {"questions": questions, **{name: percentiles(values) for name, values in samples.items()}}
