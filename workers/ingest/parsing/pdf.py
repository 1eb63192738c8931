"""PDF text, with page numbers and running headers/footers dropped and wrapped lines re-joined."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator

import pypdf
from pypdf.errors import DependencyError

from workers.ingest.parsing.document import Extracted, Part, UnreadableDocument
from workers.ingest.parsing.text import (
    clean,
    is_all_caps,
    is_numbered,
    is_short_heading_line,
    is_title_like,
    join_lines,
)

_PAGE_NUMBER = re.compile(
    r"[-\s]*(?:(?:page|seite|página|pagina|p\.|s\.)\s*)?(\d{1,4})(?:\s*(?:/|of|von|de|sur|\|)\s*\d{1,4})?[-\s]*",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:][\"'»”’)\]]*$")
# Body lines of a page rarely hold fewer characters; a document of short lines still gets sane thresholds.
_TYPICAL_MIN_LINE_WIDTH = 60
_LIST_ITEM = re.compile(r"(?:[-–•*·▪●○]|\(?[a-z\d]{1,2}\))\s")


def extract(data: bytes) -> Extracted:
    metadata_title, page_texts = _read(data)
    if not any(text.strip() for text in page_texts):
        raise UnreadableDocument("the PDF has no extractable text (scanned images?)")
    lines = _without_page_furniture(page_texts)
    return Extracted(metadata_title, list(_parts(lines)), len(page_texts))


def _read(data: bytes) -> tuple[str | None, list[str]]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("the PDF is password-protected; upload an unprotected copy")
        title = reader.metadata.title if reader.metadata else None
        return (clean(title) if isinstance(title, str) else None), [page.extract_text() for page in reader.pages]
    except DependencyError as exc:
        raise UnreadableDocument(f"the PDF is encrypted with a method this server cannot open: {exc}") from exc
    except UnreadableDocument:
        raise
    # Besides PdfReadError, pypdf answers hostile bytes with KeyError, ValueError, zlib.error and the like.
    except Exception as exc:
        raise UnreadableDocument(f"the PDF is corrupt or truncated: {exc}") from exc


def _without_page_furniture(page_texts: list[str]) -> list[tuple[int, str]]:
    """Drop page numbers and running headers/footers: short lines repeated at the edge of most pages."""
    pages = [[line for line in text.splitlines() if line.strip()] for text in page_texts]
    edge_counts = Counter(key for lines in pages for key in {_edge_key(line) for line in lines[:1] + lines[-1:]})

    def is_furniture(line: str, page: int) -> bool:
        page_number = _PAGE_NUMBER.fullmatch(line.strip())
        if page_number and int(page_number.group(1)) == page:
            return True
        return len(pages) > 1 and edge_counts[_edge_key(line)] * 2 > len(pages)

    kept = []
    for page, lines in enumerate(pages, start=1):
        edges = {0, len(lines) - 1}
        kept += [(page, line) for index, line in enumerate(lines) if index not in edges or not is_furniture(line, page)]
    return kept


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", clean(line).lower())


def _parts(lines: list[tuple[int, str]]) -> Iterator[Part]:
    cleaned = [clean(line) for _, line in lines]
    width = max(max(map(len, cleaned), default=0), _TYPICAL_MIN_LINE_WIDTH)
    paragraph: list[str] = []
    start_page = previous_page = None
    for index, ((page, raw), line) in enumerate(zip(lines, cleaned)):
        previous = cleaned[index - 1] if index else None
        following = cleaned[index + 1] if index + 1 < len(cleaned) else None
        if _is_heading(line, previous, following, width):
            if paragraph:
                yield Part(join_lines(paragraph), start_page)
            paragraph = []
            yield Part(line, page, is_heading=True)
            continue
        starts_paragraph = bool(_LIST_ITEM.match(line)) or raw[:1].isspace()
        ends_page_sentence = page != previous_page and previous is not None and _SENTENCE_END.search(previous)
        previous_page = page
        if paragraph and (starts_paragraph or ends_page_sentence or _ends_paragraph(paragraph[-1], width)):
            yield Part(join_lines(paragraph), start_page)
            paragraph = []
        if not paragraph:
            start_page = page
        paragraph.append(line)
    if paragraph:
        yield Part(join_lines(paragraph), start_page)


def _ends_paragraph(line: str, width: int) -> bool:
    """A sentence end on a visibly short line: the text stopped before the right margin."""
    return bool(_SENTENCE_END.search(line)) and len(line) < 0.85 * width


def _is_heading(line: str, previous: str | None, following: str | None, width: int) -> bool:
    if following is None or not is_short_heading_line(line) or line.endswith(":"):
        return False
    if is_numbered(line) or is_all_caps(line):
        return True
    after_break = previous is None or _SENTENCE_END.search(previous) or is_short_heading_line(previous)
    continued = following[:1].islower()
    return is_title_like(line) and len(line) < 0.7 * width and bool(after_break) and not continued
