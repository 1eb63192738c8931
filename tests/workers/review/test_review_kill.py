"""A review worker killed in the middle of a verdict, on a real nats-server: one verdict, one release, an intact audit chain."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from contracts import subjects, topology
from contracts.questions import QueryStatus
from contracts.review import Decision, ReviewCommand
from gateway.errors import ApiError
from gateway.review import Reviews
from mirage.audit import verify_live
from mirage.pipeline import start_pipeline
from runtime.settings import Settings
from tests.jetstream_helpers import count_messages, wait_for
from tests.workers.review.test_review_desk import ALICE, parked, settled


def start_review_worker(settings: Settings, log: Path) -> subprocess.Popen:
    env = os.environ | {"NATS_URL": settings.nats_url, "MIRAGE_DATA_DIR": str(settings.data_dir)}
    return subprocess.Popen([sys.executable, "-m", "mirage.cli", "worker", "review"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT)


async def desk_answers(desk: Reviews, query_id: str) -> bool:
    try:
        await desk.command(ReviewCommand(action="release", query_id=query_id, actor=ALICE))
    except ApiError as refused:
        return refused.code != "review_unavailable"
    return True


@pytest.mark.timeout(120)
async def test_a_review_worker_killed_after_the_verdict_releases_once_elsewhere(settings_factory, tmp_path: Path) -> None:
    settings = settings_factory(request_timeout_s=3.0)
    runtime = await start_pipeline(settings, settings.nats_url, ["ledger", "audit"])  # the review worker runs apart
    js = runtime.broker.connection.jetstream()
    desk = Reviews(runtime)
    first = start_review_worker(settings, tmp_path / "review1.log")
    second = None
    try:
        event = parked()
        await runtime.bus.publish(event, subjects.for_query(subjects.REVIEW_REQUESTED, event.query_id))
        await wait_for(lambda: runtime.reviews.get(event.query_id), timeout=60)
        decided = subjects.for_query(subjects.REVIEW_DECIDED, event.query_id)
        command = ReviewCommand(action="decide", query_id=event.query_id, actor=ALICE, decision=Decision.approved)
        verdict = asyncio.create_task(desk.command(command))
        await wait_for(lambda: count_messages(js, topology.QUESTIONS.name, decided), timeout=30, interval=0.01)
        first.send_signal(signal.SIGKILL)  # the verdict is in the stream; its release may not be
        first.wait()
        try:
            await verdict
        except ApiError:
            pass  # the reviewer saw an error: they will try again

        second = start_review_worker(settings, tmp_path / "review2.log")
        await wait_for(lambda: desk_answers(desk, event.query_id), timeout=60, interval=0.5)
        with pytest.raises(ApiError) as again:
            await desk.command(command)  # the reviewer's retry
        assert again.value.status == 409 and again.value.code == "already_decided"
        record = await wait_for(lambda: settled(runtime, event.query_id), timeout=30)
        assert record.status is QueryStatus.answered and record.review.reviewer == "alice"
        assert await count_messages(js, topology.QUESTIONS.name, decided) == 1
        assert await count_messages(js, topology.QUESTIONS.name, subjects.for_query(subjects.ANSWER_RELEASED, event.query_id)) == 1

        async def audited() -> bool:
            entries = await count_messages(js, topology.AUDIT.name, f"{subjects.AUDIT_PREFIX}.{event.query_id}")
            return entries >= 4  # parked, claimed, approved, released

        await wait_for(audited, timeout=30)
        result = await verify_live(js)
        assert result.intact, result.problems
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
        await runtime.stop()
