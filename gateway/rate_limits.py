"""Per-key limits on what costs the most or guesses a secret: questions, uploads, and sign-ins (429 with `Retry-After`).

The key of a question or an upload is the account when the caller sent a key, else the client address (the local
single-user mode); a sign-in on the reviewer page is counted per client address. Counted in this gateway process (a
moving window of one minute, `limits`' in-memory storage): N gateways behind a balancer let a key through up to N times
the limit. Unset, the question and upload limits apply only when keys are required: in the local single-user mode every
caller is the one person at the laptop, whose `mirage ingest`, `eval` and `bench` run flat out.
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
from gateway.auth import PageError
from gateway.errors import ApiError
from runtime.settings import Settings

Kind = Literal["questions", "uploads", "logins"]
DEFAULTS: dict[Kind, int] = {"questions": 120, "uploads": 60}


def per_minute(settings: Settings, kind: Kind, actor: Actor | None) -> int:
    """The limit for this caller: the configured one, or when unset the default outside the local single-user mode."""
    if kind == "logins":
        return settings.rate_limit_logins
    configured = settings.rate_limit_questions if kind == "questions" else settings.rate_limit_uploads
    if configured is None:
        return 0 if actor is not None and actor.authenticated_by == "local_mode" else DEFAULTS[kind]
    return configured


def caller_key(request: Request, actor: Actor | None) -> str:
    if actor is not None and actor.authenticated_by != "local_mode":
        return f"account:{actor.name}"
    return f"address:{request.client.host if request.client else 'unknown'}"


def limiter_of(app: FastAPI) -> MovingWindowRateLimiter:
    limiter = getattr(app.state, "rate_limiter", None)
    if limiter is None:
        app.state.rate_limiter = limiter = MovingWindowRateLimiter(MemoryStorage())
    return limiter


def rate_limited(kind: Kind, page: bool = False) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency, listed after `requires(...)` (whose caller it counts): 429 once the key's minute is full.

    `page`: a route of the reviewer's page, where a browser is shown the refusal on a page rather than as JSON."""

    async def check(request: Request) -> None:
        actor: Actor | None = getattr(request.state, "actor", None)
        limit = per_minute(request.app.state.settings, kind, actor)
        if limit == 0:
            return
        item, key, limiter = RateLimitItemPerMinute(limit), caller_key(request, actor), limiter_of(request.app)
        if limiter.hit(item, kind, key):
            return
        wait = max(1, math.ceil(limiter.get_window_stats(item, kind, key).reset_time - time.time()))
        refusal = PageError if page else ApiError
        raise refusal(429, "rate_limited", f"more than {limit} {kind} a minute from {key.partition(':')[2]}; try again in {wait} s",
                      headers={"Retry-After": str(wait)}, retry_after_s=wait)

    return check
