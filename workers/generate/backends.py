"""The generator a process runs with, chosen from its settings."""

from __future__ import annotations

from adapters.llm import LlmConfig
from workers.generate.base import Generator
from workers.generate.extractive import ExtractiveGenerator
from workers.generate.fallback import FallbackGenerator
from workers.generate.online import OnlineGenerator


def build_generator(llm: LlmConfig, extractive: Generator | None = None) -> Generator:
    """The configured LLM (adapters.llm.LlmConfig decides which), always falling back to the extractive answer;
    the extractive answer alone offline."""
    extractive = extractive or ExtractiveGenerator()
    client = llm.client()
    if client is None:
        return extractive
    return FallbackGenerator(OnlineGenerator(client, llm.name, client.model, llm.timeout_s), extractive)
