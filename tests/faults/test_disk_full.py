"""The data directory's disk full: an upload gets a clear 507 and nothing of it is kept; the rest keeps working."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from nats.js.errors import NotFoundError

from runtime.nats_server import EmbeddedNats
from tests.factories import SAMPLES, make_long_text, make_txt

DISK_MB = 8


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """Mounts a tmpfs of the given MB (root only; unmounted afterwards)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mounted: list[Path] = []

    def mount(size_mb: int) -> Path:
        disk = tmp_path / f"disk{len(mounted)}"
        disk.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(disk)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(disk)
        return disk

    yield mount
    for disk in mounted:
        subprocess.run(["umount", "--lazy", str(disk)], check=False)


@pytest.fixture
def small_disk(tmpfs: Callable[[int], Path]) -> Path:
    return tmpfs(DISK_MB)


@pytest.mark.timeout(120)
async def test_an_upload_that_does_not_fit_gets_507_and_leaves_nothing_behind(light_stack, small_disk: Path) -> None:  # noqa: ANN001
    # The JetStream store (uploaded bytes, events, catalog) on the small disk; the vector index stays off it: Qdrant Edge
    # maps its files into memory, and a write to a mapped page of a full tmpfs kills the process with SIGBUS.
    with EmbeddedNats(small_disk / "nats") as server:
        async with light_stack(nats_url=server.url) as http:
            kept = await http.post("/documents/upload", files={"file": ("leaflet.txt", make_txt(**SAMPLES["en"]))})
            assert kept.status_code == 201, kept.text

            big = make_long_text(paragraphs=DISK_MB * 1500)  # ~1.1 MB of text per 1500 paragraphs: more than the disk
            refused = await http.post("/documents/upload", files={"file": ("big.txt", big)})
            assert refused.status_code == 507, refused.text
            assert refused.json()["error"] == "insufficient_storage" and "full" in refused.json()["detail"]

            big_id = hashlib.sha256(big).hexdigest()
            assert (await http.get(f"/documents/{big_id}")).status_code == 404  # no record
            with pytest.raises(NotFoundError):
                await http.runtime.uploads.store.get_info(big_id)  # no bytes
            js = http.runtime.broker.connection.jetstream()
            chunks = await js.stream_info("OBJ_mirage_uploads", subjects_filter="$O.mirage_uploads.C.>")
            assert sum((chunks.state.subjects or {}).values()) == 1  # the kept document's one chunk; the refused one's were purged
            stats = (await http.get("/documents/stats")).json()
            assert stats["documents"] == 1

            again = await http.post("/documents/upload", files={"file": ("other.txt", make_txt(**SAMPLES["fr"]))})
            assert again.status_code == 201, again.text  # what fits is still taken
            assert (await http.get("/health")).status_code == 200


@pytest.mark.timeout(120)
async def test_the_vector_index_s_disk_full_fails_the_upload_with_a_reason_and_the_process_lives(light_stack, tmpfs) -> None:  # noqa: ANN001
    # The index on a disk of 160 MB that keeps 140 free: it opens (which writes ~40 MB), then every write is refused
    # before it is made. Without the check, the first write through the index's memory mapping would kill the process.
    disk = tmpfs(160)
    async with light_stack(data_dir=disk / "data", vector_disk_reserve_mb=140) as http:
        upload = await http.post("/documents/upload", files={"file": ("leaflet.txt", make_txt(**SAMPLES["en"]))})
        assert upload.status_code == 507, upload.text
        body = upload.json()
        assert body["error"] == "insufficient_storage" and body["detail"].startswith("the vector index's disk is full")
        assert "MIRAGE_VECTOR_DISK_RESERVE_MB" in body["detail"]
        record = (await http.get(f"/documents/{body['document_id']}")).json()
        assert record["status"] == "failed" and record["failed_stage"] == "storage" and record["reason"] == body["detail"]
        await http.runtime.uploads.store.get_info(body["document_id"])  # its bytes are kept, to index again with room
        assert (await http.get("/health")).status_code == 200  # the process did not die of SIGBUS, and answers
        search = await http.get("/documents/search", params={"query": "paracetamol"})
        assert search.status_code == 200 and search.json()["results"] == []
