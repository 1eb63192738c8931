"""Delivery policy for JetStream consumers: heartbeat, retry with back-off, dead letter."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from faststream import AckPolicy, BaseMiddleware
from faststream.exceptions import AckMessage, HandlerException, NackMessage
from faststream.nats import ConsumerConfig, JStream, PullSub
from nats.errors import NotJSMessageError
from opentelemetry import trace

from contracts import subjects, topology
from runtime.logs import about, ids_of

log = logging.getLogger(__name__)

DeadLetterPublish = Callable[[str, bytes, dict[str, str]], Awaitable[Any]]
# Messages an in-order projector takes in hand at once (runtime/in_order.py): the totals are written once for them all.
IN_ORDER_BATCH = 64


class Unprocessable(Exception):  # noqa: N818
    """A message that no later delivery can handle (e.g. an outcome for a document never uploaded): dead-lettered at once."""


@dataclass(frozen=True)
class DeliveryPolicy:
    """How a worker's durable consumers retry and give up; configuration, not handler code."""

    max_deliver: int
    ack_wait_s: float
    retry_delays_s: tuple[float, ...] = (1.0, 5.0, 15.0, 30.0)

    def subscriber_kwargs(self, spec: topology.ConsumerSpec, concurrency: int = 1) -> dict[str, Any]:
        """Keyword arguments for `router.subscriber(spec.filter_subject, ...)` of a durable pull consumer handling
        `concurrency` at once (one, across every replica, for an in-order consumer)."""
        return {
            "stream": JStream(spec.stream.name, declare=False),
            "durable": spec.durable,
            # one message per fetch: concurrency comes from max_workers; a fetch of several times out with
            # asyncio.TimeoutError, which FastStream 0.7.8 does not catch (it restarts the consuming task)
            "pull_sub": PullSub(batch_size=1, timeout=1.0),
            "max_workers": 1 if spec.in_order else concurrency,
            "config": self.consumer_config(spec),
            "ack_policy": AckPolicy.NACK_ON_ERROR,
        }

    def consumer_config(self, spec: topology.ConsumerSpec) -> ConsumerConfig:
        """An in-order consumer lets a batch be in hand (runtime/in_order.py keeps it to one batch across replicas) and
        redelivers without a limit: its reader dead-letters a failing message itself, and a batch it released to
        another replica must come back whatever its count."""
        return ConsumerConfig(
            durable_name=spec.durable,
            description=spec.description,
            max_deliver=-1 if spec.in_order else self.max_deliver,
            ack_wait=self.ack_wait_s,
            filter_subjects=list(spec.filter_subjects) or None,
            # twice a batch: the request for the next batch is never cut short by the acks of the last one (the server
            # may count them after the request), which leaves a `no_wait` request open instead of answered
            max_ack_pending=2 * IN_ORDER_BATCH if spec.in_order else None,
        )

    def retry_delay(self, delivered: int) -> float:
        return self.retry_delays_s[min(delivered - 1, len(self.retry_delays_s) - 1)]

    def middleware(self, publish_dead_letter: DeadLetterPublish) -> Callable[..., BaseMiddleware]:
        return partial(DeliveryMiddleware, policy=self, publish_dead_letter=publish_dead_letter)


def jetstream_metadata(raw: Any) -> Any:
    try:
        return getattr(raw, "metadata", None)
    except NotJSMessageError:
        return None


def stream_sequence(raw: Any) -> int | None:
    """The message's sequence in its stream; None outside JetStream (the in-memory test broker)."""
    metadata = jetstream_metadata(raw)
    return metadata.sequence.stream if metadata is not None and metadata.sequence else None


class DeliveryMiddleware(BaseMiddleware):
    """Keeps a long handler's message alive, retries failures later, and dead-letters the last one."""

    def __init__(self, msg: Any, /, *, context: Any, policy: DeliveryPolicy, publish_dead_letter: DeadLetterPublish) -> None:
        super().__init__(msg, context=context)
        self.policy = policy
        self.publish_dead_letter = publish_dead_letter

    async def consume_scope(self, call_next: Any, msg: Any) -> Any:
        headers = msg.headers or {}
        with about(**ids_of(headers.get("Mirage-Event"), headers.get("Mirage-Correlation"))):
            return await self._deliver(call_next, msg)

    async def _deliver(self, call_next: Any, msg: Any) -> Any:
        metadata = jetstream_metadata(msg.raw_message)
        if metadata is None:  # core NATS request or the in-memory test broker: nothing to redeliver
            return await call_next(msg)
        # which worker's consumer handles it: in one process (`mirage up`) the span's service does not say
        trace.get_current_span().set_attributes({"mirage.consumer": metadata.consumer or "", "mirage.delivery": metadata.num_delivered})
        heartbeat = asyncio.create_task(self._heartbeat(msg))
        try:
            return await call_next(msg)
        except HandlerException:
            raise
        except Unprocessable as exc:
            await self._after_failure(msg, self.policy.max_deliver, exc)
        except Exception as exc:
            await self._after_failure(msg, metadata.num_delivered, exc)
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat

    async def _heartbeat(self, msg: Any) -> None:
        while True:
            await asyncio.sleep(self.policy.ack_wait_s / 3)
            await msg.in_progress()

    async def _after_failure(self, msg: Any, delivered: int, exc: Exception) -> None:
        subject = msg.raw_message.subject
        if delivered < self.policy.max_deliver:
            delay = self.policy.retry_delay(delivered)
            log.warning("%s failed (delivery %d/%d), retry in %.0fs: %r", subject, delivered, self.policy.max_deliver, delay, exc,
                        exc_info=exc)
            raise NackMessage(delay=delay) from exc
        log.error("%s failed on its last delivery (%d), dead-lettered: %r", subject, delivered, exc)
        await self.publish_dead_letter(subjects.deadletter(subject), msg.body,
                                       dead_letter_headers(subject, msg.headers.get("Nats-Msg-Id", msg.message_id), exc, delivered))
        raise AckMessage() from exc


def dead_letter_headers(subject: str, message_id: str, exc: Exception, delivered: int) -> dict[str, str]:
    """What a dead letter says of the message it keeps: where it came from, why it was given up, after how many deliveries."""
    return {
        "Nats-Msg-Id": f"dead:{message_id}",
        "Mirage-Original-Subject": subject,
        "Mirage-Error": f"{type(exc).__name__}: {exc}"[:1000],
        "Mirage-Deliveries": str(delivered),
    }
