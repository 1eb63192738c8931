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


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a passage: one sentence, or a list with its lead-in ("Common side effects: a; b; c")."""

    text: str
    position: int
    is_list: bool = False


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


def answer_units(text: str) -> list[Unit]:
    """The statements of `text` in order, a list joined to its lead-in; headings, questions and a table of
    contents are left out (a Markdown heading line that a format kept in the text too)."""
    lines = [line for line in text.split("\n") if line.strip() and not line.lstrip().startswith("#")]
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
                units.append(Unit(sentence, len(units)))
        if lead:
            if heading_section(lead) not in NOT_ANSWERS:
                units.append(Unit(f"{lead.rstrip(':').rstrip()}: {'; '.join(items)}", len(units), is_list=True))
            i = j
        else:
            i += 1
    return units
