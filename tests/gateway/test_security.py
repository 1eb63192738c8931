"""Browser-facing safety and access (issue 15, items 6 and 7) on a real nats-server: another site's page cannot change
anything, CORS only for listed origins, every answer `nosniff` and every page its policy, bounded bodies, per-key rate
limits, and /docs and /metrics exposed as configured."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import nats
import pytest
from fastapi import FastAPI

from contracts import topology
from gateway.app import create_app
from gateway.auth import LOCAL_USER
from gateway.errors import ErrorBody
from gateway.rate_limits import per_minute
from gateway.security import same_host
from mirage.embedded import runtime_factory
from runtime.accounts import Accounts
from runtime.messaging import open_bucket
from runtime.settings import Settings
from tests.factories import SAMPLES, make_txt
from tests.gateway.test_bad_input_matrix import counts

EVIL = "https://evil.example"
HERE = {"Host": "127.0.0.1:8006"}  # what a browser on the laptop sends (the tests' client names the gateway `mirage`)
TEMPLATES = Path(__file__).resolve().parents[2] / "gateway" / "pages" / "templates"
TXT = make_txt(SAMPLES["en"]["title"], SAMPLES["en"]["sections"])


def error(response: httpx.Response, status: int, code: str) -> ErrorBody:
    assert response.status_code == status, response.text
    body = ErrorBody.model_validate(response.json())
    assert body.error == code and body.detail, response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    return body


@pytest.fixture
def gateway(settings_factory):  # noqa: ANN001, ANN201
    """The gateway over a real nats-server, without workers: questions and uploads answer 202 at once."""

    @contextlib.asynccontextmanager
    async def open_gateway(**overrides: object) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        settings = settings_factory(**{"query_wait_s": 0, "upload_wait_s": 0, "request_timeout_s": 1, **overrides})
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


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_another_sites_page_changes_nothing_even_in_the_local_single_user_mode(client: httpx.AsyncClient) -> None:
    kept = await client.post("/documents/upload", files={"file": ("kept.txt", TXT)})
    assert kept.status_code == 201, kept.text
    before = await counts(client)
    doc = kept.json()["document_id"]
    form = {"files": {"file": ("planted.txt", b"Take 40 tablets at once.")}, "data": {"metadata": '{"type": "medical"}'}}
    refused = [
        await client.post("/documents/upload", headers={"Origin": EVIL}, **form),  # a plain HTML form on another site
        await client.post("/documents/upload", headers={"Origin": "null"}, **form),  # a sandboxed frame, a file:// page
        await client.post("/documents/upload", headers={**HERE, "Sec-Fetch-Site": "cross-site"}, **form),
        await client.post("/documents/upload", headers={"Origin": "http://mirage.evil.example"}, **form),
        await client.post("/documents/upload", headers={"Origin": "http://mirage:8080"}, **form),  # another port of this host
        await client.post("/query", json={"query": "dose?"}, headers={"Origin": EVIL}),
        await client.request("DELETE", f"/documents/{doc}", headers={"Origin": EVIL}),
        await client.post("/validation/decide", json={"query_id": "q1", "decision": "approved"}, headers={"Origin": EVIL}),
        await client.post("/review/case/q1/claim", data={"csrf": "x"}, headers={"Origin": EVIL}),
        await client.post("/review/login", data={"key": "k"}, headers={**HERE, "Sec-Fetch-Site": "cross-site"}),
        await client.post("/review/login", data={"key": "k"}, headers={**HERE, "Origin": "http://127.0.0.1:8006", "Sec-Fetch-Site": "cross-site"}),
        await client.post("/review/login", data={"key": "k"}, headers={**HERE, "Origin": "null", "Sec-Fetch-Site": "same-site"}),
    ]
    for response in refused:
        error(response, 403, "cross_origin")
    assert await counts(client) == before
    assert (await client.get(f"/documents/{doc}")).json()["status"] == "indexed"

    # reading is not refused (CORS is what keeps another site from reading the answer: off here)
    read = await client.get("/documents/stats", headers={"Origin": EVIL})
    assert read.status_code == 200 and "access-control-allow-origin" not in read.headers
    # this server's own pages, and clients that are not browsers (no Origin), keep working
    own = await client.post("/query", json={"query": "What is paracetamol used for?"},
                            headers={**HERE, "Origin": "http://127.0.0.1:8006", "Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 200, own.text
    assert (await client.post("/query", json={"query": "What is paracetamol used for?"}, headers={"Origin": "http://mirage"})).status_code == 200
    curl = await client.post("/documents/upload", files={"file": ("notes.txt", make_txt(**SAMPLES["fr"]))})
    assert curl.status_code == 201, curl.text
    # a form of this server's own page with `Referrer-Policy: no-referrer` (the reviewer's) is sent with `Origin: null`
    own_form = await client.post("/review/login", data={"key": "k"}, headers={**HERE, "Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert own_form.status_code == 400  # past the check: the login form's own answer (no CSRF token)


async def test_a_loopback_gateway_answers_browsers_only_under_this_machines_names(gateway) -> None:  # noqa: ANN001
    browser = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors"}
    async with gateway() as (_, http):  # bound to 127.0.0.1, no account: the local single-user mode
        for host in ("attacker.example", "attacker.example:8006", "127.0.0.1.nip.io", "10.0.0.5:8006"):  # DNS rebinding
            error(await http.get("/documents/stats", headers={"Host": host, **browser}), 403, "foreign_host")
            error(await http.post("/query", json={"query": "dose?"}, headers={"Host": host, **browser}), 403, "foreign_host")
        for host in ("127.0.0.1:8006", "localhost:8006", "[::1]:8006", "mirage.localhost"):
            assert (await http.get("/documents/stats", headers={"Host": host, **browser})).status_code == 200, host
        assert (await http.get("/documents/stats", headers={"Host": "attacker.example"})).status_code == 200  # not a browser
    async with gateway(host="0.0.0.0") as (_, http):  # serving the network: any name, and a key is asked anyway
        error(await http.get("/documents/stats", headers={"Host": "mirage.example", **browser}), 401, "unauthorized")


@pytest.mark.parametrize(("origin", "host", "same"), [
    ("http://mirage", "mirage", True), ("http://127.0.0.1:8006", "127.0.0.1:8006", True), ("http://[::1]:8006", "[::1]:8006", True),
    ("https://mirage.example", "mirage.example", True),  # behind a proxy on 443 that passes `Host` without its port
    ("http://mirage.example:80", "mirage.example", True), ("http://127.0.0.1:3000", "127.0.0.1:8006", False),
    ("http://127.0.0.1", "127.0.0.1:8006", False), ("http://mirage.example:8080", "mirage.example", False),
    ("https://evil.example", "mirage.example", False), ("null", "mirage", False), ("mirage", "mirage", False),
    ("ftp://mirage", "mirage", False), ("http://mirage:99999", "mirage", False), ("http://mirage", "mirage:x", False),
])
def test_same_host(origin: str, host: str, same: bool) -> None:
    assert same_host(origin, host) is same


async def test_cors_only_for_the_listed_origins(gateway) -> None:  # noqa: ANN001
    preflight = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type"}
    async with gateway() as (_, http):  # no allowlist: CORS is off
        response = await http.options("/query", headers={"Origin": "https://intranet.example", **preflight})
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-origin" not in (await http.get("/health", headers={"Origin": "https://intranet.example"})).headers
    async with gateway(cors_origins="https://intranet.example, https://wards.example/") as (_, http):
        allowed = await http.options("/query", headers={"Origin": "https://wards.example", **preflight})
        assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://wards.example"
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        asked = await http.post("/query", json={"query": "dose?"}, headers={"Origin": "https://intranet.example"})
        assert asked.status_code == 202 and asked.headers["access-control-allow-origin"] == "https://intranet.example"
        other = await http.options("/query", headers={"Origin": EVIL, **preflight})
        assert "access-control-allow-origin" not in other.headers
        error(await http.post("/query", json={"query": "dose?"}, headers={"Origin": EVIL}), 403, "cross_origin")


def inline_script_hashes(html: str) -> set[str]:
    return {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
            for s in re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)}


async def test_every_answer_says_nosniff_and_every_page_carries_its_policy(gateway) -> None:  # noqa: ANN001
    async with gateway() as (_, http):
        answers = [await http.get(path) for path in ("/documents/stats", "/health", "/metrics", "/openapi.json", "/nowhere",
                                                       "/review/static/review.js", "/review/static/review.css")]
        answers.append(await http.post("/query", json={"query": "dose?"}, headers={"Origin": EVIL}))
        answers.append(await http.post("/query", json={"query": "x" * 2_000_000}))
        for response in answers:
            assert response.headers["x-content-type-options"] == "nosniff", response.request.url
            if response.headers["content-type"].startswith("application/json"):
                assert response.headers["cache-control"] == "no-store", response.request.url

        pages = {path: await http.get(path, headers={"Accept": "text/html"})
                 for path in ("/review", "/review/decided", "/review/login", "/review/case/unknown", "/docs", "/redoc")}
        for path, page in pages.items():
            assert page.headers["content-type"].startswith("text/html"), path
            policy = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
            assert policy["frame-ancestors"] == "'none'" and policy["default-src"] == "'none'", path
            assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"], path
            assert page.headers["x-frame-options"] == "DENY" and page.headers["referrer-policy"] == "no-referrer", path
            assert not inline_script_hashes(page.text) and policy["script-src"] == "'self'", f"{path}: an inline or foreign script"


def test_the_page_templates_carry_no_inline_script_or_handler() -> None:
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), f"{template.name}: inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", text, flags=re.IGNORECASE), f"{template.name}: an inline event handler"
        assert "javascript:" not in text.lower(), template.name


async def test_bodies_over_their_limit_get_413(gateway) -> None:  # noqa: ANN001
    async with gateway(max_body_kb=1, max_upload_mb=0.01) as (app, http):
        question = {"query": "dose?", "filters": {"type": "x" * 900}, "top_k": 5}
        big = json.dumps({**question, "filters": {f"k{i}": "x" * 100 for i in range(12)}}).encode()
        error(await http.post("/query", content=big, headers={"content-type": "application/json"}), 413, "request_too_large")

        async def chunked() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
            for part in (big[:600], big[600:]):
                yield part

        error(await http.post("/query", content=chunked(), headers={"content-type": "application/json"}), 413, "request_too_large")
        error(await http.post("/validation/decide", json={"query_id": "q1", "decision": "rejected", "feedback": "x" * 2000}),
              413, "request_too_large")
        error(await http.post("/review/login", data={"key": "x" * 2000}), 413, "request_too_large")
        assert (await http.post("/query", json=question)).status_code == 202  # under the limit
        # an upload takes its own, larger limit
        assert (await http.post("/documents/upload", files={"file": ("notes.txt", TXT)})).status_code == 202
        error(await http.post("/documents/upload", files={"file": ("big.txt", b"dose " * 20_000)}), 413, "file_too_large")
        openapi = app.openapi()
        for path, method in (("/query", "post"), ("/validation/decide", "post"), ("/documents/upload", "post")):
            assert "ErrorBody" in json.dumps(openapi["paths"][path][method]["responses"]["413"]), path


def test_rate_limits_by_default_only_when_keys_are_required() -> None:
    signed_in = LOCAL_USER.model_copy(update={"name": "alice", "authenticated_by": "api_key"})
    assert per_minute(Settings(), "questions", LOCAL_USER) == per_minute(Settings(), "uploads", LOCAL_USER) == 0
    assert per_minute(Settings(), "questions", signed_in) == 120 and per_minute(Settings(), "uploads", signed_in) == 60
    assert per_minute(Settings(rate_limit_questions=0), "questions", signed_in) == 0
    assert per_minute(Settings(rate_limit_uploads=5), "uploads", LOCAL_USER) == 5
    assert per_minute(Settings(), "logins", None) == per_minute(Settings(), "logins", LOCAL_USER) == 10


async def test_questions_and_uploads_are_limited_per_key(gateway, accounts: Accounts) -> None:  # noqa: ANN001
    keys = {name: (await accounts.add(name, role)).key for name, role in (("alice", "asker"), ("bob", "asker"), ("admin", "admin"))}
    async with gateway(host="0.0.0.0", rate_limit_questions=2, rate_limit_uploads=1) as (app, http):
        for _ in range(2):
            assert (await http.post("/query", json={"query": "dose?"}, headers=bearer(keys["alice"]))).status_code == 202
        limited = await http.post("/query", json={"query": "dose?"}, headers=bearer(keys["alice"]))
        body = error(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60 and "alice" in body.detail
        assert (await http.post("/query", json={"query": "dose?"}, headers=bearer(keys["bob"]))).status_code == 202  # bob's own minute
        assert (await http.get("/documents/stats", headers=bearer(keys["alice"]))).status_code == 200  # reading is not limited
        upload = {"files": {"file": ("notes.txt", TXT)}, "headers": bearer(keys["admin"])}
        assert (await http.post("/documents/upload", **upload)).status_code == 202
        error(await http.post("/documents/upload", **upload), 429, "rate_limited")
        openapi = app.openapi()
        for path in ("/query", "/documents/upload"):
            declared = openapi["paths"][path]["post"]["responses"]["429"]
            assert "ErrorBody" in json.dumps(declared), path


async def test_in_the_local_mode_a_configured_limit_counts_per_client_address(gateway) -> None:  # noqa: ANN001
    async with gateway(rate_limit_questions=1) as (_, http):
        assert (await http.post("/query", json={"query": "dose?"})).status_code == 202
        body = error(await http.post("/query", json={"query": "dose?"}), 429, "rate_limited")
        assert "127.0.0.1" in body.detail
    async with gateway() as (_, http):  # unset: no limit for the one person at the laptop
        for _ in range(130):
            assert (await http.post("/query", json={"query": "dose?"})).status_code == 202


async def test_sign_ins_on_the_reviewer_page_are_limited_per_client_address(gateway, accounts: Accounts) -> None:  # noqa: ANN001
    await accounts.add("alice", "reviewer")
    async with gateway(rate_limit_logins=3) as (app, http):
        guesses = [await http.post("/review/login", data={"name": "alice", "password": f"guess {n}"}) for n in range(3)]
        assert [g.status_code for g in guesses] == [400] * 3  # the form's own answer (no CSRF token here)
        body = error(await http.post("/review/login", data={"name": "alice", "password": "guess 4"}), 429, "rate_limited")
        assert "127.0.0.1" in body.detail
        page = await http.post("/review/login", data={"name": "alice", "password": "guess 5"}, headers={"Accept": "text/html"})
        assert page.status_code == 429 and 1 <= int(page.headers["retry-after"]) <= 60
        assert "Too many attempts from here" in page.text and page.headers["content-type"].startswith("text/html")
        elsewhere = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))
        async with httpx.AsyncClient(transport=elsewhere, base_url="http://mirage") as other:
            assert (await other.post("/review/login", data={"name": "alice", "password": "x"})).status_code == 400


async def test_docs_and_metrics_exposure_as_configured(gateway, accounts: Accounts) -> None:  # noqa: ANN001
    async with gateway(host="0.0.0.0") as (_, http):  # the defaults: open, as before
        for path in ("/docs", "/redoc", "/openapi.json", "/metrics"):
            assert (await http.get(path)).status_code == 200, path
    async with gateway(docs_access="off", metrics_access="off") as (_, http):
        for path in ("/docs", "/redoc", "/openapi.json", "/metrics", "/docs/oauth2-redirect"):
            error(await http.get(path), 404, "not_found")
    key = (await accounts.add("prometheus", "auditor")).key
    async with gateway(host="0.0.0.0", metrics_access="keys") as (_, http):
        error(await http.get("/metrics"), 401, "unauthorized")
        scraped = await http.get("/metrics", headers=bearer(key))
        assert scraped.status_code == 200 and "mirage_" in scraped.text
