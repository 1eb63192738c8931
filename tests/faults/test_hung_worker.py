"""A worker whose handler hangs: questions still get a status URL at once, and /health names the stuck consumer."""

from __future__ import annotations

import asyncio

import pytest

import workers.generate.handlers as generate_handlers
from tests.factories import SAMPLES, make_txt
from tests.jetstream_helpers import wait_for


@pytest.mark.timeout(120)
async def test_a_hung_generate_handler_leaves_questions_pollable_and_health_names_it(light_stack, monkeypatch) -> None:  # noqa: ANN001
    released = asyncio.Event()
    real_generate = generate_handlers.generate

    async def hang(event, services) -> None:  # noqa: ANN001
        await released.wait()  # blocked (an LLM call that never returns); the delivery heartbeat keeps the message in hand
        await real_generate(event, services)

    monkeypatch.setattr(generate_handlers, "generate", hang)
    async with light_stack(query_wait_s=1.0, stuck_after_s=2.0, ack_wait_s=3.0) as http:
        upload = await http.post("/documents/upload", files={"file": ("leaflet.txt", make_txt(**SAMPLES["en"]))})
        assert upload.status_code == 201, upload.text

        asked = await http.post("/query", json={"query": "What are the side effects of paracetamol?"})
        assert asked.status_code == 202, asked.text
        body = asked.json()
        assert body["status"] == "processing" and body["status_url"] == f"/query/{body['query_id']}"
        assert (await http.get(body["status_url"])).json()["status"] == "processing"

        async def stuck():  # noqa: ANN202
            response = await http.get("/health")
            jetstream = response.json()["dependencies"]["jetstream"]
            return (response, jetstream) if jetstream.get("stuck") else None

        response, jetstream = await wait_for(stuck, timeout=60, interval=0.5)
        assert response.status_code == 503 and response.json()["status"] == "degraded"
        assert jetstream["stuck"] == ["generate"], jetstream
        assert jetstream["consumers"]["generate"]["ack_pending"] == 1 and jetstream["consumers"]["generate"]["stuck_s"] >= 2
        assert jetstream["consumers"]["generate"]["redelivered"] == 0  # held, not handed to another replica meanwhile

        released.set()  # the handler comes back: the question ends, and the consumer is no longer stuck
        answered = await http.get(body["status_url"], params={"wait": 30})
        assert answered.json()["status"] == "answered", answered.text

        async def healthy():  # noqa: ANN202
            response = await http.get("/health")
            return response if response.status_code == 200 else None

        recovered = (await wait_for(healthy, timeout=30, interval=0.5)).json()
        assert "stuck" not in recovered["dependencies"]["jetstream"]
