"""What the gateway refuses before any route runs: requests larger than an upload can be."""

from __future__ import annotations

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.middleware.base import RequestResponseEndpoint

from gateway.errors import error_body
from runtime.settings import Settings

MULTIPART_OVERHEAD = 64 * 1024


def install(app: FastAPI, settings: Settings) -> None:
    @app.middleware("http")
    async def limit_size(request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes + MULTIPART_OVERHEAD:
            return JSONResponse(error_body("file_too_large", f"the request is {length} bytes; the upload limit is "
                                           f"{settings.max_upload_bytes} bytes"), status_code=413)
        return await call_next(request)
