"""Synthetic but realistic benchmark text: real sentences recombined into unique chunks and documents."""

from __future__ import annotations

import gzip
import random
from importlib import resources
from pathlib import Path

from mirage.evaluation.beir import load_beir


def seed_sentences(corpus: Path | None = None) -> list[str]:
    """Sentences of a BEIR corpus if given, else the bundled TICO-19 English sentences (CC0)."""
    if corpus is None:
        packaged = resources.files("mirage.evaluation") / "data" / "tico19_en_sentences.txt.gz"
        text = gzip.decompress(packaged.read_bytes()).decode()
        return [line for line in text.splitlines() if len(line) > 20]
    sentences = []
    for doc in load_beir(corpus).corpus:
        sentences.extend(s.strip() + "." for s in doc.text.split(". ") if len(s) > 20)
    return sentences


class TextFactory:
    def __init__(self, sentences: list[str], seed: int = 7) -> None:
        if len(sentences) < 50:
            raise ValueError("need at least 50 seed sentences")
        self.sentences, self.random = sentences, random.Random(seed)

    def paragraph(self, sentences: int = 5) -> str:
        return " ".join(self.random.choices(self.sentences, k=sentences))

    def chunks(self, count: int) -> list[str]:
        """`count` distinct passages of 4–7 sentences (~400–900 characters)."""
        return [self.paragraph(self.random.randint(4, 7)) for _ in range(count)]

    def sections(self, count: int, paragraphs: int = 3) -> list[tuple[str, list[str]]]:
        return [(f"{i + 1}. {self.random.choice(self.sentences)[:60]}", [self.paragraph() for _ in range(paragraphs)]) for i in range(count)]
