"""Every request in a server span, counted and timed per route; the response names its trace.

A pure ASGI middleware rather than `@app.middleware("http")`: the span stays current while the response
is sent, so the trace headers are added to it and uvicorn's access line, written then, carries the trace id.
"""

from __future__ import annotations

import time

from fastapi import FastAPI
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import metrics
from runtime.telemetry import exemplar, incoming_context, response_headers

TRACE_HEADERS = "mirage.trace_headers"


def trace_headers_of(scope: Scope) -> dict[str, str]:
    """The response headers naming the request's trace (`traceparent`, `X-Trace-Id`); none before tracing ran."""
    return scope.get(TRACE_HEADERS, {})


class Tracing:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        runtime = getattr(scope["app"].state, "runtime", None) if scope["type"] == "http" and "app" in scope else None
        if runtime is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method, status = scope["method"], 500
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        tracer = runtime.tracer_provider.get_tracer("mirage.gateway")
        with tracer.start_as_current_span(f"{method} {scope['path']}", context=incoming_context(headers), kind=SpanKind.SERVER,
                                          attributes={"http.request.method": method, "url.path": scope["path"]}) as span:
            # kept in the scope for the 500 handler, which Starlette runs outside every middleware
            scope[TRACE_HEADERS] = trace_headers = response_headers(span)

            async def send_traced(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message["headers"] = [*message.get("headers", []),
                                          *((k.lower().encode(), v.encode()) for k, v in trace_headers.items())]
                await send(message)

            try:
                await self.app(scope, receive, send_traced)
            finally:
                route = getattr(scope.get("route"), "path", "unmatched")
                span.update_name(f"{method} {route}")
                span.set_attributes({"http.route": route, "http.response.status_code": status})
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                metrics.HTTP_REQUESTS.labels(method, route, str(status)).inc()
                metrics.HTTP_REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - started, exemplar=exemplar())


def install(app: FastAPI) -> None:
    app.add_middleware(Tracing)
