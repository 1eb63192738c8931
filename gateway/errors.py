"""Every error leaves the gateway as JSON of one shape, ErrorBody: {"error": code, "detail": message, ...}."""

from __future__ import annotations

import logging
from typing import Any
from uuid import uuid4

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from nats.errors import Error as NatsError
from nats.js.errors import APIError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from gateway.tracing import trace_headers_of
from runtime.telemetry import TRACE_ID_HEADER

log = logging.getLogger(__name__)


class Problem(BaseModel):
    field: str = Field(description="Where: a body field (`filters`), a query parameter or a form field.")
    problem: str


class ErrorBody(BaseModel):
    """The body of every error answer."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="A stable code, e.g. invalid_request, document_not_found, internal_error.")
    detail: str = Field(description="What is wrong, for a person.")
    problems: list[Problem] | None = Field(default=None, description="422 invalid_request: each field and its problem.")
    error_id: str | None = Field(default=None, description="500: quote it when reporting; the server's log carries it with the cause.")


ERRORS = {
    400: "Empty file, or metadata that is not JSON",
    401: "No API key, or an unknown, expired or revoked one",
    403: "The account's role may not do this, or a page of another site sent the request",
    404: "No such document, question or review case (or an id that could not be one)",
    409: "A conflict: the document is still indexing, the case is claimed or already decided",
    413: "The request is over the upload limit, or another body over MIRAGE_MAX_BODY_KB",
    415: "A file type that is not supported (detected from the content)",
    422: "A parameter, field, filter or metadata that is not valid, named in detail",
    429: "Over this key's limit per minute: `Retry-After` says in how many seconds to try again",
    500: "An unexpected error: the body carries an error id that the server's log carries too",
    503: "A dependency is not answering (NATS, a worker, the accounts bucket), or the health check found one degraded",
    507: "The data directory's store is full: nothing of the upload was kept",
}
# JetStream's refusals for want of space: "insufficient resources" (the server's or the account's storage limit,
# 75% of a disk's free space by default) and "insufficient storage resources available".
STORAGE_FULL = {10023, 10047}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` declaring the error body for each status."""
    return {status: {"model": ErrorBody, "description": ERRORS[status]} for status in statuses}


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers, self.extra = status, code, detail, headers, extra


def error_body(code: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "detail": detail, **extra}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.detail, **exc.extra), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"][1:]) or str(e["loc"][0]), "problem": e["msg"].removeprefix("Value error, ")}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return JSONResponse(error_body("invalid_request", summary, problems=problems), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not parse the body (nested too deep, a broken multipart form)
            problems = [{"field": "body", "problem": str(exc.detail)}]
            return JSONResponse(error_body("invalid_request", f"body: {exc.detail}", problems=problems), status_code=422)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(NatsError)
    async def broker_error(_: Request, exc: NatsError) -> JSONResponse:
        return JSONResponse(error_body(*broker_refusal(exc)), status_code=507 if storage_full(exc) else 503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        error_id = uuid4().hex[:16]
        trace_headers = trace_headers_of(request.scope)  # the request's span has ended: its ids come from the scope
        log.error("unhandled error %s on %s %s", error_id, request.method, request.url.path, exc_info=exc,
                  extra={"trace_id": trace_headers.get(TRACE_ID_HEADER)})
        return JSONResponse(error_body("internal_error", f"an unexpected error; quote error id {error_id} when reporting it",
                                       error_id=error_id), status_code=500, headers=trace_headers)


def storage_full(exc: Exception) -> bool:
    """JetStream refused a write for want of space (a definite refusal: nothing of it was stored)."""
    return isinstance(exc, APIError) and exc.err_code in STORAGE_FULL


def broker_refusal(exc: NatsError) -> tuple[str, str]:
    """The error code and detail for NATS failing a request: full, or not answering (down, restarting, timed out)."""
    if storage_full(exc):
        return "insufficient_storage", "the data directory's store is full; free space or raise its limit, then upload again"
    log.warning("NATS failed a request: %r", exc)
    return "nats_unavailable", f"the message broker did not answer ({type(exc).__name__}); try again shortly"
