"""Health, metrics and OpenAPI docs, as an operator uses them."""

from __future__ import annotations

import httpx
import pytest


async def test_health_reports_each_dependency(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200, response.text
    deps = response.json()["dependencies"]
    assert deps["nats"]["state"] == "up" and deps["retrieve"]["state"] == "up"
    from contracts.topology import CONSUMERS

    assert set(deps["jetstream"]["consumers"]) == {c.durable for c in CONSUMERS}
    assert deps["jetstream"]["dead_letters"] == 0 and deps["redis"]["state"] == "not_configured"


@pytest.fixture
async def client_with_redis(stack, redis_url):  # noqa: ANN001, ANN201
    async with stack(redis_url=redis_url) as http:
        yield http


async def test_health_sees_a_configured_redis(client_with_redis: httpx.AsyncClient) -> None:
    deps = (await client_with_redis.get("/health")).json()["dependencies"]
    assert deps["redis"]["state"] == "up"


async def test_metrics_count_uploads_and_searches(client: httpx.AsyncClient) -> None:
    await client.post("/documents/upload", files={"file": ("a.txt", b"Aspirin 100 mg daily.")})
    await client.get("/documents/search", params={"query": "aspirin"})
    text = (await client.get("/metrics")).text
    assert 'mirage_uploads_total{outcome="indexed"}' in text
    assert "mirage_search_seconds_count" in text
    assert "faststream_received_messages_total" in text


async def test_openapi_documents_the_contract(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("/documents/upload", "/documents/stats", "/documents/search", "/documents/{document_id}", "/health", "/metrics"):
        assert path in paths
    assert (await client.get("/docs")).status_code == 200


async def test_one_upload_is_one_trace_across_gateway_and_ingest(stack) -> None:  # noqa: ANN001
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    async with stack(tracer_provider=provider) as http:
        response = await http.post("/documents/upload", files={"file": ("a.txt", b"Warfarin 5 mg once daily.")})
        assert response.status_code == 201
    spans = exporter.get_finished_spans()
    upload_span = next(s for s in spans if s.name == "POST /documents/upload")
    trace = [s for s in spans if s.context.trace_id == upload_span.context.trace_id]
    names = {s.name for s in trace}
    assert any("mirage.document.uploaded" in n and "process" in n for n in names), names
    assert any("mirage.document.indexed" in n for n in names), names
