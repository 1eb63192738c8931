"""Learning from verdicts: today's policy against the reviewers' decisions, and the gold set, on a real nats-server."""

from __future__ import annotations

import asyncio
import json

from typer.testing import CliRunner

from contracts.questions import RiskAssessment
from contracts.review import Decision, ReviewCommand
from gateway.review import Reviews
from mirage.cli import app
from mirage.pipeline import start_pipeline
from mirage.verdicts import replay_table
from tests.workers.review.test_review_desk import ALICE, park, parked


async def decided(settings) -> list[str]:  # noqa: ANN001
    runtime = await start_pipeline(settings, settings.nats_url, ["review", "ledger"])
    desk, ids = Reviews(runtime), []
    try:
        for decision, reason in ((Decision.approved, None), (Decision.rejected, "not for children")):
            event = parked()
            await park(runtime, event)
            await desk.command(ReviewCommand(action="decide", query_id=event.query_id, actor=ALICE, decision=decision, reason=reason))
            ids.append(event.query_id)
    finally:
        await runtime.stop()
    return ids


async def test_a_policy_that_would_release_a_rejected_answer_is_the_dangerous_cell(settings_factory) -> None:
    settings = settings_factory()
    approved, rejected = await decided(settings)
    import nats

    from mirage.verdicts import decided_cases

    nc = await nats.connect(settings.nats_url)
    try:
        cases = [case async for case in decided_cases(nc.jetstream())]
    finally:
        await nc.close()
    lenient = RiskAssessment(level="none", findings=[], policy="release", route="release", classifier="lenient")
    table, dangerous = replay_table(cases, lambda event: lenient)
    assert table == {("approved", "release"): 1, ("rejected", "release"): 1} and dangerous == [rejected]


def test_the_commands_print_the_table_and_the_gold_set(settings_factory, tmp_path) -> None:
    settings = settings_factory()
    approved, rejected = asyncio.run(decided(settings))  # the commands run their own event loop
    runner = CliRunner()
    replayed = runner.invoke(app, ["replay", "verdicts", "--json", "--nats-url", settings.nats_url])
    assert replayed.exit_code == 0, replayed.output
    report = json.loads(replayed.output.strip().splitlines()[-1])
    assert report["cases"] == 2 and sum(report["table"].values()) == 2  # the dosage question is held again today
    gold = tmp_path / "gold.jsonl"
    exported = runner.invoke(app, ["review", "export", "--to", str(gold), "--nats-url", settings.nats_url])
    assert exported.exit_code == 0, exported.output
    lines = {line["query_id"]: line for line in map(json.loads, gold.read_text().splitlines())}
    assert lines[approved]["final_answer"] == lines[approved]["draft"] and lines[rejected]["final_answer"] is None
    assert lines[rejected]["reason"] == "not for children" and lines[rejected]["reviewer"] == "alice"
