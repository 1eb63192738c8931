"""Merge concurrent small calls into one large call: many documents in flight, one embedding batch."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class MicroBatcher(Generic[Item, Result]):
    """`await submit(items)` from many coroutines; `work` runs in a thread on everything waiting, in order.

    A batch leaves when it holds `max_items`, or `max_wait_s` after its first item: a lone caller waits at most
    that long, a busy pipeline fills batches and pays the per-call overhead (model call, disk flush) once.
    """

    def __init__(self, work: Callable[[list[Item]], Sequence[Result]], max_items: int = 256, max_wait_s: float = 0.005) -> None:
        self.work, self.max_items, self.max_wait_s = work, max_items, max_wait_s
        self._pending: list[tuple[list[Item], asyncio.Future[list[Result]]]] = []
        self._size = 0
        self._timer: asyncio.TimerHandle | None = None
        self._lock = asyncio.Lock()

    async def submit(self, items: Sequence[Item]) -> list[Result]:
        if not items:
            return []
        future: asyncio.Future[list[Result]] = asyncio.get_running_loop().create_future()
        self._pending.append((list(items), future))
        self._size += len(items)
        if self._size >= self.max_items:
            self._launch()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.max_wait_s, self._launch)
        return await future

    def _launch(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._pending, self._size = self._pending, [], 0
        if batch:
            asyncio.get_running_loop().create_task(self._run(batch))

    async def _run(self, batch: list[tuple[list[Item], asyncio.Future[list[Result]]]]) -> None:
        async with self._lock:  # one batch at a time: the work itself uses every core it is given
            flat = [item for items, _ in batch for item in items]
            try:
                results = list(await asyncio.to_thread(self.work, flat))
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                return
        start = 0
        for items, future in batch:
            if not future.done():
                future.set_result(results[start:start + len(items)])
            start += len(items)
