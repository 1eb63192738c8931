"""A review case's life as plain functions: parked, claimed, escalated, decided; what a verdict releases."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.envelope import derived_event_id
from contracts.questions import AnswerRejected, AnswerReleased, DraftAnswer, ReviewNote, ReviewRequested, RiskLevel
from contracts.review import (
    SYSTEM,
    Actor,
    ApprovedAnswer,
    CaseEntry,
    CaseStatus,
    Claim,
    Decision,
    Reuse,
    ReviewCase,
    ReviewClaimed,
    ReviewDecided,
    ReviewEscalated,
    Verdict,
)
from workers.review.notices import refusal_notice, reviewed_notice


@dataclass(frozen=True)
class Deadlines:
    """How long a case may wait for a verdict, by risk level, before it is escalated; and before it expires."""

    critical_s: float = 900.0
    high_s: float = 3600.0
    other_s: float = 4 * 3600.0
    max_age_s: float = 72 * 3600.0

    def for_level(self, level: RiskLevel) -> timedelta:
        seconds = {RiskLevel.critical: self.critical_s, RiskLevel.high: self.high_s}.get(level, self.other_s)
        return timedelta(seconds=seconds)




def parked_case(event: ReviewRequested, deadlines: Deadlines) -> ReviewCase:
    return ReviewCase(
        query_id=event.query_id, question=event.query, question_language=event.detection.language,
        answer_language=event.answer_language, assessment=event.assessment, draft=event.draft, evidence=event.passages,
        parked_at=event.occurred_at, deadline=event.occurred_at + deadlines.for_level(event.assessment.level), request=event,
        history=[CaseEntry(at=event.occurred_at, action="parked", actor=SYSTEM, detail=event.assessment.policy)],
    )


def with_claim(case: ReviewCase, event: ReviewClaimed) -> ReviewCase:
    if case.decided:
        return case
    if event.released:
        entry = CaseEntry(at=event.occurred_at, action="claim released", actor=event.released_by or event.reviewer)
        return case.model_copy(update={"claim": None, "status": open_status(case, None),
                                       "history": [*case.history, entry]})
    claim = Claim(holder=event.reviewer, until=event.lease_until)
    entry = CaseEntry(at=event.occurred_at, action="claimed", actor=event.reviewer, detail=f"until {event.lease_until.isoformat()}")
    return case.model_copy(update={"claim": claim, "status": CaseStatus.claimed, "history": [*case.history, entry]})


def with_escalation(case: ReviewCase, event: ReviewEscalated) -> ReviewCase:
    if case.decided:
        return case
    entry = CaseEntry(at=event.occurred_at, action="escalated", actor=event.by, detail=event.reason)
    return case.model_copy(update={"escalated": True, "claim": None, "status": CaseStatus.escalated, "history": [*case.history, entry]})


def with_verdict(case: ReviewCase, event: ReviewDecided) -> ReviewCase:
    if case.decided:
        return case
    verdict = Verdict(decision=event.decision, reviewer=event.reviewer, reason=event.reason, answer=event.answer,
                      decided_at=event.occurred_at)
    entry = CaseEntry(at=event.occurred_at, action=event.decision.value, actor=event.reviewer, detail=event.reason)
    return case.model_copy(update={"verdict": verdict, "claim": None, "status": CaseStatus(event.decision.value),
                                   "history": [*case.history, entry]})


def open_status(case: ReviewCase, claim: Claim | None) -> CaseStatus:
    if claim is not None:
        return CaseStatus.claimed
    return CaseStatus.escalated if case.escalated else CaseStatus.pending


def outcome_of(case: ReviewCase, decided: ReviewDecided) -> AnswerReleased | AnswerRejected:
    """What the asker gets: the answer (as drafted or as edited, with its citations), or a safe message."""
    request = case.request
    if decided.decision in (Decision.approved, Decision.edited) and request is not None:
        text = decided.answer if decided.decision is Decision.edited and decided.answer else case.draft.text
        final: DraftAnswer = case.draft.model_copy(update={"text": text, "notice": reviewed_notice(case.answer_language)})
        reuse = decided.reuses
        note = ReviewNote(decision=decided.decision.value, reviewer=reuse.reviewer if reuse else decided.reviewer.name,
                          decided_at=reuse.decided_at if reuse else decided.occurred_at, reused_from=reuse.query_id if reuse else None)
        return AnswerReleased.following(request, f"released:{decided.event_id}", causation_id=decided.event_id, draft=final,
                                        assessment=request.assessment, released_at=decided.occurred_at, review=note)
    decision = decided.decision if decided.decision in (Decision.rejected, Decision.expired) else Decision.rejected
    categories = {finding.category for finding in case.assessment.findings}
    return AnswerRejected(
        event_id=derived_event_id(decided.event_id, "rejected"), correlation_id=case.query_id, causation_id=decided.event_id,
        query_id=case.query_id, decision=decision.value,
        notice=refusal_notice(case.answer_language, decision, categories), answer_language=case.answer_language,
    )


def claim_refusal(case: ReviewCase, actor: Actor, now: datetime) -> tuple[int, str, str] | None:
    """Why `actor` may not claim or decide this case now (status, error, detail), or None."""
    if case.decided:
        verdict = case.verdict
        return 409, "already_decided", f"{verdict.decision.value} by {verdict.reviewer.name} at {verdict.decided_at.isoformat()}"
    holder = case.holder_at(now)
    if holder is not None and holder.name != actor.name:
        return 409, "claimed", f"claimed by {holder.name} until {case.claim.until.isoformat()}"
    return None



def reuse_key(question: str, answer_language: str, documents: Iterable[str]) -> str:
    """Same question (case and spacing aside), same answer language, same cited documents: the same reviewed answer."""
    normalized = " ".join(question.casefold().split())
    return hashlib.sha256(json.dumps([normalized, answer_language, sorted(set(documents))]).encode()).hexdigest()


def cited(draft: DraftAnswer) -> list[str]:
    return sorted({citation.document_id for citation in draft.citations})


def approved_answer(case: ReviewCase, decided: ReviewDecided) -> ApprovedAnswer | None:
    """What a later identical question may be given without a new review; None unless approved or edited, with citations."""
    if decided.decision not in (Decision.approved, Decision.edited) or not case.draft.citations:
        return None
    reuse = decided.reuses
    return ApprovedAnswer(
        key=reuse_key(case.question, case.answer_language, cited(case.draft)), query_id=reuse.query_id if reuse else case.query_id,
        decision=decided.decision, text=decided.answer if decided.decision is Decision.edited and decided.answer else case.draft.text,
        reviewer=reuse.reviewer if reuse else decided.reviewer.name, decided_at=reuse.decided_at if reuse else decided.occurred_at,
        documents=cited(case.draft),
    )


def reused_verdict(case: ReviewCase, earlier: ApprovedAnswer) -> ReviewDecided:
    return ReviewDecided(
        correlation_id=case.query_id, query_id=case.query_id, decision=earlier.decision, reviewer=SYSTEM,
        answer=earlier.text if earlier.decision is Decision.edited else None,
        reason=f"the same question over the same documents was {earlier.decision.value} by {earlier.reviewer} "
               f"on {earlier.decided_at.date().isoformat()} (question {earlier.query_id})",
        reuses=Reuse(query_id=earlier.query_id, reviewer=earlier.reviewer, decided_at=earlier.decided_at),
    )
