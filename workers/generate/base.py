"""The seam between the generate worker and its answer backends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from adapters.llm import LlmFailed
from contracts.questions import DraftAnswer
from contracts.search import SearchHit


class Generator(Protocol):
    name: str

    async def generate(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer: ...


class GenerationFailed(LlmFailed):
    """An online backend gave no usable answer (error, timeout, rate limit, block, broken format).

    `str(error)` is a short reason fit for a log line and the answer's backend name, e.g. "rate limited".
    """


async def aclose(generator: Generator) -> None:
    """Release what a backend holds (HTTP connections); backends without an `aclose` hold nothing."""
    close = getattr(generator, "aclose", None)
    if close is not None:
        await close()

