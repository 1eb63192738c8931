"""`mirage eval`: quality measured on your own data."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from mirage.commands.common import console, progress_bars
from runtime.settings import Settings

app = typer.Typer(help="Measure quality on your own data.", no_args_is_help=True)


@app.command("retrieval")
def eval_retrieval(
    data: Annotated[Path, typer.Option(help="A BEIR-layout folder: corpus.jsonl, queries.jsonl, qrels/test.tsv.", exists=True, file_okay=False)],
    limit: Annotated[Optional[int], typer.Option(help="Evaluate only the first N judged queries (the whole corpus is indexed).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Index DATA's corpus through the real ingest path (fresh temporary store), run every query, print the metrics."""
    from mirage.evaluation.beir import load_beir
    from mirage.evaluation.retrieval import run_retrieval_eval

    dataset = load_beir(data).limited(limit)
    with progress_bars(as_json) as bars:
        indexing = bars.add_task("indexing", total=len(dataset.corpus))
        searching = bars.add_task("searching", total=len(dataset.queries))
        report = asyncio.run(run_retrieval_eval(
            dataset, on_indexed=lambda n: bars.advance(indexing, n), on_searched=lambda n: bars.advance(searching, n),
        ))
    if as_json:
        print(json.dumps(report.as_dict()))
        return
    table = Table(title=f"{report.dataset}: {report.queries} queries, {report.documents} documents, {report.chunks} chunks")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for name, value in report.metrics.items():
        table.add_row(name, f"{value:.4f}")
    table.add_row("indexing", f"{report.index_seconds:.1f} s ({report.documents_per_second:.0f} documents/s)")
    table.add_row("search p50 / p95", f"{report.search_p50_ms:.1f} / {report.search_p95_ms:.1f} ms")
    table.add_row("embedder", report.embedder)
    console.print(table)


@app.command("risk")
def eval_risk(
    data: Annotated[Path, typer.Option(help="Risky prompts: XSafety-style JSONL with one field per language (en, fr, es, de).", exists=True)],
    half: Annotated[Optional[str], typer.Option(help="Only the 'tuning' (even) or 'holdout' (odd) prompts, and the same split of the "
                                                     "bundled harmless questions.")] = None,
    harmless: Annotated[Optional[Path], typer.Option(help="Harmless questions JSONL (language, text) [default: the bundled set].")] = None,
    lexicon_only: Annotated[bool, typer.Option("--lexicon-only", help="Without the semantic stage (nearest labelled examples).")] = False,
) -> None:
    """Share of risky questions held for review (recall) and of harmless ones held (false positives), per language."""
    from workers.classify_risk.evaluation import HARMLESS_QUESTIONS, evaluate_risk, read_harmless, read_xsafety
    from workers.classify_risk.semantic import NearestExamples, read_examples

    nearest = None
    if not lexicon_only:
        from adapters.embedders import build_embedder

        s = Settings()
        embedder = build_embedder(s.embedder, threads=s.embedder_threads, cache_dir=s.fastembed_cache, model_path=s.fastembed_model_path,
                                  model_cache=s.model_cache)
        nearest = NearestExamples(embedder, read_examples(), s.model_cache)
    ordinary = read_harmless(harmless, None) if harmless else read_harmless(HARMLESS_QUESTIONS, half)
    report = evaluate_risk(read_xsafety(data, half), ordinary, nearest)
    print(json.dumps(report, ensure_ascii=False, indent=2))


@app.command("answers")
def eval_answers(
    data: Annotated[Path, typer.Option(help="Questions JSONL (id, lang, question, doc, also, facts, risky), as ../shared/eval/answers/dev.jsonl.",
                                       exists=True, dir_okay=False)],
    docs: Annotated[Optional[list[Path]], typer.Option(help="Folder of documents to upload (repeatable) "
                                                       "(default: fixtures/ema_leaflets and fixtures/generated beside DATA's folder).")] = None,
    limit: Annotated[Optional[int], typer.Option(help="Ask only the first N questions of each language (every document is uploaded).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every question that missed, and how.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object, with every question's details.")] = False,
) -> None:
    """Upload DOCS through the real upload path (fresh temporary store), ask every question through POST /query in its
    language (then the harmless ones again with the human loop), print per language: right document cited, fact recall,
    unanswerable declined, harmless and risky held, answered in the asked language, latency. A held answer is not
    shown to the asker: its quality is scored on the draft the reviewer sees."""
    from mirage.evaluation.answers import read_questions
    from mirage.evaluation.answers_run import default_document_folders, document_files, limited, run_answers_eval
    from mirage.evaluation.answers_view import print_report

    try:
        folders = docs or default_document_folders(data)
        files = document_files(folders)
    except (FileNotFoundError, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    questions = limited(read_questions(data), limit)
    with progress_bars(as_json) as bars:
        uploading = bars.add_task("uploading", total=len(files))
        asking = bars.add_task("asking", total=len(questions) + sum(not q.risky for q in questions))
        report = asyncio.run(run_answers_eval(questions, folders, data=str(data), on_uploaded=lambda n: bars.advance(uploading, n),
                                              on_asked=lambda n: bars.advance(asking, n))).as_dict()
    print(json.dumps(report, ensure_ascii=False)) if as_json else print_report(report, console, verbose)
