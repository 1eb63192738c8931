"""Upload to search over HTTP, through the real chain: gateway → JetStream → ingest → index ← retrieve."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.factories import SAMPLES, make_docx, make_pdf, make_txt

LANGUAGES = ("en", "fr", "es", "de")
MAKERS = {"pdf": make_pdf, "docx": make_docx, "txt": make_txt}


def sample_file(fmt: str, language: str) -> tuple[str, bytes]:
    sample = SAMPLES[language]
    return f"leaflet_{language}.{fmt}", MAKERS[fmt](sample["title"], sample["sections"])


async def upload(client: httpx.AsyncClient, name: str, data: bytes, metadata: dict | str | None = None) -> httpx.Response:
    form = {} if metadata is None else {"metadata": metadata if isinstance(metadata, str) else json.dumps(metadata)}
    return await client.post("/documents/upload", files={"file": (name, data)}, data=form)


def first_paragraph(language: str) -> str:
    _, paragraphs = SAMPLES[language]["sections"][0]
    return paragraphs[0]


@pytest.mark.parametrize("fmt", ["pdf", "docx", "txt"])
async def test_uploaded_documents_are_searchable_in_each_language(client: httpx.AsyncClient, fmt: str) -> None:
    ids = {}
    for language in LANGUAGES:
        name, data = sample_file(fmt, language)
        response = await upload(client, name, data, {"type": "leaflet"})
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["status"] == "indexed" and body["chunks"] > 0 and body["format"] == fmt
        assert max(body["languages"], key=body["languages"].get) == language
        ids[language] = body["document_id"]
    for language in LANGUAGES:
        query = first_paragraph(language)[:120]
        found = (await client.get("/documents/search", params={"query": query, "top_k": 3})).json()["results"]
        assert found[0]["document_id"] == ids[language]
        assert found[0]["language"] == language and found[0]["metadata"]["type"] == "leaflet"
        if fmt == "pdf":
            assert found[0]["page"] >= 1
        assert found[0]["heading"]


async def test_runbook_calls_work_as_written(client: httpx.AsyncClient) -> None:
    name, data = sample_file("pdf", "fr")
    response = await upload(client, name, data, '{"type":"medical","language":"fr"}')
    assert response.status_code == 201, response.text
    stats = (await client.get("/documents/stats")).json()
    assert stats["documents"] == 1 and stats["chunks"] == response.json()["chunks"]
    assert stats["languages"]["chunks"] == {"fr": stats["chunks"]} and stats["types"] == {"medical": 1}
    assert stats["embedder"] and stats["last_indexed_at"]
    results = (await client.get("/documents/search?query=effets%20secondaires&top_k=5")).json()["results"]
    assert 0 < len(results) <= 5
    assert all(r["language"] == "fr" for r in (await client.get(
        "/documents/search?query=contraindications&top_k=3&language=fr")).json()["results"])


async def test_french_question_finds_the_english_passage(client: httpx.AsyncClient) -> None:
    for language in ("en", "de"):
        name, data = sample_file("txt", language)
        assert (await upload(client, name, data)).status_code == 201
    en_sections = SAMPLES["en"]["sections"]
    question = "Quels sont les effets indésirables possibles de ce médicament ?"
    results = (await client.get("/documents/search", params={"query": question, "top_k": 3, "language": "en"})).json()["results"]
    side_effects = next(h for h, _ in en_sections if "side effect" in h.lower())
    assert results[0]["heading"] == side_effects


async def test_same_bytes_twice_is_one_document(client: httpx.AsyncClient) -> None:
    name, data = sample_file("docx", "es")
    first = await upload(client, name, data)
    again = await upload(client, "renamed.docx", data)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["document_id"] == first.json()["document_id"]
    stats = (await client.get("/documents/stats")).json()
    assert stats["documents"] == 1 and stats["chunks"] == first.json()["chunks"]


async def test_filters_on_any_metadata_key(client: httpx.AsyncClient) -> None:
    a = (await upload(client, *sample_file("txt", "en"), {"type": "leaflet", "ward": "paediatrics"})).json()
    b = (await upload(client, *sample_file("txt", "fr"), {"type": "protocol", "ward": "maternity"})).json()
    query = {"query": "dose", "top_k": 20}
    by_ward = (await client.get("/documents/search", params=query | {"ward": "maternity"})).json()["results"]
    assert by_ward and {r["document_id"] for r in by_ward} == {b["document_id"]}
    by_id = (await client.get("/documents/search", params=query | {"document_id": a["document_id"]})).json()["results"]
    assert by_id and {r["document_id"] for r in by_id} == {a["document_id"]}
    assert (await client.get("/documents/search", params=query | {"type": "nothing-like-this"})).json()["results"] == []


async def test_delete_removes_every_chunk(client: httpx.AsyncClient) -> None:
    kept = (await upload(client, *sample_file("txt", "de"))).json()
    gone = (await upload(client, *sample_file("pdf", "en"))).json()
    response = await client.delete(f"/documents/{gone['document_id']}")
    assert response.status_code == 200 and response.json()["chunks_removed"] == gone["chunks"]
    assert (await client.get(f"/documents/{gone['document_id']}")).status_code == 404
    results = (await client.get("/documents/search", params={"query": first_paragraph("en"), "top_k": 50})).json()["results"]
    assert {r["document_id"] for r in results} == {kept["document_id"]}
    stats = (await client.get("/documents/stats")).json()
    assert stats["documents"] == 1 and stats["chunks"] == kept["chunks"]
    again = await upload(client, *sample_file("pdf", "en"))
    assert again.status_code == 201 and again.json()["duplicate"] is False


async def test_document_status_and_listing(client: httpx.AsyncClient) -> None:
    body = (await upload(client, *sample_file("pdf", "es"))).json()
    record = (await client.get(body["status_url"])).json()
    assert record["status"] == "indexed" and record["filename"] == "leaflet_es.pdf" and record["pages"] >= 1
    listing = (await client.get("/documents")).json()["documents"]
    assert [d["document_id"] for d in listing] == [body["document_id"]]
