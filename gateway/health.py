"""Each dependency's state, as an operator paged at night needs it."""

from __future__ import annotations

import time
from typing import Any

from contracts import topology
from contracts.search import SearchRequest
from runtime.messaging import UNREADABLE
from runtime.process import Runtime


async def check_health(runtime: Runtime) -> dict[str, Any]:
    deps: dict[str, Any] = {}
    nc = runtime.broker.connection
    deps["nats"] = {"state": "up" if nc.is_connected else "down", "server": nc.connected_url.netloc if nc.connected_url else None}
    js = nc.jetstream()
    try:
        consumers = {}
        for spec in topology.CONSUMERS:
            info = await js.consumer_info(spec.stream.name, spec.durable)
            consumers[spec.durable] = {"pending": info.num_pending, "ack_pending": info.num_ack_pending,
                                       "redelivered": info.num_redelivered}
        dead = await js.stream_info(topology.DEADLETTER.name)
        deps["jetstream"] = {"state": "up", "consumers": consumers, "dead_letters": dead.state.messages}
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


async def redis_state(url: str) -> dict[str, Any]:
    import redis.asyncio as redis

    client = redis.from_url(url, socket_timeout=1)
    try:
        await client.ping()
        return {"state": "up"}
    except Exception as exc:
        return {"state": "down", "error": str(exc)}
    finally:
        await client.aclose()
