"""The review queue in Prometheus: cases by state and level, waiting times, verdicts, deadline breaches, pace per reviewer."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from contracts.review import ReviewCase, ReviewDecided

WAIT_BUCKETS = (30, 60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600)

PARKED = Counter("mirage_review_cases_parked_total", "Answers held for a human expert, by risk level.", ["level"])
CASES = Gauge("mirage_review_cases", "Review cases by state and risk level (as of the last sweep).", ["state", "level"])
OLDEST_OPEN = Gauge("mirage_review_oldest_open_seconds", "Age of the oldest case still waiting for a verdict (0: none).")
TIME_TO_CLAIM = Histogram("mirage_review_time_to_claim_seconds", "From parking to the first claim.", buckets=WAIT_BUCKETS)
TIME_TO_VERDICT = Histogram("mirage_review_time_to_verdict_seconds", "From parking to the verdict.", buckets=WAIT_BUCKETS)
VERDICTS = Counter("mirage_review_verdicts_total", "Verdicts by decision (expired: nobody decided in time).", ["decision"])
DEADLINE_BREACHES = Counter("mirage_review_deadline_breaches_total", "Cases escalated because their deadline passed.", ["level"])
DECISION_SECONDS = Histogram("mirage_review_decision_seconds", "From a reviewer's claim to their verdict, per reviewer "
                             "(a median of a few seconds suggests rubber-stamping).", ["reviewer"],
                             buckets=(5, 15, 30, 60, 120, 300, 600, 1800, 3600))


def observe_verdict(case: ReviewCase, decided: ReviewDecided) -> None:
    VERDICTS.labels(decision=decided.decision.value).inc()
    TIME_TO_VERDICT.observe(max(0.0, (decided.occurred_at - case.parked_at).total_seconds()))
    claims = [entry for entry in case.history if entry.action == "claimed" and entry.actor.name == decided.reviewer.name]
    if claims and decided.reviewer.role != "system":
        DECISION_SECONDS.labels(reviewer=decided.reviewer.name).observe(max(0.0, (decided.occurred_at - claims[-1].at).total_seconds()))
