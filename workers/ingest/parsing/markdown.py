"""Markdown paragraphs, list items, table rows and code blocks, with the inline markup stripped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from workers.ingest.parsing.document import Extracted, Part
from workers.ingest.parsing.text import clean, clean_preformatted, decode, first_title, join_lines

_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r" {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_SETEXT_UNDERLINE = re.compile(r" {0,3}(=+|-{2,})[ \t]*")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*")
_BULLET = re.compile(r"[ \t]*[-*+][ \t]+")
_ORDERED_ITEM = re.compile(r"[ \t]*\d{1,3}[.)][ \t]+")
_TABLE_DIVIDER = re.compile(r"[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*")
_REFERENCE_DEFINITION = re.compile(r" {0,3}\[[^\]]+\]:[ \t]*\S+.*")
_INLINE_MARKDOWN = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"`+([^`]+)`+"), r"\1"),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),
    (re.compile(r"</?[a-zA-Z][^>]*>"), " "),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])"), r"\1"),
]


def extract(data: bytes) -> Extracted:
    parts = list(_parts(decode(data).splitlines()))
    return Extracted(first_title(parts), parts)


def _parts(lines: list[str]) -> Iterator[Part]:
    lines = _without_front_matter(lines)
    paragraph: list[str] = []

    def flush() -> Iterator[Part]:
        if paragraph:
            yield Part(clean(_strip_markdown(join_lines(line.strip() for line in paragraph))))
            paragraph.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if fence := _FENCE.match(line):
            yield from flush()
            closing = next((i for i in range(index, len(lines)) if lines[i].strip().startswith(fence.group(1))),
                           len(lines))
            yield Part(clean_preformatted("\n".join(lines[index:closing])))
            index = closing + 1
        elif atx := _ATX.fullmatch(line):
            yield from flush()
            yield Part(clean(_strip_markdown(atx.group(2))), is_heading=True, is_title=len(atx.group(1)) == 1)
        elif paragraph and (underline := _SETEXT_UNDERLINE.fullmatch(line)):
            heading = clean(_strip_markdown(" ".join(paragraph)))
            paragraph.clear()
            yield Part(heading, is_heading=True, is_title=underline.group(1).startswith("="))
        elif not line.strip() or _THEMATIC_BREAK.fullmatch(line) or _REFERENCE_DEFINITION.fullmatch(line):
            yield from flush()
        elif _TABLE_DIVIDER.fullmatch(line):
            continue
        elif line.lstrip().startswith("|"):
            yield from flush()
            cells = [clean(_strip_markdown(cell)) for cell in line.strip().strip("|").split("|")]
            yield Part(" | ".join(cell for cell in cells if cell))
        elif bullet := (_BULLET.match(line) or _ORDERED_ITEM.match(line)):
            yield from flush()
            keep_number = bullet.re is _ORDERED_ITEM
            paragraph.append(line.strip() if keep_number else line[bullet.end():])
        else:
            paragraph.append(re.sub(r"^\s*(?:>\s?)+", "", line))
    yield from flush()


def _without_front_matter(lines: list[str]) -> list[str]:
    if lines[:1] == ["---"]:
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if closing is not None:
            return lines[closing + 1:]
    return lines


def _strip_markdown(text: str) -> str:
    for pattern, replacement in _INLINE_MARKDOWN:
        text = pattern.sub(replacement, text)
    return text
