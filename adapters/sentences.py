"""Where a sentence ends, in the four languages: one rule for chunking documents, quoting them and checking
what an online answer claims, so that a sentence is the same thing wherever MIRAGE cuts one.

A sentence ends at . ! ? or … (with the closing quotes and brackets after it, and the citation markers an
answer writes after it: "... a day. [2]") before white space, and at every line break. A full stop does not
end one after a number ("2.5 mg" has no space; "am 3. Tag", "1." of a list), after a one-letter or common
abbreviation ("z. B.", "e.g.", "Dr.", "p. ex.", "c.-à-d.") or inside brackets closing without a space. A
semicolon joins the clauses of one sentence (leaflets list "do not freeze; keep in the outer carton"): it
does not end one.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*(?:\s*\[[\d\s,;–-]+\])*(?=\s|$)|\n")
_NOT_SENTENCE_END = re.compile(
    r"(?:^|[\s(])(?:\d+|[zdups]|e\.g|i\.e|z\.\s?b|d\.\s?h|u\.\s?a|c\.-à-d|p\.\s?ex|ca|approx|env|dr|prof|bzw|usw|vgl|ggf|evtl|inkl"
    r"|vs|nr|no|cf|sr|sra|dra|pp)\.$",
    re.IGNORECASE,
)
# how far back an abbreviation can start before its full stop ("c.-à-d." is the longest)
_LOOK_BACK = 12
BULLETS = "-–•*·▪"
_AROUND = BULLETS + " \t\n\r\u00a0"


def sentence_pieces(text: str) -> list[str]:
    """`text` cut after each sentence end, every piece with the white space and bullet before it and the
    line break after it, so that joining the pieces gives `text` back. White space or a bullet alone is no piece."""
    pieces, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        if end.group().startswith(".") and _NOT_SENTENCE_END.search(text, max(0, end.start() - _LOOK_BACK), end.start() + 1):
            continue
        pieces.append(text[start:end.end()])
        start = end.end()
    pieces.append(text[start:])
    merged: list[str] = []
    for piece in pieces:
        if merged and not piece.strip(_AROUND):
            merged[-1] += piece
        else:
            merged.append(piece)
    return [piece for piece in merged if piece.strip(_AROUND)]


def split_sentences(text: str) -> list[str]:
    """The sentences and lines of `text`, each an exact substring of it without the white space and the list
    bullet around it."""
    return [piece.strip().lstrip(_AROUND) for piece in sentence_pieces(text)]
