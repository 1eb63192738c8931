"""What a careful client does during a fault: retry a refused upload, poll a question to its end."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

RETRYABLE = (502, 503, 504, 507)


async def upload_until_accepted(http: httpx.AsyncClient, data: bytes, filename: str, timeout_s: float = 60) -> str:
    """The document id, once an upload was accepted (201, 200 duplicate, or 202 still indexing); a refusal is retried."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            response = await http.post("/documents/upload", files={"file": (filename, data)})
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code in (200, 201, 202):
            return response.json()["document_id"]
        assert response is None or response.status_code in RETRYABLE, (response.status_code, response.text)
        assert response is None or response.json().get("error"), response.text
        assert time.monotonic() < deadline, f"upload of {filename} still refused after {timeout_s}s"
        await asyncio.sleep(0.5)


async def ask_until_final(http: httpx.AsyncClient, query: str, timeout_s: float = 60) -> str:
    """The question's final status (answered, pending_review, failed), or 'refused' when the gateway said so at once."""
    deadline = time.monotonic() + timeout_s
    response = await http.post("/query", json={"query": query})
    if response.status_code in RETRYABLE and "query_id" not in response.json():
        assert response.json()["error"], response.text
        return "refused"
    body = response.json()
    while body.get("status") not in ("answered", "pending_review", "failed", "rejected"):
        assert time.monotonic() < deadline, f"question {body} still not final after {timeout_s}s"
        polled = await http.get(f"/query/{body['query_id']}", params={"wait": 5})
        if polled.status_code == 200:
            body = polled.json()
        else:
            assert polled.status_code in (*RETRYABLE, 404), polled.text
            await asyncio.sleep(0.5)
    return body["status"]


async def wait_all_indexed(http: httpx.AsyncClient, ids: list[str], timeout_s: float) -> dict[str, Any]:
    """Each document's record once all are indexed."""
    deadline = time.monotonic() + timeout_s
    records: dict[str, Any] = {}
    while len(records) < len(ids):
        for document_id in ids:
            response = await http.get(f"/documents/{document_id}")
            if response.status_code == 200 and response.json()["status"] == "indexed":
                records[document_id] = response.json()
        assert time.monotonic() < deadline, f"not indexed after {timeout_s}s: {set(ids) - set(records)}"
        await asyncio.sleep(0.2)
    return records
