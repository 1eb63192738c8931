"""The whole `mirage up` process group killed (SIGKILL) during concurrent uploads and questions, then started again on
the same data directory: every document indexed exactly once, every accepted question ends."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from runtime.nats_server import free_port
from tests.factories import SAMPLES, make_txt
from tests.faults.traffic import wait_all_indexed

ROOT = Path(__file__).resolve().parents[2]
UPLOADS = 20
QUESTIONS = 4
FINAL = ("answered", "pending_review", "failed", "rejected")


def mirage_up(data_dir: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    """`mirage up` in its own process group (its private nats-server joins it), answering at once (202) so that the
    ids of what it accepted are known before the kill."""
    env = os.environ | {"MIRAGE_DATA_DIR": str(data_dir), "MIRAGE_PORT": str(port), "MIRAGE_ENGLISH_EMBEDDER": "none",
                        "MIRAGE_UPLOAD_WAIT_S": "0", "MIRAGE_QUERY_WAIT_S": "0", "MIRAGE_ACK_WAIT_S": "5"}
    env.pop("NATS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "mirage.cli", "up", "--log-format", "text"], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)


async def healthy(http: httpx.AsyncClient, process: subprocess.Popen[bytes], timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, "mirage up exited"
        try:
            if (await http.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.3)
    raise AssertionError(f"mirage up not healthy within {timeout_s}s")


def documents() -> list[bytes]:
    languages = ["en", "fr", "es", "de"]
    return [make_txt(f"{SAMPLES[languages[i % 4]]['title']} ({i})", SAMPLES[languages[i % 4]]["sections"]) for i in range(UPLOADS)]


async def accepted(call) -> dict | None:  # noqa: ANN001
    """The body of an accepted request, None when the kill cut it off."""
    try:
        response = await call
    except httpx.TransportError:
        return None
    return response.json() if response.status_code in (200, 201, 202) else None


@pytest.mark.timeout(240)
async def test_killing_the_whole_stack_mid_traffic_loses_nothing_and_indexes_each_document_once(tmp_path: Path) -> None:
    data_dir, port = tmp_path / "data", free_port()
    first = mirage_up(data_dir, port, tmp_path / "first.log")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await healthy(http, first)
            seed = await http.post("/documents/upload", files={"file": ("seed.txt", make_txt(**SAMPLES["en"]))})
            assert seed.status_code in (201, 202), seed.text
            uploads = [asyncio.create_task(accepted(http.post("/documents/upload", files={"file": (f"{i}.txt", data)})))
                       for i, data in enumerate(documents())]
            questions = [asyncio.create_task(accepted(http.post("/query", json={"query": "What are the side effects of paracetamol?"})))
                         for _ in range(QUESTIONS)]
            await asyncio.wait(uploads, timeout=1.0)
            os.killpg(first.pid, signal.SIGKILL)  # mirage up, every worker in it and its nats-server at once
            first.wait(timeout=10)
            asked = [body for body in await asyncio.gather(*questions) if body is not None]
            before_kill = [body["document_id"] for body in await asyncio.gather(*uploads) if body is not None]
    finally:
        with_group_gone(first)

    second = mirage_up(data_dir, port, tmp_path / "second.log")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
            await healthy(http, second)
            ids = []
            for i, data in enumerate(documents()):  # the client sends again what it has no answer for (all, to be sure)
                response = await http.post("/documents/upload", files={"file": (f"{i}.txt", data)})
                assert response.status_code in (200, 201, 202), response.text
                ids.append(response.json()["document_id"])
            assert set(before_kill) <= set(ids)
            records = await wait_all_indexed(http, [seed.json()["document_id"], *ids], timeout_s=90)
            for body in asked:  # a question accepted before the kill ends after the restart
                final = await http.get(f"/query/{body['query_id']}", params={"wait": 30})
                assert final.status_code == 200 and final.json()["status"] in FINAL, final.text
            listed = (await http.get("/documents", params={"limit": 1000})).json()["documents"]
            stats = (await http.get("/documents/stats")).json()
        second.send_signal(signal.SIGINT)  # Ctrl-C: the index is released for the count below
        second.wait(timeout=60)
    finally:
        with_group_gone(second)
    assert sorted(d["document_id"] for d in listed) == sorted(records)  # each once
    assert stats["documents"] == UPLOADS + 1 and stats["chunks"] == sum(r["chunks"] for r in records.values()), stats

    from adapters.stores.edge import EdgeVectorStore

    store = EdgeVectorStore(data_dir / "vectors", 512)
    try:
        for document_id, record in records.items():
            assert store.count({"document_id": document_id}) == record["chunks"] > 0
        assert store.count() == sum(record["chunks"] for record in records.values())
    finally:
        store.close()


def with_group_gone(process: subprocess.Popen[bytes]) -> None:
    """Nothing of a `mirage up` left running after the test, whatever happened."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)
