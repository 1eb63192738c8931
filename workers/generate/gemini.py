"""Answers written by Gemini through google-genai.

On the wire: POST {base_url}/v1beta/models/{model}:generateContent with the key in `x-goog-api-key`. The API
version is pinned because google-genai 3.3 defaults to v1 and lets GOOGLE_GENAI_API_VERSION change it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from google import genai
from google.genai import errors, types

from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from workers.generate.base import GenerationFailed, http_failure
from workers.generate.prompting import build_prompt, parse_reply

_FINISHED = {None, types.FinishReason.STOP, types.FinishReason.FINISH_REASON_UNSPECIFIED}


class GeminiGenerator:
    """One attempt per question, bounded by `timeout_s`: the fallback answers at once rather than after retries."""

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

    async def generate(
        self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]
    ) -> DraftAnswer:
        prompt = build_prompt(question, question_language, answer_language, passages)
        config = types.GenerateContentConfig(system_instruction=prompt.system, temperature=0.0, candidate_count=1)
        try:
            async with asyncio.timeout(self.timeout_s):
                response = await self._client.aio.models.generate_content(model=self.model, contents=prompt.user, config=config)
        except TimeoutError as error:
            raise GenerationFailed(f"timed out after {self.timeout_s:g} s") from error
        except errors.APIError as error:
            raise http_failure(error.code) from error
        except Exception as error:  # transport errors differ by HTTP library (aiohttp, httpx)
            raise GenerationFailed(f"request failed ({type(error).__name__})") from error
        return parse_reply(_reply_text(response), question=question, answer_language=answer_language, passages=passages, backend=self.name)

    async def aclose(self) -> None:
        await self._client.aio.aclose()


def _reply_text(response: types.GenerateContentResponse) -> str:
    if not response.candidates:
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            raise GenerationFailed(f"blocked ({_value(feedback.block_reason)})")
        raise GenerationFailed("no candidates")
    candidate = response.candidates[0]
    if candidate.finish_reason not in _FINISHED:
        reason = _value(candidate.finish_reason)
        raise GenerationFailed(f"cut off ({reason})" if candidate.finish_reason == types.FinishReason.MAX_TOKENS else f"blocked ({reason})")
    parts = candidate.content.parts if candidate.content is not None and candidate.content.parts else []
    return "".join(part.text for part in parts if part.text and not part.thought)


def _value(reason: object) -> str:
    return str(getattr(reason, "value", reason))
