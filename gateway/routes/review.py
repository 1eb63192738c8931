"""HTTP routes of the review workflow: /review/..., and the runbook's /validation/... as the same calls."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import utcnow
from contracts.review import MAX_ANSWER_CHARS, MAX_REASON_CHARS, OPEN_STATUSES, Actor, ReviewCommand
from contracts.search import MAX_QUERY_CHARS
from gateway.auth import requires
from gateway.errors import error_responses
from gateway.input_checks import QUERY_ID_PATTERN, Moment, check_query_id
from gateway.review import Reviews, command_for_verdict, decision_of, full_case, queue_key, summary

router = APIRouter(tags=["review"])
READERS = requires("reviewer", "auditor")
DECIDERS = requires("reviewer")
Reader = Annotated[Actor, Depends(READERS)]
Decider = Annotated[Actor, Depends(DECIDERS)]


class DecideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # the declared types, not coerced ones: "600" is no number

    query_id: str = Field(min_length=1, max_length=64, pattern=QUERY_ID_PATTERN)
    decision: str = Field(description="approved, edited, rejected or escalated.")
    feedback: str | None = Field(default=None, max_length=MAX_REASON_CHARS, description="The reason; required unless approved.")
    answer: str | None = Field(default=None, max_length=MAX_ANSWER_CHARS, description="The corrected answer, for edited.")


class ClaimRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # the declared types, not coerced ones: "600" is no number

    query_id: str = Field(min_length=1, max_length=64, pattern=QUERY_ID_PATTERN)
    lease_s: float | None = Field(default=None, gt=0, le=8 * 3600, description="How long to hold it; default MIRAGE_REVIEW_LEASE_S.")


def reviews(request: Request) -> Reviews:
    return request.app.state.reviews


def both(method: str, path: str, **kwargs: Any) -> Any:
    """The same route under /review (ours) and /validation (the runbook's)."""

    def register(function: Any) -> Any:
        for prefix in ("/review", "/validation"):
            getattr(router, method)(prefix + path, **kwargs)(function)
        return function

    return register


@both("get", "/status", summary="The queue at a glance: cases by state and level, oldest open case, breached deadlines")
async def status(request: Request, actor: Reader) -> dict[str, Any]:
    return await reviews(request).status()


@both("get", "/pending", summary="Open cases: escalated first, then critical, high, medium, low, then oldest")
async def pending(
    request: Request, actor: Reader,
    language: Annotated[str | None, Query(max_length=8)] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    def keep(case: Any) -> bool:
        return (case.status in OPEN_STATUSES and (language is None or case.question_language == language)
                and (category is None or any(f.category.value == category for f in case.assessment.findings)))

    cases, total = await reviews(request).select(keep, queue_key, offset + limit)
    return {"pending": [summary(c, utcnow()) for c in cases[offset:]], "total": total, "limit": limit, "offset": offset}


@both("get", "/query/{query_id}", summary="The whole case: question, findings and rule, draft, evidence, history",
      responses=error_responses(404))
async def case(request: Request, query_id: str, actor: Reader) -> dict[str, Any]:
    found = await reviews(request).get(check_query_id(query_id, "case_not_found"))
    return full_case(found, utcnow())


@both("post", "/claim", summary="Hold a case while deciding (a renewable lease)", responses=error_responses(404, 409))
async def claim(request: Request, body: ClaimRequest, actor: Decider) -> dict[str, Any]:
    found = await reviews(request).command(ReviewCommand(action="claim", query_id=body.query_id, actor=actor, lease_s=body.lease_s))
    return full_case(found, utcnow())


@both("post", "/release", summary="Let a claim go (its holder, or an admin)", responses=error_responses(404, 409))
async def release(request: Request, body: ClaimRequest, actor: Decider) -> dict[str, Any]:
    found = await reviews(request).command(ReviewCommand(action="release", query_id=body.query_id, actor=actor))
    return full_case(found, utcnow())


@both("post", "/decide", summary="A verdict: approved, edited (with the answer), rejected or escalated (with a reason)",
      responses=error_responses(404, 409))
async def decide(request: Request, body: DecideRequest, actor: Decider) -> dict[str, Any]:
    command = command_for_verdict(body.query_id, actor, decision_of(body.decision), body.feedback, body.answer)
    found = await reviews(request).command(command)
    return full_case(found, utcnow())


@both("get", "/history", summary="Decided cases, newest first, with filters")
async def history(
    request: Request, actor: Reader,
    reviewer: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)] = None,
    decision: Annotated[str | None, Query(max_length=16)] = None,
    language: Annotated[str | None, Query(max_length=8)] = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    wanted = decision_of(decision) if decision else None

    def keep(case: Any) -> bool:
        v = case.verdict
        return (v is not None and (reviewer is None or v.reviewer.name == reviewer) and (wanted is None or v.decision is wanted)
                and (language is None or case.question_language == language)
                and (since is None or v.decided_at >= since) and (until is None or v.decided_at <= until))

    cases, total = await reviews(request).select(keep, lambda c: c.verdict.decided_at, offset + limit, newest_first=True)
    return {"history": [summary(c, utcnow()) for c in cases[offset:]], "total": total, "limit": limit, "offset": offset}
