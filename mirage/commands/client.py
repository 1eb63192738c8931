"""A user's commands against a running gateway: upload, search, ask."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import httpx
import typer
from rich.table import Table

from mirage.commands.common import DEFAULT_URL, UrlOption, console
from mirage.users import client_headers


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (folders are walked recursively).", exists=True)],
    metadata: Annotated[Optional[str], typer.Option(help='JSON metadata for every file, e.g. \'{"type":"medical"}\'.')] = None,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Upload files or whole folders, with a progress bar and a summary."""
    from mirage.uploader import upload_all

    failed = upload_all(url, paths, metadata, console)
    raise typer.Exit(1 if failed else 0)


def search(
    query: Annotated[str, typer.Argument(help="What to look for, in any of the four languages.")],
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=100)] = 5,
    language: Annotated[Optional[str], typer.Option(help="Only chunks in this language (en, fr, es, de).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON answer.")] = False,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Search the indexed documents and print the best passages."""
    params = {"query": query, "top_k": top_k, **({"language": language} if language else {})}
    response = httpx.get(f"{url}/documents/search", params=params, timeout=30, headers=client_headers())
    if response.status_code != 200:
        console.print(f"[red]{response.status_code}[/] {response.json().get('detail', response.text)}")
        raise typer.Exit(1)
    body = response.json()
    if as_json:
        console.print_json(json.dumps(body))
        return
    table = Table(title=f"{len(body['results'])} results for {query!r} ({body['took_ms']:.1f} ms)", show_lines=True)
    for column in ("#", "score", "document", "page", "lang", "passage"):
        table.add_column(column)
    for i, hit in enumerate(body["results"], 1):
        where = hit.get("title") or hit.get("filename") or hit["document_id"][:12]
        table.add_row(str(i), f"{hit['score']:.3f}", where, str(hit.get("page") or ""), hit.get("language") or "",
                      hit["text"][:300])
    console.print(table)


def ask(
    question: Annotated[str, typer.Argument(help="Your question, in English, French, Spanish or German.")],
    lang: Annotated[Optional[str], typer.Option("--lang", help="Answer language (en, fr, es, de); default: the question's.")] = None,
    human_loop: Annotated[bool, typer.Option("--human-loop", help="Hold any answer with some risk for a human expert.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON answer.")] = False,
    url: UrlOption = DEFAULT_URL,
) -> None:
    """Ask a question: prints the answer with its citations, or that it waits for review."""
    payload = {"query": question, "enable_human_loop": human_loop, **({"target_language": lang} if lang else {})}
    response = httpx.post(f"{url}/query", json=payload, timeout=60, headers=client_headers())
    body = response.json()
    if as_json:
        print(json.dumps(body, ensure_ascii=False))
    elif response.status_code >= 400:
        console.print(f"[red]{response.status_code}[/] {body.get('detail', response.text)}")
    elif body["status"] == "answered":
        console.print(body["answer"], markup=False)
        for i, citation in enumerate(body["citations"], 1):
            where = ", ".join(x for x in (citation.get("title"), f"p. {citation['page']}" if citation.get("page") else None) if x)
            console.print(f"[dim][{i}] {where} ({citation.get('language') or '?'})[/]")
        if body.get("notice"):
            console.print(f"[yellow]{body['notice']}[/]")
    else:
        console.print(f"[yellow]{body['status']}[/]: {body.get('notice') or body.get('detail') or ''}", markup=True)
        console.print(f"query id {body['query_id']}: {url}{body['status_url']}")
    raise typer.Exit(0 if response.status_code < 400 else 1)
