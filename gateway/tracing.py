"""Every request in a server span, counted and timed per route."""

from __future__ import annotations

import time

from fastapi import FastAPI, Request, Response
from opentelemetry.trace import SpanKind
from starlette.middleware.base import RequestResponseEndpoint

from gateway import metrics


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def trace_and_count(request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        runtime = getattr(request.app.state, "runtime", None)
        if runtime is not None and runtime.tracer_provider is not None:
            tracer = runtime.tracer_provider.get_tracer("mirage.gateway")
            with tracer.start_as_current_span(f"{request.method} {request.url.path}", kind=SpanKind.SERVER):
                response = await call_next(request)
        else:
            response = await call_next(request)
        route = request.scope.get("route")
        metrics.HTTP_REQUESTS.labels(request.method, getattr(route, "path", "unmatched"), str(response.status_code)).inc()
        metrics.HTTP_REQUEST_SECONDS.labels(request.method, getattr(route, "path", "unmatched")).observe(time.perf_counter() - started)
        return response
