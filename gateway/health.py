"""Each dependency's state, as an operator paged at night needs it."""

from __future__ import annotations

import contextlib
import time
import weakref
from datetime import UTC, datetime
from typing import Any

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo
from nats.js.errors import NotFoundError

from contracts import topology
from contracts.search import SearchRequest
from runtime.messaging import UNREADABLE
from runtime.process import Runtime


async def check_health(runtime: Runtime) -> dict[str, Any]:
    deps: dict[str, Any] = {}
    nc = runtime.broker.connection
    deps["nats"] = {"state": "up" if nc.is_connected else "down", "server": nc.connected_url.netloc if nc.connected_url else None}
    try:  # not connected: say so at once, rather than after each consumer's request has timed out
        deps["jetstream"] = (await jetstream_state(nc, runtime.settings.stuck_after_s) if nc.is_connected
                             else {"state": "down", "error": "not connected to NATS"})
    except Exception as exc:  # a consumer not created yet means its worker never started
        deps["jetstream"] = {"state": "degraded", "error": f"{type(exc).__name__}: {exc}"}
    started = time.perf_counter()
    try:
        await runtime.broker.request(SearchRequest(query="health", top_k=1), topology.SEARCH.subject, timeout=3)
        deps["retrieve"] = {"state": "up", "latency_ms": round((time.perf_counter() - started) * 1000, 1)}
    except Exception as exc:
        deps["retrieve"] = {"state": "down", "error": f"{type(exc).__name__}: {exc}" or "no answer"}
    deps["redis"] = {"state": "not_configured"} if not runtime.settings.redis_url else await redis_state(runtime.settings.redis_url)
    healthy = all(d["state"] in ("up", "not_configured") for d in deps.values())
    # Records set aside by this process (unreadable: logged, and skipped so that the rest keeps flowing).
    return {"status": "ok" if healthy else "degraded", "dependencies": deps, "unreadable_records": UNREADABLE.summary()}


# One consumer_info per consumer at most every CACHE_S per connection: /health stays cheap however often it is probed.
CACHE_S = 2.0
_cached: weakref.WeakKeyDictionary[Client, tuple[float, dict[str, Any]]] = weakref.WeakKeyDictionary()


async def jetstream_state(nc: Client, stuck_after_s: float) -> dict[str, Any]:
    """Every consumer's backlog; `degraded`, naming them under `stuck`, when a consumer's oldest unacknowledged message
    is older than `stuck_after_s` and it has acknowledged nothing for as long (its worker is down, hung or failing)."""
    if (hit := _cached.get(nc)) is not None and time.monotonic() - hit[0] < CACHE_S:
        return hit[1]
    js, now = nc.jetstream(), datetime.now(UTC)
    consumers, stuck = {}, []
    for spec in topology.CONSUMERS:
        info = await js.consumer_info(spec.stream.name, spec.durable)
        consumers[spec.durable] = {"pending": info.num_pending, "ack_pending": info.num_ack_pending, "redelivered": info.num_redelivered}
        if not spec.long_running and (waited := await stuck_for(js, spec, info, now)) > stuck_after_s:
            consumers[spec.durable]["stuck_s"] = round(waited)
            stuck.append(spec.durable)
    dead = await js.stream_info(topology.DEADLETTER.name)
    state = {"state": "degraded" if stuck else "up", "consumers": consumers, "dead_letters": dead.state.messages}
    if stuck:
        state["stuck"] = stuck
    _cached[nc] = (time.monotonic(), state)
    return state


class FloorWatch:
    """Since when each consumer's acknowledgement floor has not moved while a message was in hand, as /health's polls
    saw it: a handler hung while the consumer's other handlers still acknowledge holds the floor, though the time of
    the last acknowledgement stays fresh."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, datetime | None], tuple[int, float]] = {}

    def held_for(self, spec: topology.ConsumerSpec, info: ConsumerInfo, floor: int) -> float:
        key, now = (spec.stream.name, spec.durable, info.created), time.monotonic()
        if not info.num_ack_pending:
            self.seen.pop(key, None)
            return 0.0
        if (was := self.seen.get(key)) is None or was[0] != floor:
            self.seen[key] = (floor, now)
            return 0.0
        return now - was[1]


FLOORS = FloorWatch()


async def stuck_for(js: JetStreamContext, spec: topology.ConsumerSpec, info: ConsumerInfo, now: datetime) -> float:
    """Seconds the consumer has made no progress while a message waits for it: the lesser of the time since its last
    acknowledgement and the age of its oldest unacknowledged message (0 when nothing waits), or, when more, how long its
    acknowledgement floor has stood still with a message in hand (FloorWatch). A hung handler's heartbeat ("in
    progress") moves none of them."""
    if not (info.num_pending or info.num_ack_pending):
        FLOORS.held_for(spec, info, 0)
        return 0.0
    last_ack = info.ack_floor.last_active if info.ack_floor and info.ack_floor.last_active else info.created
    idle = (now - last_ack).total_seconds()
    floor = info.ack_floor.stream_seq if info.ack_floor else 0
    waiting = []
    for subject in spec.subjects:
        with contextlib.suppress(NotFoundError):
            waiting.append(await js.get_msg(spec.stream.name, seq=floor + 1, subject=subject, next=True))
    oldest = min(waiting, key=lambda message: message.seq, default=None)
    waited = min(idle, (now - oldest.time).total_seconds()) if oldest is not None and oldest.time else idle
    return max(waited, FLOORS.held_for(spec, info, floor))


async def redis_state(url: str) -> dict[str, Any]:
    import redis.asyncio as redis

    client = redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        await client.ping()
        return {"state": "up"}
    except Exception as exc:
        return {"state": "down", "error": str(exc)}
    finally:
        await client.aclose()
