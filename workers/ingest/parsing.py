"""Turn uploaded bytes into paragraphs of body text, each tagged with its page and section heading."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

import docx
import lxml.etree
import pypdf
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table
from pypdf.errors import DependencyError
from selectolax.lexbor import LexborHTMLParser, LexborNode

from mirage.formats import DocumentFormat, RejectedUpload, decode_text


class UnreadableDocument(ValueError):
    """The bytes have the right format but hold nothing we can index; the message is for the uploader."""


@dataclass(frozen=True)
class Block:
    text: str
    page: int | None
    heading: str | None


@dataclass(frozen=True)
class ParsedDocument:
    title: str | None
    pages: int | None
    blocks: tuple[Block, ...]


class _Part(NamedTuple):
    text: str
    page: int | None = None
    is_heading: bool = False
    is_title: bool = False


class _Extracted(NamedTuple):
    title: str | None
    parts: list[_Part]
    pages: int | None = None


def parse(data: bytes, fmt: DocumentFormat) -> ParsedDocument:
    extracted = _EXTRACTORS[fmt](data)
    blocks = _assemble(extracted.parts)
    if not blocks:
        raise UnreadableDocument("the document contains no text")
    first_heading = next((part.text for part in extracted.parts if part.is_heading), None)
    return ParsedDocument(extracted.title or first_heading, extracted.pages, blocks)


def _assemble(parts: list[_Part]) -> tuple[Block, ...]:
    if not any(part.text and not part.is_heading for part in parts):
        # A document made only of headings still has text worth indexing.
        parts = [part._replace(is_heading=False) for part in parts]
    blocks, heading = [], None
    for part in parts:
        if not part.text:
            continue
        if part.is_heading:
            heading = part.text
        else:
            blocks.append(Block(part.text, part.page, heading))
    return tuple(blocks)


# --- text shared by every format ---------------------------------------------------------------

_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb06": "st"}
_NUMBERED = re.compile(r"(?:\d{1,2}[.)]|\d{1,2}(?:\.\d{1,2})+\.?)\s+(\w)")
_LINE_BREAK_HYPHEN = re.compile(r"[^\W_]-$")


def _clean(text: str) -> str:
    """Collapse whitespace and drop invisible characters; digits, commas and units stay as written."""
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    for ligature, letters in _LIGATURES.items():
        text = text.replace(ligature, letters)
    return " ".join(text.split())


def _clean_preformatted(text: str) -> str:
    return "\n".join(line for line in map(_clean, text.splitlines()) if line)


def _join_lines(lines: Iterable[str]) -> str:
    """Re-join wrapped lines, undoing end-of-line hyphenation ("dosa-" + "ge" -> "dosage")."""
    text = ""
    for line in lines:
        if _LINE_BREAK_HYPHEN.search(text):
            text = text[:-1] + line if line[:1].islower() and text[-2].isalpha() else text + line
        else:
            text = f"{text} {line}" if text else line
    return text


def _first_title(parts: list[_Part]) -> str | None:
    return next((part.text for part in parts if part.is_title and part.text), None)


def _is_numbered(line: str) -> bool:
    match = _NUMBERED.match(line)
    return match is not None and match.group(1).isupper()


def _is_all_caps(line: str) -> bool:
    letters = [char for char in line if char.isalpha()]
    return len(letters) >= 4 and all(char.isupper() or char == "ß" for char in letters)


def _is_short_heading_line(line: str) -> bool:
    return 0 < len(line) < 80 and line[-1] not in ".,;-" and any(char.isalpha() for char in line)


def _is_title_like(line: str) -> bool:
    return _is_short_heading_line(line) and line[0].isupper() and len(line.split()) <= 10 and line[-1] not in ":!"


# --- PDF ---------------------------------------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"[-\s]*(?:(?:page|seite|página|pagina|p\.|s\.)\s*)?(\d{1,4})(?:\s*(?:/|of|von|de|sur|\|)\s*\d{1,4})?[-\s]*",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?:][\"'»”’)\]]*$")
# Body lines of a page rarely hold fewer characters; a document of short lines still gets sane thresholds.
_TYPICAL_MIN_LINE_WIDTH = 60
_LIST_ITEM = re.compile(r"(?:[-–•*·▪●○]|\(?[a-z\d]{1,2}\))\s")


def _extract_pdf(data: bytes) -> _Extracted:
    metadata_title, page_texts = _read_pdf(data)
    if not any(text.strip() for text in page_texts):
        raise UnreadableDocument("the PDF has no extractable text (scanned images?)")
    lines = _without_page_furniture(page_texts)
    return _Extracted(metadata_title, list(_pdf_parts(lines)), len(page_texts))


def _read_pdf(data: bytes) -> tuple[str | None, list[str]]:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnreadableDocument("the PDF is password-protected; upload an unprotected copy")
        title = reader.metadata.title if reader.metadata else None
        return (_clean(title) if isinstance(title, str) else None), [page.extract_text() for page in reader.pages]
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
    return re.sub(r"\d+", "#", _clean(line).lower())


def _pdf_parts(lines: list[tuple[int, str]]) -> Iterator[_Part]:
    cleaned = [_clean(line) for _, line in lines]
    width = max(max(map(len, cleaned), default=0), _TYPICAL_MIN_LINE_WIDTH)
    paragraph: list[str] = []
    start_page = previous_page = None
    for index, ((page, raw), line) in enumerate(zip(lines, cleaned)):
        previous = cleaned[index - 1] if index else None
        following = cleaned[index + 1] if index + 1 < len(cleaned) else None
        if _is_pdf_heading(line, previous, following, width):
            if paragraph:
                yield _Part(_join_lines(paragraph), start_page)
            paragraph = []
            yield _Part(line, page, is_heading=True)
            continue
        starts_paragraph = bool(_LIST_ITEM.match(line)) or raw[:1].isspace()
        ends_page_sentence = page != previous_page and previous is not None and _SENTENCE_END.search(previous)
        previous_page = page
        if paragraph and (starts_paragraph or ends_page_sentence or _ends_paragraph(paragraph[-1], width)):
            yield _Part(_join_lines(paragraph), start_page)
            paragraph = []
        if not paragraph:
            start_page = page
        paragraph.append(line)
    if paragraph:
        yield _Part(_join_lines(paragraph), start_page)


def _ends_paragraph(line: str, width: int) -> bool:
    """A sentence end on a visibly short line: the text stopped before the right margin."""
    return bool(_SENTENCE_END.search(line)) and len(line) < 0.85 * width


def _is_pdf_heading(line: str, previous: str | None, following: str | None, width: int) -> bool:
    if following is None or not _is_short_heading_line(line) or line.endswith(":"):
        return False
    if _is_numbered(line) or _is_all_caps(line):
        return True
    after_break = previous is None or _SENTENCE_END.search(previous) or _is_short_heading_line(previous)
    continued = following[:1].islower()
    return _is_title_like(line) and len(line) < 0.7 * width and bool(after_break) and not continued


# --- DOCX --------------------------------------------------------------------------------------

_DOCX_DAMAGE = (zipfile.BadZipFile, KeyError, ValueError, zlib.error, EOFError, lxml.etree.LxmlError,
                PackageNotFoundError)


def _extract_docx(data: bytes) -> _Extracted:
    try:
        document = docx.Document(io.BytesIO(data))
        parts = list(_docx_parts(document.iter_inner_content()))
        core_title = document.core_properties.title
    except _DOCX_DAMAGE as exc:
        raise UnreadableDocument(f"the DOCX file is damaged: {exc}") from exc
    return _Extracted(_first_title(parts) or _clean(core_title or "") or None, parts)


def _docx_parts(items: Iterable[object]) -> Iterator[_Part]:
    for item in items:
        if isinstance(item, Table):
            yield from _docx_table_parts(item)
            continue
        style = getattr(item.style, "name", None) or ""
        is_title = style.startswith("Title")
        yield _Part(_clean(item.text), is_heading=is_title or style.startswith("Heading"), is_title=is_title)


def _docx_table_parts(table: Table) -> Iterator[_Part]:
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # Merged cells repeat the same underlying element across the row.
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(_clean(cell.text))
        text = " | ".join(cell for cell in cells if cell)
        if text:
            yield _Part(text)


# --- HTML --------------------------------------------------------------------------------------

_DROPPED_TAGS = "script, style, nav, noscript, template, svg, iframe, object, head"
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TEXT_TAGS = {"p", "li", "pre", "dt", "dd", "blockquote", "figcaption", "caption", "address"}
_INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "label",
                "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"}


def _extract_html(data: bytes) -> _Extracted:
    tree = LexborHTMLParser(_decode(data))
    title_node = tree.css_first("title")
    title = _clean(title_node.text()) if title_node else ""
    for node in tree.css(_DROPPED_TAGS):
        node.decompose()
    parts = list(_html_parts(tree.body)) if tree.body else []
    first_h1 = tree.css_first("h1")
    return _Extracted(title or (_clean(first_h1.text()) if first_h1 else None) or None, parts)


def _html_parts(container: LexborNode) -> Iterator[_Part]:
    loose: list[str] = []
    for node in container.iter(include_text=True):
        if node.is_comment_node:
            continue
        if node.is_text_node or node.tag in _INLINE_TAGS or node.tag == "br":
            loose.append(_inline_text(node))
            continue
        if loose:
            yield _Part(_clean(" ".join(loose)))
            loose = []
        if node.tag in _HEADING_TAGS:
            yield _Part(_clean(_inline_text(node)), is_heading=True)
        elif node.tag == "pre":
            yield _Part(_clean_preformatted(node.text()))
        elif node.tag in _TEXT_TAGS:
            yield _Part(_clean(_inline_text(node)))
        elif node.tag == "tr":
            yield _Part(" | ".join(text for cell in node.css("td, th") if (text := _clean(_inline_text(cell)))))
        else:
            yield from _html_parts(node)
    if loose:
        yield _Part(_clean(" ".join(loose)))


def _inline_text(node: LexborNode) -> str:
    """Text of a node where inline tags join words and block-level children separate them."""
    if node.is_text_node:
        return node.text(deep=False)
    if node.tag == "br":
        return " "
    pieces = []
    for child in node.iter(include_text=True):
        if child.is_comment_node:
            continue
        inline = child.is_text_node or child.tag in _INLINE_TAGS
        pieces.append(_inline_text(child) if inline else f" {_inline_text(child)} ")
    return "".join(pieces)


# --- Markdown ----------------------------------------------------------------------------------

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


def _extract_markdown(data: bytes) -> _Extracted:
    parts = list(_markdown_parts(_decode(data).splitlines()))
    return _Extracted(_first_title(parts), parts)


def _markdown_parts(lines: list[str]) -> Iterator[_Part]:
    lines = _without_front_matter(lines)
    paragraph: list[str] = []

    def flush() -> Iterator[_Part]:
        if paragraph:
            yield _Part(_clean(_strip_markdown(_join_lines(line.strip() for line in paragraph))))
            paragraph.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if fence := _FENCE.match(line):
            yield from flush()
            closing = next((i for i in range(index, len(lines)) if lines[i].strip().startswith(fence.group(1))),
                           len(lines))
            yield _Part(_clean_preformatted("\n".join(lines[index:closing])))
            index = closing + 1
        elif atx := _ATX.fullmatch(line):
            yield from flush()
            yield _Part(_clean(_strip_markdown(atx.group(2))), is_heading=True, is_title=len(atx.group(1)) == 1)
        elif paragraph and (underline := _SETEXT_UNDERLINE.fullmatch(line)):
            heading = _clean(_strip_markdown(" ".join(paragraph)))
            paragraph.clear()
            yield _Part(heading, is_heading=True, is_title=underline.group(1).startswith("="))
        elif not line.strip() or _THEMATIC_BREAK.fullmatch(line) or _REFERENCE_DEFINITION.fullmatch(line):
            yield from flush()
        elif _TABLE_DIVIDER.fullmatch(line):
            continue
        elif line.lstrip().startswith("|"):
            yield from flush()
            cells = [_clean(_strip_markdown(cell)) for cell in line.strip().strip("|").split("|")]
            yield _Part(" | ".join(cell for cell in cells if cell))
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


# --- plain text --------------------------------------------------------------------------------


def _extract_txt(data: bytes) -> _Extracted:
    text = _decode(data).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [lines for chunk in re.split(r"\n[ \t]*\n", text) if (lines := _nonblank_lines(chunk))]
    parts = []
    for index, lines in enumerate(paragraphs):
        is_last = index == len(paragraphs) - 1
        if len(lines) == 1 and not is_last and _is_txt_heading(lines[0], is_first=index == 0):
            parts.append(_Part(lines[0].rstrip(":").rstrip(), is_heading=True))
        else:
            parts.append(_Part(_join_lines(lines)))
    return _Extracted(None, parts)


def _nonblank_lines(text: str) -> list[str]:
    return [line for line in map(_clean, text.splitlines()) if line]


def _is_txt_heading(line: str, is_first: bool) -> bool:
    if not _is_short_heading_line(line):
        return False
    return _is_numbered(line) or _is_all_caps(line) or line.endswith(":") or (is_first and _is_title_like(line))


def _decode(data: bytes) -> str:
    try:
        return decode_text(data)
    except RejectedUpload as exc:
        raise UnreadableDocument(f"the file is not readable text: {exc}") from exc


_EXTRACTORS: dict[DocumentFormat, Callable[[bytes], _Extracted]] = {
    DocumentFormat.pdf: _extract_pdf,
    DocumentFormat.docx: _extract_docx,
    DocumentFormat.html: _extract_html,
    DocumentFormat.markdown: _extract_markdown,
    DocumentFormat.txt: _extract_txt,
}
