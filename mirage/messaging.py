"""JetStream plumbing shared by every process: topology, catalog bucket, upload store."""

from __future__ import annotations

import logging

from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError, BucketNotFoundError, KeyNotFoundError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore

from contracts import topology
from contracts.documents import BlobRef, DocumentRecord

log = logging.getLogger(__name__)


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
        )
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)
    await open_catalog(js, replicas)
    await open_uploads(js, replicas)


async def open_catalog(js: JetStreamContext, replicas: int = 1) -> KeyValue:
    try:
        return await js.key_value(topology.CATALOG_BUCKET)
    except BucketNotFoundError:
        from nats.js.api import KeyValueConfig

        return await js.create_key_value(
            KeyValueConfig(bucket=topology.CATALOG_BUCKET, history=5, storage=StorageType.FILE, replicas=replicas,
                           description="Current state of every document (key = document id).")
        )


async def open_uploads(js: JetStreamContext, replicas: int = 1) -> ObjectStore:
    try:
        return await js.object_store(topology.UPLOADS_BUCKET)
    except (BucketNotFoundError, NotFoundError):
        from nats.js.api import ObjectStoreConfig

        return await js.create_object_store(
            topology.UPLOADS_BUCKET,
            ObjectStoreConfig(storage=StorageType.FILE, replicas=replicas, description="Uploaded document bytes (name = document id)."),
        )


class Catalog:
    """Document records in the catalog KV bucket."""

    def __init__(self, kv: KeyValue) -> None:
        self.kv = kv

    async def create(self, record: DocumentRecord) -> bool:
        """Store a new record; False if one already exists (same bytes uploaded concurrently)."""
        try:
            await self.kv.create(record.document_id, record.model_dump_json().encode())
        except KeyWrongLastSequenceError:
            return False
        return True

    async def get(self, document_id: str) -> DocumentRecord | None:
        try:
            entry = await self.kv.get(document_id)
        except KeyNotFoundError:
            return None
        if entry.value is None:
            return None
        return DocumentRecord.model_validate_json(entry.value)

    async def put(self, record: DocumentRecord) -> None:
        await self.kv.put(record.document_id, record.model_dump_json().encode())

    async def delete(self, document_id: str) -> None:
        await self.kv.delete(document_id)


class Uploads:
    """Uploaded bytes in the JetStream object store."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    async def put(self, name: str, data: bytes) -> BlobRef:
        await self.store.put(name, data)
        return BlobRef(bucket=topology.UPLOADS_BUCKET, name=name, size=len(data))

    async def get(self, ref: BlobRef) -> bytes:
        result = await self.store.get(ref.name)
        return result.data or b""

    async def delete(self, name: str) -> None:
        try:
            await self.store.delete(name)
        except NotFoundError:
            log.debug("upload %s already gone", name)
