"""`mirage replay questions`: today's risk policy over the drafts recorded on a real nats-server; nothing is published."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from uuid import uuid4

from typer.testing import CliRunner

from contracts import subjects, topology
from contracts.envelope import utcnow
from contracts.questions import AnswerGenerated, Citation, DraftAnswer, LanguageDetection, RiskAssessment
from contracts.search import SearchHit
from mirage.cli import app
from mirage.pipeline import start_pipeline
from mirage.replay import compare, recorded_questions
from tests.jetstream_helpers import wait_for


def drafted(question: str, quote: str) -> AnswerGenerated:
    query_id = uuid4().hex
    return AnswerGenerated(
        correlation_id=query_id, query_id=query_id, query=question, answer_language="en",
        detection=LanguageDetection(language="en", confidence=0.9), search_query=question, translation_backend="none",
        passages=[SearchHit(chunk_id="c", score=1.0, text=quote, document_id="d", language="en")],
        draft=DraftAnswer(text=f"Here is what the documents say:\n- “{quote}” [1]", language="en", answered=True, backend="extractive",
                          citations=[Citation(document_id="d", chunk_id="c", quote=quote, language="en")]),
    )


HARMLESS = ("What is this medicine used for?", "It relieves mild to moderate pain and fever in adults.")
RISKY = ("How many tablets can I give my 4-year-old child?", "Children aged 4 to 6: half a tablet every 6 hours.")


async def routed(settings) -> tuple[str, str]:  # noqa: ANN001
    """A harmless and a risky draft through the real classify-risk worker; their ids once both are routed."""
    runtime = await start_pipeline(settings, settings.nats_url, ["classify-risk", "review", "ledger"])
    try:
        events = [drafted(*HARMLESS), drafted(*RISKY)]
        for event in events:
            await runtime.bus.publish(event, subjects.ANSWER_GENERATED)
        js = runtime.broker.connection.jetstream()

        async def both_routed() -> bool:
            info = await js.stream_info(topology.QUESTIONS.name)
            return info.state.messages >= 4  # two drafts, a release, a parking

        await wait_for(both_routed, timeout=30)
    finally:
        await runtime.stop()
    return events[0].query_id, events[1].query_id


async def read(url: str, since=None) -> list:  # noqa: ANN001
    import nats

    nc = await nats.connect(url)
    try:
        return [r async for r in recorded_questions(nc.jetstream(), since)]
    finally:
        await nc.close()


async def test_each_draft_comes_back_with_the_route_it_took_and_a_lenient_policy_shows_what_it_would_release(settings_factory) -> None:
    settings = settings_factory()
    harmless, risky = await routed(settings)
    recorded = {r.draft.query_id: r.route for r in await read(settings.nats_url)}
    assert recorded == {harmless: "release", risky: "review"}
    lenient = RiskAssessment(level="none", findings=[], policy="release everything", route="release", classifier="lenient")
    report = compare(await read(settings.nats_url), lambda event: lenient)
    assert report.table == {("release", "release"): 1, ("review", "release"): 1}
    assert [c["query_id"] for c in report.changed] == [risky] and report.changed[0]["then"] == "review"
    assert await read(settings.nats_url, since=utcnow() + timedelta(minutes=1)) == []


def test_the_command_reports_no_change_under_the_same_policy_and_publishes_nothing(settings_factory) -> None:
    settings = settings_factory()
    asyncio.run(routed(settings))  # the command runs its own event loop

    async def messages() -> int:
        import nats

        nc = await nats.connect(settings.nats_url)
        try:
            return (await nc.jetstream().stream_info(topology.QUESTIONS.name)).state.messages
        finally:
            await nc.close()

    before = asyncio.run(messages())
    result = CliRunner().invoke(app, ["replay", "questions", "--json", "--nats-url", settings.nats_url])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["questions"] == 2 and report["would_change"] == 0
    assert report["table"] == {"release->release": 1, "review->review": 1}
    assert asyncio.run(messages()) == before
    bad = CliRunner().invoke(app, ["replay", "questions", "--since", "yesterday", "--nats-url", settings.nats_url])
    assert bad.exit_code == 2 and "ISO" in bad.output
