"""Health and metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from gateway.health import check_health

router = APIRouter(tags=["operations"])


@router.get("/health", summary="Liveness with each dependency's state (503 when degraded)")
async def health(request: Request) -> JSONResponse:
    report = await check_health(request.app.state.runtime)
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


@router.get("/metrics", summary="Prometheus metrics")
async def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
