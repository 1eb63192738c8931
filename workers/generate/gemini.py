"""Answers written by Gemini through google-genai, on the pinned v1beta API."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from mirage.llm import GeminiClient, LlmFailed
from workers.generate.base import GenerationFailed
from workers.generate.prompting import build_prompt, parse_reply


class GeminiGenerator:
    """One attempt per question, bounded by `timeout_s`: the fallback answers at once rather than after retries."""

    def __init__(self, api_key: str, model: str = "gemini-2.5-flash", base_url: str | None = None, timeout_s: float = 20) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.name = f"gemini:{model}"
        self._client = GeminiClient(api_key, model, base_url=base_url, timeout_s=timeout_s)

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
