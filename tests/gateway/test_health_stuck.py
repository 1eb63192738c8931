"""/health's stuck-consumer rule on a real nats-server: a message in hand with no acknowledgement is stuck (however
often its handler says "in progress", and while the consumer's other handlers still acknowledge); a fresh message on
a consumer idle for long is not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import nats

from contracts.topology import ConsumerSpec, StreamSpec
from gateway.health import stuck_for
from runtime.nats_server import EmbeddedNats

STREAM = StreamSpec(name="FAULTS", subjects=("faults.>",), description="test")
SPEC = ConsumerSpec(durable="worker", stream=STREAM, filter_subject="faults.work", description="test")
BOUND_S = 1.0


async def test_a_message_held_without_acknowledgement_is_stuck_and_a_fresh_one_is_not(nats_server: EmbeddedNats) -> None:
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await js.add_stream(name=STREAM.name, subjects=list(STREAM.subjects))
        await js.publish("faults.other", b"not this consumer's")
        await js.publish("faults.work", b"1")
        pull = await js.pull_subscribe(SPEC.filter_subject, durable=SPEC.durable)
        [first] = await pull.fetch(1)
        await first.ack_sync()

        async def waited() -> float:
            return await stuck_for(js, SPEC, await js.consumer_info(STREAM.name, SPEC.durable), datetime.now(UTC))

        assert await waited() == 0  # nothing waits
        await asyncio.sleep(BOUND_S * 1.5)  # idle: the last acknowledgement grows old
        await js.publish("faults.work", b"2")
        assert await waited() < BOUND_S  # a fresh message is not stuck, however long the consumer was idle

        [second] = await pull.fetch(1)
        for _ in range(3):  # the handler hangs, its heartbeat goes on
            await asyncio.sleep(BOUND_S / 2)
            await second.in_progress()
        assert await waited() > BOUND_S
        await second.ack_sync()
        assert await waited() == 0
    finally:
        await nc.close()


async def test_a_handler_hung_while_the_others_still_acknowledge_is_stuck(nats_server: EmbeddedNats) -> None:
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        await js.add_stream(name=STREAM.name, subjects=list(STREAM.subjects))
        pull = await js.pull_subscribe(SPEC.filter_subject, durable=SPEC.durable)
        await js.publish("faults.work", b"hangs")

        async def waited() -> float:
            return await stuck_for(js, SPEC, await js.consumer_info(STREAM.name, SPEC.durable), datetime.now(UTC))

        [hung] = await pull.fetch(1)
        for i in range(4):  # the other handlers go on: a message arrives and is acknowledged every half bound,
            await js.publish("faults.work", str(i).encode())  # and /health is polled as a dashboard does
            [other] = await pull.fetch(1)
            await other.ack_sync()
            await hung.in_progress()
            assert await waited() < BOUND_S or i >= 2
            await asyncio.sleep(BOUND_S / 2)
        assert await waited() > BOUND_S
        await hung.ack_sync()
        assert await waited() == 0
    finally:
        await nc.close()
