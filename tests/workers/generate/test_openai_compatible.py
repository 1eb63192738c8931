"""OpenAI-compatible servers (Ollama, vLLM, llama.cpp), against a local server that speaks chat completions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from runtime.nats_server import free_port
from tests.workers.generate.fakes import DOSAGE, FakeApi, leaflet_passages, openai_error, openai_reply
from workers.generate.base import GenerationFailed
from workers.generate.frames import FRAMES
from workers.generate.openai_compatible import OpenAICompatibleGenerator
from workers.generate.prompting import NO_ANSWER

MODEL = "llama3.1:8b"
QUESTION = "Wie viel Ibuprofen darf ich pro Tag höchstens einnehmen?"


@pytest.fixture
async def llm(fake_api: FakeApi) -> AsyncIterator[OpenAICompatibleGenerator]:
    generator = OpenAICompatibleGenerator(f"{fake_api.url}/v1", MODEL, api_key="local-key", timeout_s=5)
    yield generator
    await generator.aclose()


async def test_answer_with_citations(llm: OpenAICompatibleGenerator, fake_api: FakeApi) -> None:
    passages = leaflet_passages("es", first=DOSAGE)
    fake_api.reply(openai_reply("Nehmen Sie nicht mehr als 1.200 mg pro Tag ohne ärztlichen Rat [1, 3]."))

    answer = await llm.generate(QUESTION, "de", "de", passages)

    assert answer.text == "Nehmen Sie nicht mehr als 1.200 mg pro Tag ohne ärztlichen Rat [1][2]."
    assert [c.chunk_id for c in answer.citations] == [passages[0].chunk_id, passages[2].chunk_id]
    assert all(c.language == "es" for c in answer.citations)
    assert (answer.answered, answer.language, answer.backend, answer.notice) == (True, "de", f"openai:{MODEL}", None)


async def test_request_carries_model_key_passages_and_answer_language(llm: OpenAICompatibleGenerator, fake_api: FakeApi) -> None:
    passages = leaflet_passages("es", first=DOSAGE)
    fake_api.reply(openai_reply("Höchstens 1.200 mg pro Tag [1]."))

    await llm.generate(QUESTION, "de", "fr", passages)

    [request] = fake_api.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer local-key"
    assert request.body["model"] == MODEL and request.body["temperature"] == 0
    system, user = request.body["messages"]
    assert system["role"] == "system" and NO_ANSWER in system["content"]
    assert user["role"] == "user"
    assert QUESTION in user["content"] and "Answer language: French (fr)" in user["content"]
    for number, passage in enumerate(passages, 1):
        assert f"[{number}] (language: Spanish (es); title: {passage.title}; page: {passage.page}" in user["content"]
        assert passage.text in user["content"]


async def test_no_answer_sentinel_gives_the_frame_text(llm: OpenAICompatibleGenerator, fake_api: FakeApi) -> None:
    fake_api.reply(openai_reply(f"<think>Nothing about storage here.</think>\n{NO_ANSWER}"))

    answer = await llm.generate("Wie lagert man Insulin?", "de", "de", leaflet_passages("de"))

    assert (answer.answered, answer.text, answer.citations) == (False, FRAMES["de"].no_answer, [])


@pytest.mark.parametrize(("status", "body", "reason"), [
    (429, openai_error(429), "rate limited"),
    (500, openai_error(500), "server error 500"),
    (401, openai_error(401), r"access denied \(HTTP 401\)"),
    (200, openai_reply(None, finish_reason="content_filter"), r"blocked \(content_filter\)"),
    (200, openai_reply(None, refusal="I cannot help with that."), "refused"),
    (200, openai_reply("Höchstens 1.200 mg pro Tag [1]", finish_reason="length"), r"cut off \(length\)"),
    (200, openai_reply("Höchstens 1.200 mg pro Tag [0]."), r"citation \[0\] points to no passage"),
    (200, openai_reply(""), "empty reply"),
])
async def test_failures_are_reported_once_without_retrying(
    llm: OpenAICompatibleGenerator, fake_api: FakeApi, status: int, body: dict, reason: str
) -> None:
    fake_api.reply(body, status=status)

    with pytest.raises(GenerationFailed, match=f"^{reason}$"):
        await llm.generate(QUESTION, "de", "de", leaflet_passages("es", first=DOSAGE))

    assert len(fake_api.requests) == 1


async def test_a_reply_slower_than_the_timeout_fails(fake_api: FakeApi) -> None:
    generator = OpenAICompatibleGenerator(f"{fake_api.url}/v1", MODEL, timeout_s=0.3)
    fake_api.reply(openai_reply("Höchstens 1.200 mg pro Tag [1]."), delay_s=5)
    try:
        with pytest.raises(GenerationFailed, match=r"^timed out after 0.3 s$"):
            await generator.generate(QUESTION, "de", "de", leaflet_passages("es"))
    finally:
        await generator.aclose()


async def test_an_unreachable_server_fails() -> None:
    generator = OpenAICompatibleGenerator(f"http://127.0.0.1:{free_port()}/v1", MODEL, timeout_s=2)
    try:
        with pytest.raises(GenerationFailed, match="^unreachable$"):
            await generator.generate(QUESTION, "de", "de", leaflet_passages("es"))
    finally:
        await generator.aclose()
