"""The FastAPI application: thin routes over a Runtime connected to NATS."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.trace import SpanKind
from starlette.middleware.base import RequestResponseEndpoint

from gateway import metrics
from gateway.auth import open_access
from gateway.documents import Documents
from gateway.errors import error_body, error_responses, install_error_handlers
from gateway.questions import Questions
from gateway.review import Reviews
from gateway.routes import documents, questions, review, review_page, system, translation
from runtime.process import Runtime
from runtime.settings import Settings

RuntimeFactory = Callable[[], AbstractAsyncContextManager[Runtime]]
MULTIPART_OVERHEAD = 64 * 1024


def create_app(settings: Settings, open_runtime: RuntimeFactory) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime() as runtime:
            app.state.runtime = runtime
            app.state.access = await open_access(runtime)
            app.state.documents, app.state.questions, app.state.reviews = Documents(runtime), Questions(runtime), Reviews(runtime)
            yield

    app = FastAPI(
        title="MIRAGE",
        version="0.1.0",
        summary="Questions answered from your own medical documents, in English, French, Spanish and German.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    install_error_handlers(app)
    # Declared for every route of a router; each route adds its own (404, 409, 415, ...).
    signed_in = error_responses(401, 403, 413, 422, 500, 503)
    app.include_router(documents.router, responses=signed_in)
    app.include_router(questions.router, responses=signed_in)
    app.include_router(translation.router, responses=signed_in)
    app.include_router(review.router, responses=signed_in)
    review_page.install(app)
    app.include_router(system.router, responses=error_responses(413, 500))

    @app.middleware("http")
    async def limit_and_count(request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes + MULTIPART_OVERHEAD:
            return JSONResponse(error_body("file_too_large", f"the request is {length} bytes; the upload limit is "
                                           f"{settings.max_upload_bytes} bytes"), status_code=413)
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

    return app
