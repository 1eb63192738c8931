"""Bulk upload for `mirage ingest`: progress bar, then a summary of every file's outcome."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from time import sleep

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from mirage.users import client_headers

FOLDER_SUFFIXES = {".pdf", ".docx", ".txt", ".md", ".markdown", ".html", ".htm"}
RATE_LIMITED_TRIES = 5


def files_under(paths: list[Path]) -> Iterator[Path]:
    """Named files as given; inside folders, the supported kinds, skipping hidden ones."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                hidden = any(part.startswith(".") for part in child.relative_to(path).parts)
                if child.is_file() and not hidden and child.suffix.lower() in FOLDER_SUFFIXES:
                    yield child
        else:
            yield path


def outcome_of(response: httpx.Response) -> tuple[str, str]:
    body = response.json()
    if response.status_code == 201:
        return "indexed", f"{body['chunks']} chunks"
    if response.status_code == 200 and body.get("duplicate"):
        return "duplicate", body["document_id"][:12]
    if response.status_code == 202:
        return "pending", body.get("status_url", "")
    return "failed", f"{response.status_code} {body.get('detail', '')}"


def post_upload(client: httpx.Client, path: Path, form: dict[str, str]) -> httpx.Response:
    """One file's upload, sent again when the gateway says to try later: over the key's uploads per minute (429) it
    waits as `Retry-After` says; when the message broker did not answer in time (503: a machine busy indexing, a
    restarting server) it waits 1, 2, 4 s. Uploading the same bytes again is safe: the document's id is their hash."""
    for attempt in range(RATE_LIMITED_TRIES - 1):
        response = client.post("/documents/upload", files={"file": (path.name, path.read_bytes())}, data=form)
        if response.status_code not in (429, 503):
            return response
        sleep(min(float(response.headers.get("retry-after", 2**attempt)), 60.0))
    return client.post("/documents/upload", files={"file": (path.name, path.read_bytes())}, data=form)


def upload_all(url: str, paths: list[Path], metadata: str | None, console: Console) -> int:
    files = list(files_under(paths))
    results: list[tuple[Path, str, str]] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with httpx.Client(base_url=url, timeout=120, headers=client_headers()) as client, Progress(*columns, console=console) as progress:
        task = progress.add_task("uploading", total=len(files))
        for path in files:
            progress.update(task, description=path.name[:40])
            try:
                form = {"metadata": metadata} if metadata else {}
                results.append((path, *outcome_of(post_upload(client, path, form))))
            except httpx.HTTPError as exc:
                results.append((path, "failed", f"{type(exc).__name__}: {exc}"))
            progress.advance(task)
    counts = Counter(outcome for _, outcome, _ in results)
    table = Table(title="Upload summary: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
    for column in ("file", "outcome", "detail"):
        table.add_column(column)
    for path, outcome, detail in results:
        if outcome != "indexed" or len(results) <= 50:
            table.add_row(str(path), outcome, detail)
    console.print(table)
    return counts["failed"]
