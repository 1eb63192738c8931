"""What a passage offers as answer material: its statements, and its lists with the line that introduces them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.leaflet import NOT_ANSWERS, heading_section
from adapters.sentences import BULLETS, split_sentences

_WORD = re.compile(r"\w+")
_BULLET = BULLETS + " \t"
_CLOSERS = "\"'»”’)]"
MAX_ITEM_WORDS = 14
MAX_ITEMS = 40
MIN_WRAPPED_CHARS = 60  # a line this long that stops mid-sentence was wrapped by the layout


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a passage: one sentence, or a list with its lead-in ("Common side effects: a; b; c")."""

    text: str
    position: int
    is_list: bool = False
    heading: str | None = None  # of a section that begins inside the passage, above this unit


def is_statement(sentence: str) -> bool:
    """Worth quoting: not a question, not a lead-in to a list, not a heading (short and unpunctuated)."""
    words = len(_WORD.findall(sentence))
    if words < 3 or sentence.endswith(("?", ":")):
        return False
    return words >= 8 or sentence.rstrip(_CLOSERS).endswith((".", "!", "…"))


def is_list_item(line: str) -> bool:
    """A short line without a sentence's end: "headache", "feeling sick (nausea)"."""
    line = line.strip().lstrip(_BULLET)
    words = len(_WORD.findall(line))
    return 0 < words <= MAX_ITEM_WORDS and not line.rstrip(_CLOSERS).endswith((".", "!", "?", ":", "…"))


def is_lead_in(sentence: str) -> bool:
    """What introduces a list: "... such as:" or a sub-heading ("Common side effects (may affect up to 1 in 10 people)")."""
    return sentence.endswith(":") or (len(_WORD.findall(sentence)) >= 2 and not sentence.rstrip(_CLOSERS).endswith((".", "!", "?", "…")))


def unwrapped(lines: list[str]) -> list[str]:
    """Lines that a PDF or a Word file wrapped joined again: a long line without a sentence's end followed by one
    that starts in lowercase and is not a list item ("... stated on the carton and bottle after EXP. The expiry" /
    "date refers to the last day of that month."): a list's items ("depression" / "headache") stay apart."""
    joined: list[str] = []
    for line in lines:
        previous = joined[-1].rstrip() if joined else ""
        start = line.lstrip()[:1]
        wrapped = len(previous) >= MIN_WRAPPED_CHARS and not previous.endswith((".", "!", "?", ":", ";", "…"))
        if wrapped and start.islower() and not is_list_item(line):
            joined[-1] = f"{previous} {line.strip()}"
        else:
            joined.append(line)
    return joined


def answer_units(text: str) -> list[Unit]:
    """The statements of `text` in order, a list joined to its lead-in; headings, questions and a table of
    contents are left out. A Markdown heading line that a format kept in the text (a passage that runs into the
    next section: "## 5. How to store X") is not quoted but gives the units under it their `heading`."""
    units: list[Unit] = []
    heading: str | None = None
    block: list[str] = []
    for line in [*text.split("\n"), "#"]:
        if line.lstrip().startswith("#"):
            units.extend(_units(unwrapped(block), heading, len(units)))
            heading, block = line.lstrip().lstrip("#").strip() or None, []
        elif line.strip():
            block.append(line)
    return units


def _units(lines: list[str], heading: str | None, start: int) -> list[Unit]:
    units: list[Unit] = []
    i = 0
    while i < len(lines):
        sentences = split_sentences(lines[i])
        items = []
        j = i + 1
        while j < len(lines) and is_list_item(lines[j]) and len(items) < MAX_ITEMS:
            items.append(lines[j].strip().lstrip(_BULLET))
            j += 1
        lead = sentences[-1] if sentences and items and is_lead_in(sentences[-1]) else None
        for sentence in sentences[:-1] if lead else sentences:
            if is_statement(sentence):
                units.append(Unit(sentence, start + len(units), heading=heading))
        if lead:
            if heading_section(lead) not in NOT_ANSWERS:
                units.append(Unit(f"{lead.rstrip(':').rstrip()}: {'; '.join(items)}", start + len(units), is_list=True, heading=heading))
            i = j
        else:
            i += 1
    return units
