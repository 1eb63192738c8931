"""Wait for the outcome event of one document (indexed, failed or deleted)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from nats.aio.client import Client

from contracts.subjects import for_document


class Outcome:
    def __init__(self) -> None:
        self.future: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def wait(self, timeout: float) -> str | None:
        """The outcome subject's kind ("indexed", "failed", "deleted"), or None on timeout."""
        try:
            return await asyncio.wait_for(asyncio.shield(self.future), timeout)
        except TimeoutError:
            return None


@contextlib.asynccontextmanager
async def outcome_of(nc: Client, document_id: str) -> AsyncIterator[Outcome]:
    """Subscribe before publishing, so an outcome that comes fast is never missed."""
    outcome = Outcome()

    async def on_message(msg) -> None:  # noqa: ANN001
        if not outcome.future.done():
            outcome.future.set_result(msg.subject.split(".")[-2])

    sub = await nc.subscribe(for_document("mirage.document.*", document_id), cb=on_message)
    try:
        yield outcome
    finally:
        await sub.unsubscribe()
