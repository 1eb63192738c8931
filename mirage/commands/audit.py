"""`mirage audit`: check and export the tamper-evident audit trail."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from mirage.commands.common import DataDirOption, NatsUrlOption, console, operator_nats_url, parsed_since, progress_bars

app = typer.Typer(help="The tamper-evident audit trail: every review action and every answer released or withheld.",
                  no_args_is_help=True)


@app.command("verify")
def audit_verify(
    file: Annotated[Optional[Path], typer.Option("--file", exists=True, dir_okay=False,
                                                 help="An export to check instead of the live trail. An export that starts mid-chain "
                                                      "(--since) is checked from its first entry's previous hash.")] = None,
    head: Annotated[Optional[str], typer.Option("--head", help="A head hash kept off the machine: it must still be in the chain.")] = None,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Recompute the hash chain; name the first broken entry (exit 1)."""
    from mirage.audit import verify_export, verify_live

    if file is not None:
        result = verify_export(file, head)
    else:
        async def run():  # noqa: ANN202
            import nats

            nc = await nats.connect(operator_nats_url(nats_url, data_dir))
            try:
                with progress_bars(quiet=False) as bars:
                    task = bars.add_task("verifying", total=None)
                    return await verify_live(nc.jetstream(), head, on_total=lambda n: bars.update(task, total=n),
                                             progress=lambda n: bars.advance(task, n))
            finally:
                await nc.close()

        result = asyncio.run(run())
    if result.broken is not None:
        console.print(f"[red]broken[/] at {result.broken}; {result.count} entries before it verify", markup=True, soft_wrap=True)
    for problem in result.problems:
        console.print(f"[red]{problem}[/]", markup=True, soft_wrap=True)
    if result.intact:
        kept = f"; the kept head is entry #{result.kept_head_at}" if result.kept_head_at else ""
        console.print(f"[green]intact[/]: {result.count} entries, head {result.head}{kept}", markup=True, soft_wrap=True)
    raise typer.Exit(0 if result.intact else 1)


@app.command("export")
def audit_export(
    since: Annotated[Optional[str], typer.Option(help="Only entries stored since this ISO date or time (UTC unless it says). "
                                                      "Such an export starts mid-chain: `verify --file` checks it from its first "
                                                      "entry's previous hash.")] = None,
    to: Annotated[Optional[Path], typer.Option("--to", dir_okay=False, help="File to write (default: standard output).")] = None,
    nats_url: NatsUrlOption = None, data_dir: DataDirOption = None,
) -> None:
    """Write the entries as JSON lines (each with its stream sequence), then a line with the chain head. Keep the head
    (or the whole file) off this machine: a chain kept only on the server proves little."""
    import contextlib
    import sys

    from mirage.audit import export

    moment = parsed_since(since)

    async def run():  # noqa: ANN202
        import nats

        nc = await nats.connect(operator_nats_url(nats_url, data_dir))
        try:
            with progress_bars(quiet=False) as bars, (to.open("w", encoding="utf-8") if to else contextlib.nullcontext(sys.stdout)) as out:
                task = bars.add_task("exporting", total=None)
                return await export(nc.jetstream(), out, moment, on_total=lambda n: bars.update(task, total=n),
                                    progress=lambda n: bars.advance(task, n))
        finally:
            await nc.close()

    head = asyncio.run(run())
    Console(stderr=True).print(f"{head.count} entries (#{head.first_sequence}-#{head.last_sequence}), head {head.hash}", soft_wrap=True)
