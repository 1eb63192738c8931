"""nats-server killed and restarted while uploads and questions are in flight: nothing lost, nothing twice, nothing stuck."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from adapters.stores.edge import EdgeVectorStore
from runtime.nats_server import EmbeddedNats, nats_server_binary
from tests.factories import SAMPLES, make_txt
from tests.faults.traffic import ask_until_final, upload_until_accepted, wait_all_indexed

UPLOADS = 4
QUESTIONS = 4


def kill(server: EmbeddedNats) -> None:
    """SIGKILL: no clean shutdown."""
    assert server.process is not None
    server.process.kill()
    server.process.wait()
    server.stop()


def start_again(server: EmbeddedNats) -> None:
    """A nats-server again on the same port and store. Started without EmbeddedNats's parent-death hook: a fork that
    runs Python code in the child can deadlock in a process whose other threads are busy (the embedders here); the
    fixture's teardown stops it."""
    server.process = subprocess.Popen(
        [nats_server_binary(), "-a", server.host, "-p", str(server.port), "-js", "-sd", str(server.store_dir),
         "--log", str(server.store_dir / "nats-server.log")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.timeout(150)
async def test_nats_server_restarted_under_load_loses_nothing_and_strands_nothing(light_stack, nats_server: EmbeddedNats, tmp_path) -> None:  # noqa: ANN001
    documents = [make_txt(f"{SAMPLES[lang]['title']} ({i})", SAMPLES[lang]["sections"])
                 for i, lang in enumerate(["en", "fr", "es", "de"] * (UPLOADS // 4))]
    async with light_stack(ack_wait_s=4.0, upload_wait_s=5.0, query_wait_s=5.0) as http:
        first = await http.post("/documents/upload", files={"file": ("seed.txt", make_txt(**SAMPLES["en"]))})
        assert first.status_code == 201, first.text
        uploads = [asyncio.create_task(upload_until_accepted(http, data, f"{i}.txt")) for i, data in enumerate(documents)]
        questions = [asyncio.create_task(ask_until_final(http, "What are the side effects of paracetamol?")) for _ in range(QUESTIONS)]
        await asyncio.sleep(0.3)
        kill(nats_server)
        await asyncio.sleep(0.5)
        down = await asyncio.wait_for(http.get("/health"), timeout=10)  # at once, naming NATS
        start_again(nats_server)
        ids = await asyncio.gather(*uploads)
        finals = await asyncio.gather(*questions)  # each ended: answered, held or failed (or refused at once, visibly)
        records = await wait_all_indexed(http, [first.json()["document_id"], *ids], timeout_s=60)
        health = await http.get("/health")  # the gateway and every worker are connected again
        after = await ask_until_final(http, "What are the side effects of paracetamol?")
        listed = (await http.get("/documents", params={"status": "indexed"})).json()["documents"]
        stats = (await http.get("/documents/stats")).json()
    # the questions in flight each ended (a loaded machine may not have published any before the kill: refused at once)
    assert set(finals) <= {"answered", "pending_review", "failed", "refused"}, finals
    assert after == "answered"  # and once the server is back, a question is answered
    assert down.status_code == 503 and down.json()["dependencies"]["nats"]["state"] == "down", down.text
    assert health.status_code == 200, health.text
    # Every document once in the catalog and in its totals: an event whose record was stored but whose ack the restart
    # lost is delivered again and moves the totals no second time, nor not at all (runtime/projection.py).
    assert sorted(d["document_id"] for d in listed) == sorted(records)
    assert stats["documents"] == len(records), stats
    assert stats["chunks"] == sum(record["chunks"] for record in records.values()), stats
    store = EdgeVectorStore(tmp_path / "data" / "vectors", 512)
    try:
        for document_id, record in records.items():  # chunk ids are derived from the bytes: an upload retried after an
            assert store.count({"document_id": document_id}) == record["chunks"] > 0  # uncertain refusal indexes them again in place
        assert store.count() == sum(record["chunks"] for record in records.values())
    finally:
        store.close()
