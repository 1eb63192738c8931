"""Schemathesis fuzzes every operation of the OpenAPI document against the whole embedded stack serving HTTP (a real
nats-server, every worker, the gateway, in local single-user mode), with valid and invalid data: no answer is a server
error, every answer keeps to what the document declares (its status, its content type, its body's schema), and no
request the document calls invalid is accepted. The cases are the same on every run (derandomized), so a failure
reproduces; the budget is the coverage phase's boundary cases plus MAX_EXAMPLES generated ones per operation.

The reviewer's HTML pages and their forms (/review, /review/case/..., login, logout) are not in the OpenAPI document
(`include_in_schema=False`), so they are not fuzzed here: tests/browser covers them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from gateway.app import create_app
from gateway.routes.questions import MAX_WAIT_S
from runtime.settings import Settings
from tests.factories import SAMPLES, make_txt

# The document is the app's own, built without starting anything; the served stack must publish the same one.
DOCUMENT = create_app(Settings(), lambda: None).openapi()  # type: ignore[arg-type, return-value]
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, negative_data_rejection]
MAX_EXAMPLES = 10  # per operation, after the coverage phase's boundary cases
LONG_POLL_S = 1.0  # GET /query/{id}?wait= is a long poll (60 s at most): fuzzed waits are cut to this
RAN: Counter[tuple[str, str]] = Counter()  # (phase, generation mode): cases, printed at the end (pytest -s)

schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(modes=list(GenerationMode), max_examples=MAX_EXAMPLES, deterministic=True, database="none",
                                  with_security_parameters=False)


def held(http: httpx.Client, question: str) -> str:
    """A question held for review, once the review worker has parked its case."""
    asked = http.post("/query", json={"query": question, "enable_human_loop": True}).json()
    answer = http.get(f"/query/{asked['query_id']}", params={"wait": 30}).json() if asked["status"] == "processing" else asked
    assert answer["status"] == "pending_review", answer
    for _ in range(300):
        if http.get(f"/review/query/{answer['query_id']}").status_code == 200:
            return answer["query_id"]
        time.sleep(0.1)
    raise AssertionError(f"the review case of {answer['query_id']} was not parked")


@pytest.fixture(scope="module")
def base_url(served_stack) -> Iterator[str]:  # noqa: ANN001
    """The served stack with something in every list: a document, a decided case and an open one."""
    with served_stack(english_embedder="none", upload_wait_s=5.0, query_wait_s=2.0) as base, httpx.Client(base_url=base, timeout=60) as http:
        assert http.get("/openapi.json").json() == DOCUMENT
        stored = http.post("/documents/upload", files={"file": ("fr.txt", make_txt(**SAMPLES["fr"]))})
        assert stored.status_code == 201, stored.text
        decided = http.post("/review/decide", json={"query_id": held(http, "effets secondaires grossesse"), "decision": "approved"})
        assert decided.status_code == 200, decided.text
        held(http, "Quelle dose de paracétamol pour un enfant de 6 ans ?")
        started = time.monotonic()
        yield base
        kinds = ", ".join(f"{phase} {mode} {n}" for (phase, mode), n in sorted(RAN.items()))
        print(f"\nfuzzed {sum(RAN.values())} cases ({kinds}) in {time.monotonic() - started:.1f} s")


def bounded_wait(value: Any) -> Any:
    """A valid `wait` over LONG_POLL_S, cut to it; an invalid one (over MAX_WAIT_S, not a number) stays, to be refused."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return value
    return LONG_POLL_S if LONG_POLL_S < seconds <= MAX_WAIT_S and not isinstance(value, bool) else value


@schema.parametrize()
def test_no_input_gets_a_server_error_or_an_undeclared_answer(case: schemathesis.Case, base_url: str) -> None:
    if isinstance(case.query, dict) and "wait" in case.query:
        case.query["wait"] = bounded_wait(case.query["wait"])
    RAN[(case.meta.phase.name.value, case.meta.generation.mode.value)] += 1
    case.call_and_validate(base_url=base_url, checks=CHECKS, timeout=30)


def test_metrics_in_either_format_are_as_declared(base_url: str) -> None:
    """The fuzzer sends no Accept header; Prometheus asks for OpenMetrics, which the document declares too."""
    for accept in ("text/plain", "application/openmetrics-text; version=1.0.0; charset=utf-8"):
        schema["/metrics"]["GET"].Case(headers={"accept": accept}).call_and_validate(base_url=base_url, checks=CHECKS)
