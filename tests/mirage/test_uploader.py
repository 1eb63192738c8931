"""`mirage ingest` through a broker outage: the gateway answers 503 ("try again shortly") and the file is sent again,
over real HTTP, against a real nats-server stopped and started again on the same port and store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from mirage import uploader
from runtime.nats_server import EmbeddedNats
from tests.factories import SAMPLES, make_txt
from tests.serving import serving


@pytest.fixture
def served(settings_factory) -> Iterator[str]:  # noqa: ANN001
    """The gateway alone (no worker: an upload answers 202 at once) on a real port."""
    from gateway.app import create_app
    from mirage.embedded import runtime_factory

    settings = settings_factory(upload_wait_s=0)
    with serving(create_app(settings, runtime_factory(settings, settings.nats_url, []))) as base:
        yield base


def test_ingest_sends_a_file_again_when_the_broker_did_not_answer(served: str, nats_server: EmbeddedNats, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "en.txt").write_bytes(make_txt(**SAMPLES["en"]))
    waits: list[float] = []

    def back_in_a_moment(seconds: float) -> None:  # the broker comes back while the uploader waits
        waits.append(seconds)
        if len(waits) == 1:
            nats_server.start()
            time.sleep(3)  # the gateway reconnects every second

    monkeypatch.setattr(uploader, "sleep", back_in_a_moment)
    nats_server.stop()
    console = Console(record=True, width=200)
    failed = uploader.upload_all(served, [folder], None, console)
    assert failed == 0, console.export_text()
    assert waits[0] == 1, waits  # no Retry-After on a 503: 1 s, then 2, 4
    assert "1 pending" in console.export_text()
