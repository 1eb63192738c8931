"""On a real nats-server: the review worker killed in the middle of a verdict. One verdict, one release, and the chain verifies."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nats

from contracts import subjects, topology
from contracts.audit import AuditAction
from contracts.review import Actor, Decision, ReviewCommand, ReviewCommandResult
from mirage.audit import verify_live
from mirage.pipeline import start_pipeline
from tests.jetstream_helpers import count_messages, wait_for
from tests.workers.audit.events import EDITED, REVIEWER, parked
from workers.audit.trail import AuditTrail

ROOT = Path(__file__).resolve().parents[3]
SECOND_REVIEWER = Actor(name="dr.nguyen", role="reviewer", authenticated_by="api_key")


def review_worker(nats_url: str, data_dir: Path) -> subprocess.Popen:
    env = os.environ | {"NATS_URL": nats_url, "MIRAGE_DATA_DIR": str(data_dir), "MIRAGE_ACK_WAIT_S": "2"}
    return subprocess.Popen([sys.executable, "-c", "from mirage.cli import app; app()", "worker", "review"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def decide(actor: Actor) -> bytes:
    return ReviewCommand(action="decide", query_id="q-crash", actor=actor, decision=Decision.edited, reason="the child's dose is 250 mg",
                         answer=EDITED).model_dump_json().encode()


async def test_a_review_worker_killed_mid_verdict_leaves_one_verdict_one_release_and_a_chain_that_verifies(settings_factory, tmp_path) -> None:  # noqa: ANN001
    settings = settings_factory(ack_wait_s=2.0)
    audit = await start_pipeline(settings, settings.nats_url, ["audit"])
    worker = review_worker(settings.nats_url, tmp_path / "worker")
    restarted = None
    nc = await nats.connect(settings.nats_url)
    try:
        js = nc.jetstream()
        await audit.bus.publish(parked("q-crash"), subjects.for_query(subjects.REVIEW_REQUESTED, "q-crash"))
        await wait_for(lambda: audit.reviews.get("q-crash"), timeout=60)  # the review worker is up and parked the case

        verdict = asyncio.create_task(nc.request(subjects.REVIEW_DESK, decide(REVIEWER), timeout=30))
        decided, released = (subjects.for_query(kind, "q-crash") for kind in (subjects.REVIEW_DECIDED, subjects.ANSWER_RELEASED))
        await wait_for(lambda: count_messages(js, topology.QUESTIONS.name, decided), timeout=30, interval=0.002)
        worker.send_signal(signal.SIGKILL)  # the verdict is in the stream; the worker dies before (or while) releasing
        worker.wait(timeout=10)
        verdict.cancel()

        restarted = await start_pipeline(settings, settings.nats_url, ["review"])
        await wait_for(lambda: count_messages(js, topology.QUESTIONS.name, released), timeout=30)
        second = ReviewCommandResult.model_validate_json((await nc.request(subjects.REVIEW_DESK, decide(SECOND_REVIEWER), timeout=10)).data)
        assert second.status == 409

        trail = AuditTrail(js)
        await wait_for(lambda: _last_sequence_is_at_least(trail, 4), timeout=30)
        await asyncio.sleep(1.0)  # anything recorded twice would show by now
        assert await count_messages(js, topology.QUESTIONS.name, decided) == 1
        assert await count_messages(js, topology.QUESTIONS.name, released) == 1
        first, last = await trail.bounds()
        actions = Counter([(await trail.get(sequence)).action for sequence in range(first, last + 1)])
        assert actions == Counter([AuditAction.parked, AuditAction.claimed, AuditAction.edited, AuditAction.released_after_review])
        assert (await verify_live(js)).intact
    finally:
        if worker.poll() is None:
            worker.kill()
        await nc.close()
        if restarted is not None:
            await restarted.stop()
        await audit.stop()


async def _last_sequence_is_at_least(trail: AuditTrail, count: int) -> bool:
    return (await trail.bounds())[1] >= count
