"""`mirage ingest` under a rate limit: over the key's uploads per minute it waits as `Retry-After` says, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from mirage import uploader
from tests.factories import SAMPLES, make_txt
from tests.serving import serving


@pytest.fixture
def served(settings_factory) -> Iterator[str]:  # noqa: ANN001
    """The gateway alone (no worker: an upload answers 202 at once) on a real port, two uploads a minute."""
    from gateway.app import create_app
    from mirage.embedded import runtime_factory

    settings = settings_factory(upload_wait_s=0, rate_limit_uploads=2)
    with serving(create_app(settings, runtime_factory(settings, settings.nats_url, []))) as base:
        yield base


def test_ingest_waits_as_retry_after_says(served: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for language in ("en", "fr", "es"):
        (tmp_path / f"{language}.txt").write_bytes(make_txt(**SAMPLES[language]))
    waits: list[float] = []
    monkeypatch.setattr(uploader, "sleep", waits.append)  # the minute does not pass: every try of the third is refused
    console = Console(record=True, width=200)
    failed = uploader.upload_all(served, [tmp_path], None, console)
    assert failed == 1
    assert len(waits) == uploader.RATE_LIMITED_TRIES - 1 and all(1 <= wait <= 60 for wait in waits), waits
    summary = console.export_text()
    assert "2 pending" in summary and "429" in summary and "uploads a minute" in summary
