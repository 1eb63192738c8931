"""The generator a process runs with, chosen from its settings."""

from __future__ import annotations

from workers.generate.base import Generator
from workers.generate.extractive import ExtractiveGenerator
from workers.generate.fallback import FallbackGenerator
from workers.generate.gemini import GeminiGenerator
from workers.generate.openai_compatible import OpenAICompatibleGenerator


def build_generator(
    *,
    gemini_api_key: str | None,
    gemini_model: str,
    openai_base_url: str | None,
    openai_model: str,
    openai_api_key: str | None,
    timeout_s: float,
) -> Generator:
    """An OpenAI-compatible server if its URL is set, else Gemini if a key is set, else the extractive answer;
    an online backend always falls back to the extractive answer."""
    extractive = ExtractiveGenerator()
    if openai_base_url:
        online: Generator = OpenAICompatibleGenerator(
            openai_base_url, openai_model, api_key=openai_api_key or "not-needed", timeout_s=timeout_s
        )
    elif gemini_api_key:
        online = GeminiGenerator(gemini_api_key, model=gemini_model, timeout_s=timeout_s)
    else:
        return extractive
    return FallbackGenerator(online, extractive)
