"""Answers written by Gemini through google-genai, on the pinned v1beta API."""

from __future__ import annotations

from adapters.llm import GeminiClient
from workers.generate.online import OnlineGenerator


class GeminiGenerator(OnlineGenerator):
    def __init__(self, api_key: str, model: str = "gemini-2.5-flash", base_url: str | None = None, timeout_s: float = 20) -> None:
        super().__init__(GeminiClient(api_key, model, base_url=base_url, timeout_s=timeout_s), f"gemini:{model}", model, timeout_s)
