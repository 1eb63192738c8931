"""Publishing events to JetStream with de-duplication ids."""

from __future__ import annotations

from typing import Protocol

from faststream.nats import NatsBroker

from contracts.envelope import Event
from contracts.topology import stream_for


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
