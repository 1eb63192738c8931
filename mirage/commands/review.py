"""`mirage review`: the review queue's decided cases."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Optional

import typer

from mirage.commands.common import DataDirOption, NatsUrlOption, console, reviewed

app = typer.Typer(help="The review queue's decided cases.", no_args_is_help=True)


@app.command("export")
def review_export(
    to: Annotated[Optional[Path], typer.Option("--to", dir_okay=False, help="File to write (default: standard output).")] = None,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Question, draft, final answer and verdict of every decided case, as JSON lines: a gold set for evaluation."""
    import sys

    from mirage.verdicts import write_gold

    cases = asyncio.run(reviewed(nats_url, data_dir))
    if to is None:
        write_gold(cases, sys.stdout)
    else:
        with to.open("w", encoding="utf-8") as out:
            write_gold(cases, out)
        console.print(f"{len(cases)} decided cases written to {to}")
