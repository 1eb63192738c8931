"""Turn uploaded bytes into paragraphs of body text, each tagged with its page and section heading."""

from __future__ import annotations

from collections.abc import Callable

from adapters.formats import DocumentFormat
from workers.ingest.parsing import docx, html, markdown, pdf, plain
from workers.ingest.parsing.document import Block, Extracted, ParsedDocument, Part, UnreadableDocument

__all__ = ["Block", "ParsedDocument", "UnreadableDocument", "parse"]

_EXTRACTORS: dict[DocumentFormat, Callable[[bytes], Extracted]] = {
    DocumentFormat.pdf: pdf.extract,
    DocumentFormat.docx: docx.extract,
    DocumentFormat.html: html.extract,
    DocumentFormat.markdown: markdown.extract,
    DocumentFormat.txt: plain.extract,
}


def parse(data: bytes, fmt: DocumentFormat) -> ParsedDocument:
    extracted = _EXTRACTORS[fmt](data)
    blocks = _assemble(extracted.parts)
    if not blocks:
        raise UnreadableDocument("the document contains no text")
    first_heading = next((part.text for part in extracted.parts if part.is_heading), None)
    return ParsedDocument(extracted.title or first_heading, extracted.pages, blocks)


def _assemble(parts: list[Part]) -> tuple[Block, ...]:
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
