"""`mirage replay`: history run again through today's code, never through the production consumers."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.table import Table

from mirage.commands.common import DataDirOption, NatsUrlOption, console, reviewed, settings_from

app = typer.Typer(help="Run history again through today's code, without touching production consumers.", no_args_is_help=True)


@app.command("verdicts")
def replay_verdicts(
    json_output: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Re-run the current risk policy over every reviewed question; print it against the reviewers' decisions.
    Withheld by a reviewer but released by the policy now: the dangerous cell (listed)."""
    from adapters.embedders import build_embedder
    from mirage.verdicts import replay_table
    from workers.classify_risk.handlers import assessment_of
    from workers.classify_risk.semantic import NearestExamples, read_examples

    cases = asyncio.run(reviewed(nats_url, data_dir))
    settings = settings_from(data_dir=data_dir)
    nearest = NearestExamples(build_embedder(settings.embedder, threads=settings.embedder_threads), read_examples(), settings.model_cache)
    table, dangerous = replay_table(cases, lambda event: assessment_of(event, nearest))
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
