"""Redis down and back: answers still come (the cache is skipped), /health says Redis is down, then up again."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

import pytest
import redis.asyncio as redis

from tests.factories import SAMPLES, make_txt
from tests.jetstream_helpers import wait_for

QUESTION = {"query": "What are the side effects of paracetamol?"}


def redis_again(url: str, directory: Path) -> subprocess.Popen[bytes]:
    """A new redis-server on the port of the one shut down (empty: a restart loses the cache, which is all it holds)."""
    binary = shutil.which("redis-server")
    assert binary is not None
    port = str(urlparse(url).port)
    return subprocess.Popen([binary, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(directory)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.timeout(120)
async def test_answers_keep_coming_while_redis_is_down_and_the_cache_returns_with_it(light_stack, redis_url: str, tmp_path: Path) -> None:
    async with light_stack(redis_url=redis_url, query_wait_s=20.0) as http:
        upload = await http.post("/documents/upload", files={"file": ("leaflet.txt", make_txt(**SAMPLES["en"]))})
        assert upload.status_code == 201, upload.text
        assert (await http.post("/query", json=QUESTION)).status_code == 200
        assert (await http.post("/query", json=QUESTION)).json().get("cached") is True
        assert (await http.get("/health")).json()["dependencies"]["redis"]["state"] == "up"

        client = redis.from_url(redis_url)
        try:
            await client.shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # the server closes the connection as it goes
        await client.aclose()

        down = await http.get("/health")
        assert down.status_code == 503 and down.json()["dependencies"]["redis"]["state"] == "down", down.text
        for _ in range(2):  # the same question: no cache to answer from, so the chain answers it each time
            answered = await http.post("/query", json=QUESTION)
            assert answered.status_code == 200 and answered.json()["status"] == "answered", answered.text
            assert "cached" not in answered.json()
        other = await http.post("/query", json={"query": "How should the tablets be taken?"})
        assert other.status_code == 200 and other.json()["status"] == "answered", other.text

        server = redis_again(redis_url, tmp_path)
        try:
            async def healthy():  # noqa: ANN202
                response = await http.get("/health")
                return response if response.status_code == 200 else None

            back = await wait_for(healthy, timeout=30, interval=0.3)
            assert back.json()["dependencies"]["redis"]["state"] == "up"

            async def cached():  # noqa: ANN202
                return (await http.post("/query", json=QUESTION)).json().get("cached")

            assert await wait_for(cached, timeout=30, interval=0.2)  # answered once more, stored, then served from Redis
        finally:
            server.terminate()
            server.wait(timeout=10)
