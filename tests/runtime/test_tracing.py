"""Trace ids where an operator reads them: the lines FastStream and uvicorn write outside the handlers' own
context, and the span attributes that find a question's trace by its id."""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.types import Message, Receive, Scope, Send

from contracts.questions import QueryReceived
from gateway import tracing
from gateway.errors import install_error_handlers
from runtime.logs import JsonLines, MessageLog, about
from runtime.telemetry import current_trace_id

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Lines(logging.Handler):
    """The JSON lines a handler with our formatter writes."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonLines())
        self.lines: list[dict] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


def test_faststream_lines_name_the_message_being_handled() -> None:
    """FastStream logs "Received" before any span or `about` of ours: the message's headers name it."""
    handler, logger = Lines(), logging.getLogger("mirage.test.broker")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    headers = QueryReceived(correlation_id="q1", query_id="q1", query="x").headers() | {"traceparent": TRACEPARENT}
    current: list[dict[str, str] | None] = [headers]
    broker_log = MessageLog(logger, lambda: current[0])
    try:
        broker_log.log(logging.INFO, "Received", extra={"subject": "mirage.query.received", "message_id": "m1"})
        current[0] = None
        broker_log.log(logging.INFO, "connected")
    finally:
        logger.removeHandler(handler)
    received, connected = handler.lines
    assert received["query_id"] == "q1" and received["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert "query_id" not in connected and "trace_id" not in connected


def test_what_a_line_is_about_is_on_the_span_too() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    with provider.get_tracer("test").start_as_current_span("handle"), about(query_id="q2"):
        pass
    assert exporter.get_finished_spans()[0].attributes["mirage.query_id"] == "q2"


async def test_the_response_is_sent_inside_the_request_span() -> None:
    """uvicorn writes its access line while sending the response start: the span must still be current then."""
    seen: dict[str, str | None] = {}
    app = FastAPI()
    app.state.runtime = SimpleNamespace(tracer_provider=TracerProvider())
    app.get("/ping")(lambda: {"ok": True})
    tracing.install(app)

    async def like_uvicorn(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_and_log(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["trace_id"] = current_trace_id()
            await send(message)

        await app(scope, receive, send_and_log)

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=like_uvicorn), base_url="http://mirage") as http:
        response = await http.get("/ping", headers={"traceparent": TRACEPARENT})
    assert response.headers["X-Trace-Id"] == seen["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert trace.get_current_span() is trace.INVALID_SPAN


async def test_an_unexpected_error_names_its_trace_in_the_response_and_the_log(caplog: pytest.LogCaptureFixture) -> None:
    app = FastAPI()
    app.state.runtime = SimpleNamespace(tracer_provider=TracerProvider())

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    install_error_handlers(app)
    tracing.install(app)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://mirage") as http:
        response = await http.get("/boom")
    assert response.status_code == 500 and len(response.headers["X-Trace-Id"]) == 32
    logged = next(r for r in caplog.records if r.getMessage().startswith("unhandled error"))
    assert logged.trace_id == response.headers["X-Trace-Id"] and response.json()["error_id"] in logged.getMessage()
