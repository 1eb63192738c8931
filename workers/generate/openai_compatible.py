"""Answers written by any server that speaks OpenAI's chat completions: Ollama, vLLM, llama.cpp."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from mirage.llm import LlmFailed, OpenAICompatibleClient
from workers.generate.base import GenerationFailed
from workers.generate.prompting import build_prompt, parse_reply


class OpenAICompatibleGenerator:
    """One attempt per question (`max_retries=0`), bounded by `timeout_s`. `base_url` ends with /v1, e.g. Ollama's
    http://localhost:11434/v1."""

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 20) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.name = f"openai:{model}"
        self._client = OpenAICompatibleClient(base_url, model, api_key=api_key, timeout_s=timeout_s)

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
