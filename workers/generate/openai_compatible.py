"""Answers written by any server that speaks OpenAI's chat completions: Ollama, vLLM, llama.cpp."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import openai

from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from workers.generate.base import GenerationFailed, http_failure
from workers.generate.prompting import build_prompt, parse_reply


class OpenAICompatibleGenerator:
    """One attempt per question (`max_retries=0`), bounded by `timeout_s`. `base_url` ends with /v1, e.g. Ollama's
    http://localhost:11434/v1."""

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 20) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.name = f"openai:{model}"
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout_s)

    async def generate(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer:
        prompt = build_prompt(question, question_language, answer_language, passages)
        try:
            async with asyncio.timeout(self.timeout_s):
                completion = await self._client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "system", "content": prompt.system}, {"role": "user", "content": prompt.user}],
                    temperature=0.0,
                )
        except (TimeoutError, openai.APITimeoutError) as error:
            raise GenerationFailed(f"timed out after {self.timeout_s:g} s") from error
        except openai.APIStatusError as error:
            raise http_failure(error.status_code) from error
        except openai.APIConnectionError as error:
            raise GenerationFailed("unreachable") from error
        except openai.OpenAIError as error:
            raise GenerationFailed(f"request failed ({type(error).__name__})") from error
        if not completion.choices:
            raise GenerationFailed("no choices")
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter":
            raise GenerationFailed("blocked (content_filter)")
        if choice.finish_reason == "length":
            raise GenerationFailed("cut off (length)")
        if choice.message.refusal:
            raise GenerationFailed("refused")
        return parse_reply(
            choice.message.content, question=question, answer_language=answer_language, passages=passages, backend=self.name
        )

    async def aclose(self) -> None:
        await self._client.close()
