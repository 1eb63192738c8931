"""The dashboard page in a real browser (Debian's chromium driven by Playwright), on a port of its own beside the gateway's,
served as `mirage up` serves them (`serve_with_dashboard`) over the whole stack.

An operator opens it; a document is uploaded and questions asked through the API; the page's figures change without a
reload, with no console error (a Content-Security-Policy violation would be one). Then a key is asked for where keys are
required. The screenshot is taken on every run and written to docs/ with MIRAGE_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import nats
import pytest

from contracts import topology
from runtime.accounts import Accounts
from runtime.messaging import open_bucket
from runtime.nats_server import free_port
from tests.factories import SAMPLES, make_docx, make_pdf, make_txt

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs"
REFRESHED = 20_000  # ms a figure may take to show: the page fetches every 5 s, on a shared, busy machine

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (scripts/test installs it)"),
    pytest.mark.timeout(600),
]


@pytest.fixture
def served(settings_factory, embedder, detector):  # noqa: ANN001, ANN201
    """Opens the gateway and the dashboard on two free ports, as `mirage up` does; yields (api URL, dashboard URL)."""
    import contextlib

    import uvicorn

    from contracts.chain import WORKERS
    from gateway.app import create_app
    from mirage.embedded import Served, runtime_factory, serve_with_dashboard
    from runtime.process import Components

    @contextlib.contextmanager
    def serve(host: str = "127.0.0.1") -> Iterator[tuple[str, str]]:
        port, dashboard_port = free_port(), free_port()
        settings = settings_factory(host=host, port=port, dashboard_port=dashboard_port, english_embedder="none")
        components = Components(settings, embedder=embedder, detector=detector, english=None)
        app = create_app(settings, runtime_factory(settings, settings.nats_url, WORKERS, components))
        gateway = Served(uvicorn.Config(app, host=host, port=port, log_level="warning", log_config=None))
        thread = threading.Thread(target=asyncio.run, args=(serve_with_dashboard(gateway, settings),), name="mirage", daemon=True)
        thread.start()
        api, dashboard = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{dashboard_port}"
        deadline = time.monotonic() + 180
        while not answers(f"{dashboard}/dashboard"):
            assert thread.is_alive() and time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.2)
        try:
            yield api, dashboard
        finally:
            gateway.should_exit = True
            thread.join(60)
            assert not thread.is_alive(), "the servers did not stop"
            assert not answers(f"{dashboard}/dashboard"), "the dashboard outlived the gateway"

    return serve


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def launch(playwright):  # noqa: ANN001, ANN201
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])


def test_the_dashboard_follows_uploads_and_questions_without_a_reload(served, tmp_path: Path) -> None:  # noqa: ANN001
    from playwright.sync_api import expect, sync_playwright

    shots = DOCS if os.environ.get("MIRAGE_UPDATE_SCREENSHOTS") == "1" else tmp_path
    console_errors: list[str] = []
    with served() as (api, dashboard), sync_playwright() as playwright, httpx.Client(base_url=api, timeout=60) as http:
        browser = launch(playwright)
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
        page.on("pageerror", lambda error: console_errors.append(str(error)))

        response = page.goto(dashboard)  # `/` leads to the page
        assert page.url == f"{dashboard}/dashboard"
        assert "script-src 'self'" in response.all_headers()["content-security-policy"]
        expect(page.locator("#status")).to_have_text("ok", timeout=REFRESHED)
        expect(page.locator("[data-field='documents.documents']")).to_have_text("0")
        expect(page.locator("#dependencies tr")).to_have_count(4)
        expect(page.locator("#dependencies")).to_contain_text("Vector store")
        expect(page.locator("#consumers li").first).to_be_visible()
        page.evaluate("window.sameDocument = true")

        for name, document in (("fr.txt", make_txt(**SAMPLES["fr"])), ("en.pdf", make_pdf(**SAMPLES["en"])),
                               ("de.docx", make_docx(**SAMPLES["de"]))):
            assert http.post("/documents/upload", files={"file": (name, document)}).status_code == 201
        expect(page.locator("[data-field='documents.documents']")).to_have_text("3", timeout=REFRESHED)
        expect(page.locator("#languages tr")).to_have_count(3)
        expect(page.locator("#languages")).to_contain_text("fr")

        for question in ("Quels sont les effets secondaires ?", "What are the side effects?", "Quels sont les effets secondaires ?"):
            assert http.post("/query", json={"query": question}).status_code == 200
        held = http.post("/query", json={"query": "effets secondaires grossesse", "enable_human_loop": True})
        assert held.status_code == 202
        expect(page.locator("[data-field='questions.last_5_minutes.answered']")).to_have_text("3", timeout=REFRESHED)
        expect(page.locator("[data-field='questions.last_5_minutes.held']")).to_have_text("1")
        expect(page.locator("[data-field='questions.cache_hit_rate']")).to_have_text("25 %")  # 1 hit in 4 lookups
        expect(page.locator("[data-field='questions.last_5_minutes.latency_p95_ms']")).to_contain_text(" ms")
        expect(page.locator("[data-field='review.open']")).to_have_text("1")
        expect(page.locator("#questions-chart rect.answered")).not_to_have_count(0)
        expect(page.locator("#questions-chart rect.held")).not_to_have_count(0)
        expect(page.locator("#latency-chart circle.p95")).not_to_have_count(0)
        expect(page.locator("[data-field='dead_letters']")).to_have_text("0")
        assert page.evaluate("window.sameDocument") is True, "the page was reloaded"
        page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
        browser.close()
    assert console_errors == []


def test_where_keys_are_required_the_page_asks_for_one(served, nats_server) -> None:  # noqa: ANN001
    from playwright.sync_api import expect, sync_playwright

    key = asyncio.run(auditor_key(nats_server.url))
    with served(host="0.0.0.0") as (_, dashboard), sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page()
        page.goto(f"{dashboard}/dashboard")
        expect(page.locator("#problem")).to_have_text("This gateway asks for an API key.", timeout=REFRESHED)
        page.fill("#key-form input[name=key]", "mirage_0123456789ab_wrong")
        page.click("#key-form button[type=submit]")
        expect(page.locator("#problem")).to_contain_text("This key was refused")
        page.fill("#key-form input[name=key]", key)
        page.click("#key-form button[type=submit]")
        expect(page.locator("#status")).to_have_text("ok", timeout=REFRESHED)
        expect(page.locator("#key-form")).to_be_hidden()
        expect(page.locator("#problem")).to_be_hidden()
        browser.close()


async def auditor_key(nats_url: str) -> str:
    nc = await nats.connect(nats_url)
    try:
        return (await Accounts(await open_bucket(nc.jetstream(), topology.ACCOUNTS_BUCKET)).add("olga", "auditor")).key
    finally:
        await nc.close()
