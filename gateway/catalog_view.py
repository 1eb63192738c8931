"""An in-memory view of the catalog bucket, kept current by a KV watch: stats and listings without I/O."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from typing import Any

from nats.js.kv import KeyValue

from contracts.documents import DocumentRecord, DocumentStatus

log = logging.getLogger(__name__)


class CatalogView:
    def __init__(self) -> None:
        self.records: dict[str, DocumentRecord] = {}
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self, kv: KeyValue) -> None:
        watcher = await kv.watchall()
        self._task = asyncio.create_task(self._follow(watcher))
        await asyncio.wait_for(self.ready.wait(), timeout=30)

    async def _follow(self, watcher: Any) -> None:
        async for entry in watcher:
            if entry is None:
                self.ready.set()
                continue
            if entry.value:
                self.records[entry.key] = DocumentRecord.model_validate_json(entry.value)
            else:
                self.records.pop(entry.key, None)
            self.ready.set()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def stats(self) -> dict[str, Any]:
        records = list(self.records.values())
        indexed = [r for r in records if r.status is DocumentStatus.indexed]
        chunk_languages: Counter[str] = Counter()
        for r in indexed:
            chunk_languages.update(r.languages)
        doc_languages = Counter(max(r.languages, key=r.languages.get) for r in indexed if r.languages)
        types = Counter(str(r.metadata.get("type", "unspecified")) for r in indexed)
        last = max((r.indexed_at for r in indexed if r.indexed_at), default=None)
        embedders = sorted({r.embedder for r in indexed if r.embedder})
        return {
            "documents": len(indexed),
            "chunks": sum(r.chunks for r in indexed),
            "by_status": dict(Counter(r.status.value for r in records)),
            "languages": {"chunks": dict(chunk_languages), "documents": dict(doc_languages)},
            "types": dict(types),
            "formats": dict(Counter(r.format for r in indexed)),
            "last_indexed_at": last.isoformat() if last else None,
            "embedder": embedders[0] if len(embedders) == 1 else embedders or None,
        }

    def list(self, status: DocumentStatus | None, limit: int, offset: int) -> list[DocumentRecord]:
        rows = sorted(self.records.values(), key=lambda r: r.uploaded_at, reverse=True)
        if status is not None:
            rows = [r for r in rows if r.status is status]
        return rows[offset:offset + limit]
