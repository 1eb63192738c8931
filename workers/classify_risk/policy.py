"""Route an assessed answer: release it, or hold it for a human expert. The rules are data (`RULES`), tried in order.

| # | rule       | applies when                                                                  | route   |
|---|------------|-------------------------------------------------------------------------------|---------|
| 1 | critical   | a finding is critical: self-harm, emergency, overdose taken                   | review, even without the human loop |
| 2 | human_loop | `enable_human_loop` and any finding above none, evidence-only ones included   | review  |
| 3 | held_topic | a question or answer finding at medium or above                               | review  |
| 4 | release    | otherwise: no finding, or only low ones (evidence-only, general cautions)     | release |

Medium is held, not only high. The product brief holds every answer on pregnancy, children, dosage,
contraindications, overdose and self-harm, and its list of risky topics also names stopping a treatment.
A pharmacist expects "can I stop my antidepressant?" in the queue. The question and answer triggers are
narrow enough for ordinary information questions to stay under the 10% false-positive bar
(`evaluation.py`), so the only topics the lexicon finds and releases are the low ones. Low means an
evidence-only finding (capped: nearly every leaflet has a pregnancy and an overdose section) or a
general caution (side effects in general, the elderly). The human loop holds those too for whoever asks.
The level still orders the reviewer's queue: critical before high before medium.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contracts.questions import RiskAssessment, RiskFinding, RiskLevel
from workers.classify_risk.classifier import LEVEL_ORDER, level_of

CLASSIFIER = "lexicon-v1"
HOLD_FROM = RiskLevel.medium
REVIEW = "review"
RELEASE = "release"

Select = Callable[[Sequence[RiskFinding], bool], list[RiskFinding]]


@dataclass(frozen=True)
class Rule:
    name: str
    route: str
    explanation: str
    select: Select
    """The findings that make the rule apply; the rule applies when there is at least one (`release` always applies)."""


def _at_least(finding: RiskFinding, floor: RiskLevel) -> bool:
    return LEVEL_ORDER[finding.level] >= LEVEL_ORDER[floor]


RULES: tuple[Rule, ...] = (
    Rule("critical", REVIEW, "critical risk ({findings}): always held for a human expert, even without the human loop",
         lambda findings, loop: [f for f in findings if f.level == RiskLevel.critical]),
    Rule("human_loop", REVIEW, "human loop requested and risk above none ({findings}): held for a human expert",
         lambda findings, loop: [f for f in findings if f.level != RiskLevel.none] if loop else []),
    Rule("held_topic", REVIEW, "the question or answer touches a held topic ({findings}): held for a human expert",
         lambda findings, loop: [f for f in findings if f.source != "evidence" and _at_least(f, HOLD_FROM)]),
    Rule("release", RELEASE, "no held topic in the question or answer ({findings}): released",
         lambda findings, loop: list(findings)),
)


def _describe(findings: Sequence[RiskFinding]) -> str:
    return "; ".join(f"{f.category.value} {f.level.value} in {f.source}: {', '.join(f.triggers)}" for f in findings) or "no finding"


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
