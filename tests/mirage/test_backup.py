"""Backup and restore on the whole embedded stack: filled, backed up while it runs, wiped, restored, started again."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import nats
import pytest
from typer.testing import CliRunner

from contracts.chain import WORKERS
from gateway.app import create_app
from mirage.audit import verify_live
from mirage.backup import LAST_SUCCESS, MANIFEST, backed_up_streams, run_restore
from mirage.cli import app as cli
from mirage.embedded import runtime_factory
from runtime.nats_server import EmbeddedNats
from runtime.process import Components
from runtime.settings import Settings
from tests.factories import SAMPLES, make_pdf, make_txt


@contextlib.asynccontextmanager
async def running(data_dir: Path, embedder, detector, english) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:  # noqa: ANN001
    """What `mirage up` runs on `data_dir` (its private nats-server under data_dir/nats, the index under data_dir/vectors)."""
    with EmbeddedNats(data_dir / "nats") as server:
        settings = Settings(data_dir=data_dir, nats_url=server.url, upload_wait_s=15.0)
        components = Components(settings, embedder=embedder, detector=detector, english=english)
        app = create_app(settings, runtime_factory(settings, server.url, WORKERS, components))
        async with app.router.lifespan_context(app):
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mirage", timeout=60) as http:
                yield http, server.url


async def audit_trail(url: str, at_least: int = 0, timeout_s: float = 15.0):  # noqa: ANN201
    nc = await nats.connect(url)
    try:
        for _ in range(int(timeout_s / 0.1)):
            result = await verify_live(nc.jetstream())
            if result.count >= at_least:
                return result
            await asyncio.sleep(0.1)
        return result
    finally:
        await nc.close()


async def wait_for_case(http: httpx.AsyncClient, query_id: str) -> dict:
    for _ in range(100):
        response = await http.get(f"/validation/query/{query_id}")
        if response.status_code == 200:
            return response.json()
        await asyncio.sleep(0.1)
    raise AssertionError(f"case {query_id} never parked: {response.text}")


def mirage(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output + (str(result.exception) if result.exception and result.exit_code not in (0, 1) else "")


async def test_a_backup_taken_while_running_restores_every_document_question_case_and_the_audit_trail(
    tmp_path: Path, embedder, detector, english_embedder,  # noqa: ANN001
) -> None:
    data_dir, backups = tmp_path / "data", tmp_path / "backups"
    # 1. A running system: two documents, a question answered, one held for review.
    async with running(data_dir, embedder, detector, english_embedder) as (http, url):
        uploads = {"fr": ("notice.txt", make_txt(**SAMPLES["fr"])), "en": ("leaflet.pdf", make_pdf(**SAMPLES["en"]))}
        documents = {}
        for language, (name, data) in uploads.items():
            response = await http.post("/documents/upload", files={"file": (name, data)}, data={"metadata": '{"type":"medical"}'})
            assert response.status_code == 201, response.text
            documents[language] = response.json()
        answered = await http.post("/query", json={"query": "What are the side effects?"})
        assert answered.status_code == 200 and answered.json()["answered"], answered.text
        held = await http.post("/query", json={"query": "effets secondaires grossesse", "enable_human_loop": True})
        assert held.status_code == 202 and held.json()["status"] == "pending_review", held.text
        held_id = held.json()["query_id"]
        case = await wait_for_case(http, held_id)
        trail = await audit_trail(url, at_least=2)
        assert trail.intact and trail.count >= 2

        code, output = await asyncio.to_thread(mirage, "backup", "--data-dir", str(data_dir), "--to", str(backups))
        assert code == 0, output
        code, output = await asyncio.to_thread(mirage, "restore", "x", "--from", str(backups), "--data-dir", str(data_dir))
        assert code == 1 and "no backup named 'x'" in output
        (folder,) = [p for p in backups.iterdir() if p.name.startswith("mirage-")]
        code, output = await asyncio.to_thread(mirage, "restore", folder.name, "--from", str(backups), "--data-dir", str(data_dir))
        assert code == 1 and "in use by a running MIRAGE" in output, output  # never under a running system

    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["audit"]["entries"] == trail.count and manifest["audit"]["head"] == trail.head
    assert manifest["documents"] == {"indexed": 2} and {"audit.jsonl", "OBJ_mirage_uploads.snapshot"} <= set(manifest["files"])
    last = json.loads((backups / LAST_SUCCESS).read_text())
    assert last["name"] == folder.name
    assert f"mirage_backup_last_success_timestamp_seconds {last['timestamp']:.3f}" in (backups / "metrics" / "mirage_backup.prom").read_text()
    code, output = await asyncio.to_thread(mirage, "backup", "--verify", folder.name, "--to", str(backups))
    assert code == 0 and "is sound" in output, output

    # 2. The data directory is lost; the backup comes back (the index is rebuilt from the uploaded bytes).
    shutil.rmtree(data_dir)
    settings = Settings(data_dir=data_dir)
    components = Components(settings, embedder=embedder, detector=detector, english=english_embedder)
    report = await asyncio.to_thread(run_restore, folder, settings, False, components)
    assert report.documents == 2 and not report.failed
    assert report.chunks == sum(d["chunks"] for d in documents.values())
    print(f"vector index rebuilt: {report.documents} documents, {report.chunks} chunks in {report.index_seconds:.2f} s")
    code, output = await asyncio.to_thread(mirage, "restore", folder.name, "--from", str(backups), "--data-dir", str(data_dir))
    assert code == 1 and "--yes" in output, output  # a second restore would replace what is there: asks first
    again = await asyncio.to_thread(run_restore, folder, settings, True, components)  # --yes: the same state again
    assert len(again.replaced) == len(again.streams) == len(backed_up_streams()) and again.documents == 2

    # 3. Started again: everything is back, and the system goes on from where it was.
    async with running(data_dir, embedder, detector, english_embedder) as (http, url):
        listed = {d["document_id"]: d for d in (await http.get("/documents")).json()["documents"]}
        assert set(listed) == {d["document_id"] for d in documents.values()}
        assert all(d["status"] == "indexed" for d in listed.values())
        for language, query in (("fr", "effets secondaires paracétamol"), ("en", "side effects")):
            hits = (await http.get("/documents/search", params={"query": query, "top_k": 5})).json()["results"]
            assert documents[language]["document_id"] in {hit["document_id"] for hit in hits}, (language, hits)
        again = (await http.get(f"/query/{answered.json()['query_id']}")).json()
        assert again["status"] == "answered" and again["answer"] == answered.json()["answer"]
        assert (await http.get(f"/query/{held_id}")).json()["status"] == "pending_review"
        restored_case = await wait_for_case(http, held_id)
        assert restored_case["status"] == "pending" and restored_case["draft"] == case["draft"]
        restored = await audit_trail(url)
        assert restored.intact and (restored.count, restored.head) == (trail.count, trail.head)  # nothing replayed twice

        decided = await http.post("/validation/decide", json={"query_id": held_id, "decision": "approved", "feedback": "Validé"})
        assert decided.status_code == 200, decided.text
        released = (await http.get(f"/query/{held_id}", params={"wait": 10})).json()
        assert released["status"] == "answered" and released["reviewed"]["decision"] == "approved"
        after = await audit_trail(url, at_least=trail.count + 2)
        assert after.intact and after.count >= trail.count + 2


async def test_a_damaged_backup_is_named_by_verify_and_never_restored(tmp_path: Path) -> None:
    from mirage.backup import BackupError, take_backup, verify_backup
    from runtime.messaging import ensure_topology

    with EmbeddedNats(tmp_path / "nats") as server:
        nc = await nats.connect(server.url)
        try:
            await ensure_topology(nc.jetstream())
            for n in range(3):
                await nc.jetstream().publish("mirage.document.uploaded", f'{{"n": {n}}}'.encode(), stream="MIRAGE_DOCUMENTS")
            folder = await take_backup(nc, tmp_path / "backups")
        finally:
            await nc.close()
    check = await asyncio.to_thread(verify_backup, folder)
    assert check.ok and check.restored["MIRAGE_DOCUMENTS"]["messages"] == 3, check.problems

    snapshot = folder / "MIRAGE_DOCUMENTS.snapshot"
    good = snapshot.read_bytes()
    snapshot.write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    check = await asyncio.to_thread(verify_backup, folder)
    assert check.problems == ["MIRAGE_DOCUMENTS.snapshot is damaged: its size or SHA-256 is not the one the manifest recorded"]
    with pytest.raises(BackupError, match="does not check out, nothing was restored"):
        await asyncio.to_thread(run_restore, folder, Settings(data_dir=tmp_path / "elsewhere"), False)
    assert not (tmp_path / "elsewhere").exists()

    # A file whose checksum was recomputed after it was cut short: only restoring it tells.
    snapshot.write_bytes(good[: len(good) // 2])
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["files"][snapshot.name] = {"bytes": snapshot.stat().st_size, "sha256": hashlib.sha256(snapshot.read_bytes()).hexdigest()}
    (folder / MANIFEST).write_text(json.dumps(manifest))
    check = await asyncio.to_thread(verify_backup, folder)
    assert any(p.startswith("MIRAGE_DOCUMENTS") for p in check.problems) and not check.ok, check.problems


def test_keep_deletes_only_the_oldest_whole_backups(tmp_path: Path) -> None:
    from mirage.backup import prune

    names = ["mirage-20261127T020000Z", "mirage-20261128T020000Z", "mirage-20261129T020000Z", ".mirage-20261129T030000Z.partial"]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / MANIFEST).write_text("{}")
    (tmp_path / "metrics").mkdir()
    assert [p.name for p in prune(tmp_path, 2)] == ["mirage-20261127T020000Z"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[1:], "metrics"])
