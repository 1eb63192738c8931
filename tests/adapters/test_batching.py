"""The micro-batcher merges concurrent calls, keeps each caller's results, and reports failures to every caller."""

from __future__ import annotations

import asyncio

import pytest

from adapters.batching import MicroBatcher


async def test_concurrent_calls_share_one_batch_and_get_their_own_results() -> None:
    calls: list[list[int]] = []

    def square(items: list[int]) -> list[int]:
        calls.append(items)
        return [i * i for i in items]

    batcher = MicroBatcher(square, max_items=100, max_wait_s=0.05)
    results = await asyncio.gather(*(batcher.submit([i, i + 100]) for i in range(10)))
    assert results == [[i * i, (i + 100) ** 2] for i in range(10)]
    assert len(calls) == 1 and len(calls[0]) == 20


async def test_a_full_batch_leaves_without_waiting() -> None:
    batcher = MicroBatcher(lambda items: items, max_items=3, max_wait_s=60)
    assert await asyncio.wait_for(batcher.submit([1, 2, 3]), timeout=2) == [1, 2, 3]


async def test_a_failure_reaches_every_caller_of_the_batch() -> None:
    def broken(items: list[int]) -> list[int]:
        raise OSError("disk full")

    batcher = MicroBatcher(broken, max_wait_s=0.01)
    outcomes = await asyncio.gather(batcher.submit([1]), batcher.submit([2]), return_exceptions=True)
    assert all(isinstance(o, OSError) for o in outcomes)
    assert await MicroBatcher(lambda items: items).submit([]) == []


async def test_batches_run_one_at_a_time() -> None:
    running, peak = 0, 0

    def work(items: list[int]) -> list[int]:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        import time

        time.sleep(0.02)
        running -= 1
        return items

    batcher = MicroBatcher(work, max_items=1, max_wait_s=0)
    await asyncio.gather(*(batcher.submit([i]) for i in range(5)))
    assert peak == 1


@pytest.mark.parametrize("size", [1, 7])
async def test_results_keep_the_order_of_items(size: int) -> None:
    batcher = MicroBatcher(lambda items: [str(i) for i in items], max_items=size)
    assert await batcher.submit(list(range(20))) == [str(i) for i in range(20)]
