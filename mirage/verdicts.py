"""Learning from verdicts: the current risk policy against what reviewers decided, and the decided cases as a gold set."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import IO, Any

from nats.js import JetStreamContext

from contracts import topology
from contracts.questions import AnswerGenerated, RiskAssessment
from contracts.review import ReviewCase
from runtime.messaging import Records, open_bucket

HELD = ("rejected", "expired")
"""Verdicts that kept the answer from the asker: a policy that would now release those is the dangerous cell."""


async def decided_cases(js: JetStreamContext) -> AsyncIterator[ReviewCase]:
    records = Records(await open_bucket(js, topology.REVIEWS_BUCKET), ReviewCase, "query_id")
    async for case in records.scan():
        if case.verdict is not None:
            yield case


def replay_table(cases: list[ReviewCase], assess: Callable[[AnswerGenerated], RiskAssessment]) -> tuple[Counter[tuple[str, str]], list[str]]:
    """(reviewer's decision, the route the current policy takes) for every case the policy can be run on again, and the
    query ids in the dangerous cell (withheld by a reviewer, released by the policy now)."""
    table: Counter[tuple[str, str]] = Counter()
    dangerous: list[str] = []
    for case in cases:
        if case.request is None:
            continue
        route = assess(case.request).route
        decision = case.verdict.decision.value
        table[(decision, route)] += 1
        if decision in HELD and route == "release":
            dangerous.append(case.query_id)
    return table, dangerous


def gold_line(case: ReviewCase) -> dict[str, Any]:
    """One reviewed question for an evaluation set: question, draft, what the asker got, the verdict."""
    verdict = case.verdict
    final = (verdict.answer or case.draft.text) if verdict.decision.value in ("approved", "edited") else None
    return {
        "query_id": case.query_id, "question": case.question, "language": case.question_language, "answer_language": case.answer_language,
        "risk_level": case.level.value, "categories": sorted({f.category.value for f in case.assessment.findings}),
        "rule": case.assessment.policy, "draft": case.draft.text, "final_answer": final, "decision": verdict.decision.value,
        "reason": verdict.reason, "reviewer": verdict.reviewer.name, "decided_at": verdict.decided_at.isoformat(),
        "cited_documents": sorted({c.document_id for c in case.draft.citations}),
    }


def write_gold(cases: list[ReviewCase], out: IO[str]) -> int:
    for case in cases:
        out.write(json.dumps(gold_line(case), ensure_ascii=False) + "\n")
    return len(cases)
