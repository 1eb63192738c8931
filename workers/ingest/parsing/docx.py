"""DOCX paragraphs and table rows, in document order, with Title and Heading styles as headings."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterable, Iterator

import docx
import lxml.etree
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from workers.ingest.parsing.document import Extracted, Part, UnreadableDocument
from workers.ingest.parsing.text import clean, first_title

_DAMAGE = (zipfile.BadZipFile, KeyError, ValueError, zlib.error, EOFError, lxml.etree.LxmlError,
           PackageNotFoundError)


def extract(data: bytes) -> Extracted:
    try:
        document = docx.Document(io.BytesIO(data))
        parts = list(_parts(document.iter_inner_content()))
        core_title = document.core_properties.title
    except _DAMAGE as exc:
        raise UnreadableDocument(f"the DOCX file is damaged: {exc}") from exc
    return Extracted(first_title(parts) or clean(core_title or "") or None, parts)


def _parts(items: Iterable[object]) -> Iterator[Part]:
    for item in items:
        if isinstance(item, Table):
            yield from _table_parts(item)
            continue
        style = getattr(item.style, "name", None) or ""
        is_title = style.startswith("Title")
        yield Part(clean(item.text), is_heading=is_title or style.startswith("Heading"), is_title=is_title)


def _table_parts(table: Table) -> Iterator[Part]:
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            # Merged cells repeat the same underlying element across the row.
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(clean(cell.text))
        text = " | ".join(cell for cell in cells if cell)
        if text:
            yield Part(text)
