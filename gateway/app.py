"""The FastAPI application: thin routes over a Runtime connected to NATS."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI

from gateway import security, tracing
from gateway.activity import recorded
from gateway.auth import open_access
from gateway.documents import Documents
from gateway.errors import error_responses, install_error_handlers
from gateway.questions import Questions
from gateway.review import Reviews
from gateway.routes import api_docs, dashboard, documents, questions, review, review_page, system, translation
from runtime.process import Runtime
from runtime.settings import Settings

RuntimeFactory = Callable[[], AbstractAsyncContextManager[Runtime]]


def create_app(settings: Settings, open_runtime: RuntimeFactory) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_runtime() as runtime, recorded() as activity:
            app.state.runtime, app.state.activity = runtime, activity
            app.state.access = await open_access(runtime)
            app.state.documents, app.state.questions, app.state.reviews = Documents(runtime), Questions(runtime), Reviews(runtime)
            yield

    app = FastAPI(
        title="MIRAGE",
        version="0.1.0",
        summary="Questions answered from your own medical documents, in English, French, Spanish and German.",
        lifespan=lifespan,
        docs_url=None, redoc_url=None, openapi_url=None,  # served by api_docs, as MIRAGE_DOCS_ACCESS says
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
    dashboard.install(app)
    app.include_router(system.router, responses=error_responses(413, 500))
    api_docs.install(app, settings)

    # Starlette runs the middleware added last first: the span is opened first, so every response (a 413 of the
    # size limit too) carries its trace id.
    security.install(app, settings)
    tracing.install(app)

    return app
