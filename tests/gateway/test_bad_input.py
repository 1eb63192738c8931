"""Every bad input gets a clear 4xx with a JSON error, and nothing is stored half-way."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from tests.factories import SAMPLES, corrupt_pdf, make_txt

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def upload(client: httpx.AsyncClient, name: str, data: bytes, **form: str) -> httpx.Response:
    return await client.post("/documents/upload", files={"file": (name, data)}, data=form)


async def assert_nothing_stored(client: httpx.AsyncClient) -> None:
    assert (await client.get("/documents")).json()["documents"] == []
    assert (await client.get("/documents/stats")).json()["chunks"] == 0


def valid_txt() -> bytes:
    return make_txt(SAMPLES["en"]["title"], SAMPLES["en"]["sections"])


@pytest.mark.parametrize(
    ("name", "data", "form", "status", "code"),
    [
        ("empty.txt", b"", {}, 400, "empty_file"),
        ("blank.txt", b"   \n\n  ", {}, 400, "empty_file"),
        ("image.pdf", PNG, {}, 415, "unsupported_type"),
        ("notes.txt", valid_txt(), {"metadata": "{type: medical"}, 400, "invalid_metadata"),
        ("notes.txt", valid_txt(), {"metadata": '["medical"]'}, 422, "invalid_metadata"),
        ("notes.txt", valid_txt(), {"metadata": '{"type": {"nested": 1}}'}, 422, "invalid_metadata"),
        ("notes.txt", valid_txt(), {"metadata": '{"language": "it"}'}, 422, "unsupported_language"),
    ],
)
async def test_rejected_uploads_store_nothing(client: httpx.AsyncClient, name: str, data: bytes, form: dict, status: int, code: str) -> None:
    response = await upload(client, name, data, **form)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and body["detail"]
    await assert_nothing_stored(client)


async def test_missing_file_field_is_a_clear_422(client: httpx.AsyncClient) -> None:
    response = await client.post("/documents/upload", data={"metadata": "{}"})
    assert response.status_code == 422 and response.json()["error"] == "invalid_request"
    assert "file" in response.json()["detail"]


async def test_corrupt_pdf_is_refused_with_the_reason_and_recorded_failed(client: httpx.AsyncClient) -> None:
    response = await upload(client, "broken.pdf", corrupt_pdf())
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "unreadable_document" and "PDF" in body["detail"]
    record = (await client.get(body["status_url"])).json()
    assert record["status"] == "failed" and record["reason"] == body["detail"] and record["chunks"] == 0
    assert (await client.get("/documents/stats")).json()["chunks"] == 0


async def test_hostile_file_name_is_sanitised(client: httpx.AsyncClient) -> None:
    response = await upload(client, "../../etc/passwd\x00.txt", valid_txt())
    assert response.status_code == 201, response.text
    assert "/" not in response.json()["filename"] and "\x00" not in response.json()["filename"]


async def test_unknown_and_malformed_ids(client: httpx.AsyncClient) -> None:
    for path in ("/documents/" + "0" * 64, "/documents/not-an-id", "/documents/..%2F..%2Fetc"):
        for method in ("GET", "DELETE"):
            response = await client.request(method, path)
            assert response.status_code == 404, (method, path)
            assert response.json()["error"] in ("document_not_found", "not_found")


@pytest.mark.parametrize(
    "params",
    [{"query": ""}, {"query": "   "}, {"query": "x" * 2001}, {"query": "dose", "top_k": 0},
     {"query": "dose", "top_k": 101}, {"query": "dose", "top_k": "many"}, {"query": "dose", "language": "xx"}, {}],
)
async def test_bad_search_requests(client: httpx.AsyncClient, params: dict) -> None:
    response = await client.get("/documents/search", params=params)
    assert response.status_code == 422, response.text
    assert response.json()["error"] in ("invalid_request", "unsupported_language")


@pytest.fixture
async def small_limit_client(stack):  # noqa: ANN001, ANN201
    async with stack(max_upload_mb=0.01, upload_wait_s=0) as http:
        yield http


async def test_oversize_upload_is_413_and_slow_indexing_is_202(small_limit_client: httpx.AsyncClient) -> None:
    big = b"dose " * 5000
    response = await upload(small_limit_client, "big.txt", big)
    assert response.status_code == 413 and response.json()["error"] == "file_too_large"
    await assert_nothing_stored(small_limit_client)
    # upload_wait_s=0: the gateway answers at once with a status URL, indexing goes on
    accepted = await upload(small_limit_client, "small.txt", b"Paracetamol 500 mg. Take one tablet every six hours.")
    assert accepted.status_code == 202 and accepted.json()["status"] == "processing"
    for _ in range(100):
        record = (await small_limit_client.get(accepted.json()["status_url"])).json()
        if record["status"] != "processing":
            break
        await asyncio.sleep(0.1)
    assert record["status"] == "indexed" and record["chunks"] == 1


async def test_delete_while_indexing_is_409(small_limit_client: httpx.AsyncClient) -> None:
    accepted = (await upload(small_limit_client, "a.txt", b"Ibuprofen 200 mg tablets, for adults.")).json()
    response = await small_limit_client.delete(accepted["status_url"])
    assert response.status_code in (409, 200)  # 200 only if indexing already finished
    if response.status_code == 409:
        assert response.json()["error"] == "document_busy"


def test_metadata_json_is_checked_before_anything_else() -> None:
    from gateway.errors import ApiError
    from gateway.input_checks import parse_metadata

    assert parse_metadata('{"type":"medical","language":"FR"}') == {"type": "medical", "language": "fr"}
    assert parse_metadata(None) == {} and parse_metadata("  ") == {}
    with pytest.raises(ApiError) as exc:
        parse_metadata(json.dumps({f"k{i}": i for i in range(60)}))
    assert exc.value.status == 422
