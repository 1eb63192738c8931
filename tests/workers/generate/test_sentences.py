"""Answer material: statements, lists joined to the line that introduces them, boilerplate told apart."""

from __future__ import annotations

import pytest

from adapters.answer_units import answer_units
from workers.generate.boilerplate import is_boilerplate
from workers.generate.subsections import EXCIPIENT, OVERDOSE, asked_subsections, subsections

SIDE_EFFECTS = (
    "If you notice these symptoms, tell your doctor immediately. Common side effects (may affect up to 1 in 10 people)\n"
    "headache\n"
    "feeling sick (nausea)\n"
    "abnormal dreams\n"
    "Tell your doctor if any of the side effects get serious."
)


def test_a_list_is_one_unit_with_its_lead_in() -> None:
    units = answer_units(SIDE_EFFECTS)

    lists = [unit.text for unit in units if unit.is_list]
    assert lists == ["Common side effects (may affect up to 1 in 10 people): headache; feeling sick (nausea); abnormal dreams"]


def test_statements_around_a_list_stay_statements_in_order() -> None:
    units = answer_units(SIDE_EFFECTS)

    assert [unit.text for unit in units] == [
        "If you notice these symptoms, tell your doctor immediately.",
        "Common side effects (may affect up to 1 in 10 people): headache; feeling sick (nausea); abnormal dreams",
        "Tell your doctor if any of the side effects get serious.",
    ]
    assert [unit.position for unit in units] == [0, 1, 2]


def test_a_lead_in_ending_with_a_colon_introduces_a_list() -> None:
    units = answer_units("Die Tabletten enthalten:\nMagnesiumstearat\nLactose-Monohydrat")

    assert [(unit.text, unit.is_list) for unit in units] == [("Die Tabletten enthalten: Magnesiumstearat; Lactose-Monohydrat", True)]


def test_bare_headings_and_questions_are_no_answer_material() -> None:
    units = answer_units("How to store Zentrava\nWhat should I do?\nStore below 25 °C in the original package.")

    assert [unit.text for unit in units] == ["Store below 25 °C in the original package."]


def test_generic_advice_is_boilerplate_in_every_language() -> None:
    boilerplate = [
        "If you get any side effects, talk to your doctor or pharmacist.",
        "You can also report side effects directly via the national reporting system listed in Appendix V.",
        "Si experimenta cualquier tipo de efecto adverso, consulte a su médico o farmacéutico.",
        "Si vous ressentez un quelconque effet indésirable, parlez-en à votre médecin ou votre pharmacien.",
        "Wenn Sie Nebenwirkungen bemerken, wenden Sie sich an Ihren Arzt oder Apotheker.",
    ]
    specific = ["Store in a refrigerator (2 °C to 8 °C).", "Common side effects include headache and nausea."]

    assert all(is_boilerplate(text) for text in boilerplate)
    assert not any(is_boilerplate(text) for text in specific)


def test_advice_that_states_a_number_is_specific() -> None:
    assert not is_boilerplate("In case of overdose, consult your doctor or pharmacist or call the poison centre on 91 562 04 20.")
    assert is_boilerplate("For more details, talk to your doctor (see section 3).")


@pytest.mark.parametrize(("line", "asking", "not_asking"), [
    ("Do not throw away any medicines via wastewater or household waste.",
     "What do I do with tablets I no longer need?", "How should I store Zentrava?"),
    ("Los medicamentos no se deben tirar por los desagües ni a la basura.", "¿Cómo me deshago de los comprimidos que sobran?",
     "¿Cómo se conserva Zentrava?"),
    ("Do not use this medicine after the expiry date which is stated on the carton after EXP.",
     "Wie lange ist Zentrava haltbar?", "Wie bewahre ich Zentrava auf?"),
    ("You can also report side effects directly via the national reporting system.",
     "Comment signaler un effet indésirable ?", "Quels sont les effets indésirables de Zentrava ?"),
])
def test_template_lines_are_boilerplate_unless_the_question_asks_for_them(line: str, asking: str, not_asking: str) -> None:
    assert is_boilerplate(line, not_asking)
    assert not is_boilerplate(line, asking)


def test_a_table_of_contents_and_markdown_headings_in_the_text_are_left_out() -> None:
    text = ("## 4. Possible side effects\nContenido del prospecto:\nQué es Zentrava y para qué se utiliza\nCómo tomar Zentrava\n"
            "Zentrava puede producir dolor de cabeza en algunas personas.")

    assert [unit.text for unit in answer_units(text)] == ["Zentrava puede producir dolor de cabeza en algunas personas."]


def test_lines_a_layout_wrapped_are_joined_and_list_items_are_not() -> None:
    text = ("Do not use this medicine after the expiry date which is stated on the carton after EXP. The expiry\n"
            "date refers to the last day of that month.\n" + SIDE_EFFECTS)

    units = [unit.text for unit in answer_units(text)]

    assert units[:2] == ["Do not use this medicine after the expiry date which is stated on the carton after EXP.",
                         "The expiry date refers to the last day of that month."]
    assert "Common side effects (may affect up to 1 in 10 people): headache; feeling sick (nausea); abnormal dreams" in units


def test_a_section_that_begins_inside_the_passage_heads_the_units_under_it() -> None:
    units = answer_units("Ask your pharmacist how to throw away medicines you no longer use.\n## 5. How to store Zentrava\n"
                         "Store below 25 °C in the original package.")

    assert [(unit.text, unit.heading, unit.position) for unit in units] == [
        ("Ask your pharmacist how to throw away medicines you no longer use.", None, 0),
        ("Store below 25 °C in the original package.", "5. How to store Zentrava", 1),
    ]


def test_a_passage_that_begins_inside_the_overdose_lines_is_in_them_from_its_first_line() -> None:
    assert subsections([
        "In case of an excessive dose of hypericum, protect yourself from sunlight for 1-2 weeks.",
        "En caso de dosis excesiva, protéjase de la luz solar.",
    ]) == [OVERDOSE, OVERDOSE]


def test_an_excipient_warning_is_a_sub_section_in_every_language() -> None:
    assert subsections(["Driving and using machines You may feel dizzy.", "mirtazapina cinfa contiene lactosa.",
                        "Si su médico le ha indicado que padece una intolerancia a ciertos azúcares, consulte con él."]) == [
        None, EXCIPIENT, EXCIPIENT]
    assert subsections(["Ce médicament contient du sodium."]) == [EXCIPIENT]
    assert asked_subsections("¿La mirtazapina cinfa lleva lactosa?") == {EXCIPIENT}
    assert asked_subsections("Enthält Zentrava Laktose?") == {EXCIPIENT}
