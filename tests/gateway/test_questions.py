"""Questions through the whole chain on a real nats-server: translate → retrieve → generate → classify-risk → release or park."""

from __future__ import annotations

import httpx
import pytest

from tests.factories import SAMPLES, make_pdf

QUESTIONS = {
    "en": "What are the side effects?",
    "fr": "Quels sont les effets secondaires?",
    "es": "¿Cuáles son los efectos secundarios?",
    "de": "Was sind die Nebenwirkungen?",
}


@pytest.fixture
async def client_with_leaflet(client: httpx.AsyncClient) -> httpx.AsyncClient:
    response = await client.post("/documents/upload", files={"file": ("leaflet_en.pdf", make_pdf(**SAMPLES["en"]))},
                                 data={"metadata": '{"type":"medical"}'})
    assert response.status_code == 201, response.text
    client.document_id = response.json()["document_id"]  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize("language", ["en", "fr", "es", "de"])
async def test_runbook_questions_are_answered_with_citations_in_the_asked_language(client_with_leaflet: httpx.AsyncClient, language: str) -> None:
    client = client_with_leaflet
    response = await client.post("/query", json={"query": QUESTIONS[language], "target_language": language})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "answered" and body["language"] == language and body["answered"] is True
    assert body["citations"] and {c["document_id"] for c in body["citations"]} == {client.document_id}
    assert all(c["quote"] in " ".join(" ".join(p) for _, p in SAMPLES["en"]["sections"]) for c in body["citations"])
    assert body["risk"]["route"] == "release"
    again = (await client.get(body["status_url"])).json()
    assert again["status"] == "answered" and again["answer"] == body["answer"]


async def test_risky_question_with_human_loop_is_parked_with_a_notice_in_french(client_with_leaflet: httpx.AsyncClient, stack) -> None:  # noqa: ANN001
    client = client_with_leaflet
    response = await client.post("/query", json={"query": "effets secondaires grossesse", "enable_human_loop": True})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "pending_review" and "answer" not in body
    assert "professionnel de santé" in body["notice"]
    assert "pregnancy_breastfeeding" in body["risk"]["categories"]
    state = (await client.get(body["status_url"])).json()
    assert state["status"] == "pending_review" and "answer" not in state


async def test_a_question_the_documents_do_not_answer_says_so(client_with_leaflet: httpx.AsyncClient) -> None:
    response = await client_with_leaflet.post("/query", json={"query": "Quel est le meilleur itinéraire de randonnée dans les Alpes ?"})
    assert response.status_code == 200, response.text
    assert response.json()["answered"] is False and response.json()["citations"] == []


@pytest.mark.parametrize(
    "payload",
    [{"query": ""}, {"query": "   "}, {"query": "x" * 2001}, {"query": "dose", "target_language": "it"},
     {"query": "dose", "top_k": 0}, {"query": "dose", "unexpected": 1}, {"text": "dose"}],
)
async def test_bad_questions_get_clear_422s(client: httpx.AsyncClient, payload: dict) -> None:
    response = await client.post("/query", json=payload)
    assert response.status_code == 422, response.text
    assert response.json()["error"] in ("invalid_request", "unsupported_language")


async def test_unknown_question_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/query/" + "0" * 32)
    assert response.status_code == 404 and response.json()["error"] == "query_not_found"


async def test_translation_quality_reports_what_the_service_measured(client_with_leaflet: httpx.AsyncClient) -> None:
    import asyncio

    for language in ("fr", "es"):
        assert (await client_with_leaflet.post("/query", json={"query": QUESTIONS[language]})).status_code == 200
    for _ in range(50):
        quality = (await client_with_leaflet.get("/translation/quality")).json()
        if quality["answers"] == 2:
            break
        await asyncio.sleep(0.05)
    assert quality["questions"] == 2 and set(quality["language_detection"]) == {"fr", "es"}
    assert quality["answered_in_question_language"] == 1.0 and quality["answered_in_requested_language"] is None
    assert quality["evidence_quoted_in_another_language"] == 1.0  # the only document is English
    assert quality["translation_backend"].startswith("none (offline)")
