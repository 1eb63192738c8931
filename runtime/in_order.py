"""An in-order projector's consumer, read a batch at a time: whatever is waiting, at once, in stream order.

FastStream's batch subscriber waits for a batch to fill (up to its timeout) and acks or retries a batch as one message;
nats-py's `fetch` of several also lingers for the rest of a batch once one message came. A projector must apply an event
alone at once (the gateway waits for the ledger's record of a question's outcome) and must dead-letter one event of a
batch without the others, so this loop pulls by hand over core NATS: a `no_wait` request takes what is waiting (up to
`IN_ORDER_BATCH`), and only when nothing is does a lingering request wait for the next message, which is then taken
alone. The delivery policy is the other subscribers' (runtime/delivery.py): a batch that fails is redelivered with the
same delays, a message on its last delivery is dead-lettered, an event that can never apply is dead-lettered at once.
Each message gets the consumer span and the FastStream metrics the other subscribers' messages get.

Order across replicas: one replica reads at a time (runtime/lease.py), and since the consumer lets more than one
message be in hand, a batch is applied only once it is the only one: either it follows, delivery after delivery, the
batch this loop finished last, or the server says no other message is in hand (one delivered to a connection that was
lost, not yet redelivered; a batch of a replica that lost its turn). Until then it is held, kept alive and topped up
with what is redelivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import nats
from faststream.prometheus.container import MetricsContainer
from faststream.prometheus.manager import MetricsManager
from faststream.prometheus.types import ProcessingStatus
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import Header
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider
from prometheus_client import REGISTRY

from contracts import subjects, topology
from runtime.delivery import IN_ORDER_BATCH, DeadLetterPublish, DeliveryPolicy, dead_letter_headers
from runtime.lease import ReaderLease, ended
from runtime.logs import about, ids_of, message_ids
from runtime.projection import Change, Projection
from runtime.telemetry import incoming_context

if TYPE_CHECKING:
    from runtime.process import Runtime

log = logging.getLogger(__name__)

BatchHandler = Callable[[Sequence[Msg]], Awaitable[Sequence[Exception | None]]]
"""Applies the messages (in stream order); for each, why it can never apply, or None. Raises when the batch failed."""
REPLY_GRACE_S = 5.0  # a pull request the server does not end by then is given up (a lost connection)
ALONE_POLL_S = 0.1
METRICS = MetricsManager(MetricsContainer(REGISTRY, custom_label_names=()), app_name="faststream")


class LostTurn(Exception):  # noqa: N818
    """Another replica became the reader while this one held a batch that waited for its: released, not failed."""


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: `*` stands for one token, a last `>` for one or more."""
    wanted, tokens = pattern.split("."), subject.split(".")
    if wanted[-1] == ">":
        return len(tokens) >= len(wanted) and all(w in ("*", t) for w, t in zip(wanted[:-1], tokens, strict=False))
    return len(tokens) == len(wanted) and all(w in ("*", t) for w, t in zip(wanted, tokens, strict=True))


def sequence_of(msg: Msg) -> tuple[int, int]:
    """(stream sequence, delivery sequence) of a JetStream message."""
    return msg.metadata.sequence.stream, msg.metadata.sequence.consumer


class InOrderConsumer:
    """One process's reader of one in-order consumer (contracts/topology.py), feeding `handle` a batch at a time."""

    def __init__(self, nc: Client, spec: topology.ConsumerSpec, policy: DeliveryPolicy, handle: BatchHandler,
                 publish_dead_letter: DeadLetterPublish, tracer_provider: TracerProvider | None = None,
                 batch: int = IN_ORDER_BATCH, idle_s: float = 1.0, reader: str | None = None) -> None:
        assert spec.in_order, f"{spec.durable} is not an in-order consumer"
        self.nc, self.spec, self.policy, self.handle = nc, spec, policy, handle
        self.publish_dead_letter, self.batch, self.idle_s, self.reader = publish_dead_letter, batch, idle_s, reader
        self.tracer = trace.get_tracer(__name__, tracer_provider=tracer_provider)
        self.js = nc.jetstream()
        self._next_request = f"$JS.API.CONSUMER.MSG.NEXT.{spec.stream.name}.{spec.durable}"
        self._inbox = nc.new_inbox()
        self._requests = itertools.count()
        self._arrived: asyncio.Queue[Msg] = asyncio.Queue()
        self._subscription: Any = None
        self._lease: ReaderLease | None = None
        self._task: asyncio.Task[None] | None = None
        self._next_delivery: int | None = None  # the delivery that follows this loop's last batch, with none between

    async def start(self) -> None:
        await self.js.add_consumer(self.spec.stream.name, self.policy.consumer_config(self.spec))  # creates or updates
        self._lease = ReaderLease(await self.js.key_value(topology.FIGURES_BUCKET), f"{self.spec.durable}.reader", me=self.reader)
        self._subscription = await self.nc.subscribe(f"{self._inbox}.*", cb=self._arrived.put)
        self._task = asyncio.create_task(self._run(), name=f"in-order {self.spec.durable}")

    async def stop(self) -> None:
        if self._task is not None:
            await ended(self._task)
        if self._lease is not None and not self.nc.is_closed:
            await self._lease.release()
        if self._subscription is not None and not self.nc.is_closed:
            with contextlib.suppress(Exception):
                await self._subscription.unsubscribe()

    async def _run(self) -> None:
        assert self._lease is not None
        while not self.nc.is_closed:
            try:
                if not self._lease.held:
                    self._next_delivery = None
                    await self._lease.hold()
                held = await self._waiting()
                if held:
                    await self._take(held)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: reading the consumer failed; again in 1 s", self.spec.durable)
                await asyncio.sleep(1.0)

    async def _waiting(self) -> list[Msg]:
        """What is waiting (up to a batch), at once; else the next message, alone, as soon as it comes."""
        if held := await self._pull({"batch": self.batch, "no_wait": True}, self.batch, REPLY_GRACE_S):
            return held
        started = time.monotonic()
        held = await self._pull({"batch": 1, "expires": int(self.idle_s * 1e9)}, 1, self.idle_s + REPLY_GRACE_S)
        if not held and time.monotonic() - started < self.idle_s / 2:  # refused at once (e.g. the consumer is gone)
            await asyncio.sleep(self.idle_s)
        return held

    async def _pull(self, request: dict[str, Any], limit: int, timeout_s: float) -> list[Msg]:
        reply = f"{self._inbox}.{next(self._requests)}"
        await self.nc.publish(self._next_request, json.dumps(request).encode(), reply=reply)
        taken: list[Msg] = []
        deadline = time.monotonic() + timeout_s
        while len(taken) < limit and (left := deadline - time.monotonic()) > 0:
            try:
                msg = await asyncio.wait_for(self._arrived.get(), left)
            except TimeoutError:
                break
            status = (msg.headers or {}).get(Header.STATUS.value)
            if not status:
                taken.append(msg)
            elif msg.subject == reply and status != "100":  # this request is over: no messages (404), expired (408), ...
                break
        return taken

    async def _take(self, held: list[Msg]) -> None:
        spans = {id(msg): self._span(msg) for msg in held}
        started = time.perf_counter()
        heartbeat = asyncio.create_task(self._heartbeat(held))
        statuses: dict[int, ProcessingStatus] = {}
        try:
            batch, duplicates = await self._alone(held, spans)
            failures = await self.handle(batch)
            for msg, failure in zip(batch, failures, strict=True):
                statuses[id(msg)] = ProcessingStatus.acked if failure is None else ProcessingStatus.rejected
                if failure is not None:
                    await self._dead_letter(msg, self.policy.max_deliver, failure, spans[id(msg)])
            await asyncio.gather(*(msg.ack() for msg in [*batch, *duplicates]))
            last = max(sequence_of(msg)[1] for msg in held)
            self._next_delivery = last + 1
        except Exception as exc:
            self._next_delivery = None
            await self._after_failure(held, exc, spans, statuses)
        finally:
            await ended(heartbeat)
            self._finish(held, spans, statuses, time.perf_counter() - started)

    async def _alone(self, held: list[Msg], spans: dict[int, trace.Span]) -> tuple[list[Msg], list[Msg]]:
        """The batch in stream order once no other message of the consumer is in hand, and the stale deliveries of it."""
        deliveries = sorted(sequence_of(msg)[1] for msg in held)
        following = self._next_delivery is not None and deliveries == list(range(self._next_delivery, self._next_delivery + len(held)))
        waited = 0
        while True:
            latest = {sequence_of(msg)[0]: msg for msg in sorted(held, key=lambda m: sequence_of(m)[1])}
            batch = [latest[sequence] for sequence in sorted(latest)]
            if following or (await self.js.consumer_info(self.spec.stream.name, self.spec.durable)).num_ack_pending <= len(batch):
                return batch, [msg for msg in held if latest[sequence_of(msg)[0]] is not msg]
            if self._lease is not None and not self._lease.held:
                raise LostTurn(f"another replica reads {self.spec.durable}")
            if (waited := waited + 1) == 10:
                log.info("%s: a batch waits for another in hand (a lost delivery, or another replica's)", self.spec.durable)
            # what is redelivered meanwhile (a lost delivery's turn comes after `ack_wait`); not `no_wait`: with as many
            # messages in hand as the consumer allows, the server leaves such a request open rather than answer it
            more = await self._pull({"batch": self.batch, "expires": int(ALONE_POLL_S * 1e9)}, self.batch, ALONE_POLL_S + REPLY_GRACE_S)
            for msg in more:
                spans[id(msg)] = self._span(msg)
            held.extend(more)

    async def _heartbeat(self, held: list[Msg]) -> None:
        while True:
            await asyncio.sleep(self.policy.ack_wait_s / 3)
            await asyncio.gather(*(msg.in_progress() for msg in held))

    async def _after_failure(self, held: list[Msg], exc: Exception, spans: dict[int, trace.Span],
                             statuses: dict[int, ProcessingStatus]) -> None:
        """Every message of a failed batch is retried later, or dead-lettered on its last delivery (as
        runtime/delivery.py does for one message). A batch released for another reader is redelivered at once: the
        server counts its deliveries without a limit (the consumer's `max_deliver` is this policy's to apply)."""
        for msg in held:
            delivered = msg.metadata.num_delivered or 1
            spans[id(msg)].record_exception(exc)
            if isinstance(exc, LostTurn) or delivered < self.policy.max_deliver:
                delay = 0 if isinstance(exc, LostTurn) else self.policy.retry_delay(delivered)
                statuses[id(msg)] = ProcessingStatus.nacked
                with contextlib.suppress(Exception):
                    await msg.nak(delay=delay)
            else:
                statuses[id(msg)] = ProcessingStatus.rejected
                with contextlib.suppress(Exception):
                    await self._dead_letter(msg, delivered, exc, spans[id(msg)])
                    await msg.ack()
        log.warning("%s: a batch of %d failed (deliveries %s of %d), retried later: %r", self.spec.durable, len(held),
                    sorted({msg.metadata.num_delivered for msg in held}), self.policy.max_deliver, exc, exc_info=exc)

    async def _dead_letter(self, msg: Msg, delivered: int, exc: Exception, span: trace.Span) -> None:
        headers = msg.headers or {}
        with about(**ids_of(headers.get("Mirage-Event"), headers.get("Mirage-Correlation"))):
            log.error("%s can never be applied (delivery %d), dead-lettered: %r", msg.subject, delivered, exc)
        span.record_exception(exc)
        message_id = headers.get("Nats-Msg-Id") or f"{self.spec.stream.name}:{sequence_of(msg)[0]}"
        await self.publish_dead_letter(subjects.deadletter(msg.subject), msg.data, dead_letter_headers(msg.subject, message_id, exc, delivered))

    def _handler(self, subject: str) -> str:
        """The metrics' `handler`: the consumer's subject the message came by (one per document would grow without end)."""
        return next((pattern for pattern in self.spec.subjects if matches(pattern, subject)), subject)

    def _span(self, msg: Msg) -> trace.Span:
        """The consumer span the other subscribers' messages get (FastStream's), in the message's trace."""
        log.info("Received", extra=message_ids(msg.headers or {}) | {"subject": msg.subject})  # as FastStream's lines for the others
        handler = self._handler(msg.subject)
        METRICS.add_received_message(broker="nats", handler=handler)
        METRICS.observe_received_messages_size(broker="nats", handler=handler, size=len(msg.data))
        METRICS.add_received_message_in_process(broker="nats", handler=handler)
        metadata, headers = msg.metadata, msg.headers or {}
        about_ids = {f"mirage.{key}": value for key, value in ids_of(headers.get("Mirage-Event"), headers.get("Mirage-Correlation")).items()}
        return self.tracer.start_span(f"{msg.subject} process", context=incoming_context(headers), kind=SpanKind.CONSUMER,
                                      attributes={"messaging.system": "nats", "messaging.destination.name": msg.subject,
                                                  "messaging.message.id": headers.get("Nats-Msg-Id", ""),
                                                  "mirage.consumer": metadata.consumer or self.spec.durable,
                                                  "mirage.delivery": metadata.num_delivered or 1, "mirage.stream_sequence": metadata.sequence.stream,
                                                  **about_ids})

    def _finish(self, held: list[Msg], spans: dict[int, trace.Span], statuses: dict[int, ProcessingStatus], duration: float) -> None:
        for msg in held:
            status = statuses.get(id(msg), ProcessingStatus.acked)
            handler = self._handler(msg.subject)
            METRICS.observe_received_processed_message_duration(duration=duration, broker="nats", handler=handler)
            METRICS.remove_received_message_in_process(broker="nats", handler=handler)
            METRICS.add_received_processed_message(status=status, broker="nats", handler=handler)
            log.info("Processed", extra=message_ids(msg.headers or {}) | {"subject": msg.subject, "status": status.value})
            span = spans[id(msg)]
            span.set_attribute("mirage.batch", len(held))
            if status is not ProcessingStatus.acked:
                span.set_status(Status(StatusCode.ERROR))
            span.end()


def projecting(projection: Projection[Any], change_of: Callable[[Msg], Change[Any]]) -> BatchHandler:
    """A batch handler that applies each message's change with one write of the totals (runtime/projection.py). A
    message that cannot be read, or whose change raises, can never apply: its failure is returned, the others apply."""

    async def handle(msgs: Sequence[Msg]) -> list[Exception | None]:
        failures: list[Exception | None] = [None] * len(msgs)
        changes, positions = [], []
        for position, msg in enumerate(msgs):
            try:
                changes.append(change_of(msg))
            except Exception as exc:  # noqa: BLE001 - reading a message is pure: no later delivery reads it otherwise
                failures[position] = exc
                continue
            positions.append(position)
        for position, failure in zip(positions, await projection.apply_batch(changes), strict=True):
            failures[position] = failure
        return failures

    return handle


def attach_in_order(runtime: Runtime, spec: topology.ConsumerSpec, handle: BatchHandler) -> None:
    """Read `spec` with `handle` in `runtime`'s process, from its start (after what its workers do first) until it stops,
    on a connection of its own: the process stops its broker's connection first, and this one must still release
    its batch and hand the turn to read over (runtime/lease.py)."""
    consumers: list[InOrderConsumer] = []

    async def start() -> None:
        nc = await nats.connect([url.geturl() for url in runtime.broker.connection.servers], name=f"mirage {spec.durable}",
                                max_reconnect_attempts=-1, reconnect_time_wait=1)
        consumers.append(InOrderConsumer(nc, spec, runtime.policy, handle, runtime.bus.publish_raw, runtime.tracer_provider))
        await consumers[-1].start()

    async def stop() -> None:
        for consumer in consumers:
            await consumer.stop()
            await consumer.nc.close()

    runtime.on_start(start)
    runtime.closers.append(stop)
