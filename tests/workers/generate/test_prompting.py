"""The prompt holds what an LLM needs; a reply is accepted only in the format asked for."""

from __future__ import annotations

import pytest

from contracts.search import SearchHit
from tests.workers.generate.fakes import DOSAGE, leaflet_passages
from workers.generate.base import GenerationFailed
from workers.generate.frames import FRAMES
from workers.generate.prompting import NO_ANSWER, build_prompt, parse_reply

PASSAGES = leaflet_passages("en", first=DOSAGE)  # [1] dosage, [2] what it is, [3] side effects, [4] pregnancy
QUESTION = "¿Cuánto paracetamol puedo tomar?"


def parse(reply: str | None):  # noqa: ANN201
    return parse_reply(reply, answer_language="es", passages=PASSAGES, backend="test").draft


def test_prompt_lists_passages_with_language_title_page_and_the_answer_language() -> None:
    bare = SearchHit(chunk_id="c", score=0.5, text="Keep out of the sight and reach of children.", document_id="d")

    prompt = build_prompt(QUESTION, "es", "fr", [PASSAGES[0], bare])

    assert f"Question (Spanish (es)):\n{QUESTION}" in prompt.user
    assert "Answer language: French (fr)" in prompt.user
    assert f"[1] (language: English (en); title: {PASSAGES[0].title}; page: 2; section: {PASSAGES[0].heading})\n{PASSAGES[0].text}" in prompt.user
    assert "[2] (language: unknown language)\nKeep out of the sight and reach of children." in prompt.user
    for rule in ("only what the passages state", "answer language", "[1]", f"exactly {NO_ANSWER}", "never advise beyond"):
        assert rule in prompt.system


def test_prompt_without_passages_says_so() -> None:
    assert build_prompt(QUESTION, None, "es", []).user.endswith("Passages:\n\n(none)")


def test_markers_are_renumbered_in_order_of_first_use_and_groups_split() -> None:
    answer = parse("Durante el embarazo, a la dosis eficaz más baja [4]. No más de 4 g en 24 horas [1, 4]. Cada 4 a 6 horas [1].")

    assert answer.text == "Durante el embarazo, a la dosis eficaz más baja [1]. No más de 4 g en 24 horas [2][1]. Cada 4 a 6 horas [2]."
    assert [c.chunk_id for c in answer.citations] == [PASSAGES[3].chunk_id, PASSAGES[0].chunk_id]
    assert answer.answered and answer.backend == "test" and answer.language == "es"


def test_a_range_of_markers_cites_each_passage() -> None:
    answer = parse("No más de 4 g en 24 horas [1-2]. Durante el embarazo, a la dosis eficaz más baja [4].")

    assert answer.text == "No más de 4 g en 24 horas [1][2]. Durante el embarazo, a la dosis eficaz más baja [3]."
    assert [c.chunk_id for c in answer.citations] == [PASSAGES[0].chunk_id, PASSAGES[1].chunk_id, PASSAGES[3].chunk_id]


@pytest.mark.parametrize("reply", [NO_ANSWER, f"`{NO_ANSWER}`", f"{NO_ANSWER}.", f"<think>Nada sobre esto.</think>\n{NO_ANSWER}\n"])
def test_the_no_answer_sentinel_gives_the_frame_text(reply: str) -> None:
    answer = parse(reply)

    assert (answer.answered, answer.text, answer.citations) == (False, FRAMES["es"].no_answer, [])


@pytest.mark.parametrize(("reply", "reason"), [
    ("No más de 4 g en 24 horas [5].", r"citation \[5\] points to no passage"),
    ("No más de 4 g en 24 horas [0].", r"citation \[0\] points to no passage"),
    ("No más de 4 g en 24 horas.", "states a number or a medicine but cites no passage"),
    ("Tómelo con agua.", "answer cites no passage"),
    (f"No más de 4 g en 24 horas [1]. {NO_ANSWER}", f"{NO_ANSWER} mixed into an answer"),
    ("No más de 9 g en 24 horas [1].", r"9 g is not in \[1\]"),
    ("   ", "empty reply"),
    (None, "empty reply"),
])
def test_replies_out_of_format_fail(reply: str | None, reason: str) -> None:
    with pytest.raises(GenerationFailed, match=f"^{reason}$"):
        parse(reply)


def test_page_numbers_may_be_repeated_but_the_question_grounds_nothing() -> None:
    assert parse("No más de 4 g en 24 horas (página 2) [1].").notice is None

    answer = parse("No más de 4 g en 24 horas [1]. Sí, puede tomar 3 comprimidos a la vez [1].")  # "¿Puedo tomar 3 comprimidos?"

    assert answer.text == "No más de 4 g en 24 horas [1]."
    assert answer.notice == "Se ha eliminado una frase de esta respuesta porque los pasajes que cita no la respaldan."
