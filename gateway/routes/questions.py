"""HTTP routes under /query."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from contracts.questions import Filters, QueryReceived
from contracts.search import MAX_QUERY_CHARS
from gateway.auth import ASKERS, EVERYONE, requires
from gateway.bodies import QuestionState
from gateway.errors import ApiError, error_responses
from gateway.input_checks import check_filters, check_language, check_query_id
from gateway.questions import Questions, new_query_id, present
from gateway.rate_limits import rate_limited

router = APIRouter(prefix="/query", tags=["questions"])
MAX_ANSWER_PASSAGES = 20
MAX_WAIT_S = 60
ANSWERS = {200: {"model": QuestionState, "description": "Answered, with its citations (or declined: `answered` false)"},
           202: {"model": QuestionState, "description": "`pending_review`: held for a human expert, with a notice in the asker's language; "
                                                       "`processing`: still running after MIRAGE_QUERY_WAIT_S, poll `status_url`"}}


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # no 0 for false, no "5" for 5: what the document declares

    query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The question, in English, French, Spanish or German.")
    target_language: str | None = Field(default=None, description="en, fr, es or de; default: the question's language.")
    enable_human_loop: bool = Field(default=False, description="Hold any answer with some risk for a human expert.")
    top_k: int = Field(default=5, ge=1, le=MAX_ANSWER_PASSAGES, description="Passages to answer from.")
    filters: Filters = Field(default_factory=dict, description="Metadata filters, as in /documents/search.")


def questions(request: Request) -> Questions:
    return request.app.state.questions


@router.post("", summary="Ask a question: 200 with the cited answer, or 202 when it is held for review (or still running)",
             dependencies=[Depends(requires(*ASKERS)), Depends(rate_limited("questions"))], responses=error_responses(429) | ANSWERS)
async def ask(request: Request, body: QueryRequest) -> JSONResponse:
    if not body.query.strip():
        raise ApiError(422, "invalid_request", "query: must contain text", problems=[{"field": "query", "problem": "must contain text"}])
    query_id = new_query_id()
    event = QueryReceived(
        correlation_id=query_id, query_id=query_id, query=body.query.strip(),
        target_language=check_language(body.target_language, "target_language"),
        enable_human_loop=body.enable_human_loop, top_k=body.top_k, filters=check_filters(body.filters),
    )
    status, answer = await questions(request).ask(event)
    return JSONResponse(answer, status_code=status)


@router.get("/{query_id}", summary="The state or final answer of a question; `wait` seconds for a final one (long poll)",
            dependencies=[Depends(requires(*EVERYONE))], response_model=None,
            responses=error_responses(404) | {200: {"model": QuestionState}})
async def get_question(
    request: Request, query_id: str,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT_S, description="Wait up to this long for the answer (or the rejection).")] = 0,
) -> dict[str, Any]:
    return present(await questions(request).wait(check_query_id(query_id), wait))
