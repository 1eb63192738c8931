"""The operator's side of a re-index (`mirage replay documents`): ask the ingest worker for one and follow it to the end.

The request goes on the index stream to the ingest worker's own re-index consumer (never the uploads' one); its progress
and outcome come back on subjects that end with the re-index id, subscribed to before asking so that none is missed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from uuid import uuid4

from nats.aio.client import Client
from nats.js.errors import NotFoundError

from contracts import subjects, topology
from contracts.index import ReindexFinished, ReindexProgressed, ReindexRequested
from runtime.generations import Generations
from workers.ingest.rebuild import refusal

WORKER_WAIT_S = 5.0
"""How long to look for an ingest worker pulling re-index requests (it pulls again every second)."""
STALL_S = 600.0
"""With no news for this long the command stops following; the re-index goes on (or resumes when its worker restarts)."""


class ReindexRefused(RuntimeError):
    """The re-index was not started; the message says why and what to do."""


async def worker_waiting(js, timeout_s: float = WORKER_WAIT_S) -> bool:  # noqa: ANN001 - a JetStreamContext
    """Whether an ingest worker is pulling from the re-index consumer (a waiting pull request)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            info = await js.consumer_info(topology.INDEX.name, topology.INGEST_REINDEX.durable)
            if info.num_waiting:
                return True
        except NotFoundError:
            pass
        if asyncio.get_running_loop().time() > deadline:
            return False
        await asyncio.sleep(0.2)


async def run_reindex(nc: Client, since: datetime | None, on_progress: Callable[[ReindexProgressed], None] = lambda p: None,
                      stall_s: float = STALL_S) -> ReindexFinished:
    """Ask for a re-index and wait for its outcome (which may be a refusal: `outcome == "refused"`)."""
    js = nc.jetstream()
    state = await Generations(js).get()
    if state is not None and state.running:
        raise ReindexRefused(refusal(state, ReindexRequested(correlation_id="-", reindex_id="-")) or "a re-index is running")
    if not await worker_waiting(js):
        raise ReindexRefused("no ingest worker is taking re-index requests on this NATS: start MIRAGE (`mirage up`, or the ingest "
                             "service in compose) and run this again")
    reindex_id = uuid4().hex
    sub = await nc.subscribe(f"mirage.index.*.{reindex_id}")
    try:
        request = ReindexRequested(correlation_id=reindex_id, reindex_id=reindex_id, since=since)
        await js.publish(subjects.REINDEX_REQUESTED, request.model_dump_json().encode(), headers=request.headers(),
                         stream=topology.INDEX.name)
        while True:
            try:
                msg = await sub.next_msg(timeout=stall_s)
            except TimeoutError as exc:
                raise TimeoutError(f"no news of re-index {reindex_id} for {stall_s:.0f} s: it goes on in the ingest worker (or resumes "
                                   "when that restarts); its outcome will be on the index stream") from exc
            if msg.subject.startswith(subjects.REINDEX_PROGRESSED + "."):
                on_progress(ReindexProgressed.model_validate_json(msg.data))
            elif msg.subject.startswith(subjects.REINDEX_FINISHED + "."):
                return ReindexFinished.model_validate_json(msg.data)
    finally:
        await sub.unsubscribe()
