"""What the `mirage` commands share: the console, options, settings, logging, progress bars, finding a running NATS."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from runtime.settings import Settings

console = Console()
DEFAULT_URL = "http://127.0.0.1:8006"
UrlOption = Annotated[str, typer.Option("--url", envvar="MIRAGE_URL", help="Gateway URL (and MIRAGE_API_KEY: your API key, if it needs one).")]
NatsUrlOption = Annotated[Optional[str], typer.Option("--nats-url", envvar="NATS_URL", help="NATS server.")]
DataDirOption = Annotated[Optional[Path], typer.Option(help="Data directory of a running `mirage up` (env MIRAGE_DATA_DIR).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def configure_logging(verbose: bool, log_format: str = "text", log_file: Path | None = None) -> None:
    from runtime.logs import configure

    configure(verbose=verbose, json_lines=log_format == "json", log_file=log_file)


class LogFormat(StrEnum):
    json = "json"
    text = "text"


LogFormatOption = Annotated[LogFormat, typer.Option(envvar="MIRAGE_LOG_FORMAT",
                                                    help="json: one JSON object a line, with query_id, document_id and trace_id.")]
LogFileOption = Annotated[Optional[Path], typer.Option(envvar="MIRAGE_LOG_FILE", dir_okay=False,
                                                       help="Also write the log here, rotated at 10 MB, 5 kept (e.g. logs/mirage.log).")]


def settings_from(**overrides: object) -> Settings:
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def operator_nats_url(nats_url: str | None, data_dir: Path | None) -> str:
    """NATS_URL, else the private server of the `mirage up` running on this data directory."""
    if nats_url:
        return nats_url
    settings = settings_from(data_dir=data_dir)
    url_file = settings.nats_dir / "url"
    if settings.nats_url:
        return settings.nats_url
    if not url_file.exists():
        raise typer.BadParameter(f"no running `mirage up` found in {settings.data_dir} (and NATS_URL is not set)")
    return url_file.read_text().strip()


async def reviewed(nats_url: str | None, data_dir: Path | None) -> list:  # noqa: ANN001
    import nats

    from mirage.verdicts import decided_cases

    nc = await nats.connect(operator_nats_url(nats_url, data_dir))
    try:
        return [case async for case in decided_cases(nc.jetstream())]
    finally:
        await nc.close()


def progress_bars(quiet: bool):  # noqa: ANN201
    """Progress bars on stderr (so --json output stays clean), hidden when quiet."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=Console(stderr=True), disable=quiet)


def parsed_since(since: str | None):  # noqa: ANN201
    """--since as a moment (an ISO date or date and time, UTC unless it says), None when not given; a bad one is
    the user's error (exit 2, naming it)."""
    from mirage.audit import parse_since

    try:
        return parse_since(since) if since else None
    except ValueError as exc:
        raise typer.BadParameter(f"--since {since!r} is not an ISO date or time") from exc
