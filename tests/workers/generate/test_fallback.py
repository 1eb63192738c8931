"""An online backend that fails in any way still gets the question answered, by the extractive generator, with a notice."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from adapters.llm import LlmConfig
from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from tests.workers.generate.fakes import DOSAGE, DOSAGE_QUESTIONS, TIMEOUT_S, WIRES, FakeApi, Wire, gemini_reply, leaflet_passages
from workers.generate.backends import build_generator
from workers.generate.base import aclose
from workers.generate.extractive import ExtractiveGenerator
from workers.generate.fallback import FallbackGenerator
from workers.generate.frames import FRAMES
from workers.generate.gemini import GeminiGenerator

pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

# (answer language, (status, body, delay) from the wire, reason)
FAILURES = {
    "rate-limited": ("fr", lambda wire: (429, wire.error(429), 0.0), "rate limited"),
    "server-error": ("es", lambda wire: (500, wire.error(500), 0.0), "server error 500"),
    "too-slow": ("de", lambda wire: (200, wire.reply("Höchstens 800 mg pro Tag [1]."), 5.0), f"timed out after {TIMEOUT_S} s"),
    "access-denied": ("en", lambda wire: (403, wire.error(403), 0.0), "access denied (HTTP 403)"),
}
NOTICE_WORDS = {"en": "unavailable", "fr": "indisponible", "es": "no está disponible", "de": "nicht verfügbar"}


@pytest.mark.parametrize("wire", WIRES, ids=lambda wire: wire.name.split(":")[0])
@pytest.mark.parametrize("failure", FAILURES)
async def test_a_failed_backend_gives_the_extractive_answer_with_a_notice_in_the_answer_language(
    fake_api: FakeApi, caplog: pytest.LogCaptureFixture, wire: Wire, failure: str
) -> None:
    language, reply, reason = FAILURES[failure]
    status, body, delay_s = reply(wire)
    fake_api.reply(body, status=status, delay_s=delay_s)
    question, passages = DOSAGE_QUESTIONS[language], leaflet_passages(language, first=DOSAGE)
    extractive = ExtractiveGenerator()
    generator = FallbackGenerator(wire.make(fake_api.url), extractive)

    try:
        with caplog.at_level(logging.WARNING):
            answer = await generator.generate(question, language, language, passages)
    finally:
        await aclose(generator)

    offline = await extractive.generate(question, language, language, passages)
    assert offline.answered
    assert (answer.text, answer.citations, answer.answered, answer.language) == (offline.text, offline.citations, True, language)
    assert answer.notice == FRAMES[language].fallback_notice and NOTICE_WORDS[language] in answer.notice
    assert answer.backend == f"extractive ({wire.name} failed: {reason})"
    assert reason in caplog.text
    assert len(fake_api.requests) == 1


async def test_a_working_backend_answers_alone(fake_api: FakeApi) -> None:
    fake_api.reply(gemini_reply("Höchstens 800 mg pro Tag [1]."))
    generator = FallbackGenerator(GeminiGenerator("key", base_url=fake_api.url), ExtractiveGenerator())
    try:
        answer = await generator.generate(DOSAGE_QUESTIONS["de"], "de", "de", leaflet_passages("de", first=DOSAGE))
    finally:
        await aclose(generator)

    assert (answer.text, answer.backend, answer.notice) == ("Höchstens 800 mg pro Tag [1].", "gemini:gemini-2.5-flash", None)


class Broken:
    name = "broken"

    async def generate(self, question: str, question_language: str | None, answer_language: str, passages: Sequence[SearchHit]) -> DraftAnswer:
        raise KeyError("a bug, not an outage")


async def test_any_exception_of_the_primary_falls_back() -> None:
    generator = FallbackGenerator(Broken(), ExtractiveGenerator())

    answer = await generator.generate("How should insulin pens be stored?", "en", "en", leaflet_passages("en"))

    assert (answer.answered, answer.text) == (False, FRAMES["en"].no_answer)
    assert answer.notice == FRAMES["en"].fallback_notice
    assert answer.backend == "extractive (broken failed: unexpected KeyError)"


SETTINGS = {"gemini_model": "gemini-2.5-flash", "openai_model": "qwen3:4b", "timeout_s": 7.0}


async def test_without_online_settings_the_generator_is_extractive() -> None:
    generator = build_generator(LlmConfig(gemini_api_key=None, openai_base_url=None, **SETTINGS))

    assert isinstance(generator, ExtractiveGenerator)


@pytest.mark.parametrize(("gemini_key", "openai_url", "primary"), [
    ("key", None, "gemini:gemini-2.5-flash"),
    (None, "http://127.0.0.1:11434/v1", "openai:qwen3:4b"),
    ("key", "http://127.0.0.1:11434/v1", "openai:qwen3:4b"),
])
async def test_online_backends_are_chosen_by_settings_and_fall_back_to_extractive(
    gemini_key: str | None, openai_url: str | None, primary: str
) -> None:
    generator = build_generator(LlmConfig(gemini_api_key=gemini_key, openai_base_url=openai_url, **SETTINGS))
    try:
        assert isinstance(generator, FallbackGenerator)
        assert (generator.primary.name, generator.fallback.name) == (primary, "extractive")
        assert generator.primary.timeout_s == 7.0
    finally:
        await aclose(generator)
