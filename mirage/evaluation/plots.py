"""PNG plots for docs/BENCHMARKS.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def plot_search_latency(runs: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [run["chunks"] for run in runs]
    figure, axis = plt.subplots(figsize=(6.5, 4))
    series = {
        "MIRAGE hybrid incl. query embedding, in-process": [r["search_in_process"] for r in runs],
        "MIRAGE hybrid incl. query embedding, via NATS": [r["search_through_nats"] for r in runs],
    }
    if all("chroma" in r for r in runs):
        series["ChromaDB dense, query vector given"] = [
            {"p50_ms": r["chroma"]["search_p50_ms"], "p95_ms": r["chroma"]["search_p95_ms"]} for r in runs
        ]
    for label, points in series.items():
        line = axis.plot(sizes, [p["p50_ms"] for p in points], marker="o", label=f"{label} p50")[0]
        axis.plot(sizes, [p["p95_ms"] for p in points], marker="x", linestyle="--", color=line.get_color(), label=f"{label} p95")
    axis.set_xscale("log")
    axis.set_xlabel("chunks indexed")
    axis.set_ylabel("search latency (ms)")
    axis.set_title("Search latency against index size (2 cores)")
    axis.grid(True, alpha=0.3)
    axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
