"""Text helpers shared by every format: cleaning, re-joining wrapped lines and spotting headings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from adapters.formats import RejectedUpload, decode_text
from workers.ingest.parsing.document import Part, UnreadableDocument

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb06": "st"}
_NUMBERED = re.compile(r"(?:\d{1,2}[.)]|\d{1,2}(?:\.\d{1,2})+\.?)\s+(\w)")
_LINE_BREAK_HYPHEN = re.compile(r"[^\W_]-$")


def decode(data: bytes) -> str:
    try:
        return decode_text(data)
    except RejectedUpload as exc:
        raise UnreadableDocument(f"the file is not readable text: {exc}") from exc


def clean(text: str) -> str:
    """Collapse whitespace and drop invisible characters; digits, commas and units stay as written."""
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    return " ".join(text.split())


def clean_preformatted(text: str) -> str:
    return "\n".join(line for line in map(clean, text.splitlines()) if line)


def join_lines(lines: Iterable[str]) -> str:
    """Re-join wrapped lines, undoing end-of-line hyphenation ("dosa-" + "ge" -> "dosage")."""
    text = ""
    for line in lines:
        if _LINE_BREAK_HYPHEN.search(text):
            text = text[:-1] + line if line[:1].islower() and text[-2].isalpha() else text + line
        else:
            text = f"{text} {line}" if text else line
    return text


def first_title(parts: list[Part]) -> str | None:
    return next((part.text for part in parts if part.is_title and part.text), None)


def is_numbered(line: str) -> bool:
    match = _NUMBERED.match(line)
    return match is not None and match.group(1).isupper()


def is_all_caps(line: str) -> bool:
    letters = [char for char in line if char.isalpha()]
    return len(letters) >= 4 and all(char.isupper() or char == "ß" for char in letters)


def is_short_heading_line(line: str) -> bool:
    return 0 < len(line) < 80 and line[-1] not in ".,;-" and any(char.isalpha() for char in line)


def is_title_like(line: str) -> bool:
    return is_short_heading_line(line) and line[0].isupper() and len(line.split()) <= 10 and line[-1] not in ":!"
