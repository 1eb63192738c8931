"""Health and metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder

from gateway.auth import access_of, bearer
from gateway.errors import ApiError, error_responses
from gateway.health import check_health

router = APIRouter(tags=["operations"])
# The text exposition format (the route's response class), or OpenMetrics when the scraper's Accept asks for it.
OPENMETRICS = {200: {"content": {"application/openmetrics-text": {"schema": {"type": "string"}}}}}


@router.get("/health", summary="Liveness with each dependency's state and the access mode (503 when degraded); open to all",
            responses=error_responses(503))
async def health(request: Request) -> JSONResponse:
    report = await check_health(request.app.state.runtime)
    report["access"] = await (await access_of(request.app)).describe()
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


async def metrics_exposed(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
    """As MIRAGE_METRICS_ACCESS says: open to all, any valid key (Prometheus sends one as `authorization`), or not there."""
    access = request.app.state.settings.metrics_access
    if access == "off":
        raise ApiError(404, "not_found", "metrics are not served here (MIRAGE_METRICS_ACCESS=off)")
    if access == "keys":
        await (await access_of(request.app)).caller(credentials)


@router.get("/metrics", summary="Prometheus metrics; open to all unless MIRAGE_METRICS_ACCESS says otherwise",
            response_class=PlainTextResponse, dependencies=[Depends(metrics_exposed)], responses=error_responses(401, 404) | OPENMETRICS)
async def metrics(request: Request) -> Response:
    # OpenMetrics when the scraper asks for it, as Prometheus does: only that format carries the latency
    # histograms' exemplars, the trace ids Grafana links to Tempo
    encode, media_type = choose_encoder(request.headers.get("accept", ""))
    return Response(encode(REGISTRY), media_type=media_type)
