"""One trace per question and per upload, as an OTLP receiver sees it: the embedded stack exports over
OTLP/gRPC (OTEL_EXPORTER_OTLP_ENDPOINT) to a TraceService server started here, and every worker the
question or the upload passed through sent spans of the trace whose id the response carries."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field

import grpc
import httpx
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from contracts.chain import WORKERS
from runtime.nats_server import free_port
from runtime.telemetry import tracer_provider_from_env
from tests.factories import SAMPLES, make_pdf

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")


@dataclass
class Received:
    """One exported span and the service that sent it."""

    service: str
    span: Span

    @property
    def attributes(self) -> dict[str, object]:
        return {kv.key: getattr(kv.value, kv.value.WhichOneof("value")) for kv in self.span.attributes}

    @property
    def worker(self) -> str | None:
        """The worker whose durable consumer handled the message (consumers are named after their worker)."""
        consumer = str(self.attributes.get("mirage.consumer", ""))
        return next((name for name in WORKERS if consumer == name or consumer.startswith(name + "-")), None)


@dataclass
class TraceReceiver(trace_service_pb2_grpc.TraceServiceServicer):
    spans: list[Received] = field(default_factory=list)

    def Export(self, request: trace_service_pb2.ExportTraceServiceRequest, context: grpc.ServicerContext):  # noqa: ANN201, N802
        for resource_spans in request.resource_spans:
            service = next((kv.value.string_value for kv in resource_spans.resource.attributes if kv.key == "service.name"), "")
            for scope_spans in resource_spans.scope_spans:
                self.spans.extend(Received(service, span) for span in scope_spans.spans)
        return trace_service_pb2.ExportTraceServiceResponse()

    def trace(self, trace_id: str) -> list[Received]:
        return [r for r in self.spans if r.span.trace_id.hex() == trace_id]


@pytest.fixture
def otlp(monkeypatch: pytest.MonkeyPatch) -> Iterator[TraceReceiver]:
    """A real OTLP/gRPC trace receiver on a free port, and the environment that points MIRAGE at it."""
    receiver = TraceReceiver()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(receiver, server)
    port = free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("OTEL_BSP_SCHEDULE_DELAY", "100")
    yield receiver
    server.stop(grace=None)


async def whole_trace(receiver: TraceReceiver, provider, trace_id: str, workers: set[str]) -> list[Received]:  # noqa: ANN001
    """The trace once every expected worker's span and every span's parent arrived (workers after the response
    still run: the ledger, the audit trail); a generous bound, not a timing."""
    deadline = time.monotonic() + 60
    while True:
        provider.force_flush()
        spans = receiver.trace(trace_id)
        ids = {r.span.span_id for r in spans}
        if ({r.worker for r in spans} >= workers and all(not r.span.parent_span_id or r.span.parent_span_id in ids for r in spans)) \
                or time.monotonic() > deadline:
            return spans
        await asyncio.sleep(0.2)


def check_one_trace(response: httpx.Response, spans: list[Received], workers: set[str]) -> None:
    """The response names the trace; its root is the gateway's request span; every worker's span descends from it."""
    trace_id = response.headers["X-Trace-Id"]
    match = TRACEPARENT.match(response.headers["traceparent"])
    assert match and match.group(1) == trace_id
    roots = [r for r in spans if not r.span.parent_span_id]
    assert len(roots) == 1 and roots[0].span.kind == Span.SPAN_KIND_SERVER and roots[0].service == "mirage"
    assert roots[0].span.span_id.hex() == match.group(2)
    assert {r.worker for r in spans} >= workers, sorted({str(r.attributes.get("mirage.consumer")) for r in spans})
    by_id = {r.span.span_id: r for r in spans}
    for received in spans:  # parent links close over the trace: each span leads up to the request
        step, hops = received, 0
        while step.span.parent_span_id:
            step, hops = by_id[step.span.parent_span_id], hops + 1
            assert hops < 100
        assert step is roots[0]
    consumed = [r for r in spans if r.span.kind == Span.SPAN_KIND_CONSUMER and r.worker]
    assert all(r.span.parent_span_id in by_id for r in consumed)


async def test_an_upload_is_one_trace_through_ingest_and_catalog(stack, otlp: TraceReceiver) -> None:  # noqa: ANN001
    provider = tracer_provider_from_env("mirage")
    async with stack(tracer_provider=provider) as http:
        response = await http.post("/documents/upload", files={"file": ("leaflet_en.pdf", make_pdf(**SAMPLES["en"]))})
        assert response.status_code == 201, response.text
        spans = await whole_trace(otlp, provider, response.headers["X-Trace-Id"], {"ingest", "catalog"})
    check_one_trace(response, spans, {"ingest", "catalog"})
    document_id = response.json()["document_id"]
    ingest = next(r for r in spans if r.worker == "ingest" and r.span.kind == Span.SPAN_KIND_CONSUMER)
    assert ingest.attributes["mirage.document_id"] == document_id


async def test_a_question_is_one_trace_through_every_worker_it_passed(stack, otlp: TraceReceiver, caplog: pytest.LogCaptureFixture) -> None:  # noqa: ANN001
    caplog.set_level(logging.INFO)
    provider = tracer_provider_from_env("mirage")
    answered = {"translate", "retrieve", "generate", "classify-risk", "ledger", "audit"}
    async with stack(tracer_provider=provider) as http:
        upload = await http.post("/documents/upload", files={"file": ("leaflet_en.pdf", make_pdf(**SAMPLES["en"]))})
        assert upload.status_code == 201, upload.text
        response = await http.post("/query", json={"query": "What are the side effects?"})
        assert response.status_code == 200 and response.json()["status"] == "answered", response.text
        trace_id = response.headers["X-Trace-Id"]
        spans = await whole_trace(otlp, provider, trace_id, answered)
        record = (await http.get(response.json()["status_url"])).json()
    check_one_trace(response, spans, answered)
    assert upload.headers["X-Trace-Id"] != trace_id
    assert response.json()["trace_id"] == record["trace_id"] == trace_id  # an operator finds the trace from the query id
    query_id = response.json()["query_id"]
    assert all(r.attributes["mirage.query_id"] == query_id for r in spans if r.span.kind == Span.SPAN_KIND_CONSUMER and r.worker)
    # FastStream's own lines for each message of the question name it and its trace, for a log search by either
    lines = [r for r in caplog.records if r.getMessage() in ("Received", "Processed") and getattr(r, "query_id", None) == query_id]
    assert len(lines) >= 2 * len(answered) and all(getattr(r, "trace_id", None) == trace_id for r in lines)


async def test_a_held_question_is_one_trace_through_review_and_its_verdict_another(stack, otlp: TraceReceiver) -> None:  # noqa: ANN001
    """The verdict is the reviewer's request: its trace goes through the review desk, the release and the records."""
    provider = tracer_provider_from_env("mirage")
    held = {"translate", "retrieve", "generate", "classify-risk", "review", "ledger", "audit"}
    released = {"review", "ledger", "audit"}
    async with stack(tracer_provider=provider) as http:
        response = await http.post("/query", json={"query": "effets secondaires grossesse", "enable_human_loop": True})
        assert response.status_code == 202 and response.json()["status"] == "pending_review", response.text
        spans = await whole_trace(otlp, provider, response.headers["X-Trace-Id"], held)
        verdict = await http.post("/validation/decide", json={"query_id": response.json()["query_id"], "decision": "approved",
                                                                "feedback": "ok"})
        assert verdict.status_code == 200, verdict.text
        verdict_spans = await whole_trace(otlp, provider, verdict.headers["X-Trace-Id"], released)
    check_one_trace(response, spans, held)
    check_one_trace(verdict, verdict_spans, released)
    subjects = {r.span.name for r in verdict_spans if r.span.kind == Span.SPAN_KIND_CONSUMER}
    assert any(name.startswith("mirage.review.decided.") for name in subjects), subjects
    assert any(name.startswith("mirage.answer.released.") for name in subjects), subjects


async def test_every_response_names_its_trace_without_an_exporter(client: httpx.AsyncClient) -> None:
    first, second = await client.get("/documents/stats"), await client.get("/documents/nope")
    assert first.status_code == 200 and second.status_code == 404
    ids = [r.headers["X-Trace-Id"] for r in (first, second)]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]
    assert TRACEPARENT.match(first.headers["traceparent"]).group(1) == ids[0]


async def test_a_caller_trace_is_continued(client: httpx.AsyncClient) -> None:
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    response = await client.get("/documents/stats", headers={"traceparent": caller})
    assert response.headers["X-Trace-Id"] == "0af7651916cd43dd8448eb211c80319c"
    assert response.headers["traceparent"] != caller  # the gateway's own span, a child of the caller's


async def test_a_request_latency_links_to_its_trace(client: httpx.AsyncClient) -> None:
    """Prometheus scrapes OpenMetrics, whose exemplars carry the trace id of the request observed."""
    response = await client.get("/documents/stats")
    scraped = await client.get("/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"})
    assert scraped.headers["content-type"].startswith("application/openmetrics-text")
    assert f'trace_id="{response.headers["X-Trace-Id"]}"' in scraped.text
    assert "# EOF" not in (await client.get("/metrics")).text  # a plain scrape keeps the classic format


def test_grafana_opens_a_trace_from_an_exemplar_or_an_id() -> None:
    from tests.infra.test_compose import datasources
    from tests.infra.test_dashboards import dashboards, panel_targets

    by_type = {ds["type"]: ds for ds in datasources()}
    links = by_type["prometheus"]["jsonData"]["exemplarTraceIdDestinations"]
    assert {"name": "trace_id", "datasourceUid": by_type["tempo"]["uid"]} in links
    performance = next(board for board in dashboards().values() if board["title"] == "Application Performance")
    assert any(target.get("exemplar") and "mirage_http_request_seconds_bucket" in target["expr"]
               for _, _, target in panel_targets(performance))
    for title in ("MIRAGE", "Application Performance"):
        board = next(board for board in dashboards().values() if board["title"] == title)
        assert {"name": "trace_id", "type": "textbox"}.items() <= next(v for v in board["templating"]["list"] if v["name"] == "trace_id").items()
        tempo = next(link for link in board["links"] if link["title"] == "Open trace in Tempo")
        assert tempo["url"].startswith("/explore?") and "${trace_id}" in tempo["url"] and by_type["tempo"]["uid"] in tempo["url"]
