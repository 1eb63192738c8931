"""Gemini through google-genai, against a local server that speaks the generateContent REST format."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.workers.generate.fakes import DOSAGE, PREGNANCY, FakeApi, gemini_error, gemini_reply, leaflet_passages
from workers.generate.base import GenerationFailed
from workers.generate.frames import FRAMES
from workers.generate.gemini import GeminiGenerator
from workers.generate.prompting import NO_ANSWER

MODEL = "gemini-2.5-flash"
KEY = "AIza-test-key"
# google-genai 3.3 subclasses aiohttp.ClientSession, which aiohttp deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

QUESTION = "Peut-on prendre du paracétamol pendant la grossesse, et combien par jour ?"


@pytest.fixture
async def gemini(fake_api: FakeApi) -> AsyncIterator[GeminiGenerator]:
    generator = GeminiGenerator(KEY, model=MODEL, base_url=fake_api.url, timeout_s=5)
    yield generator
    await generator.aclose()


async def test_answer_with_citations_renumbered_in_order_of_use(gemini: GeminiGenerator, fake_api: FakeApi) -> None:
    passages = leaflet_passages("en", first=DOSAGE)  # [1] dosage, [2] what it is, [3] side effects, [4] pregnancy
    fake_api.reply(gemini_reply(
        "Pendant la grossesse, le paracétamol peut être utilisé si nécessaire, à la dose efficace la plus faible [4]. "
        "Ne prenez pas plus de 4 g (8 comprimés) en 24 heures [1]."
    ))

    answer = await gemini.generate(QUESTION, "fr", "fr", passages)

    assert answer.text == (
        "Pendant la grossesse, le paracétamol peut être utilisé si nécessaire, à la dose efficace la plus faible [1]. "
        "Ne prenez pas plus de 4 g (8 comprimés) en 24 heures [2]."
    )
    assert [c.chunk_id for c in answer.citations] == [f"en-{PREGNANCY}", f"en-{DOSAGE}"]
    assert answer.citations[0].quote == passages[3].text and answer.citations[0].page == passages[3].page
    assert (answer.answered, answer.language, answer.backend, answer.notice) == (True, "fr", f"gemini:{MODEL}", None)


async def test_request_carries_key_model_passages_and_answer_language(gemini: GeminiGenerator, fake_api: FakeApi) -> None:
    passages = leaflet_passages("en", first=DOSAGE)
    fake_api.reply(gemini_reply("Ne dépassez pas 4 g par 24 heures [1]."))

    await gemini.generate(QUESTION, "fr", "de", passages)

    [request] = fake_api.requests
    assert request.path == f"/v1beta/models/{MODEL}:generateContent"
    assert request.headers["x-goog-api-key"] == KEY
    prompt = request.body["contents"][0]["parts"][0]["text"]
    assert QUESTION in prompt and "Answer language: German (de)" in prompt
    for number, passage in enumerate(passages, 1):
        assert f"[{number}] (language: English (en); title: {passage.title}; page: {passage.page}" in prompt
        assert passage.text in prompt
    system = request.body["systemInstruction"]["parts"][0]["text"]
    assert NO_ANSWER in system and "[1]" in system
    assert request.body["generationConfig"]["temperature"] == 0


async def test_no_answer_sentinel_gives_the_frame_text(gemini: GeminiGenerator, fake_api: FakeApi) -> None:
    fake_api.reply(gemini_reply(NO_ANSWER))

    answer = await gemini.generate("Quel est le prix d'une boîte ?", "fr", "es", leaflet_passages("fr"))

    assert (answer.answered, answer.text, answer.citations) == (False, FRAMES["es"].no_answer, [])


@pytest.mark.parametrize(("status", "body", "reason"), [
    (429, gemini_error(429), "rate limited"),
    (500, gemini_error(500), "server error 500"),
    (503, gemini_error(503), "server error 503"),
    (403, gemini_error(403), r"access denied \(HTTP 403\)"),
    (200, gemini_reply(finish_reason="SAFETY"), r"blocked \(SAFETY\)"),
    (200, {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}, r"blocked \(PROHIBITED_CONTENT\)"),
    (200, gemini_reply("Ne dépassez pas 4 g [1]", finish_reason="MAX_TOKENS"), r"cut off \(MAX_TOKENS\)"),
    (200, {"candidates": []}, "no candidates"),
    (200, gemini_reply("Ne dépassez pas 4 g par jour [7]."), r"citation \[7\] points to no passage"),
])
async def test_failures_are_reported_once_without_retrying(
    gemini: GeminiGenerator, fake_api: FakeApi, status: int, body: dict, reason: str
) -> None:
    fake_api.reply(body, status=status)

    with pytest.raises(GenerationFailed, match=f"^{reason}$"):
        await gemini.generate(QUESTION, "fr", "fr", leaflet_passages("en", first=DOSAGE))

    assert len(fake_api.requests) == 1


async def test_a_reply_slower_than_the_timeout_fails(fake_api: FakeApi) -> None:
    generator = GeminiGenerator(KEY, model=MODEL, base_url=fake_api.url, timeout_s=0.3)
    fake_api.reply(gemini_reply("Ne dépassez pas 4 g [1]."), delay_s=5)
    try:
        with pytest.raises(GenerationFailed, match=r"^timed out after 0.3 s$"):
            await generator.generate(QUESTION, "fr", "fr", leaflet_passages("en"))
    finally:
        await generator.aclose()
