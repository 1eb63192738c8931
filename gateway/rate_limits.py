"""Per-key limits on what costs the most: questions and uploads (429 with `Retry-After`).

The key is the account when the caller sent a key, else the client address (the local single-user mode). Counted in
this gateway process (a moving window of one minute, `limits`' in-memory storage): N gateways behind a balancer let a
key through up to N times the limit. Unset, a limit applies only when keys are required: in the local single-user
mode every caller is the one person at the laptop, whose `mirage ingest`, `eval` and `bench` run flat out.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import FastAPI, Request
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from contracts.review import Actor
from gateway.errors import ApiError
from runtime.settings import Settings

Kind = Literal["questions", "uploads"]
DEFAULTS: dict[Kind, int] = {"questions": 120, "uploads": 60}


def per_minute(settings: Settings, kind: Kind, actor: Actor) -> int:
    """The limit for this caller: the configured one, or when unset the default outside the local single-user mode."""
    configured = settings.rate_limit_questions if kind == "questions" else settings.rate_limit_uploads
    if configured is None:
        return 0 if actor.authenticated_by == "local_mode" else DEFAULTS[kind]
    return configured


def caller_key(request: Request, actor: Actor) -> str:
    if actor.authenticated_by != "local_mode":
        return f"account:{actor.name}"
    return f"address:{request.client.host if request.client else 'unknown'}"


def limiter_of(app: FastAPI) -> MovingWindowRateLimiter:
    limiter = getattr(app.state, "rate_limiter", None)
    if limiter is None:
        app.state.rate_limiter = limiter = MovingWindowRateLimiter(MemoryStorage())
    return limiter


def rate_limited(kind: Kind) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency, listed after `requires(...)` (whose caller it counts): 429 once the key's minute is full."""

    async def check(request: Request) -> None:
        actor: Actor = request.state.actor
        limit = per_minute(request.app.state.settings, kind, actor)
        if limit == 0:
            return
        item, key, limiter = RateLimitItemPerMinute(limit), caller_key(request, actor), limiter_of(request.app)
        if limiter.hit(item, kind, key):
            return
        wait = max(1, math.ceil(limiter.get_window_stats(item, kind, key).reset_time - time.time()))
        raise ApiError(429, "rate_limited", f"more than {limit} {kind} a minute from {key.partition(':')[2]}; "
                       f"try again in {wait} s", headers={"Retry-After": str(wait)}, retry_after_s=wait)

    return check
