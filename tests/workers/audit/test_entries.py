"""What the trail records of each event: the action, who, the text before and after, the reason, the policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contracts.audit import AuditAction
from contracts.questions import AnswerRejected, ReviewNote
from contracts.review import SYSTEM, Actor, Decision, ReviewClaimed, ReviewDecided, ReviewEscalated
from tests.workers.audit.events import ASSESSMENT, DRAFT, REVIEWER, case_of, parked, released
from workers.audit.handlers import entry_for, needs_case, parse_audited

ADMIN = Actor(name="chief", role="admin", authenticated_by="api_key")
POLICY = f"{ASSESSMENT.classifier}: {ASSESSMENT.policy}"


def test_an_automatic_release_is_mirages_own_step_with_the_policy_that_let_it_through() -> None:
    event = released(parked("q1"), "Paracetamol: up to 4 g a day [1].")
    entry = entry_for(event, None)
    assert not needs_case(event)
    assert (entry.action, entry.actor, entry.before, entry.after) == (AuditAction.released_automatically, SYSTEM, None,
                                                                     "Paracetamol: up to 4 g a day [1].")
    assert entry.policy == POLICY and entry.reason.startswith("risk high")
    assert entry.source_event_id == str(event.event_id) and entry.at == event.occurred_at


def test_a_cached_answer_served_again_is_recorded_too() -> None:
    entry = entry_for(released(parked("q2"), DRAFT, cached_from="q1"), None)
    assert entry.action == AuditAction.released_from_cache and "q1" in entry.reason


def test_a_release_after_review_names_the_verdict_and_keeps_the_draft_as_before() -> None:
    request = parked("q3")
    note = ReviewNote(decision="approved", reviewer="dr.martin", decided_at=datetime.now(UTC))
    entry = entry_for(released(request, DRAFT, review=note), case_of(request))
    assert (entry.action, entry.actor, entry.before, entry.after) == (AuditAction.released_after_review, SYSTEM, DRAFT, DRAFT)
    assert "approved by dr.martin" in entry.reason
    reused = entry_for(released(request, DRAFT, review=note.model_copy(update={"reused_from": "q0"})), case_of(request))
    assert reused.reason.endswith("given again from question q0")


@pytest.mark.parametrize(("decision", "after"), [(Decision.approved, DRAFT), (Decision.rejected, None), (Decision.expired, None)])
def test_a_verdict_records_the_reviewer_the_draft_and_what_the_asker_will_read(decision: Decision, after: str | None) -> None:
    request = parked("q4")
    verdict = ReviewDecided(correlation_id="q4", query_id="q4", decision=decision, reviewer=REVIEWER if decision != Decision.expired else SYSTEM,
                            reason=None if decision == Decision.approved else "not for a child")
    entry = entry_for(verdict, case_of(request))
    assert (entry.action.value, entry.before, entry.after, entry.policy) == (decision.value, DRAFT, after, POLICY)


def test_claims_released_and_escalations_name_who() -> None:
    until = datetime.now(UTC) + timedelta(minutes=10)
    given_up = ReviewClaimed(correlation_id="q5", query_id="q5", reviewer=REVIEWER, lease_until=until, released=True, released_by=ADMIN)
    entry = entry_for(given_up, None)
    assert (entry.action, entry.actor, entry.reason) == (AuditAction.claim_released, ADMIN, "claim held by dr.martin")
    escalated = entry_for(ReviewEscalated(correlation_id="q5", query_id="q5", by=SYSTEM, reason="deadline passed"), None)
    assert (escalated.action, escalated.actor, escalated.reason) == (AuditAction.escalated, SYSTEM, "deadline passed")


def test_a_withheld_answer_records_the_notice_the_asker_reads() -> None:
    request = parked("q6")
    rejected = AnswerRejected(correlation_id="q6", query_id="q6", decision="expired", notice="Aucune réponse validée.", answer_language="fr")
    entry = entry_for(rejected, case_of(request))
    assert (entry.action, entry.before, entry.after) == (AuditAction.withheld, DRAFT, "Aucune réponse validée.")


def test_events_are_read_by_their_subject() -> None:
    event = parked("q7")
    assert parse_audited("mirage.review.requested.q7", event.model_dump(mode="json")) == event
    with pytest.raises(ValueError, match="not an audited subject"):
        parse_audited("mirage.query.received", {})
