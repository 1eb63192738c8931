"""The OpenAPI document and its two readers, /docs (Swagger UI) and /redoc, unless MIRAGE_DOCS_ACCESS=off.

Both readers are served from this machine (the files of the `fastapi-offline` package, and Swagger UI's start-up script
of our own), not from a CDN: they work with no network, and no script from another site runs on a page where an admin
may paste an API key. Each page's policy allows this server's scripts only, no inline one; styles may be inline
(both readers set them as they render) and ReDoc runs its search in a worker it makes from a blob. The OAuth2 redirect
page is not served: no route uses OAuth2.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.staticfiles import StaticFiles

from runtime.settings import Settings

OPENAPI_URL = "/openapi.json"
STATIC_URL = "/docs/static"
READERS = Path(fastapi_offline.__file__).resolve().parent / "static"
INIT_SCRIPT = Path(__file__).resolve().parent.parent / "pages" / "static" / "swagger-init.js"
POLICY = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
          "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")


def page(title: str, head: str, body: str) -> HTMLResponse:
    html = (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, '
            f'initial-scale=1">\n<title>{title}</title>\n<link rel="icon" href="{STATIC_URL}/favicon.png">\n{head}</head>\n'
            f"<body>\n{body}</body>\n</html>\n")
    return HTMLResponse(html, headers={"Content-Security-Policy": POLICY})


def install(app: FastAPI, settings: Settings) -> None:
    if settings.docs_access == "off":
        return

    async def openapi(_: Request) -> JSONResponse:
        return JSONResponse(app.openapi())

    async def docs(_: Request) -> HTMLResponse:
        return page(f"{app.title} - Swagger UI", f'<link rel="stylesheet" href="{STATIC_URL}/swagger-ui.css">\n',
                    f'<div id="swagger-ui" data-openapi-url="{OPENAPI_URL}"></div>\n<script src="{STATIC_URL}/swagger-ui-bundle.js"></script>\n'
                    '<script src="/docs/swagger-init.js"></script>\n')

    async def redoc(_: Request) -> HTMLResponse:
        return page(f"{app.title} - ReDoc", "",
                    f'<redoc spec-url="{OPENAPI_URL}"></redoc>\n<script src="{STATIC_URL}/redoc.standalone.js"></script>\n')

    async def init_script(_: Request) -> FileResponse:
        return FileResponse(INIT_SCRIPT, media_type="text/javascript")

    # Plain routes, as FastAPI's own: pages about the API, not operations of it.
    app.add_route(OPENAPI_URL, openapi, include_in_schema=False)
    app.add_route("/docs", docs, include_in_schema=False)
    app.add_route("/docs/swagger-init.js", init_script, include_in_schema=False)
    app.add_route("/redoc", redoc, include_in_schema=False)
    app.mount(STATIC_URL, StaticFiles(directory=READERS), name="docs-static")
