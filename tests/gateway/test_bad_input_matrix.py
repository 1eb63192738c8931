"""Bad input over every endpoint: each answer is its 4xx with the one error body the OpenAPI document declares for it,
and the document and question counts do not move."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from gateway.errors import ErrorBody
from tests.factories import SAMPLES, make_txt

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HEX = "0123456789abcdef" * 4
TXT = make_txt(SAMPLES["en"]["title"], SAMPLES["en"]["sections"])


@dataclass(frozen=True)
class Case:
    method: str
    route: str | None  # the OpenAPI path; None: no route matches
    path: str
    status: int
    code: str | tuple[str, ...]
    request: dict[str, Any] = field(default_factory=dict)


def upload(status: int, code: str, metadata: str | None = None, data: bytes = TXT, name: str = "notes.txt") -> Case:
    form = {"metadata": metadata} if metadata is not None else {}
    return Case("POST", "/documents/upload", "/documents/upload", status, code, {"files": {"file": (name, data)}, "data": form})


def bad_metadata(metadata: str, status: int = 422, code: str = "invalid_metadata") -> Case:
    return upload(status, code, metadata)


def search(params: dict[str, Any] | list[tuple[str, str]], code: str = "invalid_filter") -> Case:
    return Case("GET", "/documents/search", "/documents/search", 422, code, {"params": params})


def ask(body: Any, code: str = "invalid_request", raw: str | None = None) -> Case:
    request = {"content": raw, "headers": {"content-type": "application/json"}} if raw is not None else {"json": body}
    return Case("POST", "/query", "/query", 422, code, request)


def both(method: str, route: str, path: str, status: int, code: str | tuple[str, ...], **request: Any) -> list[Case]:
    return [Case(method, prefix + route, prefix + path, status, code, request) for prefix in ("/review", "/validation")]


CASES: list[Case] = [
    # uploads
    upload(400, "empty_file", data=b""),
    upload(400, "empty_file", data=b"  \n\n "),
    upload(415, "unsupported_type", data=PNG, name="image.pdf"),
    upload(415, "unsupported_type", data=b"\x00\x01\x02\x03" * 64, name="blob.bin"),
    bad_metadata("{type: medical", 400),
    bad_metadata('["medical"]'),
    bad_metadata('"medical"'),
    bad_metadata("1"),
    bad_metadata("null"),
    bad_metadata('{"type": {"nested": 1}}'),
    bad_metadata('{"a":' * 5000 + "1" + "}" * 5000),
    bad_metadata("[" * 100_00 + "]" * 100_00),
    bad_metadata('{"score": NaN}'),
    bad_metadata('{"score": Infinity}'),
    bad_metadata('{"score": -Infinity}'),
    bad_metadata('{"score": 1e400}'),
    bad_metadata('{"score": -1e400}'),
    bad_metadata(json.dumps({f"k{i}": i for i in range(51)})),
    bad_metadata('{"": "x"}'),
    bad_metadata('{"1type": "x"}'),
    bad_metadata('{"a b": "x"}'),
    bad_metadata('{"a[b]": "x"}'),
    bad_metadata(json.dumps({"k" * 65: "x"})),
    bad_metadata(json.dumps({"type": "x" * 1001})),
    bad_metadata('{"type": [1, 2]}'),
    bad_metadata('{"type": null}'),
    bad_metadata(json.dumps({"type": "x" * 70_000})),
    bad_metadata('{"language": "it"}', code="unsupported_language"),
    bad_metadata('{"language": 5}', code="unsupported_language"),
    Case("POST", "/documents/upload", "/documents/upload", 422, "invalid_request", {"data": {"metadata": "{}"}}),
    Case("POST", "/documents/upload", "/documents/upload", 422, "invalid_request", {"data": {"file": "not a file"}}),
    Case("POST", "/documents/upload", "/documents/upload", 422, "invalid_request", {"json": {"file": "x"}}),
    Case("POST", "/documents/upload", "/documents/upload", 413, "file_too_large",
         {"content": b"x" * 16, "headers": {"content-length": str(10**10), "content-type": "multipart/form-data; boundary=x"}}),
    # one document
    *[Case(method, "/documents/{document_id}", f"/documents/{doc}", 404, "document_not_found")
      for doc in ("%3E", "%2A", "a%20b", HEX[:63], HEX + "0", HEX.upper(), "f" * 64, "%00", "é" * 64)
      for method in ("GET", "DELETE")],
    *[Case(method, None, "/documents/..%2F..%2Fetc", 404, "not_found") for method in ("GET", "DELETE")],
    # listing and figures
    Case("GET", "/documents", "/documents", 422, "invalid_request", {"params": {"status": "bogus"}}),
    Case("GET", "/documents", "/documents", 422, "invalid_request", {"params": {"limit": 0}}),
    Case("GET", "/documents", "/documents", 422, "invalid_request", {"params": {"limit": 1001}}),
    Case("GET", "/documents", "/documents", 422, "invalid_request", {"params": {"offset": -1}}),
    Case("GET", "/documents", "/documents", 422, "invalid_request", {"params": {"limit": "all"}}),
    Case("POST", "/documents/stats", "/documents/stats", 405, "method_not_allowed"),
    # search
    search({}, "invalid_request"),
    search({"query": ""}, "invalid_request"),
    search({"query": "   "}, "invalid_request"),
    search({"query": "x" * 2001}, "invalid_request"),
    search({"query": "dose", "top_k": 0}, "invalid_request"),
    search({"query": "dose", "top_k": 101}, "invalid_request"),
    search({"query": "dose", "top_k": "many"}, "invalid_request"),
    search({"query": "dose", "top_k": 1.5}, "invalid_request"),
    search({"query": "dose", "language": "xx"}, "unsupported_language"),
    search([("query", "fever"), ("", "x")]),
    search({"query": "fever", "a[b]": "1"}),
    search({"query": "fever", "a.b": "1"}),
    search({"query": "fever", "meta.type": "x"}),
    search({"query": "fever", "a b": "1"}),
    search({"query": "fever", "1abc": "1"}),
    search({"query": "fever", "k" * 65: "1"}),
    search({"query": "fever", "é": "1"}),
    search({"query": "fever", "$where": "1"}),
    search({"query": "fever", "type": "x" * 1001}),
    search({"query": "fever", **{f"k{i}": "1" for i in range(21)}}),
    search([("query", "fever"), *[("type", str(i)) for i in range(101)]]),
    # questions
    ask({}),
    ask({"query": ""}),
    ask({"query": "   "}),
    ask({"query": "x" * 2001}),
    ask({"query": 5}),
    ask({"query": "dose?", "unknown": 1}),
    ask({"query": "dose?", "target_language": "it"}, "unsupported_language"),
    ask({"query": "dose?", "top_k": 0}),
    ask({"query": "dose?", "top_k": 21}),
    ask({"query": "dose?", "enable_human_loop": "maybe"}),
    ask({"query": "dose?", "filters": {"type": []}}),
    ask({"query": "dose?", "filters": {"a[b]": "x"}}),
    ask({"query": "dose?", "filters": {"": "x"}}),
    ask({"query": "dose?", "filters": {"type": {"a": 1}}}),
    ask({"query": "dose?", "filters": {"type": [[1]]}}),
    ask({"query": "dose?", "filters": {"type": None}}),
    ask({"query": "dose?", "filters": {"type": ["x"] * 101}}),
    ask({"query": "dose?", "filters": {f"k{i}": "x" for i in range(21)}}),
    ask({"query": "dose?", "filters": ["type"]}),
    ask({"query": "dose?", "filters": {"language": "it"}}, "unsupported_language"),
    ask(None, raw='{"query": "dose?", "filters": {"score": NaN}}'),
    ask(None, raw='{"query": "dose?", "filters": {"score": 1e400}}'),
    ask(None, raw="not json"),
    ask(None, raw="[]"),
    ask(None, raw='{"query": "dose?", "filters": ' + "[" * 10_000 + "]" * 10_000 + "}"),
    Case("POST", "/query", "/query", 422, "invalid_request", {"content": "dose?", "headers": {"content-type": "text/plain"}}),
    *[Case("GET", "/query/{query_id}", f"/query/{qid}", 404, "query_not_found")
      for qid in ("%3E", "%2A", "a%20b", "a.b", "a%2Eb", "x" * 65, "%00", "0" * 32)],
    Case("GET", "/query/{query_id}", "/query/abc", 422, "invalid_request", {"params": {"wait": -1}}),
    Case("GET", "/query/{query_id}", "/query/abc", 422, "invalid_request", {"params": {"wait": 61}}),
    Case("GET", "/query/{query_id}", "/query/abc", 422, "invalid_request", {"params": {"wait": "soon"}}),
    Case("PUT", "/query/{query_id}", "/query/abc", 405, "method_not_allowed"),
    Case("POST", "/translation/quality", "/translation/quality", 405, "method_not_allowed"),
    # review, under both prefixes
    *both("POST", "/status", "/status", 405, "method_not_allowed"),
    *both("GET", "/pending", "/pending", 422, "invalid_request", params={"limit": 0}),
    *both("GET", "/pending", "/pending", 422, "invalid_request", params={"language": "x" * 9}),
    *both("GET", "/pending", "/pending", 422, "invalid_request", params={"category": "x" * 65}),
    *both("GET", "/pending", "/pending", 422, "invalid_request", params={"offset": 10_001}),
    *[c for qid in ("%3E", "%2A", "a%20b", "x" * 65, "unknown") for c in both("GET", "/query/{query_id}", f"/query/{qid}", 404, "case_not_found")],
    *[c for action in ("claim", "release", "decide") for c in both("POST", f"/{action}", f"/{action}", 422, "invalid_request", json={})],
    *[c for qid in (">", "*", "a b", "a.b", "x" * 65, "")
      for c in both("POST", "/claim", "/claim", 422, "invalid_request", json={"query_id": qid})],
    *both("POST", "/claim", "/claim", 422, "invalid_request", json={"query_id": "q1", "lease_s": 0}),
    *both("POST", "/claim", "/claim", 422, "invalid_request", json={"query_id": "q1", "lease_s": 99_999}),
    *both("POST", "/claim", "/claim", 404, "case_not_found", json={"query_id": "unknown"}),
    *both("POST", "/release", "/release", 422, "invalid_request", json={"query_id": ">"}),
    *both("POST", "/release", "/release", 404, "case_not_found", json={"query_id": "unknown"}),
    *both("POST", "/decide", "/decide", 422, "invalid_request", json={"query_id": "a.b", "decision": "approved"}),
    *both("POST", "/decide", "/decide", 422, "unknown_decision", json={"query_id": "q1", "decision": "maybe"}),
    *both("POST", "/decide", "/decide", 422, "unknown_decision", json={"query_id": "q1", "decision": "expired"}),
    *both("POST", "/decide", "/decide", 422, "reason_required", json={"query_id": "q1", "decision": "rejected"}),
    *both("POST", "/decide", "/decide", 422, "answer_required", json={"query_id": "q1", "decision": "edited", "feedback": "typo"}),
    *both("POST", "/decide", "/decide", 422, "invalid_request", json={"query_id": "q1", "decision": "approved", "extra": 1}),
    *both("POST", "/decide", "/decide", 422, "invalid_request", json={"query_id": "q1", "decision": "rejected", "feedback": "x" * 100_000}),
    *both("POST", "/decide", "/decide", 404, "case_not_found", json={"query_id": "unknown", "decision": "approved"}),
    *both("GET", "/history", "/history", 422, "invalid_request", params={"limit": 0}),
    *both("GET", "/history", "/history", 422, "invalid_request", params={"since": "yesterday"}),
    *both("GET", "/history", "/history", 422, "unknown_decision", params={"decision": "maybe"}),
    *both("GET", "/history", "/history", 422, "invalid_request", params={"reviewer": "x" * 2001}),
    # operations
    Case("DELETE", "/health", "/health", 405, "method_not_allowed"),
    Case("POST", "/metrics", "/metrics", 405, "method_not_allowed"),
    Case("GET", None, "/nowhere", 404, "not_found"),
    Case("GET", None, "/documents/a/b", 404, "not_found"),
]


async def counts(client: httpx.AsyncClient) -> tuple[int, int]:
    documents = (await client.get("/documents/stats")).json()["documents"]
    questions = (await client.get("/translation/quality")).json()["questions"]
    listed = len((await client.get("/documents", params={"limit": 1000})).json()["documents"])
    return documents + listed, questions


def check(case: Case, response: httpx.Response, openapi: dict[str, Any]) -> str | None:
    """What is wrong with the answer to `case`, or None."""
    if response.status_code != case.status:
        return f"status {response.status_code}, not {case.status}: {response.text[:200]}"
    try:
        body = ErrorBody.model_validate(response.json())
    except ValueError as exc:
        return f"not the error body: {exc} {response.text[:200]}"
    codes = case.code if isinstance(case.code, tuple) else (case.code,)
    if body.error not in codes or not body.detail.strip():
        return f"error {body.error!r} (wanted {codes}), detail {body.detail!r}"
    if body.error == "invalid_request" and not body.problems:
        return "invalid_request without its problems"
    if case.route is not None and case.status != 405:
        declared = openapi["paths"][case.route][case.method.lower()]["responses"].get(str(case.status))
        if declared is None or "ErrorBody" not in json.dumps(declared):
            return f"{case.status} is not declared with the error body for {case.method} {case.route}"
    return None


async def test_every_bad_input_gets_its_declared_4xx_and_moves_no_count(client: httpx.AsyncClient) -> None:
    assert len(CASES) >= 100
    stored = await client.post("/documents/upload", files={"file": ("kept.txt", TXT)})
    assert stored.status_code == 201, stored.text
    openapi = (await client.get("/openapi.json")).json()
    for _ in range(100):  # the running totals follow the record the upload waited for
        if (before := await counts(client))[0] == 2:
            break
        await asyncio.sleep(0.05)
    assert before[0] == 2
    failures = []
    for case in CASES:
        response = await client.request(case.method, case.path, **case.request)
        if (problem := check(case, response, openapi)) is not None:
            failures.append(f"{case.method} {case.path} {str(case.request)[:120]}: {problem}")
        elif case.method != "GET" and await counts(client) != before:
            failures.append(f"{case.method} {case.path} {str(case.request)[:120]}: the counts moved from {before} to {await counts(client)}")
    assert not failures, "\n".join(failures)
    assert await counts(client) == before


async def test_an_unexpected_error_is_a_500_with_an_error_id_the_log_carries_never_the_exception_text(caplog) -> None:  # noqa: ANN001
    from fastapi import FastAPI

    from gateway.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals at /srv/mirage")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://mirage") as http:
        response = await http.get("/boom")
    assert response.status_code == 500
    body = ErrorBody.model_validate(response.json())
    assert body.error == "internal_error" and body.error_id and body.error_id in body.detail
    assert "secret" not in response.text and "RuntimeError" not in response.text
    logged = [r for r in caplog.records if body.error_id in r.getMessage()]
    assert logged and logged[0].exc_info and "secret internals" in str(logged[0].exc_info[1])
