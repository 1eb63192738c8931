"""The audit worker on a real nats-server: one chained entry per action, an append-only stream, a tampered copy caught."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import nats
import pytest
from nats.js.errors import APIError
from typer.testing import CliRunner

from contracts import subjects, topology
from contracts.audit import GENESIS, AuditAction, AuditEntry
from contracts.envelope import Event
from contracts.questions import AnswerRejected, ReviewNote
from contracts.review import SYSTEM, Decision, ReviewCase, ReviewClaimed, ReviewDecided
from mirage.audit import export, verify_export, verify_live
from mirage.pipeline import start_pipeline
from tests.jetstream_helpers import wait_for
from tests.workers.audit.events import ASSESSMENT, DRAFT, EDITED, REVIEWER, case_of, parked, released
from workers.audit.handlers import entry_for
from workers.audit.trail import AuditTrail


def reviewed_question(query_id: str) -> tuple[ReviewCase, list[tuple[Event, str]]]:
    """A question parked, claimed, edited by a reviewer and released: its events and the subjects they go to."""
    request = parked(query_id)
    claim = ReviewClaimed(correlation_id=query_id, query_id=query_id, reviewer=REVIEWER, lease_until=datetime.now(UTC) + timedelta(minutes=15))
    verdict = ReviewDecided(correlation_id=query_id, query_id=query_id, decision=Decision.edited, reviewer=REVIEWER,
                            reason="the child's dose is 250 mg", answer=EDITED)
    release = released(request, EDITED, review=ReviewNote(decision="edited", reviewer=REVIEWER.name, decided_at=verdict.occurred_at))
    return case_of(request), [(request, subjects.REVIEW_REQUESTED), (claim, subjects.REVIEW_CLAIMED), (verdict, subjects.REVIEW_DECIDED),
                              (release, subjects.ANSWER_RELEASED)]


async def record_reviewed_question(settings, query_id: str) -> list[AuditEntry]:  # noqa: ANN001
    """Run the audit worker over one reviewed question (the review worker's case put in its bucket by hand)."""
    runtime = await start_pipeline(settings, settings.nats_url, ["audit"])
    try:
        case, events = reviewed_question(query_id)
        await runtime.reviews.put(case)
        trail = AuditTrail(runtime.broker.connection.jetstream())
        first = (await trail.bounds())[1] + 1
        for n, (event, subject) in enumerate(events):  # one after the other, as people act: each consumer keeps its own pace
            await runtime.bus.publish(event, subjects.for_query(subject, query_id))
            await wait_for(lambda n=n: _count_at_least(trail, first + n), timeout=30)
        return [await trail.get(sequence) for sequence in range(first, first + len(events))]
    finally:
        await runtime.stop()


async def _count_at_least(trail: AuditTrail, count: int) -> bool:
    return (await trail.bounds())[1] >= count


async def test_a_reviewed_question_leaves_one_chained_entry_per_action(settings_factory) -> None:  # noqa: ANN001
    settings = settings_factory()
    entries = await record_reviewed_question(settings, "q-reviewed")

    assert [e.action for e in entries] == [AuditAction.parked, AuditAction.claimed, AuditAction.edited, AuditAction.released_after_review]
    assert [e.actor for e in entries] == [SYSTEM, REVIEWER, REVIEWER, SYSTEM]
    parked_entry, _, edited, release = entries
    assert (parked_entry.before, parked_entry.after) == (None, DRAFT)
    assert (edited.before, edited.after, edited.reason) == (DRAFT, EDITED, "the child's dose is 250 mg")
    assert (release.before, release.after) == (DRAFT, EDITED)
    assert all(e.policy == f"{ASSESSMENT.classifier}: {ASSESSMENT.policy}" for e in entries)
    assert entries[0].previous_hash == GENESIS
    assert [e.previous_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]

    nc = await nats.connect(settings.nats_url)
    try:
        verification = await verify_live(nc.jetstream())
    finally:
        await nc.close()
    assert verification.intact and verification.count == 4 and verification.head == entries[-1].hash


async def test_the_trail_refuses_deletion_and_purge_and_a_redelivered_event_is_recorded_once(settings_factory) -> None:  # noqa: ANN001
    settings = settings_factory()
    await record_reviewed_question(settings, "q-kept")
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        with pytest.raises(APIError):
            await js.delete_msg(topology.AUDIT.name, 2)
        with pytest.raises(APIError):
            await js.purge_stream(topology.AUDIT.name)
        trail = AuditTrail(js)
        again = entry_for(parked("q-kept"), None)
        first = await trail.get(1)
        assert await trail.append(again.model_copy(update={"source_event_id": first.source_event_id})) is None
        assert (await trail.bounds()) == (1, 4)
        assert (await verify_live(js)).intact
    finally:
        await nc.close()


async def test_appenders_in_two_processes_never_fork_the_chain(nats_server) -> None:  # noqa: ANN001
    from runtime.messaging import ensure_topology

    connections = [await nats.connect(nats_server.url) for _ in range(2)]
    try:
        await ensure_topology(connections[0].jetstream())
        trails = [AuditTrail(nc.jetstream()) for nc in connections]
        entries = [entry_for(parked(f"q{n}"), None) for n in range(12)]
        appended = await asyncio.gather(*(trails[n % 2].append(entry) for n, entry in enumerate(entries)))
        assert all(appended)
        assert (await trail_bounds(trails[0])) == (1, 12)
        assert (await verify_live(connections[0].jetstream())).intact
    finally:
        for nc in connections:
            await nc.close()


async def trail_bounds(trail: AuditTrail) -> tuple[int, int]:
    return await trail.bounds()


def test_an_altered_copy_is_caught_by_verify_and_its_entry_named(settings_factory, tmp_path: Path) -> None:  # noqa: ANN001
    settings = settings_factory()
    entries = asyncio.run(record_reviewed_question(settings, "q-exported"))
    runner = CliRunner()
    from mirage.cli import app

    live = runner.invoke(app, ["audit", "verify", "--nats-url", settings.nats_url, "--head", entries[1].hash])
    assert live.exit_code == 0, live.output
    assert "4 entries" in live.output and entries[-1].hash in live.output

    exported = tmp_path / "audit.jsonl"
    result = runner.invoke(app, ["audit", "export", "--nats-url", settings.nats_url, "--to", str(exported)])
    assert result.exit_code == 0, result.output
    lines = exported.read_text().splitlines()
    assert json.loads(lines[-1])["head"]["hash"] == entries[-1].hash and json.loads(lines[-1])["head"]["count"] == 4
    assert runner.invoke(app, ["audit", "verify", "--file", str(exported)]).exit_code == 0

    altered = json.loads(lines[2])
    altered["after"] = "Take 1000 mg every 6 hours [1]."
    copy = tmp_path / "copy.jsonl"
    copy.write_text("\n".join([*lines[:2], json.dumps(altered), *lines[3:]]) + "\n")
    caught = runner.invoke(app, ["audit", "verify", "--file", str(copy)])
    assert caught.exit_code == 1
    assert "#3" in caught.output and "q-exported" in caught.output and "edited" in caught.output
    assert verify_export(copy).broken.sequence == 3


async def test_an_export_since_a_time_starts_mid_chain_and_verifies_from_its_first_link(settings_factory, tmp_path: Path) -> None:  # noqa: ANN001
    settings = settings_factory()
    await record_reviewed_question(settings, "q-early")
    await asyncio.sleep(0.05)
    since = datetime.now(UTC)
    runtime = await start_pipeline(settings, settings.nats_url, ["audit"])
    try:
        request = parked("q-late")
        await runtime.bus.publish(released(request, DRAFT), subjects.for_query(subjects.ANSWER_RELEASED, "q-late"))
        rejected = AnswerRejected(correlation_id="q-late", query_id="q-late", decision="rejected", notice="Pas de réponse.",
                                  answer_language="fr", event_id=uuid4())
        await runtime.bus.publish(rejected, subjects.for_query(subjects.ANSWER_REJECTED, "q-late"))
        await wait_for(lambda: _count_at_least(AuditTrail(runtime.broker.connection.jetstream()), 6), timeout=30)
    finally:
        await runtime.stop()

    nc = await nats.connect(settings.nats_url)
    try:
        path = tmp_path / "since.jsonl"
        with path.open("w") as out:
            head = await export(nc.jetstream(), out, since)
    finally:
        await nc.close()
    assert (head.count, head.first_sequence, head.last_sequence) == (2, 5, 6)
    assert verify_export(path).intact
    actions = {json.loads(line).get("action") for line in path.read_text().splitlines()}
    assert {"released_automatically", "withheld"} <= actions
