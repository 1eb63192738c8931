"""Questions translated by an LLM: any OpenAI-compatible server (Ollama, vLLM, llama.cpp) or Gemini."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Protocol

import openai
from google import genai
from google.genai import errors, types

if TYPE_CHECKING:
    from mirage.settings import Settings

LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish", "de": "German"}
_THINKING = re.compile(r"^\s*<think>.*?</think>", re.DOTALL)
_GEMINI_FINISHED = {None, types.FinishReason.STOP, types.FinishReason.FINISH_REASON_UNSPECIFIED}


class LlmTranslator(Protocol):
    name: str

    async def translate(self, text: str, source_language: str | None, target_language: str) -> str: ...


class TranslationFailed(RuntimeError):
    """The backend gave no usable translation; `str(error)` is a short reason, e.g. "rate limited"."""


def instruction(source_language: str | None, target_language: str) -> str:
    source = f" from {LANGUAGE_NAMES.get(source_language, source_language)}" if source_language else ""
    target = LANGUAGE_NAMES.get(target_language, target_language)
    return f"Translate the user's medical question{source} into {target}. Output only the translation, nothing else."


def http_failure(status: int | None) -> TranslationFailed:
    if status == 429:
        return TranslationFailed("rate limited")
    if status is not None and status >= 500:
        return TranslationFailed(f"server error {status}")
    if status in (401, 403):
        return TranslationFailed(f"access denied (HTTP {status})")
    return TranslationFailed(f"HTTP {status}")


def clean_reply(text: str | None) -> str:
    """The translation alone: a reasoning model's <think> block dropped, whitespace trimmed."""
    translation = _THINKING.sub("", text or "").strip()
    if not translation:
        raise TranslationFailed("empty reply")
    return translation


class OpenAICompatibleTranslator:
    """One attempt (`max_retries=0`) bounded by `timeout_s`: the question goes on untranslated rather than late."""

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 20) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.name = f"openai:{model}"
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout_s)

    async def translate(self, text: str, source_language: str | None, target_language: str) -> str:
        try:
            async with asyncio.timeout(self.timeout_s):
                completion = await self._client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "system", "content": instruction(source_language, target_language)},
                              {"role": "user", "content": text}],
                    temperature=0.0,
                )
        except (TimeoutError, openai.APITimeoutError) as error:
            raise TranslationFailed(f"timed out after {self.timeout_s:g} s") from error
        except openai.APIStatusError as error:
            raise http_failure(error.status_code) from error
        except openai.APIConnectionError as error:
            raise TranslationFailed("unreachable") from error
        except openai.OpenAIError as error:
            raise TranslationFailed(f"request failed ({type(error).__name__})") from error
        if not completion.choices:
            raise TranslationFailed("no choices")
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter":
            raise TranslationFailed("blocked (content_filter)")
        if choice.finish_reason == "length":
            raise TranslationFailed("cut off (length)")
        if choice.message.refusal:
            raise TranslationFailed("refused")
        return clean_reply(choice.message.content)

    async def aclose(self) -> None:
        await self._client.close()


class GeminiTranslator:
    """One attempt bounded by `timeout_s`, on the pinned v1beta API (as the generate worker's Gemini backend)."""

    def __init__(self, api_key: str, model: str = "gemini-2.5-flash", base_url: str | None = None, timeout_s: float = 20) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.name = f"gemini:{model}"
        self._client = genai.Client(
            api_key=api_key,
            vertexai=False,
            http_options=types.HttpOptions(
                base_url=base_url, api_version="v1beta", timeout=int(timeout_s * 1000), retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )

    async def translate(self, text: str, source_language: str | None, target_language: str) -> str:
        config = types.GenerateContentConfig(
            system_instruction=instruction(source_language, target_language), temperature=0.0, candidate_count=1,
        )
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await self._client.aio.models.generate_content(model=self.model, contents=text, config=config)
        except TimeoutError as error:
            raise TranslationFailed(f"timed out after {self.timeout_s:g} s") from error
        except errors.APIError as error:
            raise http_failure(error.code) from error
        except Exception as error:  # transport errors differ by HTTP library (aiohttp, httpx)
            raise TranslationFailed(f"request failed ({type(error).__name__})") from error
        return clean_reply(_gemini_text(response))

    async def aclose(self) -> None:
        await self._client.aio.aclose()


def _gemini_text(response: types.GenerateContentResponse) -> str:
    if not response.candidates:
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            raise TranslationFailed(f"blocked ({_value(feedback.block_reason)})")
        raise TranslationFailed("no candidates")
    candidate = response.candidates[0]
    if candidate.finish_reason not in _GEMINI_FINISHED:
        reason = _value(candidate.finish_reason)
        raise TranslationFailed(f"cut off ({reason})" if candidate.finish_reason == types.FinishReason.MAX_TOKENS else f"blocked ({reason})")
    parts = candidate.content.parts if candidate.content is not None and candidate.content.parts else []
    return "".join(part.text for part in parts if part.text and not part.thought)


def _value(reason: object) -> str:
    return str(getattr(reason, "value", reason))


def build_translator(settings: Settings) -> LlmTranslator | None:
    """An OpenAI-compatible server if its URL is set, else Gemini if a key is set, else none (offline)."""
    if settings.openai_base_url:
        return OpenAICompatibleTranslator(
            settings.openai_base_url, settings.openai_model, api_key=settings.openai_api_key or "not-needed",
            timeout_s=settings.llm_timeout_s,
        )
    if settings.gemini_api_key:
        return GeminiTranslator(settings.gemini_api_key, model=settings.gemini_model, timeout_s=settings.llm_timeout_s)
    return None
