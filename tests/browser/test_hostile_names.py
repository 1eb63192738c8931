"""A file named like markup, and metadata like it, are shown as text wherever a page shows them (Debian's chromium via
Playwright, over the whole stack serving HTTP in the local single-user mode): no dialog fires, no element is made of them.

The pages that show file names: the reviewer's case view (each evidence passage's document: its title, or the file name when
the document has none, and its heading) and the JSON answers a browser may open (the document list, one document, search).
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.factories import SAMPLES
from tests.serving import serving

CHROMIUM = Path("/usr/bin/chromium")
NAME = "<img src=x onerror=alert(1)>.html"
HEADING = "<svg onload=alert(2)> Grossesse et allaitement"
TITLE = "<script>alert(3)</script><b>Notice</b>"
KIND = "<iframe src=javascript:alert(4)>"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (scripts/test installs it)"),
    pytest.mark.timeout(600),
]


def leaflet(heading: str | None, marker: str) -> bytes:
    """A French leaflet page with no <title>; without a heading its file name is its title, with one its section heading is
    markup (escaped in the page, so its text is the markup itself)."""
    def section(title: str | None, paragraphs: list[str]) -> str:
        return (f"<h2>{html.escape(title)}</h2>" if title else "") + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)

    pregnancy = ["Pendant la grossesse, le paracétamol peut être utilisé si nécessaire, à la dose la plus faible possible.",
                 "Demandez conseil à votre médecin ou à votre pharmacien avant de prendre ce médicament."]
    body = section(heading, pregnancy) + "".join(section(title if heading else None, paragraphs)
                                                 for title, paragraphs in SAMPLES["fr"]["sections"])
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><main>{body}<p>{marker}</p></main></body></html>".encode()


@pytest.fixture
def served(settings_factory, embedder, detector) -> Iterator[str]:  # noqa: ANN001
    """The gateway and every worker on a real HTTP port, no account: the local single-user mode."""
    from contracts.chain import WORKERS
    from gateway.app import create_app
    from mirage.embedded import runtime_factory
    from runtime.process import Components

    settings = settings_factory(host="127.0.0.1", english_embedder="none")
    components = Components(settings, embedder=embedder, detector=detector, english=None)
    with serving(create_app(settings, runtime_factory(settings, settings.nats_url, WORKERS, components))) as base:
        yield base


def upload_and_hold(base: str) -> tuple[dict[str, str], dict[str, str]]:
    """Two documents (one named like markup, one titled like it in its metadata) and, for each, a question held for review
    that cites only it: {document name: id}, {document name: query id}."""
    documents, cases = {}, {}
    with httpx.Client(base_url=base, timeout=60) as http:
        for name, data, metadata in ((NAME, leaflet(None, "a"), {"type": KIND}), ("notice.html", leaflet(HEADING, "b"), {"title": TITLE})):
            uploaded = http.post("/documents/upload", files={"file": (name, data, "text/html")}, data={"metadata": json.dumps(metadata)})
            assert uploaded.status_code == 201, uploaded.text
            documents[name] = uploaded.json()["document_id"]
        assert http.get(f"/documents/{documents[NAME]}").json()["filename"] == NAME  # stored as sent, shown as text
        for name, document_id in documents.items():
            asked = http.post("/query", json={"query": "effets secondaires grossesse", "enable_human_loop": True,
                                              "filters": {"document_id": document_id}})
            assert asked.status_code == 202 and asked.json()["status"] == "pending_review", asked.text
            cases[name] = asked.json()["query_id"]
    return documents, cases


def test_hostile_file_names_and_metadata_are_shown_as_text(served: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    base = served
    documents, cases = upload_and_hold(base)
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        page = browser.new_context(locale="en-GB").new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        # the case views: each evidence passage names its document (the file name, or the title from the metadata) and heading
        for name, expected, heading in ((NAME, NAME, ""), ("notice.html", TITLE, HEADING)):
            response = page.goto(f"{base}/review/case/{cases[name]}")
            assert response is not None and response.ok
            sources = page.locator(".evidence .source strong")
            expect(sources.first).to_have_text(expected)
            assert set(sources.all_inner_texts()) == {expected}, "the question was filtered to this one document"
            assert heading in page.locator(".evidence").inner_text()
            assert html.escape(expected, quote=False) in page.content()
            assert page.locator("main img, main svg, main script, main iframe, main b").count() == 0
            page.wait_for_load_state("networkidle")

        # the queue and, after a verdict given on the page, the decided list (they show the questions, not file names)
        page.goto(f"{base}/review/case/{cases[NAME]}")
        page.click("#approve-form button[type=submit]")
        expect(page.locator(".message")).to_have_text("Decided: approved.")
        for path in ("/review", "/review/decided"):
            page.goto(f"{base}{path}")
            expect(page.locator("tr.case-row").first).to_be_visible()
            assert page.locator("main img, main svg, main script, main iframe").count() == 0

        # the JSON answers, opened in the browser: text, never a page (application/json and nosniff)
        for path in ("/documents", f"/documents/{documents[NAME]}", "/documents/search?query=grossesse&top_k=10"):
            response = page.goto(f"{base}{path}")
            assert response is not None and response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["content-type"].startswith("application/json")
            text = page.locator("body").inner_text()
            assert NAME in text and (path.startswith("/documents/search") or KIND in text or TITLE in text), path
            assert page.locator("img, svg, iframe, b").count() == 0
            page.wait_for_load_state("networkidle")
        browser.close()
    assert dialogs == []
