"""The gateway's review operations: read the reviews bucket, send claims and verdicts to the review desk."""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.encoders import jsonable_encoder
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from contracts import subjects
from contracts.envelope import utcnow
from contracts.review import OPEN_STATUSES, Actor, Decision, ReviewCase, ReviewCommand, ReviewCommandResult
from gateway.errors import ApiError
from runtime.process import Runtime


def queue_key(case: ReviewCase) -> tuple[int, int, datetime]:
    """The review queue's order, as the contract defines it (ReviewCase.queue_position)."""
    return case.queue_position


def summary(case: ReviewCase, now: datetime) -> dict[str, Any]:
    holder = case.holder_at(now)
    return {
        "query_id": case.query_id, "status": case.status, "level": case.level, "question": case.question,
        "categories": sorted({f.category.value for f in case.assessment.findings}), "language": case.question_language,
        "answer_language": case.answer_language, "parked_at": case.parked_at, "age_s": round((now - case.parked_at).total_seconds()),
        "deadline": case.deadline, "overdue": bool(case.deadline and now > case.deadline and not case.decided),
        "escalated": case.escalated, "held_by": holder.name if holder else None,
        "claim_until": case.claim.until if holder and case.claim else None,
        "verdict": case.verdict.model_dump(mode="json") if case.verdict else None,
    }


def mark(text: str, triggers: list[str]) -> str:
    """The text with each trigger word wrapped in [[...]] (the reviewer page shows them highlighted)."""
    words = sorted({t for t in triggers if t.strip()}, key=len, reverse=True)
    if not words:
        return text
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    return pattern.sub(lambda m: f"[[{m.group(0)}]]", text)


def full_case(case: ReviewCase, now: datetime) -> dict[str, Any]:
    triggers = [t for finding in case.assessment.findings for t in finding.triggers]
    return summary(case, now) | {
        "assessment": case.assessment.model_dump(mode="json"), "rule": case.assessment.policy, "triggers": sorted(set(triggers)),
        "draft": case.draft.model_dump(mode="json"), "draft_marked": mark(case.draft.text, triggers),
        "evidence": [{"document_id": hit.document_id, "title": hit.title, "page": hit.page, "heading": hit.heading,
                      "language": hit.language, "quote": hit.text, "quote_marked": mark(hit.text, triggers)} for hit in case.evidence],
        "history": [entry.model_dump(mode="json") for entry in case.history],
    }


class Reviews:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def get(self, query_id: str) -> ReviewCase:
        case = await self.runtime.reviews.get(query_id)
        if case is None:
            raise ApiError(404, "case_not_found", f"no review case for question {query_id}")
        return case

    async def select(self, keep: Callable[[ReviewCase], bool], order: Callable[[ReviewCase], Any], count: int,
                     newest_first: bool = False) -> tuple[list[ReviewCase], int]:
        """The first `count` kept cases in `order` (one pass over the bucket, `count` held), and how many were kept."""
        kept: list[tuple[Any, str, ReviewCase]] = []
        total = 0
        async for case in self.runtime.reviews.scan():
            if not keep(case):
                continue
            total += 1
            key = order(case)
            entry = (key, case.query_id, case) if newest_first else (Inverted(key), case.query_id, case)
            (heapq.heappush if len(kept) < count else heapq.heappushpop)(kept, entry)
        ranked = sorted(kept, key=lambda e: (e[0], e[1]), reverse=True)
        return [case for _, _, case in ranked], total

    async def status(self) -> dict[str, Any]:
        now = utcnow()
        states: Counter[str] = Counter()
        levels: Counter[str] = Counter()
        overdue, oldest, holders = 0, None, set()
        async for case in self.runtime.reviews.scan():
            states[case.status.value] += 1
            if case.status in OPEN_STATUSES:
                levels[case.level.value] += 1
                oldest = case.parked_at if oldest is None else min(oldest, case.parked_at)
                overdue += bool(case.deadline and now > case.deadline)
                if (holder := case.holder_at(now)) is not None:
                    holders.add(holder.name)
        return {
            "open": sum(levels.values()), "by_state": dict(states), "open_by_level": dict(levels),
            "oldest_open_age_s": round((now - oldest).total_seconds()) if oldest else None,
            "deadlines_breached": overdue, "reviewers_active": sorted(holders),
        }

    async def command(self, command: ReviewCommand) -> ReviewCase | None:
        settings = self.runtime.settings
        try:
            reply = await self.runtime.broker.request(command, subjects.REVIEW_DESK, timeout=settings.request_timeout_s)
        except NoRespondersError as exc:
            raise ApiError(503, "review_unavailable", "no review worker is running") from exc
        except (NatsTimeout, TimeoutError) as exc:
            raise ApiError(503, "review_unavailable", f"the review worker did not answer within {settings.request_timeout_s:g}s") from exc
        result = ReviewCommandResult.model_validate_json(reply.body)
        if result.status != 200:
            extra = {"case": jsonable_encoder(summary(result.case, utcnow()))} if result.case is not None else {}
            raise ApiError(result.status, result.error or "review_refused", result.detail or "refused", **extra)
        return result.case


class Inverted:
    """Orders the other way round, so a min-heap keeps the smallest keys."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: Inverted) -> bool:
        return self.key > other.key

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Inverted) and self.key == other.key

    def __gt__(self, other: Inverted) -> bool:
        return self.key < other.key


def decision_of(value: str) -> Decision:
    try:
        return Decision(value)
    except ValueError as exc:
        raise ApiError(422, "unknown_decision", f"decision must be approved, edited, rejected or escalated, not {value!r}") from exc


def command_for_verdict(query_id: str, actor: Actor, decision: Decision, reason: str | None, answer: str | None) -> ReviewCommand:
    if decision is Decision.expired:
        raise ApiError(422, "unknown_decision", "expired is decided by the deadline, not by a reviewer")
    reason = (reason or "").strip() or None
    if decision in (Decision.edited, Decision.rejected, Decision.escalated) and reason is None:
        raise ApiError(422, "reason_required", f"a {decision.value} verdict needs a reason (feedback)")
    if decision is Decision.edited and not (answer or "").strip():
        raise ApiError(422, "answer_required", "an edited verdict needs the corrected answer (answer)")
    return ReviewCommand(action="decide", query_id=query_id, actor=actor, decision=decision, reason=reason,
                         answer=answer.strip() if decision is Decision.edited and answer else None)
