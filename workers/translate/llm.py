"""Questions translated by an LLM: any OpenAI-compatible server (Ollama, vLLM, llama.cpp) or Gemini."""

from __future__ import annotations

import re
from typing import Protocol

from adapters.language import LANGUAGE_NAMES
from adapters.llm import GeminiClient, LlmConfig, LlmFailed, OpenAICompatibleClient

_THINKING = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)


class LlmTranslator(Protocol):
    name: str

    async def translate(self, text: str, source_language: str | None, target_language: str) -> str: ...

    async def aclose(self) -> None:
        """Release the HTTP connections."""
        ...


class TranslationFailed(LlmFailed):
    """The backend gave no usable translation; `str(error)` is a short reason, e.g. "rate limited"."""


def instruction(source_language: str | None, target_language: str) -> str:
    source = f" from {LANGUAGE_NAMES.get(source_language, source_language)}" if source_language else ""
    target = LANGUAGE_NAMES.get(target_language, target_language)
    return f"Translate the user's medical question{source} into {target}. Output only the translation, nothing else."


def clean_reply(text: str | None) -> str:
    """The translation alone: a reasoning model's <think> block dropped, whitespace trimmed."""
    translation = _THINKING.sub("", text or "").strip()
    if not translation:
        raise TranslationFailed("empty reply")
    return translation


class _ClientTranslator:
    """One attempt bounded by `timeout_s`: the question goes on untranslated rather than late."""

    def __init__(self, name: str, client: GeminiClient | OpenAICompatibleClient) -> None:
        self.model = client.model
        self.timeout_s = client.timeout_s
        self.name = name
        self._client = client

    async def translate(self, text: str, source_language: str | None, target_language: str) -> str:
        try:
            reply = await self._client.complete(instruction(source_language, target_language), text)
        except LlmFailed as error:
            raise TranslationFailed(str(error)) from error
        return clean_reply(reply)

    async def aclose(self) -> None:
        await self._client.aclose()


class OpenAICompatibleTranslator(_ClientTranslator):
    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 20) -> None:
        super().__init__(f"openai:{model}", OpenAICompatibleClient(base_url, model, api_key=api_key, timeout_s=timeout_s))


class GeminiTranslator(_ClientTranslator):
    def __init__(self, api_key: str, model: str = "gemini-2.5-flash", base_url: str | None = None, timeout_s: float = 20) -> None:
        super().__init__(f"gemini:{model}", GeminiClient(api_key, model, base_url=base_url, timeout_s=timeout_s))


def build_translator(config: LlmConfig) -> LlmTranslator | None:
    """A translator over the configured LLM, or None offline."""
    client = config.client()
    return None if client is None else _ClientTranslator(config.name, client)
