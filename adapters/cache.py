"""Caches for answers and query embeddings: Redis when REDIS_URL is set, an in-process LRU otherwise.

A cache is never the only copy of anything and never breaks a request: an error reads as a miss.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Protocol

from prometheus_client import Counter

log = logging.getLogger(__name__)
LOOKUPS = Counter("mirage_cache_lookups_total", "Cache lookups by cache and result (hit, miss, error)", ["cache", "result"])


class Cache(Protocol):
    backend: str

    async def get(self, key: str) -> bytes | None: ...
    async def set(self, key: str, value: bytes, ttl_s: float) -> None: ...
    async def close(self) -> None: ...


class MemoryCache:
    """Least-recently-used, with expiry; one per process."""

    backend = "memory"

    def __init__(self, max_items: int = 10_000) -> None:
        self.max_items = max_items
        self._items: OrderedDict[str, tuple[float, bytes]] = OrderedDict()

    async def get(self, key: str) -> bytes | None:
        item = self._items.get(key)
        if item is None:
            return None
        expires, value = item
        if expires < time.monotonic():
            del self._items[key]
            return None
        self._items.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        self._items[key] = (time.monotonic() + ttl_s, value)
        self._items.move_to_end(key)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    async def close(self) -> None:
        self._items.clear()


class RedisCache:
    """Shared by every replica; losing it loses nothing."""

    backend = "redis"

    def __init__(self, url: str) -> None:
        import redis.asyncio as redis

        self.client = redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    async def get(self, key: str) -> bytes | None:
        return await self.client.get(key)

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        await self.client.set(key, value, px=int(ttl_s * 1000))

    async def close(self) -> None:
        await self.client.aclose()


class CountingCache:
    """Counts hits and misses for /metrics, and turns cache errors into misses."""

    def __init__(self, inner: Cache, name: str) -> None:
        self.inner, self.name, self.backend = inner, name, inner.backend

    async def get(self, key: str) -> bytes | None:
        try:
            value = await self.inner.get(f"mirage:{self.name}:{key}")
        except Exception as exc:
            LOOKUPS.labels(self.name, "error").inc()
            log.warning("%s cache (%s) unavailable: %r", self.name, self.backend, exc)
            return None
        LOOKUPS.labels(self.name, "miss" if value is None else "hit").inc()
        return value

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        try:
            await self.inner.set(f"mirage:{self.name}:{key}", value, ttl_s)
        except Exception as exc:
            log.warning("%s cache (%s) unavailable: %r", self.name, self.backend, exc)

    async def close(self) -> None:
        await self.inner.close()


def build_cache(redis_url: str | None, name: str, max_items: int = 10_000) -> CountingCache:
    return CountingCache(RedisCache(redis_url) if redis_url else MemoryCache(max_items), name)
