"""One reader per in-order consumer (real nats-server): taken over from a reader that stopped, vanished or restarted."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator

import nats
import pytest
from nats.js.kv import KeyValue

from contracts import topology
from runtime.lease import ReaderLease
from runtime.messaging import open_bucket

KEY = "catalog.reader"


@pytest.fixture
async def kv(nats_server) -> AsyncIterator[KeyValue]:  # noqa: ANN001
    nc = await nats.connect(nats_server.url)
    yield await open_bucket(nc.jetstream(), topology.FIGURES_BUCKET)
    await nc.close()


def lease(kv: KeyValue, me: str) -> ReaderLease:
    return ReaderLease(kv, KEY, renew_s=0.05, stale_s=0.5, me=me)


async def test_a_second_reader_waits_while_the_first_renews_and_takes_over_once_it_stops(kv: KeyValue) -> None:
    first, second = lease(kv, "one host:1"), lease(kv, "another host:1")
    await first.hold()
    waiting = asyncio.create_task(second.hold())
    await asyncio.sleep(1.0)  # twice `stale_s`: renewed all along
    assert not waiting.done() and first.held
    await first.release()
    await asyncio.wait_for(waiting, 2)
    assert second.held
    await second.release()


async def test_a_reader_gone_without_a_word_is_taken_over_once_its_key_stood_still(kv: KeyValue) -> None:
    await kv.create(KEY, b"a host that crashed:1")
    started = time.monotonic()
    taken = lease(kv, "another host:1")
    await asyncio.wait_for(taken.hold(), 5)
    assert time.monotonic() - started >= 0.5 and taken.held
    await taken.release()


async def test_a_reader_of_this_host_whose_process_ended_is_taken_over_at_once(kv: KeyValue) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    await kv.create(KEY, f"{socket.gethostname()}:{ended.stdout.strip()}".encode())
    started = time.monotonic()
    taken = lease(kv, f"{socket.gethostname()}:999999999")
    await asyncio.wait_for(taken.hold(), 5)
    assert time.monotonic() - started < 0.5 and taken.held
    await taken.release()
