"""An in-memory view of a KV bucket, kept current by a watch: stats and listings without I/O."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Generic, TypeVar

from nats.js.kv import KeyValue
from pydantic import BaseModel

Record = TypeVar("Record", bound=BaseModel)


class BucketView(Generic[Record]):
    def __init__(self, model: type[Record]) -> None:
        self.model = model
        self.records: dict[str, Record] = {}
        self.revision = 0  # the bucket's last change seen: it moves whenever any record changes
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self, kv: KeyValue) -> None:
        watcher = await kv.watchall()
        self._task = asyncio.create_task(self._follow(watcher))
        await asyncio.wait_for(self.ready.wait(), timeout=30)

    async def _follow(self, watcher: Any) -> None:
        async for entry in watcher:
            if entry is None:  # end of the initial values
                self.ready.set()
                continue
            self.revision = max(self.revision, entry.revision or 0)
            if entry.value:
                self.records[entry.key] = self.model.model_validate_json(entry.value)
            else:
                self.records.pop(entry.key, None)
            self.ready.set()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
