"""The seam between the generate worker and its answer backends."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from contracts.questions import DraftAnswer
from contracts.search import SearchHit


class Generator(Protocol):
    name: str

    async def generate(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer: ...


class GenerationFailed(RuntimeError):
    """An online backend gave no usable answer (error, timeout, rate limit, block, broken format).

    `str(error)` is a short reason fit for a log line and the answer's backend name, e.g. "rate limited".
    """


async def aclose(generator: Generator) -> None:
    """Release what a backend holds (HTTP connections); backends without an `aclose` hold nothing."""
    close = getattr(generator, "aclose", None)
    if close is not None:
        await close()


def http_failure(status: int | None) -> GenerationFailed:
    """The failure for an HTTP error status from an online backend."""
    if status == 429:
        return GenerationFailed("rate limited")
    if status is not None and status >= 500:
        return GenerationFailed(f"server error {status}")
    if status in (401, 403):
        return GenerationFailed(f"access denied (HTTP {status})")
    return GenerationFailed(f"HTTP {status}")
