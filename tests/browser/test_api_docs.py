"""/docs and /redoc in a real browser (Debian's chromium) with every request to another site refused: both readers load
from this machine alone, render the API, and break no rule of their page's policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import serving

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (scripts/test installs it)"),
    pytest.mark.timeout(300),
]


@pytest.fixture
def served(settings_factory) -> Iterator[str]:  # noqa: ANN001
    """The gateway alone (its pages need no worker) on a real port."""
    from gateway.app import create_app
    from mirage.embedded import runtime_factory

    settings = settings_factory()
    with serving(create_app(settings, runtime_factory(settings, settings.nats_url, []))) as base:
        yield base


def test_the_api_readers_work_offline_under_their_policy(served: str) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    foreign: list[str] = []
    problems: list[str] = []  # a Content-Security-Policy violation is a console error

    def only_here(route: Route) -> None:
        if route.request.url.startswith(served):
            route.continue_()
        else:
            foreign.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        context = browser.new_context()
        context.route("**/*", only_here)
        page = context.new_page()
        page.on("console", lambda message: message.type == "error" and problems.append(message.text))
        page.on("pageerror", lambda error: problems.append(str(error)))

        page.goto(f"{served}/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("MIRAGE")
        expect(page.locator(".opblock-summary-path", has_text="/documents/upload")).to_be_visible()
        page.locator(".opblock-summary-path", has_text="/documents/stats").first.click()
        page.locator("button.try-out__btn").click()
        page.locator("button.execute").click()
        expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")

        page.goto(f"{served}/redoc")
        # ReDoc draws its menu first and the API's pages after: on a loaded machine that takes more than the default 5 s
        expect(page.locator("h1").first).to_contain_text("MIRAGE", timeout=30_000)
        expect(page.get_by_text("/documents/upload").first).to_be_attached(timeout=30_000)
        browser.close()
    assert foreign == [], "the readers asked another site for something"
    # ReDoc's "by Redocly" badge is an image on redoc.ly: the policy blocks it (nothing leaves), and that is all it blocks
    assert [p for p in problems if "https://cdn.redoc.ly/redoc/logo-mini.svg" not in p] == []
