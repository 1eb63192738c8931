"""One chat completion from Gemini or an OpenAI-compatible server, its failures reduced to a short reason.

Both clients make one attempt bounded by `timeout_s`: a caller that fails over (an extractive answer, an
untranslated question) does better at once than after retries.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import openai
from google import genai
from google.genai import errors, types

_GEMINI_FINISHED = {None, types.FinishReason.STOP, types.FinishReason.FINISH_REASON_UNSPECIFIED}


class LlmFailed(RuntimeError):
    """The backend gave no usable reply (error, timeout, rate limit, block); `str(error)` is a short reason fit
    for a log line, e.g. "rate limited"."""


def http_failure(status: int | None) -> LlmFailed:
    """The failure for an HTTP error status from an online backend."""
    if status == 429:
        return LlmFailed("rate limited")
    if status is not None and status >= 500:
        return LlmFailed(f"server error {status}")
    if status in (401, 403):
        return LlmFailed(f"access denied (HTTP {status})")
    return LlmFailed(f"HTTP {status}")


class GeminiClient:
    """Gemini through google-genai. On the wire: POST {base_url}/v1beta/models/{model}:generateContent with the key
    in `x-goog-api-key`. The API version is pinned because google-genai 3.3 defaults to v1 and lets
    GOOGLE_GENAI_API_VERSION change it."""

    def __init__(self, api_key: str, model: str, base_url: str | None = None, timeout_s: float = 20) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self._client = genai.Client(
            api_key=api_key,
            vertexai=False,
            http_options=types.HttpOptions(
                base_url=base_url, api_version="v1beta", timeout=int(timeout_s * 1000), retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )

    async def complete(self, system: str, user: str, *, temperature: float = 0.0) -> str:
        config = types.GenerateContentConfig(system_instruction=system, temperature=temperature, candidate_count=1)
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await self._client.aio.models.generate_content(model=self.model, contents=user, config=config)
        except TimeoutError as error:
            raise LlmFailed(f"timed out after {self.timeout_s:g} s") from error
        except errors.APIError as error:
            raise http_failure(error.code) from error
        except Exception as error:  # transport errors differ by HTTP library (aiohttp, httpx)
            raise LlmFailed(f"request failed ({type(error).__name__})") from error
        return _gemini_text(response)

    async def aclose(self) -> None:
        await self._client.aio.aclose()


def _gemini_text(response: types.GenerateContentResponse) -> str:
    if not response.candidates:
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            raise LlmFailed(f"blocked ({_value(feedback.block_reason)})")
        raise LlmFailed("no candidates")
    candidate = response.candidates[0]
    if candidate.finish_reason not in _GEMINI_FINISHED:
        reason = _value(candidate.finish_reason)
        raise LlmFailed(f"cut off ({reason})" if candidate.finish_reason == types.FinishReason.MAX_TOKENS else f"blocked ({reason})")
    parts = candidate.content.parts if candidate.content is not None and candidate.content.parts else []
    return "".join(part.text for part in parts if part.text and not part.thought)


def _value(reason: object) -> str:
    return str(getattr(reason, "value", reason))


class OpenAICompatibleClient:
    """Any server that speaks OpenAI's chat completions: Ollama, vLLM, llama.cpp. `base_url` ends with /v1, e.g.
    Ollama's http://localhost:11434/v1."""

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 20) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self._client = openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout_s)

    async def complete(self, system: str, user: str, *, temperature: float = 0.0) -> str:
        try:
            async with asyncio.timeout(self.timeout_s):
                completion = await self._client.chat.completions.create(
                    model=self.model,
                    messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                    temperature=temperature,
                )
        except (TimeoutError, openai.APITimeoutError) as error:
            raise LlmFailed(f"timed out after {self.timeout_s:g} s") from error
        except openai.APIStatusError as error:
            raise http_failure(error.status_code) from error
        except openai.APIConnectionError as error:
            raise LlmFailed("unreachable") from error
        except openai.OpenAIError as error:
            raise LlmFailed(f"request failed ({type(error).__name__})") from error
        if not completion.choices:
            raise LlmFailed("no choices")
        choice = completion.choices[0]
        if choice.finish_reason == "content_filter":
            raise LlmFailed("blocked (content_filter)")
        if choice.finish_reason == "length":
            raise LlmFailed("cut off (length)")
        if choice.message.refusal:
            raise LlmFailed("refused")
        return choice.message.content or ""

    async def aclose(self) -> None:
        await self._client.close()


@dataclass(frozen=True)
class LlmConfig:
    """Which LLM a site configured: an OpenAI-compatible server if its URL is set, else Gemini if a key is set, else none."""

    openai_base_url: str | None = None
    openai_model: str = "llama3.1"
    openai_api_key: str | None = None
    gemini_api_key: str | None = None
    gemini_model: str = "gemini-2.5-flash"
    timeout_s: float = 20.0

    @property
    def name(self) -> str | None:
        """"openai:<model>", "gemini:<model>", or None offline."""
        if self.openai_base_url:
            return f"openai:{self.openai_model}"
        if self.gemini_api_key:
            return f"gemini:{self.gemini_model}"
        return None

    def client(self) -> GeminiClient | OpenAICompatibleClient | None:
        """A new client for the configured LLM (one per worker: it holds the HTTP connections), None offline."""
        if self.openai_base_url:
            return OpenAICompatibleClient(self.openai_base_url, self.openai_model, api_key=self.openai_api_key or "not-needed",
                                          timeout_s=self.timeout_s)
        if self.gemini_api_key:
            return GeminiClient(self.gemini_api_key, self.gemini_model, timeout_s=self.timeout_s)
        return None
