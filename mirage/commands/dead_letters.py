"""`mirage dead-letters`: the messages workers gave up on."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from mirage.commands.common import console, operator_nats_url


def dead_letters(
    replay: Annotated[Optional[list[int]], typer.Option("--replay", help="Replay the dead letter with this sequence number (repeatable).")] = None,
    replay_all: Annotated[bool, typer.Option("--replay-all", help="Replay every dead letter.")] = False,
    nats_url: Annotated[Optional[str], typer.Option(envvar="NATS_URL", help="NATS server.")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory of a running `mirage up` [env MIRAGE_DATA_DIR].")] = None,
) -> None:
    """List the messages workers gave up on (with the error), or replay them once the cause is fixed."""
    import nats

    from mirage.deadletters import list_dead_letters
    from mirage.deadletters import replay as replay_letter

    async def run() -> None:
        nc = await nats.connect(operator_nats_url(nats_url, data_dir))
        try:
            js = nc.jetstream()
            letters = await list_dead_letters(js)
            chosen = [d.sequence for d in letters] if replay_all else list(replay or [])
            for sequence in chosen:
                console.print(f"replayed #{sequence} to {await replay_letter(js, sequence)}")
            if chosen:
                return
            table = Table(title=f"{len(letters)} dead letters")
            for column in ("#", "subject", "about", "deliveries", "error"):
                table.add_column(column)
            for d in letters:
                table.add_row(str(d.sequence), d.original_subject, (d.correlation_id or "")[:16], d.deliveries, d.error[:120])
            console.print(table)
        finally:
            await nc.close()

    asyncio.run(run())
