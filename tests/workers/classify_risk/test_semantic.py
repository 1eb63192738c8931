"""The semantic stage: nearest labelled examples in the multilingual space, its findings, the shipped examples and the vector cache."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from contracts.questions import RiskCategory, RiskLevel
from workers.classify_risk.policy import decide
from workers.classify_risk.semantic import HOLD_MARGIN, LOOP_MARGIN, Example, Nearest, NearestExamples, read_examples, semantic_finding

RISKY = [
    ("I feel empty and alone every night and nothing matters any more", RiskCategory.self_harm),
    ("Je me sens vide et seul chaque soir et plus rien n'a d'importance", RiskCategory.self_harm),
    ("How much syrup should I give my little boy who has a fever?", RiskCategory.children),
    ("¿Cuánto jarabe le doy a mi niño que tiene fiebre?", RiskCategory.children),
]
HARMLESS = [
    "What is ibuprofen used for?", "À quoi sert l'ibuprofène ?", "How should insulin be stored?", "¿Cómo se conserva la insulina?",
    "What do the tablets look like?", "Wie sehen die Tabletten aus?",
]


def examples() -> list[Example]:
    risky = [Example(text, "xx", True, f"r{i // 2}", category) for i, (text, category) in enumerate(RISKY)]
    return risky + [Example(text, "xx", False, f"h{i}") for i, text in enumerate(HARMLESS)]


@pytest.fixture(scope="module")
def nearest(embedder, tmp_path_factory) -> NearestExamples:  # noqa: ANN001
    return NearestExamples(embedder, examples(), tmp_path_factory.mktemp("cache"), neighbours=2)


@pytest.mark.parametrize(("question", "category"), [
    ("Ich fühle mich jeden Abend leer und allein, nichts zählt mehr", RiskCategory.self_harm),
    ("Quelle quantité de sirop donner à mon petit garçon qui a de la fièvre ?", RiskCategory.children),
])
def test_an_unseen_wording_of_a_risky_question_is_found_in_another_language(nearest, question, category):
    found = nearest.findings(question)
    assert len(found) == 1
    assert (found[0].category, found[0].level, found[0].stage, found[0].source) == (category, RiskLevel.medium, "semantic", "question")
    assert found[0].score is not None and found[0].score >= HOLD_MARGIN
    assert found[0].triggers[0] in {text for text, _ in RISKY}


@pytest.mark.parametrize("question", ["Para qué sirve el ibuprofeno?", "Comment conserver l'insuline ?", "What do the capsules look like?"])
def test_a_harmless_question_near_harmless_examples_has_no_finding(nearest, question):
    assert nearest.findings(question) == []


def test_translations_of_one_example_count_once(embedder, tmp_path):
    one_group = [Example("I want to disappear forever", "en", True, "g"), Example("Je veux disparaître pour toujours", "fr", True, "g"),
                 Example("Quiero desaparecer para siempre", "es", True, "g"), Example("How are vaccines stored?", "en", False, "h1"),
                 Example("Where is the pharmacy?", "en", False, "h2")]
    stage = NearestExamples(embedder, one_group, tmp_path, neighbours=2)
    near = stage.nearest(embedder.embed_query("I want to disappear forever"))
    assert [e.group for e in near.risky] == ["g"]


def test_the_margin_decides_the_level():
    near = [Example("x", "en", True, "g", RiskCategory.dosage)]
    assert semantic_finding(Nearest(HOLD_MARGIN, near)).level == RiskLevel.medium
    assert semantic_finding(Nearest(LOOP_MARGIN, near)).level == RiskLevel.low
    assert semantic_finding(Nearest(LOOP_MARGIN - 0.001, near)) is None
    low = semantic_finding(Nearest(LOOP_MARGIN, near))
    assert decide([low], enable_human_loop=False).route == "release"
    assert decide([low], enable_human_loop=True).route == "review"
    assert "nearest examples (margin" in decide([low], enable_human_loop=True).policy


def test_vectors_are_cached_under_the_embedder_name_and_reused(embedder, tmp_path):
    NearestExamples(embedder, examples(), tmp_path)
    cached = list(tmp_path.glob("risk-examples-*.npy"))
    assert len(cached) == 1 and embedder.name in cached[0].name

    class Refuses:
        name, dim = embedder.name, embedder.dim

        def embed_documents(self, texts):  # noqa: ANN001, ANN202
            raise AssertionError("the cached vectors should have been used")

    NearestExamples(Refuses(), examples(), tmp_path)


def test_the_stage_needs_both_kinds_of_examples(embedder):
    with pytest.raises(ValueError, match="risky and harmless"):
        NearestExamples(embedder, [e for e in examples() if e.risky])


def test_the_shipped_examples_cover_every_language_both_kinds_and_only_the_tuning_halves():
    shipped = read_examples()
    by_kind = Counter((e.language, e.risky) for e in shipped)
    for language in ("en", "fr", "es", "de"):
        assert by_kind[(language, True)] >= 200 and by_kind[(language, False)] >= 80, language
    xsafety = {int(e.group.rsplit("-", 1)[1]) for e in shipped if e.group.startswith(("Mental_Health-", "Physical_Harm-"))}
    assert xsafety and all(index % 2 == 0 for index in xsafety), "XSafety's hold-out half (odd prompts) must stay out"
    assert all(e.category for e in shipped if e.risky)


def test_the_harmless_hold_out_split_is_not_an_example():
    import json

    from workers.classify_risk.semantic import HARMLESS_QUESTIONS

    rows = [json.loads(line) for line in Path(HARMLESS_QUESTIONS).read_text(encoding="utf-8").splitlines() if line.strip()]
    holdout = {row["text"] for row in rows if row["split"] == "holdout"}
    assert holdout and not holdout & {e.text for e in read_examples()}
