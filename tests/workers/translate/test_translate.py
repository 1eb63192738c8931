"""The translate worker: offline it only detects; with an LLM it adds an English pivot, and never fails a question."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from uuid import uuid4

import pytest
from faststream.nats import NatsBroker, TestNatsBroker

from contracts import subjects
from contracts.envelope import Event
from contracts.questions import QueryReceived
from contracts.search import MAX_QUERY_CHARS
from contracts.topology import stream_for
from runtime.delivery import DeliveryPolicy
from runtime.settings import Settings
from tests.workers.generate.fakes import DOSAGE_QUESTIONS, FakeApi, gemini_error, gemini_reply, openai_error, openai_reply
from workers.translate.handlers import TranslateServices, build_router
from workers.translate.llm import GeminiTranslator, OpenAICompatibleTranslator, build_translator
from workers.translate.preparation import prepare, prepare_online

# google-genai 3.3 subclasses aiohttp.ClientSession, which aiohttp deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")

FRENCH = DOSAGE_QUESTIONS["fr"]
ENGLISH = DOSAGE_QUESTIONS["en"]
PIVOT = "What is the maximum daily dose of paracetamol?"
INSTRUCTION = "Translate the user's medical question from French into English. Output only the translation, nothing else."


def asked(query: str, **fields: object) -> QueryReceived:
    query_id = uuid4().hex
    return QueryReceived(correlation_id=query_id, query_id=query_id, query=query, **fields)


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    with FakeApi() as api:
        yield api


@pytest.fixture
async def openai_translator(fake_api: FakeApi) -> AsyncIterator[OpenAICompatibleTranslator]:
    translator = OpenAICompatibleTranslator(f"{fake_api.url}/v1", "llama3.1:8b", timeout_s=5)
    yield translator
    await translator.aclose()


@pytest.fixture
async def gemini_translator(fake_api: FakeApi) -> AsyncIterator[GeminiTranslator]:
    translator = GeminiTranslator("AIza-test-key", base_url=fake_api.url, timeout_s=5)
    yield translator
    await translator.aclose()


# Offline

@pytest.mark.parametrize(("language", "target", "answer_language"), [
    ("fr", None, "fr"), ("de", "es", "es"), ("en", None, "en"), ("es", "en", "en"),
])
def test_offline_detects_and_resolves_the_answer_language(detector, language: str, target: str | None, answer_language: str) -> None:  # noqa: ANN001
    event = asked(DOSAGE_QUESTIONS[language], target_language=target)

    translated = prepare(event, detector)

    assert translated.detection.language == language and language in translated.detection.compatible
    assert translated.answer_language == answer_language
    assert (translated.search_query, translated.translation_backend) == (event.query, "none")
    assert translated.causation_id == event.event_id and translated.query_id == event.query_id


def test_offline_answers_in_english_when_the_language_cannot_be_told(detector) -> None:  # noqa: ANN001
    translated = prepare(asked("500 mg ?"), detector)

    assert (translated.detection.language, translated.answer_language, translated.search_query) == (None, "en", "500 mg ?")


# Online

async def test_openai_compatible_adds_the_english_pivot(detector, openai_translator: OpenAICompatibleTranslator, fake_api: FakeApi) -> None:  # noqa: ANN001
    fake_api.reply(openai_reply(f"<think>Simple.</think>\n {PIVOT}\n"))

    translated = await prepare_online(asked(FRENCH), detector, openai_translator)

    assert translated.search_query == f"{FRENCH}\n{PIVOT}"
    assert translated.translation_backend == "openai:llama3.1:8b"
    assert (translated.detection.language, translated.answer_language) == ("fr", "fr")
    [request] = fake_api.requests
    assert request.path == "/v1/chat/completions" and request.body["temperature"] == 0
    assert request.body["messages"] == [{"role": "system", "content": INSTRUCTION}, {"role": "user", "content": FRENCH}]


async def test_gemini_adds_the_english_pivot(detector, gemini_translator: GeminiTranslator, fake_api: FakeApi) -> None:  # noqa: ANN001
    fake_api.reply(gemini_reply(PIVOT))

    translated = await prepare_online(asked(FRENCH, target_language="de"), detector, gemini_translator)

    assert translated.search_query == f"{FRENCH}\n{PIVOT}"
    assert (translated.translation_backend, translated.answer_language) == ("gemini:gemini-2.5-flash", "de")
    [request] = fake_api.requests
    assert request.path == "/v1beta/models/gemini-2.5-flash:generateContent"
    assert request.headers["x-goog-api-key"] == "AIza-test-key"
    assert request.body["contents"][0]["parts"][0]["text"] == FRENCH
    assert request.body["systemInstruction"]["parts"][0]["text"] == INSTRUCTION


async def test_an_english_question_is_not_sent(detector, openai_translator: OpenAICompatibleTranslator, fake_api: FakeApi) -> None:  # noqa: ANN001
    translated = await prepare_online(asked(ENGLISH, target_language="fr"), detector, openai_translator)

    assert (translated.search_query, translated.translation_backend, translated.answer_language) == (ENGLISH, "none", "fr")
    assert fake_api.requests == []


async def test_the_search_query_stays_within_what_search_accepts(detector, openai_translator: OpenAICompatibleTranslator, fake_api: FakeApi) -> None:  # noqa: ANN001
    long_question = " ".join([FRENCH] * 40)[:MAX_QUERY_CHARS - 20]
    fake_api.reply(openai_reply(" ".join([PIVOT] * 40)))

    translated = await prepare_online(asked(long_question), detector, openai_translator)

    assert translated.search_query.startswith(f"{long_question}\n{PIVOT[:10]}")
    assert len(translated.search_query) <= MAX_QUERY_CHARS


# Failures: the question goes on, offline, with the reason

@pytest.mark.parametrize(("status", "body", "reason"), [
    (429, openai_error(429), "rate limited"),
    (500, openai_error(500), "server error 500"),
    (200, openai_reply("   "), "empty reply"),
    (200, openai_reply(None, refusal="No."), "refused"),
])
async def test_openai_compatible_failures_fall_back_to_offline(
    detector, openai_translator: OpenAICompatibleTranslator, fake_api: FakeApi, caplog: pytest.LogCaptureFixture,  # noqa: ANN001
    status: int, body: dict, reason: str,
) -> None:
    fake_api.reply(body, status=status)

    with caplog.at_level(logging.WARNING, logger="workers.translate.preparation"):
        translated = await prepare_online(asked(FRENCH), detector, openai_translator)

    assert translated.search_query == FRENCH
    assert translated.translation_backend == f"none (openai:llama3.1:8b failed: {reason})"
    assert len(fake_api.requests) == 1
    assert reason in caplog.text


@pytest.mark.parametrize(("status", "body", "reason"), [
    (429, gemini_error(429), "rate limited"),
    (500, gemini_error(500), "server error 500"),
    (200, gemini_reply(finish_reason="SAFETY"), "blocked (SAFETY)"),
])
async def test_gemini_failures_fall_back_to_offline(
    detector, gemini_translator: GeminiTranslator, fake_api: FakeApi, status: int, body: dict, reason: str,  # noqa: ANN001
) -> None:
    fake_api.reply(body, status=status)

    translated = await prepare_online(asked(FRENCH), detector, gemini_translator)

    assert (translated.search_query, translated.translation_backend) == (FRENCH, f"none (gemini:gemini-2.5-flash failed: {reason})")
    assert len(fake_api.requests) == 1


@pytest.mark.parametrize("backend", ["openai", "gemini"])
async def test_a_translator_slower_than_the_timeout_falls_back(detector, fake_api: FakeApi, backend: str) -> None:  # noqa: ANN001
    if backend == "openai":
        translator = OpenAICompatibleTranslator(f"{fake_api.url}/v1", "llama3.1:8b", timeout_s=0.3)
        fake_api.reply(openai_reply(PIVOT), delay_s=5)
    else:
        translator = GeminiTranslator("AIza-test-key", base_url=fake_api.url, timeout_s=0.3)
        fake_api.reply(gemini_reply(PIVOT), delay_s=5)
    try:
        translated = await prepare_online(asked(FRENCH), detector, translator)
    finally:
        await translator.aclose()

    assert translated.search_query == FRENCH
    assert translated.translation_backend == f"none ({translator.name} failed: timed out after 0.3 s)"


async def test_an_unexpected_error_falls_back(detector) -> None:  # noqa: ANN001
    class Broken:
        name = "broken"

        async def translate(self, text: str, source_language: str | None, target_language: str) -> str:
            raise KeyError("choices")

    translated = await prepare_online(asked(FRENCH), detector, Broken())

    assert (translated.search_query, translated.translation_backend) == (FRENCH, "none (broken failed: unexpected KeyError)")


# Wiring

def test_the_translator_is_chosen_from_the_settings() -> None:
    assert build_translator(Settings(openai_base_url=None, gemini_api_key=None).llm) is None
    gemini = build_translator(Settings(openai_base_url=None, gemini_api_key="AIza-key", gemini_model="gemini-2.5-pro").llm)
    assert gemini.name == "gemini:gemini-2.5-pro" and gemini.model == "gemini-2.5-pro"
    openai = build_translator(Settings(openai_base_url="http://127.0.0.1:1/v1", gemini_api_key="AIza-key", llm_timeout_s=7).llm)
    assert (openai.name, openai.timeout_s) == ("openai:llama3.1", 7)  # the OpenAI-compatible server comes first


class RecordingBus:
    def __init__(self) -> None:
        self.published: list[tuple[str, Event]] = []

    async def publish(self, event: Event, subject: str) -> None:
        self.published.append((subject, event))

    async def publish_raw(self, subject: str, body: bytes, headers: dict[str, str]) -> None:
        pass


async def test_the_handler_publishes_the_translated_question(detector, openai_translator: OpenAICompatibleTranslator, fake_api: FakeApi) -> None:  # noqa: ANN001
    fake_api.reply(openai_reply(PIVOT))
    bus, policy, broker = RecordingBus(), DeliveryPolicy(max_deliver=3, ack_wait_s=30), NatsBroker()
    broker.include_router(build_router(TranslateServices(detector=detector, bus=bus, translator=openai_translator), policy),
                          middlewares=[policy.middleware(bus.publish_raw)])
    event = asked(FRENCH)

    async with TestNatsBroker(broker):
        await broker.publish(event, subjects.QUERY_RECEIVED, headers=event.headers(), stream=stream_for(subjects.QUERY_RECEIVED).name)

    [(subject, translated)] = bus.published
    assert subject == subjects.QUERY_TRANSLATED
    assert (translated.search_query, translated.translation_backend) == (f"{FRENCH}\n{PIVOT}", "openai:llama3.1:8b")
