"""Answers written by any server that speaks OpenAI's chat completions: Ollama, vLLM, llama.cpp."""

from __future__ import annotations

from adapters.llm import OpenAICompatibleClient
from workers.generate.online import OnlineGenerator


class OpenAICompatibleGenerator(OnlineGenerator):
    """`base_url` ends with /v1, e.g. Ollama's http://localhost:11434/v1."""

    def __init__(self, base_url: str, model: str, api_key: str = "not-needed", timeout_s: float = 20) -> None:
        super().__init__(OpenAICompatibleClient(base_url, model, api_key=api_key, timeout_s=timeout_s), f"openai:{model}", model,
                         timeout_s)
