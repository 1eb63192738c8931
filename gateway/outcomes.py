"""Wait for the outcome event of one document or question: subscribe first, then publish."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from nats.aio.client import Client


@dataclass(frozen=True)
class Arrival:
    subject: str
    data: bytes


class Outcome:
    def __init__(self) -> None:
        self.future: asyncio.Future[Arrival] = asyncio.get_running_loop().create_future()

    async def wait(self, timeout: float) -> Arrival | None:
        """The first outcome event, or None on timeout."""
        try:
            return await asyncio.wait_for(asyncio.shield(self.future), timeout)
        except TimeoutError:
            return None


@contextlib.asynccontextmanager
async def outcome_of(nc: Client, *subject_patterns: str) -> AsyncIterator[Outcome]:
    """Subscribe before publishing, so an outcome that comes fast is never missed; the first on any pattern counts."""
    outcome = Outcome()

    async def on_message(msg) -> None:  # noqa: ANN001
        if not outcome.future.done():
            outcome.future.set_result(Arrival(msg.subject, msg.data))

    subscriptions = [await nc.subscribe(pattern, cb=on_message) for pattern in subject_patterns]
    try:
        yield outcome
    finally:
        for subscription in subscriptions:
            await subscription.unsubscribe()
