"""Who may call what: every route declares its roles; every route × caller answers 401, 403 or passes, on a real nats-server."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator

import httpx
import nats
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from contracts import topology
from gateway.app import create_app
from gateway.auth import is_loopback
from mirage.embedded import runtime_factory
from runtime.accounts import Accounts
from runtime.messaging import open_bucket
from runtime.settings import Settings

# the reviewer page's login form must be reachable; the dashboard page holds no figures (its data asks for a key)
OPEN = {"/health", "/metrics", "/review/login", "/review/logout", "/dashboard"}
ROLES = ("asker", "reviewer", "auditor", "admin")
EVERYONE = {"asker", "reviewer", "auditor", "admin"}
REVIEW = re.compile(r"^/(review|validation)(/|$)")  # the JSON API and the reviewer page


def expected_roles(method: str, path: str) -> set[str]:
    """Who may do what, written out once: a route missing here is a decision nobody made."""
    if (method, path) in {("POST", "/documents/upload"), ("DELETE", "/documents/{document_id}")}:
        return {"admin"}
    if (method, path) == ("POST", "/query"):
        return {"asker", "reviewer", "admin"}
    if method == "GET" and path.startswith(("/documents", "/query/", "/translation/", "/dashboard/data")):
        return EVERYONE
    if REVIEW.match(path):
        return {"reviewer", "auditor", "admin"} if method == "GET" else {"reviewer", "admin"}
    raise AssertionError(f"{method} {path}: say in expected_roles who may call it")


def declared_roles(dependant: Dependant) -> tuple[str, ...] | None:
    for sub in dependant.dependencies:
        roles = getattr(sub.call, "roles", None) or declared_roles(sub)
        if roles:
            return roles
    return None


def api_routes(app: FastAPI) -> list[tuple[str, RouteContext]]:
    """Every (method, route) the app serves, with its prefix and the dependencies of its routers."""
    return [(method, route) for route in iter_route_contexts(app.routes) if isinstance(route.original_route, APIRoute)
            for method in sorted(route.methods)]


def bare_app() -> FastAPI:
    return create_app(Settings(), lambda: contextlib.nullcontext())  # type: ignore[arg-type, return-value]


def test_every_route_declares_the_roles_it_accepts() -> None:
    routes = api_routes(bare_app())
    assert {route.path for _, route in routes} >= {"/documents/upload", "/query", "/translation/quality", "/health"}
    for method, route in routes:
        if route.path in OPEN:
            assert declared_roles(route.dependant) is None, f"{route.path} is open to all"
        else:
            assert set(declared_roles(route.dependant) or ()) == expected_roles(method, route.path), f"{method} {route.path}"


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.0.1.1", True), ("localhost", True), ("::1", True),
                                                ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.10", False),
                                                ("mirage.example.org", False)])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.fixture
def gateway(settings_factory):  # noqa: ANN001, ANN201
    """The gateway over a real nats-server, without workers (the routes' own answers do not matter here)."""

    @contextlib.asynccontextmanager
    async def open_gateway(**overrides: object) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        settings = settings_factory(query_wait_s=0, upload_wait_s=0, request_timeout_s=1, **overrides)
        app = create_app(settings, runtime_factory(settings, settings.nats_url, []))
        async with app.router.lifespan_context(app):
            app.state.access.recheck_s = 0
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mirage", timeout=30) as http:
                yield app, http

    return open_gateway


@pytest.fixture
async def accounts(nats_server) -> AsyncIterator[Accounts]:  # noqa: ANN001
    nc = await nats.connect(nats_server.url)
    try:
        yield Accounts(await open_bucket(nc.jetstream(), topology.ACCOUNTS_BUCKET))
    finally:
        await nc.close()


async def call(http: httpx.AsyncClient, method: str, path: str, key: str | None = None) -> httpx.Response:
    url = re.sub(r"\{[^}]+\}", "made-up", path)
    return await http.request(method, url, headers={"Authorization": f"Bearer {key}"} if key else {})


async def test_every_route_for_every_role(gateway, accounts: Accounts) -> None:  # noqa: ANN001
    keys = {role: (await accounts.add(f"{role}-1", role)).key for role in ROLES}
    async with gateway(host="0.0.0.0") as (app, http):
        for method, route in api_routes(app):
            if route.path in OPEN:
                continue
            response = await call(http, method, route.path)
            assert response.status_code == 401, f"{method} {route.path} without a key: {response.status_code}"
            assert response.headers["www-authenticate"] == "Bearer" and response.json()["error"] == "unauthorized"
            for role, key in keys.items():
                response = await call(http, method, route.path, key)
                if role in expected_roles(method, route.path):
                    assert response.status_code not in (401, 403), f"{method} {route.path} as {role}: {response.text}"
                else:
                    assert response.status_code == 403, f"{method} {route.path} as {role}: {response.status_code}"
                    assert response.json()["error"] == "forbidden" and role in response.json()["detail"]


async def test_open_routes_need_no_key(gateway) -> None:  # noqa: ANN001
    async with gateway(host="0.0.0.0") as (_, http):
        health = await http.get("/health")
        assert health.status_code in (200, 503)  # no worker runs here: degraded, but answered
        assert "mirage users add" in health.json()["access"]
        for path in ("/metrics", "/docs", "/openapi.json"):
            assert (await http.get(path)).status_code == 200, path
        assert (await http.get("/documents/stats")).status_code == 401


async def test_bad_keys_are_refused(gateway, accounts: Accounts) -> None:  # noqa: ANN001
    issued = await accounts.add("alice", "asker", expires_days=365)
    async with gateway() as (_, http):
        assert (await call(http, "GET", "/documents/stats", issued.key)).status_code == 200
        assert "api keys" in (await http.get("/health")).json()["access"]
        for wrong in (issued.key[:-1], "mirage_0123456789ab_secret", "hello"):
            response = await call(http, "GET", "/documents/stats", wrong)
            assert response.status_code == 401 and "invalid_token" in response.headers["www-authenticate"]
        basic = await http.get("/documents/stats", headers={"Authorization": "Basic YWxpY2U6eA=="})
        assert basic.status_code == 401
        await accounts.revoke("alice")
        response = await call(http, "GET", "/documents/stats", issued.key)
        assert response.status_code == 401 and response.json()["detail"] == "this API key is unknown, expired or revoked"


async def test_local_mode_until_the_first_account(gateway, accounts: Accounts) -> None:  # noqa: ANN001
    async with gateway(host="127.0.0.1") as (app, http):
        assert (await http.get("/health")).json()["access"].startswith("local single-user mode")
        for method, route in api_routes(app):
            response = await call(http, method, route.path)
            assert response.status_code not in (401, 403), f"{method} {route.path} in local mode: {response.text}"
        issued = await accounts.add("admin", "admin")
        assert (await http.get("/documents/stats")).status_code == 401
        assert (await call(http, "GET", "/documents/stats", issued.key)).status_code == 200
        assert (await http.get("/health")).json()["access"].startswith("api keys")


async def test_keys_are_required_on_another_address_even_without_accounts(gateway) -> None:  # noqa: ANN001
    async with gateway(host="0.0.0.0") as (_, http):
        response = await http.post("/query", json={"query": "aspirin"})
        assert response.status_code == 401 and "mirage users add" in response.json()["detail"]
