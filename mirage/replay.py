"""Operators' replay of recorded questions: today's risk policy over past drafts, never through the production consumers.

An ordered consumer (ephemeral, no acks, flow-controlled by the server) reads the questions stream from a time on:
each drafted answer (`mirage.answer.generated`) and the route classify-risk took for it then (parked for review, or
released). The drafts are assessed again with the current lexicon, semantic stage and policy; nothing is published.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy

from contracts import subjects, topology
from contracts.questions import AnswerGenerated, RiskAssessment

FIRST_MESSAGE_WAIT_S = 2.0
"""How long to wait for the first message before concluding that nothing was recorded since the given time."""


@dataclass(frozen=True)
class Recorded:
    """One drafted answer as it was routed then."""

    draft: AnswerGenerated
    route: str | None  # "review", "release", or None when no route was recorded (the question failed, or is still running)


@dataclass
class QuestionReplay:
    """Recorded routes against today's, and every question whose route would change."""

    table: Counter[tuple[str, str]] = field(default_factory=Counter)
    changed: list[dict[str, Any]] = field(default_factory=list)
    questions: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"questions": self.questions, "table": {f"{then}->{now}": n for (then, now), n in sorted(self.table.items())},
                "would_change": len(self.changed), "changed": self.changed}


def route_of(subject: str) -> str | None:
    if subject.startswith(subjects.REVIEW_REQUESTED + "."):
        return "review"
    if subject.startswith(subjects.ANSWER_RELEASED + "."):
        return "release"
    return None


async def recorded_questions(js: JetStreamContext, since: datetime | None, on_total: Callable[[int], None] = lambda n: None
                             ) -> AsyncIterator[Recorded]:
    """Every drafted answer stored since `since` (all when None), with the route it took then, in stream order.

    A release after a reviewer's verdict is also on `mirage.answer.released`: the first route seen for a question
    counts, and classify-risk's comes before any verdict.
    """
    stream = topology.QUESTIONS.name
    info = await js.stream_info(stream)
    last = info.state.last_seq
    if info.state.messages == 0:
        return
    on_total(info.state.messages)
    config = (ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since.isoformat())
              if since else ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
    sub = await js.subscribe("mirage.>", stream=stream, ordered_consumer=True, config=config)
    drafts: dict[str, AnswerGenerated] = {}
    routes: dict[str, str] = {}
    try:
        wait = FIRST_MESSAGE_WAIT_S
        while True:
            try:
                msg = await sub.next_msg(timeout=wait)
            except TimeoutError:
                break
            wait = 30.0  # once messages flow, a gap is the server being slow, not the end
            if msg.subject == subjects.ANSWER_GENERATED:
                draft = AnswerGenerated.model_validate_json(msg.data)
                drafts.setdefault(draft.query_id, draft)
            elif (route := route_of(msg.subject)) is not None:
                routes.setdefault(msg.subject.rsplit(".", 1)[-1], route)
            if msg.metadata.sequence.stream >= last or msg.metadata.num_pending == 0:
                break
    finally:
        await sub.unsubscribe()
    for query_id, draft in drafts.items():
        yield Recorded(draft, routes.get(query_id))


def compare(recorded: list[Recorded], assess: Callable[[AnswerGenerated], RiskAssessment]) -> QuestionReplay:
    """Today's route for each recorded draft, against the route it took then."""
    report = QuestionReplay()
    for item in recorded:
        now = assess(item.draft)
        then = item.route or "unrouted"
        report.questions += 1
        report.table[(then, now.route)] += 1
        if item.route is not None and item.route != now.route:
            report.changed.append({
                "query_id": item.draft.query_id, "question": item.draft.query, "then": item.route, "now": now.route,
                "level": now.level.value, "rule": now.policy,
                "findings": sorted({f"{f.category.value} ({f.source}): {', '.join(f.triggers)}" for f in now.findings}),
            })
    return report
