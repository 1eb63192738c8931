"""Answers written by an LLM: our prompt, the shared client's one call, our parsing of the reply."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from adapters.llm import LlmFailed
from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from workers.generate.base import GenerationFailed
from workers.generate.prompting import build_prompt, parse_reply


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
        return parse_reply(reply, question=question, answer_language=answer_language, passages=passages, backend=self.name)

    async def aclose(self) -> None:
        await self._client.aclose()
