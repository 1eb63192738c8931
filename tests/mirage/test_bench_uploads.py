"""`mirage bench ingest` through a broker that does not answer for a while: the upload is sent again, not the run lost
(a real nats-server, stopped and started again on the same port and store)."""

from __future__ import annotations

import asyncio

from gateway.documents import Documents
from mirage.embedded import runtime_factory
from mirage.evaluation.bench import upload_again_on_timeout
from runtime.nats_server import EmbeddedNats
from tests.factories import SAMPLES, make_txt


async def test_an_upload_whose_request_timed_out_is_sent_again(settings_factory, nats_server: EmbeddedNats) -> None:  # noqa: ANN001
    settings = settings_factory(upload_wait_s=0)  # no worker: the upload answers 202 once it is published
    async with runtime_factory(settings, settings.nats_url, [])() as runtime:
        nats_server.stop()
        loop = asyncio.get_running_loop()
        loop.call_later(6, nats_server.start)  # longer than a request's 5 s: the first try times out
        retried: list[int] = []
        status, body = await upload_again_on_timeout(Documents(runtime), make_txt(**SAMPLES["en"]), "en.txt", retried)
        assert status == 202 and body["status"] == "processing", body
        assert retried, "the first try should have timed out"
        assert (await runtime.uploads.store.get_info(body["document_id"])).size == len(make_txt(**SAMPLES["en"]))
