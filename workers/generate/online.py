"""Answers written by an LLM: our prompt, the shared client's one call, our parsing and grounding of the reply."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from prometheus_client import Counter

from adapters.llm import LlmFailed
from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from workers.generate.base import GenerationFailed
from workers.generate.grounding import Removal, UngroundedAnswer
from workers.generate.prompting import build_prompt, parse_reply

logger = logging.getLogger(__name__)
UNGROUNDED_SENTENCES = Counter(
    "mirage_generation_ungrounded_sentences_total",
    "Sentences of online answers removed because the passages they cite do not state their numbers, medicines or markers",
    ["backend"],
)


class CompletionClient(Protocol):
    async def complete(self, system: str, user: str, *, temperature: float = 0.0) -> str: ...
    async def aclose(self) -> None: ...


class OnlineGenerator:
    """One attempt per question, bounded by the client's timeout: the fallback answers at once rather than after retries."""

    def __init__(self, client: CompletionClient, name: str, model: str, timeout_s: float) -> None:
        self._client, self.name, self.model, self.timeout_s = client, name, model, timeout_s

    async def generate(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer:
        prompt = build_prompt(question, question_language, answer_language, passages)
        try:
            reply = await self._client.complete(prompt.system, prompt.user)
        except LlmFailed as error:
            raise GenerationFailed(str(error)) from error
        try:
            parsed = parse_reply(reply, answer_language=answer_language, passages=passages, backend=self.name)
        except UngroundedAnswer as error:
            self._record(error.removed)
            raise
        self._record(parsed.removed)
        return parsed.draft

    def _record(self, removed: Sequence[Removal]) -> None:
        for removal in removed:
            logger.info("%s: removed a sentence (%s): %s", self.name, removal.reason, removal.sentence)
        if removed:
            UNGROUNDED_SENTENCES.labels(backend=self.name).inc(len(removed))

    async def aclose(self) -> None:
        await self._client.aclose()
