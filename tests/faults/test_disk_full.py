"""The data directory's disk full: an upload gets a clear 507 and nothing of it is kept; the rest keeps working."""

from __future__ import annotations

import hashlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from nats.js.errors import NotFoundError

from runtime.nats_server import EmbeddedNats
from tests.factories import SAMPLES, make_long_text, make_txt

DISK_MB = 8


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of DISK_MB for the JetStream store (root only; unmounted afterwards)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m", "tmpfs", str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "--lazy", str(disk)], check=False)


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
