"""The reviewer page in a real browser (Debian's chromium driven by Playwright), over the whole stack serving HTTP on a free port.

Alice logs in with her key, claims the held case, edits the answer (with a script in it), sees the diff and releases it; the
asker then reads the edited answer. Bob, logged in with his password and reading French, sees Alice's claim and cannot take
the case. Nothing anyone typed runs as script. Screenshots of the queue, the case and the diff are taken on every run, and
written to docs/ with MIRAGE_UPDATE_SCREENSHOTS=1 (so that a test run leaves the tree as it was).
"""

from __future__ import annotations

import asyncio
import os
import re
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
from tests.factories import SAMPLES, make_txt

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCRIPT = "<script>alert(1)</script>"
ADDED = f"Pendant la grossesse, demandez toujours l'avis de votre médecin ou de votre sage-femme. {SCRIPT}"
REASON = "Avis médical requis <script>alert(2)</script><b>gras</b>"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (scripts/test installs it)"),
    pytest.mark.timeout(600),
]


async def make_accounts(nats_url: str) -> dict[str, str]:
    nc = await nats.connect(nats_url)
    try:
        accounts = Accounts(await open_bucket(nc.jetstream(), topology.ACCOUNTS_BUCKET))
        keys = {name: (await accounts.add(name, role)).key
                for name, role in (("admin", "admin"), ("asker", "asker"), ("alice", "reviewer"), ("bob", "reviewer"))}
        await accounts.set_password("bob", "correct horse battery staple")
        return keys
    finally:
        await nc.close()


@pytest.fixture
def served(settings_factory, embedder, detector) -> Iterator[tuple[str, dict[str, str]]]:  # noqa: ANN001
    """The gateway and every worker on a real HTTP port (uvicorn in a thread), with four accounts: keys are required."""
    import uvicorn

    from contracts.chain import WORKERS
    from gateway.app import create_app
    from mirage.embedded import runtime_factory
    from runtime.process import Components

    port = free_port()
    settings = settings_factory(host="127.0.0.1", port=port, english_embedder="none")
    keys = asyncio.run(make_accounts(settings.nats_url))
    components = Components(settings, embedder=embedder, detector=detector, english=None)
    app = create_app(settings, runtime_factory(settings, settings.nats_url, WORKERS, components))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="gateway", daemon=True)
    thread.start()
    deadline = time.monotonic() + 180
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}", keys
    finally:
        server.should_exit = True
        thread.join(60)


def held_questions(base: str, keys: dict[str, str], *questions: str) -> list[str]:
    with httpx.Client(base_url=base, timeout=60) as http:
        upload = http.post("/documents/upload", files={"file": ("fr.txt", make_txt(**SAMPLES["fr"]))},
                           headers={"Authorization": f"Bearer {keys['admin']}"})
        assert upload.status_code == 201, upload.text
        ids = []
        for question in questions:
            asked = http.post("/query", json={"query": question, "enable_human_loop": True}, headers={"Authorization": f"Bearer {keys['asker']}"})
            assert asked.status_code == 202 and asked.json()["status"] == "pending_review", asked.text
            ids.append(asked.json()["query_id"])
        return ids


def asker_reads(base: str, keys: dict[str, str], query_id: str) -> dict:
    with httpx.Client(base_url=base, timeout=60) as http:
        return http.get(f"/query/{query_id}", params={"wait": 10}, headers={"Authorization": f"Bearer {keys['asker']}"}).json()


def test_a_reviewer_edits_and_releases_a_held_answer_in_the_browser(served, tmp_path: Path) -> None:  # noqa: ANN001
    from playwright.sync_api import expect, sync_playwright

    base, keys = served
    shots = DOCS if os.environ.get("MIRAGE_UPDATE_SCREENSHOTS") == "1" else tmp_path
    query_id, other_id = held_questions(base, keys, "effets secondaires grossesse", "Quelle dose de paracétamol pour un enfant de 6 ans ?")
    dialogs: list[str] = []
    console_errors: list[str] = []  # a Content-Security-Policy violation would show here
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        alice = browser.new_context(locale="en-GB", viewport={"width": 1200, "height": 900}).new_page()
        bob = browser.new_context(locale="fr-FR", viewport={"width": 1200, "height": 900}).new_page()
        for page in (alice, bob):
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))

        # Alice: the page sends her to the login form; her key opens a session (HttpOnly, SameSite=Strict)
        response = alice.goto(f"{base}/review")
        assert alice.url.startswith(f"{base}/review/login")
        headers = response.all_headers()
        assert "frame-ancestors 'none'" in headers["content-security-policy"] and "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
        alice.fill("input[name=key]", "mirage_0123456789ab_wrong")
        alice.click("form.login button[type=submit]")
        expect(alice.locator(".error")).to_have_text("This key is unknown, expired or revoked.")
        alice.fill("input[name=key]", keys["alice"])
        alice.click("form.login button[type=submit]")
        expect(alice.locator("h1")).to_have_text("Cases waiting for review")
        cookie = next(c for c in alice.context.cookies() if c["name"] == "mirage_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

        # the queue: level, categories, language, age, deadline, holder; a search over the questions
        row = alice.locator(f"tr[data-query-id='{query_id}']")
        expect(row).to_contain_text("effets secondaires grossesse")
        expect(row).to_contain_text("pregnancy, breastfeeding")
        expect(row.locator("td.holder")).to_have_text("")
        alice.fill("input[name=q]", "nothing like this")
        alice.click("form.filters button[type=submit]")
        expect(alice.locator(".empty")).to_have_text("No case matches.")
        alice.fill("input[name=q]", "GROSSESSE")
        alice.click("form.filters button[type=submit]")
        expect(row).to_be_visible()
        alice.goto(f"{base}/review")
        expect(alice.locator("tr.case-row")).to_have_count(2)
        alice.screenshot(path=str(shots / "review_queue.png"), full_page=True)

        # Bob logs in with his password (French page) and opens the case before anyone holds it
        bob.goto(f"{base}/review/case/{query_id}")
        bob.fill("input[name=name]", "bob")
        bob.fill("input[name=password]", "correct horse battery staple")
        bob.click("form.login button[type=submit]")
        expect(bob.locator("button[name=claim]")).to_have_text("Prendre le cas")

        # Alice claims it: the case, its rule, the draft with the trigger words marked, the evidence with document and page
        row.locator("a").click()
        alice.click("button[name=claim]")
        expect(alice.locator(".message")).to_have_text("You hold this case now.")
        expect(alice.locator("#holder")).to_have_text("alice")
        expect(alice.locator(".rule")).not_to_be_empty()
        expect(alice.locator("#draft mark").first).to_be_visible()
        expect(alice.locator(".evidence .source").first).to_contain_text(SAMPLES["fr"]["title"])
        expect(alice.locator("#edit-form textarea[name=answer]")).not_to_be_empty()  # pre-filled with the draft
        alice.screenshot(path=str(shots / "review_case.png"), full_page=True)

        # Bob's page is stale: his claim is refused, in French, with who holds it; he gets no decision forms
        bob.click("button[name=claim]")
        expect(bob.locator(".error")).to_have_text("Pris par alice : seule cette personne peut le décider pour l'instant.")
        expect(bob.locator(".claimed-other")).to_contain_text("Pris par alice")
        expect(bob.locator("#approve-form")).to_have_count(0)
        bob.goto(f"{base}/review")
        expect(bob.locator(f"tr[data-query-id='{query_id}'] td.holder")).to_have_text("alice")

        # Alice edits (a script in the answer and in the reason), sees the diff, then releases the edited answer
        draft = alice.input_value("#edit-form textarea[name=answer]")
        edited = draft.replace("si nécessaire", "seulement sur avis médical") + "\n" + ADDED
        alice.fill("#edit-form textarea[name=answer]", edited)
        alice.fill("#edit-form textarea[name=reason]", REASON)
        alice.click("#edit-form button[type=submit]")
        expect(alice.locator("#diff ins").last).to_contain_text(SCRIPT)
        expect(alice.locator("#diff del").first).to_contain_text("si nécessaire")
        expect(alice.locator("#confirm-reason")).to_have_text(REASON)
        alice.locator("#actions").screenshot(path=str(shots / "review_edit_diff.png"))
        alice.click("button[name=confirmed]")
        expect(alice.locator(".message")).to_have_text("Decided: edited.")
        expect(alice.locator("#released-answer")).to_have_text(edited)
        expect(alice.locator("#verdict-reason")).to_have_text(REASON)
        assert alice.locator("main script, main b").count() == 0  # shown as text, never as markup
        expect(alice.locator("table.history")).to_contain_text(REASON)

        # the asker reads the edited answer
        answer = asker_reads(base, keys, query_id)
        assert answer["status"] == "answered" and answer["answer"] == edited and answer["reviewed"]["decision"] == "edited"

        # Bob cannot decide it any more (the desk's refusal, on the page, in French); the decided list shows Alice's verdict
        bob.goto(f"{base}/review/case/{query_id}")
        expect(bob.locator("#actions")).to_have_count(0)
        late = bob.request.post(f"{base}/review/case/{query_id}/decide", form={"csrf": bob.input_value("header input[name=csrf]"),
                                "decision": "approved"}, headers={"Accept": "text/html", "Accept-Language": "fr-FR"})
        assert late.status == 409 and "Déjà décidé : corrigé par alice." in late.text()
        expect(bob.locator("#released-answer")).to_have_text(edited)
        bob.goto(f"{base}/review/decided")
        expect(bob.locator(f"tr[data-query-id='{query_id}']")).to_contain_text("alice")

        # a POST without the form's CSRF token is refused, even with the session cookie
        refused = bob.request.post(f"{base}/review/case/{query_id}/release", form={"csrf": "forged"},
                                   headers={"Accept": "text/html", "Accept-Language": "fr-FR"})
        assert refused.status == 400 and "Ce formulaire a expiré" in refused.text()

        # the other case: Alice escalates it (first in the queue, marked), then rejects it; the asker gets the safe message
        alice.goto(f"{base}/review/case/{other_id}")
        alice.fill("#escalate-form textarea[name=reason]", "Dose pédiatrique : avis d'un pédiatre")
        alice.click("#escalate-form button[type=submit]")
        expect(alice.locator("h1 .badge")).to_have_text("escalated")
        alice.goto(f"{base}/review")
        expect(alice.locator("tr.case-row").first).to_have_attribute("data-query-id", other_id)
        alice.locator(f"tr[data-query-id='{other_id}'] a").click()
        alice.click("#reject-form button[type=submit]")  # no reason: the browser will not send it
        expect(alice.locator("#reject-form")).to_be_visible()
        alice.fill("#reject-form textarea[name=reason]", "Question à poser au pédiatre")
        alice.click("#reject-form button[type=submit]")
        expect(alice.locator(".message")).to_have_text("Decided: rejected.")
        rejected = asker_reads(base, keys, other_id)
        assert rejected["status"] == "rejected" and rejected.get("answer") is None, rejected
        alice.goto(f"{base}/review/decided?decision=rejected")
        expect(alice.locator("tr.case-row")).to_have_count(1)
        expect(alice.locator("tr.case-row")).to_have_attribute("data-query-id", other_id)

        # signing out ends the session
        alice.click("header form button[type=submit]")
        expect(alice.locator("h1")).to_have_text("Sign in to review")
        alice.goto(f"{base}/review")
        assert alice.url.startswith(f"{base}/review/login")
        browser.close()
    assert dialogs == []  # no script anyone typed ever ran
    assert [e for e in console_errors if not re.search(r"status of 40[19]", e)] == []  # the refusals (401, 409) and nothing else
