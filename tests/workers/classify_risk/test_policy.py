"""The routing policy: which rule holds or releases an answer, with and without the human loop."""

from __future__ import annotations

import pytest

from contracts.questions import RiskCategory, RiskFinding, RiskLevel
from workers.classify_risk.classifier import assess
from workers.classify_risk.policy import CLASSIFIER, RULES, decide


def made(level: RiskLevel, source: str = "question", category: RiskCategory = RiskCategory.dosage) -> RiskFinding:
    return RiskFinding(category=category, level=level, triggers=["dose"], source=source)


def test_the_rules_are_tried_in_the_documented_order():
    assert [rule.name for rule in RULES] == ["critical", "held_topic", "human_loop", "release"]


@pytest.mark.parametrize("loop", [False, True])
@pytest.mark.parametrize("question", [
    "I want to kill myself", "Je veux me suicider", "Quiero suicidarme", "Ich will mich umbringen",
    "My son swallowed my pills and is unconscious", "I took too many sleeping pills",
])
def test_critical_is_always_held_even_without_the_human_loop(question, loop):
    assessment = decide(assess(question, None, None, ()), enable_human_loop=loop)
    assert (assessment.route, assessment.level) == ("review", RiskLevel.critical)
    assert assessment.policy.startswith("critical:")


@pytest.mark.parametrize("question", [
    "Can I take ibuprofen while pregnant?", "Peut-on donner du Doliprane à un enfant ?", "¿Cuál es la dosis máxima que puedo tomar?",
    "Gibt es Wechselwirkungen mit Marcumar?", "Can I stop taking my antidepressant?",
])
def test_held_topics_in_the_question_are_held_without_the_human_loop(question):
    assessment = decide(assess(question, None, None, ()), enable_human_loop=False)
    assert assessment.route == "review"
    assert assessment.policy.startswith("held_topic:")


def test_medium_is_held_and_low_is_released_without_the_human_loop():
    assert decide([made(RiskLevel.medium)], enable_human_loop=False).route == "review"
    assert decide([made(RiskLevel.high, "answer")], enable_human_loop=False).route == "review"
    assert decide([made(RiskLevel.medium, "answer")], enable_human_loop=False).route == "release"
    assert decide([made(RiskLevel.low)], enable_human_loop=False).route == "release"


def test_the_human_loop_lowers_the_threshold_one_level_for_question_and_answer():
    for finding in (made(RiskLevel.low), made(RiskLevel.medium, "answer")):
        assert decide([finding], enable_human_loop=False).route == "release"
        held = decide([finding], enable_human_loop=True)
        assert held.route == "review" and held.policy.startswith("human_loop:")
    assert decide([made(RiskLevel.low, "answer")], enable_human_loop=True).route == "release"


@pytest.mark.parametrize("loop", [False, True])
def test_evidence_never_holds_an_answer(loop):
    evidence = ["Pregnancy: do not use in the last trimester. Overdose: contact a poison centre. Children: not under 12. "
                "Suicidal thoughts have been reported."]
    findings = assess("What is ibuprofen used for?", "en", "Ibuprofen relieves pain and inflammation [1].", evidence)
    assert findings and all(f.source == "evidence" and f.level == RiskLevel.low for f in findings)
    released = decide(findings, enable_human_loop=loop)
    assert (released.route, released.level) == ("release", RiskLevel.low)
    assert "pregnancy_breastfeeding low in evidence" in released.policy
    assert decide([made(RiskLevel.critical, "evidence")], enable_human_loop=loop).route == "release"


def test_a_childs_dose_in_the_answer_to_a_harmless_question_is_held():
    findings = assess("What is paracetamol used for?", "en", "Do not exceed 4 g per day; ask a doctor before giving it to a child [1].", ())
    assessment = decide(findings, enable_human_loop=False)
    assert assessment.route == "review"
    assert {f.category for f in findings if f.source == "answer"} == {RiskCategory.children}


@pytest.mark.parametrize("loop", [False, True])
def test_product_strengths_and_the_leaflets_general_instructions_are_released(loop):
    answer = ("- “Dovato 50 mg/300 mg film-coated tablets.” [1]\n- “The recommended dose is one tablet once a day, with or "
              "without food.” [1]\n- “Keep this medicine out of the sight and reach of children.” [2]")
    evidence = ["Do not take Dovato if you are pregnant. If you take too much Dovato, contact your doctor. Not for children under 6."]
    assessment = decide(assess("How do I take Dovato 50 mg/300 mg?", "en", answer, evidence), enable_human_loop=loop)
    assert assessment.route == "release", assessment.policy


@pytest.mark.parametrize("loop", [False, True])
def test_no_finding_is_released(loop):
    assessment = decide(assess("Wie wirkt Ibuprofen?", "de", "Ibuprofen hemmt die Cyclooxygenase [1].", ()), enable_human_loop=loop)
    assert (assessment.route, assessment.level, assessment.findings) == ("release", RiskLevel.none, [])
    assert assessment.policy == "release: no held topic in the question or answer (no finding): released"


def test_the_assessment_names_the_rule_the_findings_and_the_classifier():
    findings = assess("Can I take ibuprofen while pregnant?", "en", None, ())
    assessment = decide(findings, enable_human_loop=False)
    assert assessment.classifier == CLASSIFIER == "lexicon-v2+nearest-examples"
    assert assessment.findings == findings
    assert "pregnancy_breastfeeding high in question: pregnant" in assessment.policy
    assert assessment.route in ("release", "review")


def test_standard_leaflet_advice_in_an_answer_is_not_held() -> None:
    from workers.classify_risk.classifier import assess
    from workers.classify_risk.policy import decide

    answer = "- “Stop taking the tablets and see a doctor at once if you have difficulty breathing.” [1]"
    findings = assess("Quels sont les effets secondaires ?", "fr", answer, [])
    assert decide(findings, enable_human_loop=False).route == "release"
    assert decide(assess("I have difficulty breathing after the tablets", "en", None, []), False).route == "review"


@pytest.mark.parametrize("loop", [False, True])
def test_the_runbooks_pregnancy_question_is_held(loop):
    assessment = decide(assess("effets secondaires grossesse", None, None, ()), enable_human_loop=loop)
    assert assessment.route == "review"
    assert "pregnancy_breastfeeding high in question: grossesse" in assessment.policy
