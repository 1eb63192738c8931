"""Health and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from gateway.auth import access_of
from gateway.errors import error_responses
from gateway.health import check_health

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Liveness with each dependency's state and the access mode (503 when degraded); open to all",
            responses=error_responses(503))
async def health(request: Request) -> JSONResponse:
    report = await check_health(request.app.state.runtime)
    report["access"] = await (await access_of(request.app)).describe()
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


@router.get("/metrics", summary="Prometheus metrics; open to all")
async def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
