"""The runbook's review workflow over HTTP, on the whole embedded stack: a held question reaches its asker after a verdict."""

from __future__ import annotations

from tests.factories import SAMPLES, make_txt


async def held_question(client) -> str:  # noqa: ANN001
    assert (await client.post("/documents/upload", files={"file": ("fr.txt", make_txt(**SAMPLES["fr"]))})).status_code == 201
    response = await client.post("/query", json={"query": "effets secondaires grossesse", "enable_human_loop": True})
    assert response.status_code == 202 and response.json()["status"] == "pending_review", response.text
    return response.json()["query_id"]


async def test_the_runbook_workflow_releases_the_approved_answer_to_its_asker(client) -> None:  # noqa: ANN001
    query_id = await held_question(client)
    status = (await client.get("/validation/status")).json()
    assert status["open"] >= 1 and status["by_state"].get("pending", 0) >= 1
    pending = (await client.get("/validation/pending")).json()["pending"]
    assert query_id in [case["query_id"] for case in pending]
    case = (await client.get(f"/validation/query/{query_id}")).json()
    assert case["draft"]["text"] and case["evidence"] and case["rule"] and case["history"][0]["action"] == "parked"
    assert (await client.get(f"/query/{query_id}")).json().get("answer") is None  # nothing shown before the verdict

    decided = await client.post("/validation/decide", json={"query_id": query_id, "decision": "approved",
                                                             "feedback": "Validé par expert médical"})
    assert decided.status_code == 200, decided.text
    assert [entry["action"] for entry in decided.json()["history"]] == ["parked", "claimed", "approved"]
    answer = (await client.get(f"/query/{query_id}", params={"wait": 5})).json()
    assert answer["status"] == "answered" and answer["answer"] == case["draft"]["text"] and answer["reviewed"]["decision"] == "approved"

    again = await client.post("/validation/decide", json={"query_id": query_id, "decision": "rejected", "feedback": "no"})
    assert again.status_code == 409 and again.json()["error"] == "already_decided"
    history = (await client.get("/validation/history")).json()["history"]
    assert history[0]["query_id"] == query_id and history[0]["verdict"]["decision"] == "approved"
    day = history[0]["verdict"]["decided_at"][:10]  # a date, or a date-time without an offset, is UTC
    assert [c["query_id"] for c in (await client.get("/validation/history", params={"since": day})).json()["history"]] == [query_id]
    assert (await client.get("/validation/history", params={"until": "2000-01-01T00:00:00"})).json()["history"] == []
    assert (await client.get("/validation/history", params={"since": "1700000000"})).status_code == 422  # not seconds since 1970


async def test_bad_verdicts_are_refused_with_their_reason(client) -> None:  # noqa: ANN001
    query_id = await held_question(client)
    cases = [
        ({"query_id": query_id, "decision": "maybe"}, 422, "unknown_decision"),
        ({"query_id": query_id, "decision": "edited", "feedback": "dose"}, 422, "answer_required"),
        ({"query_id": query_id, "decision": "rejected"}, 422, "reason_required"),
        ({"query_id": query_id, "decision": "escalated", "feedback": "  "}, 422, "reason_required"),
        ({"query_id": query_id, "decision": "approved", "feedback": "x" * 5000}, 422, "invalid_request"),
        ({"query_id": "0" * 32, "decision": "approved"}, 404, "case_not_found"),
    ]
    for body, status, error in cases:
        response = await client.post("/validation/decide", json=body)
        assert (response.status_code, response.json()["error"]) == (status, error), (body, response.text)
    assert (await client.get(f"/validation/query/{'0' * 32}")).status_code == 404
    assert (await client.get(f"/validation/query/{query_id}")).json()["status"] == "pending"  # nothing moved
