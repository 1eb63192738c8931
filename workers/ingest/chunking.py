"""Cut a parsed document into retrieval chunks that never straddle two sections."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from adapters.sentences import sentence_pieces
from workers.ingest.parsing import Block, ParsedDocument


@dataclass(frozen=True)
class Chunk:
    index: int
    text: str
    page: int | None
    heading: str | None


class _Piece(NamedTuple):
    text: str
    page: int | None
    block: int


def chunk_document(doc: ParsedDocument, max_chars: int = 1000, min_chars: int = 200) -> list[Chunk]:
    if max_chars < 1 or min_chars < 0:
        raise ValueError("max_chars must be positive and min_chars not negative")
    chunks: list[Chunk] = []
    for heading, blocks in itertools.groupby(doc.blocks, key=lambda block: block.heading):
        drafts = _pack(_pieces(blocks, max_chars), max_chars)
        for draft in _merge_short_tail(drafts, max_chars, min_chars):
            chunks.append(Chunk(len(chunks), _render(draft), draft[0].page, heading))
    return chunks


def _pieces(blocks: Iterable[Block], max_chars: int) -> Iterator[_Piece]:
    for number, block in enumerate(blocks):
        if len(block.text) <= max_chars:
            yield _Piece(block.text, block.page, number)
            continue
        for sentence in (piece.strip() for piece in sentence_pieces(block.text)):
            for part in _split_at_words(sentence, max_chars):
                yield _Piece(part, block.page, number)


def _pack(pieces: Iterable[_Piece], max_chars: int) -> list[list[_Piece]]:
    """Fill chunks greedily; every separator is one character, so lengths add up exactly."""
    drafts: list[list[_Piece]] = []
    length = 0
    for piece in pieces:
        if drafts and length + 1 + len(piece.text) <= max_chars:
            drafts[-1].append(piece)
            length += 1 + len(piece.text)
        else:
            drafts.append([piece])
            length = len(piece.text)
    return drafts


def _merge_short_tail(drafts: list[list[_Piece]], max_chars: int, min_chars: int) -> list[list[_Piece]]:
    if len(drafts) >= 2:
        previous, tail = (len(_render(draft)) for draft in drafts[-2:])
        if tail < min_chars and previous + 1 + tail <= 1.5 * max_chars:
            return [*drafts[:-2], drafts[-2] + drafts[-1]]
    return drafts


def _render(pieces: list[_Piece]) -> str:
    """Sentences of one block join with a space, separate blocks with a newline."""
    text = pieces[0].text
    for previous, piece in zip(pieces, pieces[1:]):
        text += (" " if piece.block == previous.block else "\n") + piece.text
    return text


def _split_at_words(sentence: str, max_chars: int) -> Iterator[str]:
    while len(sentence) > max_chars:
        cut = _word_boundary(sentence, max_chars)
        yield sentence[:cut].rstrip()
        sentence = sentence[cut:].lstrip()
    if sentence:
        yield sentence


def _word_boundary(text: str, max_chars: int) -> int:
    """The last space within reach, preferring one that does not part a number from its unit ("500 | mg")."""
    spaces = [match.start() for match in re.finditer(" ", text[: max_chars + 1]) if match.start() > max_chars // 2]
    for space in reversed(spaces):
        if not text[space - 1].isdigit():
            return space
    return spaces[-1] if spaces else max_chars
