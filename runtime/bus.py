"""Publishing events to JetStream with de-duplication ids."""

from __future__ import annotations

from typing import Protocol

from faststream.nats import NatsBroker
from nats.js.errors import APIError, NotFoundError

from contracts.envelope import Event
from contracts.topology import stream_for
from runtime.telemetry import PROPAGATOR


class Publisher(Protocol):
    """What a handler needs to announce its result: the seam tests replace."""

    async def publish(self, event: Event, subject: str) -> None: ...


class EventBus:
    def __init__(self, broker: NatsBroker) -> None:
        self.broker = broker

    async def publish(self, event: Event, subject: str) -> None:
        """Publish and wait for JetStream's ack: once this returns, the event is durable."""
        await self.broker.publish(event, subject, headers=event.headers(), stream=stream_for(subject).name)

    async def publish_raw(self, subject: str, body: bytes, headers: dict[str, str]) -> None:
        await self.broker.publish(body, subject, headers=headers, stream=stream_for(subject).name)

    async def publish_if_last(self, event: Event, subject: str, last_sequence: int) -> bool:
        """Publish only if the stream's last message on `subject` is still `last_sequence` (0: none yet): a
        compare-and-set on the stream itself. False when another publisher got there first."""
        headers = event.headers() | {"Nats-Expected-Last-Subject-Sequence": str(last_sequence)}
        PROPAGATOR.inject(headers)  # the trace goes on, as FastStream's publish carries it for every other event
        try:
            await self.broker.connection.jetstream().publish(subject, event.model_dump_json().encode(), headers=headers,
                                                             stream=stream_for(subject).name)
        except APIError as error:
            if error.err_code == WRONG_LAST_SEQUENCE:
                return False
            raise
        return True

    async def last_on(self, subject: str) -> tuple[int, bytes] | None:
        """The stream's last message on `subject` (sequence, body), or None."""
        try:
            msg = await self.broker.connection.jetstream().get_last_msg(stream_for(subject).name, subject)
        except NotFoundError:
            return None
        return msg.seq, msg.data or b""


WRONG_LAST_SEQUENCE = 10071
