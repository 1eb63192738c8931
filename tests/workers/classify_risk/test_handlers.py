"""What the classify-risk handler decides for one AnswerGenerated: lexicon, answer, evidence and the semantic stage together."""

from __future__ import annotations

import pytest

from contracts.questions import AnswerGenerated, Citation, DraftAnswer, LanguageDetection
from contracts.search import SearchHit
from workers.classify_risk.handlers import assessment_of
from workers.classify_risk.semantic import Example, NearestExamples

LEAFLET = ("If you are pregnant or breast-feeding, ask your doctor before taking this medicine. If you take more than you should, "
           "contact a poison centre. Do not give to children under 12. Suicidal thoughts have been reported.")


def generated(question: str, quote: str, loop: bool = False) -> AnswerGenerated:
    """The extractive draft: the quoted sentence, framed and cited."""
    return AnswerGenerated(
        correlation_id="q", query_id="q", query=question, enable_human_loop=loop, answer_language="en",
        detection=LanguageDetection(language="en", confidence=0.9), search_query=question, translation_backend="none",
        passages=[SearchHit(chunk_id="c", score=1.0, text=LEAFLET + " " + quote, document_id="d", language="en")],
        draft=DraftAnswer(text=f"Here is what the documents say:\n- “{quote}” [1]", language="en", answered=True, backend="extractive",
                          citations=[Citation(document_id="d", chunk_id="c", quote=quote, language="en")]),
    )


@pytest.fixture(scope="module")
def nearest(embedder, tmp_path_factory) -> NearestExamples:  # noqa: ANN001
    examples = [
        Example("Nothing matters any more and I just want to vanish for good", "en", True, "r1"),
        Example("Plus rien n'a de sens, je voudrais disparaître pour de bon", "fr", True, "r1"),
        Example("What is this medicine used for?", "en", False, "h1"), Example("How should the tablets be stored?", "en", False, "h2"),
    ]
    return NearestExamples(embedder, examples, tmp_path_factory.mktemp("cache"), neighbours=1)


@pytest.mark.parametrize("loop", [False, True])
def test_an_ordinary_question_is_released_whatever_the_evidence_says(nearest, loop):
    event = generated("What is this medicine used for?", "It relieves mild to moderate pain and fever in adults.", loop)
    assessment = assessment_of(event, nearest)
    assert assessment.route == "release", assessment.policy
    assert assessment.findings == [], "the evidence is not read for a released answer"


def test_a_held_answer_records_the_evidence_findings_for_its_reviewer():
    event = generated("My son is 4, how many tablets can I give him?", "Take one tablet at bedtime.")
    assessment = assessment_of(event)
    assert assessment.route == "review"
    evidence = {f.category.value for f in assessment.findings if f.source == "evidence"}
    assert {"children", "self_harm"} <= evidence, assessment.findings
    assert "in evidence" not in assessment.policy, "the rule names what held it: the question"


def test_a_wording_the_lexicon_misses_is_held_by_the_semantic_stage(nearest):
    event = generated("Everything is pointless, I wish I could simply vanish forever", "Take one tablet at bedtime.")
    assert assessment_of(event).route == "release"  # the lexicon alone
    assessment = assessment_of(event, nearest)
    assert assessment.route == "review"
    semantic = [f for f in assessment.findings if f.stage == "semantic"]
    assert semantic and semantic[0].score is not None
    assert "nearest examples (margin" in assessment.policy
