"""Route an assessed answer: release it, or hold it for a human expert. The rules are data (`RULES`), tried in order.

| # | rule       | applies when                                                                         | route   |
|---|------------|--------------------------------------------------------------------------------------|---------|
| 1 | critical   | a question finding is critical: self-harm, emergency, an overdose taken               | review, even without the human loop |
| 2 | held_topic | a question finding at medium or above, or an answer finding at high                  | review  |
| 3 | human_loop | `enable_human_loop`, and a question finding at low or above, or an answer one at medium | review  |
| 4 | release    | otherwise                                                                            | release |

The question's intent decides (`HOLD_FROM`). Its findings come from the lexicon and from the semantic stage (the
nearest labelled examples, `semantic.py`), which catches wordings the lexicon misses. The answer counts only for
what its sentences tell the asker (`classifier.answer_level`): a child's or a pregnancy dose is high, a warning about
pregnancy or children medium, every other mention low. Evidence findings (the passages retrieved) never hold an
answer, with or without the human loop: nearly every leaflet has a pregnancy, a children and an overdose section, and
what the answer does not quote is not what the asker reads. They are read for a held answer alone, for its reviewer
(`handlers.assessment_of`). `enable_human_loop` lowers the threshold one level for the question and for the answer.

Administration. "How do I take it?", "how many capsules a day?" or "can I chew the tablets?" asked of a medicine in
general get the leaflet's general instructions: ordinary information, released, and a dose for adults in the answer
is low. Dosage advice for someone in particular (the asker, "my son", "20 kg", "70 years old", "I have kidney
failure") is held: the figure in the leaflet may be wrong for that person. A pharmacist would not want every "how do
I take it" in the queue, and must see every "how much can I give my 3-year-old".

Medium is held, not only high: a pharmacist expects "can I stop my antidepressant?" in the queue. The level still
orders the reviewer's queue: critical before high before medium.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contracts.questions import RiskAssessment, RiskFinding, RiskLevel
from workers.classify_risk.classifier import LEVEL_ORDER, level_of

CLASSIFIER = "lexicon-v2+nearest-examples"
REVIEW = "review"
RELEASE = "release"
HOLD_FROM: dict[str, tuple[RiskLevel, RiskLevel]] = {
    "question": (RiskLevel.medium, RiskLevel.low),
    "answer": (RiskLevel.high, RiskLevel.medium),
}
"""By source, the lowest level that holds: without the human loop, with it. Evidence is absent: it never holds."""

Select = Callable[[Sequence[RiskFinding], bool], list[RiskFinding]]


@dataclass(frozen=True)
class Rule:
    name: str
    route: str
    explanation: str
    select: Select
    """The findings that make the rule apply; the rule applies when there is at least one (`release` always applies)."""


def _held(finding: RiskFinding, loop: bool) -> bool:
    floors = HOLD_FROM.get(finding.source)
    return floors is not None and LEVEL_ORDER[finding.level] >= LEVEL_ORDER[floors[loop]]


RULES: tuple[Rule, ...] = (
    Rule("critical", REVIEW, "critical risk ({findings}): always held for a human expert, even without the human loop",
         lambda findings, loop: [f for f in findings if f.level == RiskLevel.critical and f.source == "question"]),
    Rule("held_topic", REVIEW, "the question or answer touches a held topic ({findings}): held for a human expert",
         lambda findings, loop: [f for f in findings if _held(f, False)]),
    Rule("human_loop", REVIEW, "human loop requested and the question or answer touches a sensitive topic ({findings}): held for a human expert",
         lambda findings, loop: [f for f in findings if _held(f, True)] if loop else []),
    Rule("release", RELEASE, "no held topic in the question or answer ({findings}): released",
         lambda findings, loop: list(findings)),
)


def _describe(findings: Sequence[RiskFinding]) -> str:
    def one(f: RiskFinding) -> str:
        found = f"nearest examples (margin {f.score}): {' | '.join(f.triggers)}" if f.stage == "semantic" else ", ".join(f.triggers)
        return f"{f.category.value} {f.level.value} in {f.source}: {found}"

    return "; ".join(one(f) for f in findings) or "no finding"


def decide(findings: Sequence[RiskFinding], enable_human_loop: bool) -> RiskAssessment:
    """Apply the first rule whose condition holds; `policy` names it and the findings behind it, in words."""
    for rule in RULES:
        behind = rule.select(findings, enable_human_loop)
        if behind or rule.route == RELEASE:
            return RiskAssessment(
                level=level_of(findings), findings=list(findings), route=rule.route, classifier=CLASSIFIER,
                policy=f"{rule.name}: {rule.explanation.format(findings=_describe(behind))}",
            )
    raise AssertionError("the release rule always applies")
