"""Inspect and replay the dead-letter stream: what workers gave up on, and why."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts import topology
from contracts.envelope import utcnow


@dataclass(frozen=True)
class DeadLetter:
    sequence: int
    original_subject: str
    error: str
    deliveries: str
    dead_at: datetime | None
    correlation_id: str | None


async def list_dead_letters(js: JetStreamContext, limit: int = 1000) -> list[DeadLetter]:
    info = await js.stream_info(topology.DEADLETTER.name)
    letters: list[DeadLetter] = []
    for sequence in range(info.state.first_seq, info.state.last_seq + 1):
        if len(letters) >= limit:
            break
        try:
            msg = await js.get_msg(topology.DEADLETTER.name, sequence)
        except NotFoundError:  # replayed (deleted) or purged
            continue
        headers = msg.headers or {}
        try:
            correlation = json.loads(msg.data or b"{}").get("correlation_id")
        except ValueError:
            correlation = None
        letters.append(DeadLetter(
            sequence=sequence, original_subject=headers.get("Mirage-Original-Subject", "?"),
            error=headers.get("Mirage-Error", ""), deliveries=headers.get("Mirage-Deliveries", "?"),
            dead_at=msg.time if hasattr(msg, "time") else None, correlation_id=correlation,
        ))
    return letters


async def replay(js: JetStreamContext, sequence: int) -> str:
    """Publish the original message again, as new (a fresh Nats-Msg-Id), then drop the dead letter."""
    msg = await js.get_msg(topology.DEADLETTER.name, sequence)
    headers = dict(msg.headers or {})
    subject = headers.pop("Mirage-Original-Subject")
    for key in ("Mirage-Error", "Mirage-Deliveries", "Nats-Msg-Id"):
        headers.pop(key, None)
    headers["Nats-Msg-Id"] = f"replay:{sequence}:{utcnow().isoformat()}"
    await js.publish(subject, msg.data or b"", headers=headers, stream=topology.stream_for(subject).name)
    await js.delete_msg(topology.DEADLETTER.name, sequence)
    return subject
