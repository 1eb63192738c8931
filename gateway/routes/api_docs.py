"""The OpenAPI document and its two readers, /docs (Swagger UI) and /redoc, unless MIRAGE_DOCS_ACCESS=off.

FastAPI's pages load their script and style from a CDN and start Swagger UI with an inline script: each page is sent
with a content security policy naming exactly those sources, and that one inline script by its hash, so nothing else
(an injected script included) runs there. The OAuth2 redirect page is not served: no route uses OAuth2.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from runtime.settings import Settings

OPENAPI_URL = "/openapi.json"
CDN = "https://cdn.jsdelivr.net"
FAVICON = "https://fastapi.tiangolo.com"
COMMON = f"default-src 'none'; connect-src 'self'; img-src 'self' data: {CDN} {FAVICON}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources ('sha256-…') for each inline <script> of a page."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
            for body in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)]


def with_policy(page: HTMLResponse, policy: str) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = policy
    return page


def install(app: FastAPI, settings: Settings) -> None:
    if settings.docs_access == "off":
        return
    swagger = get_swagger_ui_html(openapi_url=OPENAPI_URL, title=f"{app.title} - Swagger UI", swagger_ui_parameters=app.swagger_ui_parameters)
    swagger_policy = (f"{COMMON}; script-src {CDN} {' '.join(inline_script_hashes(swagger.body.decode()))}; "
                      f"style-src {CDN} 'unsafe-inline'")
    redoc = get_redoc_html(openapi_url=OPENAPI_URL, title=f"{app.title} - ReDoc")
    redoc_policy = (f"{COMMON}; script-src {CDN}; worker-src blob:; style-src https://fonts.googleapis.com 'unsafe-inline'; "
                    "font-src https://fonts.gstatic.com")

    async def openapi(_: Request) -> JSONResponse:
        return JSONResponse(app.openapi())

    async def docs(_: Request) -> HTMLResponse:
        return with_policy(HTMLResponse(swagger.body), swagger_policy)

    async def redoc_page(_: Request) -> HTMLResponse:
        return with_policy(HTMLResponse(redoc.body), redoc_policy)

    # Plain routes, as FastAPI's own: pages about the API, not operations of it.
    app.add_route(OPENAPI_URL, openapi, include_in_schema=False)
    app.add_route("/docs", docs, include_in_schema=False)
    app.add_route("/redoc", redoc_page, include_in_schema=False)
