"""`mirage replay`: history run again through today's code, never through the production consumers."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Optional

import typer
from rich.table import Table

from mirage.commands.common import DataDirOption, NatsUrlOption, console, operator_nats_url, parsed_since, progress_bars, reviewed, settings_from

app = typer.Typer(help="Run history again through today's code, without touching production consumers.", no_args_is_help=True)


def current_assessor(data_dir):  # noqa: ANN001, ANN201
    """Today's risk policy, with its semantic stage: what classify-risk would decide now."""
    from adapters.embedders import build_embedder
    from workers.classify_risk.handlers import assessment_of
    from workers.classify_risk.semantic import NearestExamples, read_examples

    settings = settings_from(data_dir=data_dir)
    embedder = build_embedder(settings.embedder, threads=settings.embedder_threads, model_cache=settings.model_cache)
    nearest = NearestExamples(embedder, read_examples(), settings.model_cache)
    return lambda event: assessment_of(event, nearest)


@app.command("verdicts")
def replay_verdicts(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Re-run the current risk policy over every reviewed question; print it against the reviewers' decisions.
    Withheld by a reviewer but released by the policy now: the dangerous cell (listed)."""
    from mirage.verdicts import replay_table

    cases = asyncio.run(reviewed(nats_url, data_dir))
    table, dangerous = replay_table(cases, current_assessor(data_dir))
    if json_output:
        print(json.dumps({"cases": len(cases), "table": {f"{d}->{r}": n for (d, r), n in sorted(table.items())}, "dangerous": dangerous}))
        return
    grid = Table(title=f"{len(cases)} reviewed questions: reviewers' decisions (rows) against today's policy (columns)")
    for column in ("decision", "held for review", "released"):
        grid.add_column(column)
    for decision in sorted({d for d, _ in table}):
        grid.add_row(decision, str(table[(decision, "review")]), str(table[(decision, "release")]))
    console.print(grid)
    if dangerous:
        console.print(f"[red]{len(dangerous)} withheld by a reviewer would now be released:[/] {', '.join(dangerous)}")


@app.command("questions")
def replay_questions(
    since: Annotated[Optional[str], typer.Option(help="Only questions asked since this ISO date or time (UTC unless it says); default: all.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Re-run today's risk classification over the drafted answers recorded since SINCE (an ordered consumer on the
    questions stream; nothing is published) and report what would change: held then and released now, or the reverse."""
    from mirage.replay import compare, recorded_questions

    moment = parsed_since(since)

    async def read() -> list:
        import nats

        nc = await nats.connect(operator_nats_url(nats_url, data_dir))
        try:
            with progress_bars(json_output) as bars:
                task = bars.add_task("reading the questions stream", total=None)
                return [r async for r in recorded_questions(nc.jetstream(), moment, on_total=lambda n: bars.update(task, total=n))]
        finally:
            await nc.close()

    recorded = asyncio.run(read())
    report = compare(recorded, current_assessor(data_dir))
    if json_output:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    grid = Table(title=f"{report.questions} drafted answers: the route then (rows) against today's policy (columns)")
    for column in ("then", "held for review", "released"):
        grid.add_column(column)
    for then in sorted({t for t, _ in report.table}):
        grid.add_row(then, str(report.table[(then, "review")]), str(report.table[(then, "release")]))
    console.print(grid)
    for change in report.changed:
        console.print(f"[yellow]{change['then']} -> {change['now']}[/] {change['query_id'][:12]} {change['question'][:80]!r}: {change['rule']}",
                      soft_wrap=True)


@app.command("documents")
def replay_documents(
    since: Annotated[Optional[str], typer.Option(help="Only documents uploaded since this ISO date or time (UTC unless it says), "
                                                      "re-indexed in place; default: every document, into a new index generation.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Re-index every stored document (after a chunker change, or an embedder of the same vector sizes) into a new index generation and switch to it
    when complete; search keeps answering from the current one meanwhile, and uploads and deletions reach both. The ingest
    worker does it on its own consumer, never the uploads' one; Ctrl-C stops following, not the re-index."""
    from mirage.reindex import ReindexRefused, run_reindex

    moment = parsed_since(since)

    async def run():  # noqa: ANN202
        import nats

        nc = await nats.connect(operator_nats_url(nats_url, data_dir))
        try:
            with progress_bars(json_output) as bars:
                task = bars.add_task("re-indexing documents", total=None)
                return await run_reindex(nc, moment, lambda p: bars.update(
                    task, total=p.total, completed=p.done, description=f"re-indexing into generation {p.generation}"))
        finally:
            await nc.close()

    try:
        result = asyncio.run(run())
    except (ReindexRefused, TimeoutError) as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        raise typer.Exit(1) from exc
    if json_output:
        print(result.model_dump_json())
    elif result.outcome == "refused":
        console.print(f"[red]refused:[/] {result.detail}", soft_wrap=True)
    else:
        where = (f"into generation {result.generation}, now active (generation {result.previous_generation} dropped)" if result.outcome == "switched"
                 else f"in place in generation {result.generation}")
        console.print(f"re-indexed {result.documents} documents ({result.chunks} chunks) {where}; {len(result.failed)} failed", soft_wrap=True)
        for document_id, reason in sorted(result.failed.items()):
            console.print(f"[yellow]failed[/] {document_id[:12]}: {reason}", soft_wrap=True)
    if result.outcome == "refused":
        raise typer.Exit(1)
