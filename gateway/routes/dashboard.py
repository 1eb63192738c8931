"""The operators' dashboard: the page (/dashboard) and the figures it fetches every few seconds (/dashboard/data).

Served by the gateway, and by `mirage up` / `mirage gateway` on a port of its own (MIRAGE_DASHBOARD_PORT, 8080 as the
runbook says) through `standalone()`: a small app with these routes alone that shares the gateway's state (its runtime,
access rule and figures), so the API is not served twice. The page holds no figures: it is open to all, and its data
asks for a key as the other read routes do.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader
from starlette.staticfiles import StaticFiles

from gateway import security, tracing
from gateway.auth import EVERYONE, requires
from gateway.dashboard import DashboardData, dashboard_data
from gateway.errors import error_responses, install_error_handlers

PAGES = Path(__file__).resolve().parent.parent / "pages"
TEMPLATES = Environment(loader=FileSystemLoader(PAGES / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True)
REFRESH_MS = 5000
# The page's own policy: its script and style files, and fetching its data from where it came from. No form is ever
# sent (the key form is handled by the script: a key must not travel in a URL).
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; "
       "frame-ancestors 'none'; base-uri 'none'")

router = APIRouter(tags=["operations"])


@router.get("/dashboard", include_in_schema=False, response_class=HTMLResponse)
async def page() -> HTMLResponse:
    html = TEMPLATES.get_template("dashboard.html").render(refresh_ms=REFRESH_MS)
    return HTMLResponse(html, headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"})


@router.get("/dashboard/data", summary="What the dashboard page shows: documents, ingestion, questions per minute and latency, "
            "answer cache, review queue, dead letters, each dependency's health",
            dependencies=[Depends(requires(*EVERYONE))], responses=error_responses(401, 403, 500))
async def data(request: Request) -> DashboardData:
    state = request.app.state
    return await dashboard_data(state.runtime, state.reviews, state.activity)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/dashboard/static", StaticFiles(directory=PAGES / "static"), name="dashboard-static")


def standalone(gateway: FastAPI) -> FastAPI:
    """The dashboard alone, for a port of its own: the gateway's state (filled by the gateway's lifespan), its error
    shapes, browser headers and request metrics; `/` leads to the page."""
    app = FastAPI(title="MIRAGE dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.state = gateway.state
    install_error_handlers(app)
    install(app)

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/dashboard")

    security.install(app, gateway.state.settings)
    tracing.install(app)
    return app
