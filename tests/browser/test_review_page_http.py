"""The reviewer page without a browser: sessions and CSRF, languages, marks and diffs, login and local mode over plain HTTP."""

from __future__ import annotations

import contextlib
import re
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import nats
import pytest

from contracts import topology
from gateway.app import create_app
from gateway.pages.i18n import TEXTS, choose_language, translator
from gateway.pages.sessions import COOKIE, Sessions, load_secret
from gateway.routes.review_page import marked, safe_next, word_diff
from mirage.embedded import runtime_factory
from runtime.accounts import Accounts
from runtime.messaging import open_bucket

HTML = {"Accept": "text/html"}


def test_a_session_holds_only_as_signed_and_until_it_expires() -> None:
    sessions = Sessions(b"s" * 64)
    session = sessions.new("alice", "api_key:0123456789ab")
    cookie = sessions.encode(session)
    decoded = sessions.decode(cookie)
    assert decoded is not None and (decoded.sid, decoded.name, decoded.via, decoded.expires) == (
        session.sid, session.name, session.via, int(session.expires))
    payload, mac = cookie.split(".")
    assert sessions.decode(payload[:-2] + "xx." + mac) is None
    assert Sessions(b"t" * 64).decode(cookie) is None  # another secret
    assert sessions.decode(sessions.encode(sessions.new("alice", "password:x", lifetime_s=-1))) is None
    assert sessions.csrf_matches(session, sessions.csrf_token(session))
    assert not sessions.csrf_matches(sessions.new("alice"), sessions.csrf_token(session))  # bound to one session
    assert not sessions.csrf_matches(session, "") and not sessions.csrf_matches(None, sessions.csrf_token(session))


def test_the_secret_is_made_once_for_the_owner_only(tmp_path: Path) -> None:
    first = load_secret(tmp_path / "data")
    assert load_secret(tmp_path / "data") == first and len(first) >= 32
    assert stat.S_IMODE((tmp_path / "data" / "session.key").stat().st_mode) == 0o600


@pytest.mark.parametrize(("header", "language"), [("fr-FR,fr;q=0.9,en;q=0.8", "fr"), ("de-CH", "de"), ("it, es;q=0.5", "es"),
                                                  ("en;q=0.2, de;q=0.9", "de"), ("ja", "en"), (None, "en"), ("fr;q=0", "en")])
def test_the_language_follows_the_browser(header: str | None, language: str) -> None:
    assert choose_language(header) == language


def test_every_language_has_every_text() -> None:
    for language, texts in TEXTS.items():
        assert texts.keys() == TEXTS["en"].keys(), language
        assert translator(language)("page", page=3).endswith("3")


def test_marks_and_diffs_are_pieces_of_plain_text() -> None:
    assert marked("Pendant la [[grossesse]], <b>x</b> [[enfant]]") == [
        ("Pendant la ", False), ("grossesse", True), (", <b>x</b> ", False), ("enfant", True)]
    assert word_diff("a b c", "a x c <i>") == [("same", "a "), ("removed", "b"), ("added", "x"), ("same", " c"), ("added", " <i>")]


@pytest.mark.parametrize(("target", "safe"), [("/review/case/abc", "/review/case/abc"), ("/review", "/review"), ("//evil.example", "/review"),
                                              ("https://evil.example/review", "/review"), ("/reviewer", "/review"), ("", "/review"),
                                              ("/review/../documents", "/review/../documents")])
def test_after_login_only_a_page_of_the_review(target: str, safe: str) -> None:
    assert safe_next(target) == safe


@pytest.fixture
def gateway(settings_factory):  # noqa: ANN001, ANN201
    """The gateway over a real nats-server, without workers (the desk does not answer)."""

    @contextlib.asynccontextmanager
    async def open_gateway(**overrides: object) -> AsyncIterator[httpx.AsyncClient]:
        settings = settings_factory(query_wait_s=0, upload_wait_s=0, request_timeout_s=1, **overrides)
        app = create_app(settings, runtime_factory(settings, settings.nats_url, []))
        async with app.router.lifespan_context(app):
            app.state.access.recheck_s = 0
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://mirage.test", timeout=30) as http:
                yield http

    return open_gateway


@pytest.fixture
async def accounts(nats_server) -> AsyncIterator[Accounts]:  # noqa: ANN001
    nc = await nats.connect(nats_server.url)
    try:
        yield Accounts(await open_bucket(nc.jetstream(), topology.ACCOUNTS_BUCKET))
    finally:
        await nc.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


async def test_local_mode_needs_no_login_but_every_form_its_token(gateway) -> None:  # noqa: ANN001
    async with gateway(host="127.0.0.1") as http:
        page = await http.get("/review", headers=HTML | {"Accept-Language": "de-DE,de;q=0.9"})
        assert page.status_code == 200 and "Lokaler Einzelbenutzermodus" in page.text and '<html lang="de">' in page.text
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"] and page.headers["x-content-type-options"] == "nosniff"
        cookie = page.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower() and "secure" not in cookie.lower()
        case = f"/review/case/{'0' * 32}"
        forged = await http.post(f"{case}/claim", data={"csrf": "forged"}, headers=HTML | {"Accept-Language": "de"})
        assert forged.status_code == 400 and "Dieses Formular ist abgelaufen" in forged.text
        token = csrf_of((await http.get("/review/login", headers=HTML)).text)  # any form of this browser's session
        refused = await http.post(f"{case}/claim", data={"csrf": token}, headers=HTML | {"Accept-Language": "de"})
        assert refused.status_code == 503 and "Der Prüfdienst hat nicht geantwortet" in refused.text  # no review worker here
        missing = await http.get(case, headers=HTML)
        assert missing.status_code == 404 and "There is no such case." in missing.text
        static = await http.get("/review/static/review.js")
        assert static.status_code == 200 and static.headers["x-content-type-options"] == "nosniff"


async def test_login_with_a_key_or_a_password_and_what_ends_a_session(gateway, accounts: Accounts) -> None:  # noqa: ANN001
    alice = await accounts.add("alice", "reviewer")
    asker = await accounts.add("ann", "asker")
    await accounts.set_password("alice", "a long enough password")
    async with gateway(host="0.0.0.0") as http:
        away = await http.get("/review/case/abc", headers=HTML)
        assert away.status_code == 303 and away.headers["location"] == "/review/login?next=/review/case/abc"
        script = await http.get("/review")
        assert script.status_code == 401 and script.json()["error"] == "unauthorized"  # a script without a key: JSON, as elsewhere

        form = await http.get("/review/login", headers=HTML)
        csrf = csrf_of(form.text)
        assert (await http.post("/review/login", data={"csrf": "x", "key": alice.key}, headers=HTML)).status_code == 400
        wrong = await http.post("/review/login", data={"csrf": csrf, "key": asker.key}, headers=HTML)
        assert wrong.status_code == 403 and "the account ann is asker" in wrong.text
        bad = await http.post("/review/login", data={"csrf": csrf, "name": "alice", "password": "nope"}, headers=HTML)
        assert bad.status_code == 401 and "Wrong account name or password." in bad.text
        unknown = await http.post("/review/login", data={"csrf": csrf, "name": "zed", "password": "nope"}, headers=HTML)
        assert unknown.status_code == 401

        by_key = await http.post("/review/login", data={"csrf": csrf, "key": alice.key, "next": "/review/decided"}, headers=HTML)
        assert by_key.status_code == 303 and by_key.headers["location"] == "/review/decided"
        assert "Signed in as alice (reviewer)" in (await http.get("/review", headers=HTML)).text
        await accounts.revoke("alice")  # the key that opened the session: the session ends with it
        assert (await http.get("/review", headers=HTML)).status_code == 303

        csrf = csrf_of((await http.get("/review/login", headers=HTML)).text)
        by_password = await http.post("/review/login", data={"csrf": csrf, "name": "alice", "password": "a long enough password"}, headers=HTML)
        assert by_password.status_code == 303 and by_password.headers["location"] == "/review"
        signed_in = await http.get("/review", headers=HTML)
        assert signed_in.status_code == 200
        basic = await http.post(f"/review/case/{'0' * 32}/claim", headers=HTML | {"Authorization": "Basic YWxpY2U6eA=="})
        assert basic.status_code == 400  # the cookie authenticated it, so the form's token is needed
        await accounts.set_password("alice", "another long password")  # a new password closes the old sessions
        assert (await http.get("/review", headers=HTML)).status_code == 303

        csrf = csrf_of((await http.get("/review/login", headers=HTML)).text)
        await http.post("/review/login", data={"csrf": csrf, "name": "alice", "password": "another long password"}, headers=HTML)
        page = await http.get("/review", headers=HTML)
        out = await http.post("/review/logout", data={"csrf": csrf_of(page.text)}, headers=HTML)
        assert out.status_code == 303 and out.headers["location"] == "/review/login"
        assert (await http.get("/review", headers=HTML)).status_code == 303
        assert http.cookies.get(COOKIE)  # a fresh anonymous session, for the login form's token
