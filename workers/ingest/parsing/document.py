"""What parsing yields: the parsed document, and the parts each format extracts on the way there."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


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


class Part(NamedTuple):
    text: str
    page: int | None = None
    is_heading: bool = False
    is_title: bool = False


class Extracted(NamedTuple):
    title: str | None
    parts: list[Part]
    pages: int | None = None
