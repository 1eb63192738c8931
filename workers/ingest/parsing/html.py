"""HTML body text by block element, with scripts, navigation and other chrome dropped."""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from workers.ingest.parsing.document import Extracted, Part
from workers.ingest.parsing.text import clean, clean_preformatted, decode

_DROPPED_TAGS = "script, style, nav, noscript, template, svg, iframe, object, head"
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_TEXT_TAGS = {"p", "li", "pre", "dt", "dd", "blockquote", "figcaption", "caption", "address"}
_INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "label",
                "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"}


def extract(data: bytes) -> Extracted:
    tree = LexborHTMLParser(decode(data))
    title_node = tree.css_first("title")
    title = clean(title_node.text()) if title_node else ""
    for node in tree.css(_DROPPED_TAGS):
        node.decompose()
    parts = list(_parts(tree.body)) if tree.body else []
    first_h1 = tree.css_first("h1")
    return Extracted(title or (clean(first_h1.text()) if first_h1 else None) or None, parts)


def _parts(container: LexborNode) -> Iterator[Part]:
    loose: list[str] = []
    for node in container.iter(include_text=True):
        if node.is_comment_node:
            continue
        if node.is_text_node or node.tag in _INLINE_TAGS or node.tag == "br":
            loose.append(_inline_text(node))
            continue
        if loose:
            yield Part(clean(" ".join(loose)))
            loose = []
        if node.tag in _HEADING_TAGS:
            yield Part(clean(_inline_text(node)), is_heading=True)
        elif node.tag == "pre":
            yield Part(clean_preformatted(node.text()))
        elif node.tag in _TEXT_TAGS:
            yield Part(clean(_inline_text(node)))
        elif node.tag == "tr":
            yield Part(" | ".join(text for cell in node.css("td, th") if (text := clean(_inline_text(cell)))))
        else:
            yield from _parts(node)
    if loose:
        yield Part(clean(" ".join(loose)))


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
