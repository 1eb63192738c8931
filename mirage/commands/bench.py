"""`mirage bench`: throughput and latency of the real pipeline on this machine."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from mirage.commands.common import JsonOption, console, progress_bars

app = typer.Typer(help="Throughput and latency of the real pipeline on this machine.", no_args_is_help=True)
CorpusOption = Annotated[Optional[Path], typer.Option(help="BEIR folder whose text seeds the synthetic corpus [default: bundled TICO-19 EN].")]


def run_bench(which: str, docs: int, pdfs: int, sizes: str, queries: int, chroma: bool, corpus: Optional[Path],
              as_json: bool, plot: Optional[Path], query_chunks: int = 100_000, library: int = 0) -> None:
    from mirage.evaluation.bench import bench_ingest, bench_query, bench_question_embedding, bench_search_at
    from mirage.evaluation.corpus import TextFactory, seed_sentences

    factory = TextFactory(seed_sentences(corpus))
    report: dict = {}
    sizes_list = [int(s) for s in sizes.split(",") if s.strip()]
    with progress_bars(as_json) as bars:
        if which in ("ingest", "all"):
            task = bars.add_task("ingest", total=docs + pdfs + library)
            report["ingest"] = asyncio.run(bench_ingest(factory, docs, pdfs, library, lambda n: bars.advance(task, n)))
        if which in ("query", "all"):
            task = bars.add_task(f"index {query_chunks}", total=query_chunks)
            report["query"] = asyncio.run(bench_query(factory, query_chunks, queries, 8, lambda n: bars.advance(task, n)))
        if which in ("questions", "all"):
            task = bars.add_task("questions", total=queries)
            report["questions"] = bench_question_embedding(factory, queries, lambda n: bars.advance(task, n))
        if which in ("search", "all"):
            report["search"] = []
            for size in sizes_list:
                task = bars.add_task(f"index {size}", total=size)
                report["search"].append(asyncio.run(bench_search_at(factory, size, queries, chroma, lambda n, t=task: bars.advance(t, n))))
    if plot and report.get("search"):
        from mirage.evaluation.plots import plot_search_latency

        plot_search_latency(report["search"], plot)
    console.print_json(json.dumps(report)) if not as_json else print(json.dumps(report))


@app.command("ingest")
def bench_ingest_command(
    docs: Annotated[int, typer.Option(help="Documents (4 sections, ~12 chunks each) uploaded concurrently.")] = 200,
    pdfs: Annotated[int, typer.Option(help="10-page PDFs uploaded one by one for upload-to-searchable latency.")] = 20,
    library: Annotated[int, typer.Option(min=0, help="Then a library of this many one-paragraph documents, for its wall time "
                                                  "(10,000: ~13 min on a busy 2-core machine; 0: skip, for a quick run).")] = 10_000,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bulk ingest throughput against the embedder's raw throughput; upload-to-searchable latency of a 10-page PDF; the
    wall time to index a library of short documents."""
    run_bench("ingest", docs, pdfs, "", 0, False, corpus, as_json, None, library=library)


@app.command("search")
def bench_search_command(
    sizes: Annotated[str, typer.Option(help="Index sizes in chunks, comma-separated.")] = "10000,100000",
    queries: Annotated[int, typer.Option(help="Queries per size.")] = 200,
    chroma: Annotated[bool, typer.Option("--chroma/--no-chroma", help="Compare with ChromaDB on the same chunks and embeddings.")] = True,
    plot: Annotated[Optional[Path], typer.Option(help="Write a PNG of latency against index size.")] = None,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Search latency (in-process and through NATS) at each index size, optionally against ChromaDB."""
    run_bench("search", 0, 0, sizes, queries, chroma, corpus, as_json, plot)


@app.command("questions")
def bench_questions_command(
    queries: Annotated[int, typer.Option(help="Sentence-long questions, each embedded every way.")] = 600,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """A question's embeddings: each model alone (English in int8, as served), both one after the other, both side by side."""
    run_bench("questions", 0, 0, "", queries, False, corpus, as_json, None)


@app.command("query")
def bench_query_command(
    chunks: Annotated[int, typer.Option(help="Chunks indexed before asking.")] = 100_000,
    queries: Annotated[int, typer.Option(help="Questions asked (cold, then again warm).")] = 200,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """POST /query over HTTP, cache cold and warm, against the same steps called in-process; throughput with 8 clients."""
    run_bench("query", 0, 0, "", queries, False, corpus, as_json, None, query_chunks=chunks)


@app.command("all")
def bench_all_command(
    docs: Annotated[int, typer.Option(help="Documents for the bulk ingest run.")] = 200,
    pdfs: Annotated[int, typer.Option(help="10-page PDFs for upload-to-searchable latency.")] = 20,
    sizes: Annotated[str, typer.Option(help="Index sizes in chunks, comma-separated.")] = "10000,100000",
    queries: Annotated[int, typer.Option(help="Queries per size.")] = 200,
    chroma: Annotated[bool, typer.Option("--chroma/--no-chroma")] = True,
    plot: Annotated[Optional[Path], typer.Option(help="Write a PNG of latency against index size.")] = None,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Every benchmark in one run (the query benchmark on the largest size)."""
    largest = max(int(s) for s in sizes.split(",") if s.strip())
    run_bench("all", docs, pdfs, sizes, queries, chroma, corpus, as_json, plot, query_chunks=largest)


@app.command("load")
def bench_load_command(
    clients: Annotated[str, typer.Option(help="Concurrent clients; a comma-separated list runs one step each (e.g. 1,2,4,8,16).")] = "8",
    duration: Annotated[float, typer.Option(min=1, help="Seconds per step.")] = 60,
    url: Annotated[Optional[str], typer.Option(help="A running gateway (and MIRAGE_API_KEY); default: a private stack in a temp folder.")] = None,
    seed_documents: Annotated[int, typer.Option(min=0, help="Documents uploaded before the first step.")] = 20,
    corpus: CorpusOption = None,
    as_json: JsonOption = False,
) -> None:
    """Clients mixing uploads, searches, questions and review calls for DURATION seconds per step: errors and latency
    per call kind, and the highest rate that keeps p95 under 1 s."""
    from mirage.evaluation.corpus import TextFactory, seed_sentences
    from mirage.evaluation.load import run_load
    from mirage.users import client_headers

    counts = [int(c) for c in clients.split(",") if c.strip()]
    if not counts or min(counts) < 1:
        raise typer.BadParameter("--clients: one or more positive numbers, comma-separated")
    err = Console(stderr=True)

    def show(step: dict) -> None:
        total = step["all"]
        err.print(f"{step['clients']:>3} clients: {step['calls_per_s']:.1f} calls/s, p50 {total['p50_ms']:.0f} ms, "
                  f"p95 {total['p95_ms']:.0f} ms, {total['errors']} errors")

    report = asyncio.run(run_load(TextFactory(seed_sentences(corpus)), counts, duration, url, client_headers() if url else None,
                               seed_documents, show))
    print(json.dumps(report)) if as_json else console.print_json(json.dumps(report))
    raise typer.Exit(1 if report["errors"] else 0)
