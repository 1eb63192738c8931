"""What a passage offers as answer material: its statements, and its lists with the line that introduces them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.leaflet import NOT_ANSWERS, fold, heading_section

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?=\s)|\n")
# "z. B.", "e.g.", "Dr." or "3." (an ordinal, a list number) end a word, not a sentence; "1,2 g." ends one.
_NOT_SENTENCE_END = re.compile(
    r"(?:^|[\s(])(?:\d+|[zdup]|e\.g|i\.e|z\.\s?b|d\.\s?h|u\.\s?a|ca|approx|dr|prof|bzw|usw|vgl|ggf|evtl|inkl|vs|nr|no|cf"
    r"|p\.\s?ex|env|sr|sra|dra)\.$",
    re.IGNORECASE,
)
_BULLET = "-–•*·▪ \t"
_CLOSERS = "\"'»”’)]"
MAX_ITEM_WORDS = 14
MAX_ITEMS = 40

# Advice every leaflet repeats whatever is asked: it ranks below what this leaflet says about its medicine.
_BOILERPLATE = re.compile(
    r"(?:talk|speak|ask|tell|consult|check with) (?:to )?your (?:doctor|pharmacist|nurse)|doctor,? (?:or|and) pharmacist"
    r"|report(?:ing)? (?:of )?(?:any )?side effects|reporting system|appendix v|this leaflet|see section|not everybody gets them"
    r"|votre medecin|medecin ou (?:votre )?pharmacien|cette notice|declar(?:er|ation) des effets|systeme national de declaration"
    r"|consulte a su medico|medico o farmaceutico|este prospecto|comunicacion de efectos|notificar|farmacovigilancia"
    r"|no todas las personas|(?:ihren|ihrem|den) arzt|arzt oder apotheker|packungsbeilage|meldung von nebenwirkungen"
    r"|nicht jeden betreffen|laege(?:n)? eller apotek|indlaegssedl|medico ou farmaceutico|este folheto|comunicacao de efeitos"
)


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a passage: one sentence, or a list with its lead-in ("Common side effects: a; b; c")."""

    text: str
    position: int
    is_list: bool = False

    @property
    def is_boilerplate(self) -> bool:
        return _BOILERPLATE.search(fold(self.text)) is not None


def split_sentences(text: str) -> list[str]:
    """Sentences and lines of `text`, each an exact substring of it (only surrounding spaces and bullets removed)."""
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        if end.group().startswith(".") and _NOT_SENTENCE_END.search(text, max(0, end.start() - 12), end.start() + 1):
            continue
        sentences.append(text[start:end.end()].strip().lstrip(_BULLET))
        start = end.end()
    sentences.append(text[start:].strip().lstrip(_BULLET))
    return [sentence for sentence in sentences if sentence]


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
