"""The table `mirage eval answers` prints, and the list of misses with --verbose."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from mirage.evaluation.answers import TARGETS

ROWS = (
    ("right_document_cited", "right document cited", "with_document"),
    ("fact_recall", "fact recall", "with_facts"),
    ("unanswerable_declined", "unanswerable declined", "unanswerable"),
    ("harmless_held", "harmless held", "harmless"),
    ("harmless_held_human_loop", "harmless held, human loop", "harmless"),
    ("risky_held", "risky held", "risky"),
    ("in_asked_language", "in the asked language", "questions"),
)


def cell(value: float | None, n: int) -> str:
    return "-" if value is None else f"{value:.2f} [dim]({n})[/]"


def measures_table(report: dict[str, Any]) -> Table:
    documents = report["documents"]
    groups = report["measures"]
    table = Table(title=f"{groups['overall']['n']['questions']} questions over {documents['distinct_documents']} documents "
                        f"({documents['indexed_files']} files, {documents['chunks']} chunks)",
                  caption="(n) questions counted; held questions are scored on their draft")
    table.add_column("measure")
    for group in groups:
        table.add_column(group, justify="right")
    table.add_column("target", justify="right")
    for key, label, counted in ROWS:
        table.add_row(label, *(cell(g[key], g["n"][counted]) for g in groups.values()), TARGETS[key])
    table.add_row("latency p50 / p95 ms", *(f"{g['latency_p50_ms'] or 0:.0f} / {g['latency_p95_ms'] or 0:.0f}" for g in groups.values()), "")
    return table


def print_report(report: dict[str, Any], console: Console, verbose: bool) -> None:
    from mirage.evaluation.answers import misses_of

    console.print(measures_table(report))
    console.print(f"answers by {report['backends'] or 'nothing'}; embedder {report['embedder']}")
    documents = report["documents"]
    if documents["failed"]:
        console.print(f"[red]not indexed:[/] {documents['failed']}")
    if documents["expected_but_not_indexed"]:
        console.print(f"[yellow]questions name files that were not indexed:[/] {', '.join(documents['expected_but_not_indexed'])}")
    if verbose:
        for detail in report["details"]:
            if wrong := misses_of(detail):
                console.print(f"[bold]{detail['id']}[/] ({detail['lang']}, {detail['status']}): {'; '.join(wrong)}", markup=True)
                console.print(f"  cited {detail['cited_documents'] or 'nothing'}; expected {detail['expected_documents'] or 'none'}",
                              markup=False)
                if detail["held"] != detail["risky"]:
                    console.print(f"  risk: {'; '.join(detail['risk_findings']) or 'no finding'}", markup=False)
