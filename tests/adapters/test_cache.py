"""Caches: the in-process LRU, Redis (a real redis-server), and errors that read as misses."""

from __future__ import annotations

import asyncio

import pytest

from adapters.cache import LOOKUPS, MemoryCache, RedisCache, build_cache


def lookups(cache: str, result: str) -> float:
    return LOOKUPS.labels(cache, result)._value.get()


async def test_memory_cache_expires_and_evicts_the_least_recently_used() -> None:
    cache = MemoryCache(max_items=2)
    await cache.set("a", b"1", ttl_s=60)
    await cache.set("b", b"2", ttl_s=60)
    assert await cache.get("a") == b"1"  # a is now the most recent
    await cache.set("c", b"3", ttl_s=60)
    assert await cache.get("b") is None and await cache.get("a") == b"1" and await cache.get("c") == b"3"
    await cache.set("short", b"x", ttl_s=0.05)
    await asyncio.sleep(0.1)
    assert await cache.get("short") is None


async def test_redis_cache_shares_values_and_expires_them(redis_url: str) -> None:
    writer, reader = RedisCache(redis_url), RedisCache(redis_url)
    try:
        await writer.set("k", b"value", ttl_s=0.2)
        assert await reader.get("k") == b"value"
        await asyncio.sleep(0.3)
        assert await reader.get("k") is None
    finally:
        await writer.close()
        await reader.close()


async def test_counting_cache_counts_hits_and_misses_and_survives_a_dead_redis() -> None:
    cache = build_cache("redis://127.0.0.1:1/0", "probe")  # nothing listens there
    errors = lookups("probe", "error")
    assert await cache.get("k") is None
    await cache.set("k", b"v", 60)  # no exception: a cache never breaks a request
    assert lookups("probe", "error") == errors + 1
    memory = build_cache(None, "probe-memory")
    hits, misses = lookups("probe-memory", "hit"), lookups("probe-memory", "miss")
    assert await memory.get("k") is None
    await memory.set("k", b"v", 60)
    assert await memory.get("k") == b"v"
    assert (lookups("probe-memory", "hit"), lookups("probe-memory", "miss")) == (hits + 1, misses + 1)


@pytest.fixture
async def client_with_redis_cache(stack, redis_url):  # noqa: ANN001, ANN201
    async with stack(redis_url=redis_url) as http:
        yield http


async def test_the_same_question_is_answered_from_the_cache_until_the_documents_change(client_with_redis_cache) -> None:  # noqa: ANN001
    from tests.factories import SAMPLES, make_txt

    client = client_with_redis_cache
    assert (await client.post("/documents/upload", files={"file": ("en.txt", make_txt(**SAMPLES["en"]))})).status_code == 201
    first = (await client.post("/query", json={"query": "What are the side effects?"})).json()
    hits = lookups("answers", "hit")
    second = (await client.post("/query", json={"query": "  what are the SIDE effects? "})).json()
    assert second.get("cached") is True and lookups("answers", "hit") == hits + 1
    assert second["answer"] == first["answer"] and second["query_id"] != first["query_id"]
    assert (await client.get(second["status_url"])).json()["status"] == "answered"
    assert (await client.post("/documents/upload", files={"file": ("fr.txt", make_txt(**SAMPLES["fr"]))})).status_code == 201
    await asyncio.sleep(0.2)  # the gateway's view of the catalog moves to the new generation
    third = (await client.post("/query", json={"query": "What are the side effects?"})).json()
    assert "cached" not in third
    metrics = (await client.get("/metrics")).text
    assert 'mirage_cache_lookups_total{cache="answers",result="hit"}' in metrics
    assert 'mirage_cache_lookups_total{cache="embeddings",result="hit"}' in metrics
