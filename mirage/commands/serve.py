"""Starting MIRAGE: everything in one process, the gateway alone, or one worker."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Optional

import typer

from contracts.chain import WORKERS
from mirage.commands.common import LogFileOption, LogFormat, LogFormatOption, configure_logging, console, settings_from

DashboardPortOption = Annotated[Optional[int], typer.Option(
    help="The dashboard page's own port, on the same host; 0: none (it is at /dashboard on the gateway's port either way) "
         "[env MIRAGE_DASHBOARD_PORT, default 8080].")]


def up(
    port: Annotated[Optional[int], typer.Option(help="Gateway port [env MIRAGE_PORT, default 8006].")] = None,
    data_dir: Annotated[Optional[Path], typer.Option(help="Data directory [env MIRAGE_DATA_DIR, default .mirage].")] = None,
    host: Annotated[Optional[str], typer.Option(help="Bind address [env MIRAGE_HOST, default 127.0.0.1].")] = None,
    dashboard_port: DashboardPortOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_format: LogFormatOption = LogFormat.json,
    log_file: LogFileOption = None,
) -> None:
    """Start everything in one process: private NATS (unless NATS_URL), every worker, the gateway."""
    from mirage.embedded import serve

    configure_logging(verbose, log_format, log_file)
    settings = settings_from(port=port, data_dir=data_dir, host=host, dashboard_port=dashboard_port)
    console.print(f"[bold]MIRAGE[/] on http://{settings.host}:{settings.port} (docs at /docs), data in {settings.data_dir}")
    if settings.dashboard_port:
        console.print(f"dashboard on http://{settings.host}:{settings.dashboard_port}")
    serve(settings, WORKERS)


def gateway(
    port: Annotated[Optional[int], typer.Option(help="Gateway port [env MIRAGE_PORT].")] = None,
    host: Annotated[Optional[str], typer.Option(help="Bind address [env MIRAGE_HOST].")] = None,
    dashboard_port: DashboardPortOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_format: LogFormatOption = LogFormat.json,
    log_file: LogFileOption = None,
) -> None:
    """Run the HTTP gateway alone against NATS_URL (workers run elsewhere)."""
    from mirage.embedded import serve

    configure_logging(verbose, log_format, log_file)
    settings = settings_from(port=port, host=host, dashboard_port=dashboard_port)
    if settings.nats_url is None:
        raise typer.BadParameter("set NATS_URL: the lone gateway joins an existing NATS (or use `mirage up`)")
    serve(settings, [])


def worker(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(WORKERS)}.")],
    metrics_port: Annotated[Optional[int], typer.Option(help="Serve /metrics on this port [env MIRAGE_METRICS_PORT].")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
    log_format: LogFormatOption = LogFormat.json,
    log_file: LogFileOption = None,
) -> None:
    """Run one worker against NATS_URL; start several to share the work."""
    from mirage.worker_process import run_workers

    if name not in WORKERS:
        raise typer.BadParameter(f"unknown worker {name!r}; choose one of {', '.join(WORKERS)}")
    configure_logging(verbose, log_format, log_file)
    asyncio.run(run_workers(settings_from(metrics_port=metrics_port), [name]))
