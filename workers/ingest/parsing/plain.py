"""Plain-text paragraphs split on blank lines, with lone short lines that look like headings as headings."""

from __future__ import annotations

import re

from workers.ingest.parsing.document import Extracted, Part
from workers.ingest.parsing.text import (
    clean,
    decode,
    is_all_caps,
    is_numbered,
    is_short_heading_line,
    is_title_like,
    join_lines,
)


def extract(data: bytes) -> Extracted:
    text = decode(data).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [lines for chunk in re.split(r"\n[ \t]*\n", text) if (lines := _nonblank_lines(chunk))]
    parts = []
    for index, lines in enumerate(paragraphs):
        is_last = index == len(paragraphs) - 1
        if len(lines) == 1 and not is_last and _is_heading(lines[0], is_first=index == 0):
            parts.append(Part(lines[0].rstrip(":").rstrip(), is_heading=True))
        else:
            parts.append(Part(join_lines(lines)))
    return Extracted(None, parts)


def _nonblank_lines(text: str) -> list[str]:
    return [line for line in map(clean, text.splitlines()) if line]


def _is_heading(line: str, is_first: bool) -> bool:
    if not is_short_heading_line(line):
        return False
    return is_numbered(line) or is_all_caps(line) or line.endswith(":") or (is_first and is_title_like(line))
