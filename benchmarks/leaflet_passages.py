"""Cut the English EMA leaflets into passages of about 700 characters within their sections, each titled
with its section's heading (which names the medicine): the corpus of the ES/DE leaflet checks.

    python benchmarks/leaflet_passages.py ../shared/eval/fixtures/ema_leaflets > corpus.jsonl
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

PASSAGE_CHARS = 700
MIN_CHARS = 40


def sections(lines: list[str]) -> Iterator[tuple[str, list[str]]]:
    """(heading, passages' lines) for each `## ` section, cut whenever a passage passes PASSAGE_CHARS."""
    heading, lines_so_far = "", []
    for line in lines:
        if line.startswith("## "):
            yield heading, lines_so_far
            heading, lines_so_far = line[3:].strip(), []
            continue
        lines_so_far.append(line)
        if sum(len(kept) for kept in lines_so_far) > PASSAGE_CHARS:
            yield heading, lines_so_far
            lines_so_far = []
    yield heading, lines_so_far


def passages(leaflet: Path) -> Iterator[dict[str, str]]:
    stem = leaflet.name.removesuffix(".en.txt")
    texts = ((heading, "\n".join(lines).strip()) for heading, lines in sections(leaflet.read_text(encoding="utf-8").splitlines()))
    kept = [(heading, text) for heading, text in texts if len(text) > MIN_CHARS]
    for number, (heading, text) in enumerate(kept):
        yield {"_id": f"{stem}-{number:02d}", "title": heading, "text": text}


if __name__ == "__main__":
    for leaflet in sorted(Path(sys.argv[1]).glob("*.en.txt")):
        for row in passages(leaflet):
            print(json.dumps(row, ensure_ascii=False))
