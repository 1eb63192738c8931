"""JetStream plumbing shared by every process: topology, catalog bucket, upload store.

A record that cannot be read (written by a bug, by hand, or by a release with another schema) is set aside: read as
absent, logged, and counted in `mirage_unreadable_records_total{bucket}` and in `/health`, so that it never stops a
scan, a watcher or a projection; the other records keep flowing.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Generic, TypeVar

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, ObjectStoreConfig, StorageType, StreamConfig
from nats.js.errors import (
    BadRequestError,
    BucketNotFoundError,
    InvalidKeyError,
    KeyNotFoundError,
    KeyWrongLastSequenceError,
    NotFoundError,
)
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore
from prometheus_client import Counter
from pydantic import BaseModel, ValidationError

from contracts import topology
from contracts.documents import BlobRef, DocumentRecord
from contracts.figures import Figures

log = logging.getLogger(__name__)
Record = TypeVar("Record", bound=BaseModel)
SCAN_IDLE_S = 10.0
UNREADABLE_RECORDS = Counter("mirage_unreadable_records", "Records set aside because they could not be read", ["bucket"])


class SetAside:
    """This process's unreadable records: each (bucket, key, revision) logged and counted once."""

    SHOWN_KEYS = 20

    def __init__(self) -> None:
        self.records: dict[str, dict[str, tuple[int, str]]] = {}

    def note(self, bucket: str, key: str, revision: int, error: Exception) -> None:
        seen = self.records.setdefault(bucket, {})
        if key in seen and seen[key][0] == revision:
            return
        reason = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}" if str(error) else type(error).__name__
        seen[key] = (revision, reason)
        UNREADABLE_RECORDS.labels(bucket).inc()
        log.warning("set aside unreadable record %r of bucket %s (revision %d): %s", key, bucket, revision, reason)

    def readable(self, bucket: str, key: str) -> None:
        """The key holds a readable record again (rewritten by its projector)."""
        if key in self.records.get(bucket, {}):
            del self.records[bucket][key]

    def summary(self) -> dict[str, Any]:
        return {bucket: {"count": len(keys), "keys": sorted(keys)[: self.SHOWN_KEYS]} for bucket, keys in self.records.items() if keys}


UNREADABLE = SetAside()


def bucket_name(kv: KeyValue) -> str:
    return str(getattr(kv, "_name", "?"))


async def ensure_topology(js: JetStreamContext, replicas: int = 1) -> None:
    """Create or update every stream and bucket declared in contracts (idempotent)."""
    for spec in topology.STREAMS:
        config = StreamConfig(
            name=spec.name,
            subjects=list(spec.subjects),
            description=spec.description,
            storage=StorageType.FILE,
            duplicate_window=spec.duplicate_window_s,
            num_replicas=replicas,
            deny_delete=spec.append_only,
            deny_purge=spec.append_only,
        )
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)
    for stream, durable in topology.RETIRED_CONSUMERS:
        with contextlib.suppress(NotFoundError):
            await js.delete_consumer(stream, durable)
    for name in BUCKETS:
        await open_bucket(js, name, replicas)
    await open_uploads(js, replicas)


BUCKETS = {
    topology.CATALOG_BUCKET: "Current state of every document (key = document id).",
    topology.QUESTIONS_BUCKET: "Current state of every question (key = query id).",
    topology.REVIEWS_BUCKET: "Answers parked for a human expert, and their verdicts (key = query id).",
    topology.FIGURES_BUCKET: "Running totals of each bucket's records, kept by its projector (key = bucket name).",
    topology.APPROVED_BUCKET: "Reviewed answers that may be given again to the same question over the same documents.",
    topology.ACCOUNTS_BUCKET: "People who may use MIRAGE: role, hashed API keys, expiry, last use (key = account name).",
    topology.INDEX_BUCKET: "The vector index generation search reads and the one a re-index fills (key = generations).",
}


async def open_bucket(js: JetStreamContext, name: str, replicas: int = 1) -> KeyValue:
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        return await js.create_key_value(
            KeyValueConfig(bucket=name, history=5, storage=StorageType.FILE, replicas=replicas, description=BUCKETS[name])
        )


async def open_catalog(js: JetStreamContext, replicas: int = 1) -> KeyValue:
    return await open_bucket(js, topology.CATALOG_BUCKET, replicas)


async def open_uploads(js: JetStreamContext, replicas: int = 1) -> ObjectStore:
    try:
        return await js.object_store(topology.UPLOADS_BUCKET)
    except (BucketNotFoundError, NotFoundError):
        return await js.create_object_store(
            topology.UPLOADS_BUCKET,
            ObjectStoreConfig(storage=StorageType.FILE, replicas=replicas, description="Uploaded document bytes (name = document id)."),
        )


class Records(Generic[Record]):
    """Pydantic records in a KV bucket, keyed by one of their fields."""

    def __init__(self, kv: KeyValue, model: type[Record], key: str) -> None:
        self.kv, self.model, self.key = kv, model, key
        self.bucket = bucket_name(kv)

    def _read(self, key: str, value: bytes | None, revision: int) -> Record | None:
        """The record, or None when the value is empty or unreadable (then set aside)."""
        if not value:
            return None
        try:
            record = self.model.model_validate_json(value)
        except (ValidationError, ValueError) as exc:
            UNREADABLE.note(self.bucket, key, revision, exc)
            return None
        UNREADABLE.readable(self.bucket, key)
        return record

    async def create(self, record: Record) -> bool:
        """Store a new record; False if one already exists (e.g. the same bytes uploaded concurrently)."""
        try:
            await self.kv.create(getattr(record, self.key), record.model_dump_json().encode())
        except KeyWrongLastSequenceError:
            return False
        return True

    async def get(self, key: str) -> Record | None:
        """The record, or None: none under that key, unreadable (set aside), or a key no record can have."""
        try:
            entry = await self.kv.get(key)
        except (KeyNotFoundError, InvalidKeyError):
            return None
        return self._read(key, entry.value, entry.revision or 0)

    async def put(self, record: Record) -> None:
        await self.kv.put(getattr(record, self.key), record.model_dump_json().encode())

    async def fetch(self, key: str) -> tuple[Record | None, int]:
        """The record (None: absent or unreadable) and the revision a compare-and-set must name (0: no entry)."""
        try:
            entry = await self.kv.get(key)
        except KeyNotFoundError:
            return None, 0
        return self._read(key, entry.value, entry.revision or 0), entry.revision or 0

    async def store(self, key: str, value: bytes, revision: int) -> None:
        """Write `value` over `revision` (0: a new key); KeyWrongLastSequenceError when someone wrote in between."""
        await (self.kv.update(key, value, last=revision) if revision else self.kv.create(key, value))

    async def raw(self, key: str) -> bytes | None:
        try:
            return (await self.kv.get(key)).value
        except KeyNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        await self.kv.delete(key)

    async def update(self, key: str, change: Callable[[Record | None], Record | None]) -> tuple[Record | None, Record | None]:
        """Apply `change` to the stored record with compare-and-set, again on a concurrent write; (before, after).
        `change` returning None leaves the bucket as it is. An unreadable record is seen as absent: a change
        replaces it (it stays in the bucket's history)."""
        while True:
            try:
                entry = await self.kv.get(key)
                before, revision = self._read(key, entry.value, entry.revision or 0), entry.revision
            except KeyNotFoundError:
                before, revision = None, 0
            after = change(before)
            if after is None or after == before:
                return before, before
            try:
                if revision:
                    await self.kv.update(key, after.model_dump_json().encode(), last=revision)
                else:
                    await self.kv.create(key, after.model_dump_json().encode())
            except KeyWrongLastSequenceError:
                continue
            return before, after

    async def scan(self) -> AsyncIterator[Record]:
        """Every record, one at a time (an ordered consumer over the bucket's latest values; nothing held in memory).

        The scan ends at the entry that left nothing pending: the library's end-of-values marker can come before the
        values (its consumer-info check races the first delivery), which made a busy bucket look empty now and then."""
        if not (await self.kv.status()).values:
            return
        watcher = await self.kv.watchall()
        try:
            while True:
                entry = await watcher.updates(timeout=SCAN_IDLE_S)
                if entry is None:
                    continue
                if entry.operation is None:  # a value; deletes and purges carry their operation
                    record = self._read(entry.key, entry.value, entry.revision or 0)
                    if record is not None:
                        yield record
                if not entry.delta:
                    return
        finally:
            await watcher.stop()

    async def wait_for(self, key: str, done: Callable[[Record | None], bool], timeout_s: float) -> Record | None:
        """The record once `done(record)` holds (a projector wrote it), or as it is when `timeout_s` runs out. Each write
        of the key is seen as it happens (`key_writes`), not polled for."""
        async with key_writes(self.kv, key) as writes:
            return await writes.latest(lambda: self.get(key), done, timeout_s)


# How often a wait reads its key again when no write came: a safety net (a write made while the connection was being
# re-established is not delivered to a core subscription), not the way writes are seen.
REREAD_S = 0.25
Value = TypeVar("Value")


class KeyWrites:
    """Word of each write to one key of a bucket as it is made: a core NATS subscription to the key's subject, which
    every put, create, update and delete of the key is published to. Only word: a compare-and-set write that the
    stream refuses reaches the subscription all the same, so the key is read again each time."""

    def __init__(self, subscription: Any | None) -> None:
        self.subscription = subscription

    async def latest(self, read: Callable[[], Awaitable[Value]], done: Callable[[Value], bool], timeout_s: float) -> Value:
        """The key's value as `read` gives it, once `done(value)` holds, or as it is when `timeout_s` runs out."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        value = await read()
        while not done(value) and (remaining := deadline - loop.time()) > 0:
            if self.subscription is None:  # not a JetStream bucket (the in-memory test broker), or a key no record can have
                await asyncio.sleep(min(remaining, 0.01))
            else:
                with contextlib.suppress(TimeoutError):
                    await self.subscription.next_msg(timeout=min(remaining, REREAD_S))
                    for _ in range(self.subscription.pending_msgs):  # writes that came together: one read after the last
                        await self.subscription.next_msg()
            value = await read()
        return value


_VALID_KEY = re.compile(r"[-/_=.a-zA-Z0-9]+")  # what a KV key may be made of (as nats-py checks it)


@contextlib.asynccontextmanager
async def key_writes(kv: KeyValue, key: str) -> AsyncIterator[KeyWrites]:
    """Subscribed before the caller's first read of the key: the server takes the subscription before the read's request
    (one connection, in order), so a write after that read is always delivered. The key's subject and the connection
    are nats-py's own attributes of the bucket (pinned ~=2.16); were they renamed, waits would fall back to polling, which
    tests/runtime/test_key_writes.py would tell."""
    prefix, js = getattr(kv, "_pre", None), getattr(kv, "_js", None)
    client = getattr(js, "_nc", None)
    valid = _VALID_KEY.fullmatch(key) is not None and not key.startswith(".") and not key.endswith(".")
    if prefix is None or client is None or not valid:  # no record can have an invalid key: nothing to hear of
        yield KeyWrites(None)
        return
    subscription = await client.subscribe(f"{prefix}{key}")
    try:
        yield KeyWrites(subscription)
    finally:
        with contextlib.suppress(Exception):  # a closed connection has dropped it already
            await subscription.unsubscribe()


class FiguresStore:
    """The running totals of one bucket, moved by its projector with compare-and-set (key = the bucket's name)."""

    def __init__(self, kv: KeyValue, bucket: str) -> None:
        self.kv, self.bucket = kv, bucket

    async def get(self) -> Figures:
        return await self._get() or Figures()

    async def _get(self) -> Figures | None:
        """The totals; None when there are none, or when they are unreadable (set aside: the next start counts them again)."""
        try:
            entry = await self.kv.get(self.bucket)
        except KeyNotFoundError:
            return None
        return self._read(entry.value, entry.revision or 0)

    def _read(self, value: bytes | None, revision: int) -> Figures | None:
        if not value:
            return None
        try:
            figures = Figures.model_validate_json(value)
        except (ValidationError, ValueError) as exc:
            UNREADABLE.note(bucket_name(self.kv), self.bucket, revision, exc)
            return None
        UNREADABLE.readable(bucket_name(self.kv), self.bucket)
        return figures

    async def exists(self) -> bool:
        return await self._get() is not None

    async def wait_until(self, done: Callable[[Figures], bool], timeout_s: float) -> Figures:
        """The totals once `done(totals)` holds, or as they are when `timeout_s` runs out; each write seen as it happens."""
        async with key_writes(self.kv, self.bucket) as writes:
            return await writes.latest(self.get, done, timeout_s)

    async def fetch(self) -> tuple[Figures | None, int]:
        """The totals (None: none yet, or unreadable) and the revision a replacement must name (0: none written)."""
        try:
            entry = await self.kv.get(self.bucket)
        except KeyNotFoundError:
            return None, 0
        return self._read(entry.value, entry.revision or 0), entry.revision or 0

    async def replace(self, figures: Figures, revision: int) -> int:
        """Write over `revision` (0: the first totals); the new revision. KeyWrongLastSequenceError when someone wrote
        in between."""
        value = figures.model_dump_json().encode()
        return await (self.kv.update(self.bucket, value, last=revision) if revision else self.kv.create(self.bucket, value))

    async def count_once(self, records: Records[Record], add: Callable[[Figures, Record], Figures]) -> int | None:
        """For a bucket written before figures were kept: count its records once. The number counted, or None."""
        if await self._get() is not None:
            return None
        figures, counted = Figures(), 0
        async for record in records.scan():
            figures, counted = add(figures, record), counted + 1
        await self.kv.put(self.bucket, figures.model_dump_json().encode())
        return counted


def catalog(kv: KeyValue) -> Records[DocumentRecord]:
    return Records(kv, DocumentRecord, "document_id")


Catalog = Records[DocumentRecord]


class Uploads:
    """Uploaded bytes in the JetStream object store."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def put(self, name: str, data: bytes) -> BlobRef:
        await self.store.put(name, data)
        return BlobRef(bucket=topology.UPLOADS_BUCKET, name=name, size=len(data))

    async def find(self, ref: BlobRef) -> bytes | None:
        """The bytes, or None once the document was deleted (its bytes go with it)."""
        try:
            return await self.get(ref)
        except NotFoundError:
            return None

    async def get(self, ref: BlobRef) -> bytes:
        """Read the chunks with direct gets: the library's get opens a consumer per call, and a busy ingest
        worker runs into the server's consumer limit ("maximum consumers limit reached")."""
        info = await self.store.get_info(ref.name)
        stream, subject = f"OBJ_{ref.bucket}", f"$O.{ref.bucket}.C.{info.nuid}"
        js, parts, sequence = self.store._js, [], 0
        for _ in range(info.chunks or 0):
            msg = await js.get_msg(stream, seq=sequence + 1, subject=subject, next=True)
            parts.append(msg.data or b"")
            sequence = msg.seq
        data = b"".join(parts)
        expected = (info.digest or "").removeprefix("SHA-256=")
        if expected and base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode() != expected:
            raise OSError(f"upload {ref.name} is corrupt in the object store (digest mismatch)")
        return data

    async def delete(self, name: str) -> None:
        try:
            await self.store.delete(name)
        except NotFoundError:
            log.debug("upload %s already gone", name)


async def wait_until_drained(js: JetStreamContext, spec: topology.ConsumerSpec, timeout_s: float, interval_s: float = 0.1) -> None:
    """Until the consumer has nothing waiting and nothing in hand (every message handled and acked)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        info = await js.consumer_info(spec.stream.name, spec.durable)
        if info.num_pending == 0 and info.num_ack_pending == 0:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{spec.durable}: {info.num_pending} waiting, {info.num_ack_pending} in hand after {timeout_s:.0f} s")
        await asyncio.sleep(interval_s)
