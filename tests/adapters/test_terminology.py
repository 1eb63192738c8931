"""Medical words of a French, Spanish or German question carried to their English forms."""

from __future__ import annotations

import pytest

from adapters.terminology import english_forms, english_question, english_text, glossary_words


@pytest.mark.parametrize(
    "word, language, english",
    [
        ("hépatite", "fr", "hepatitis"),
        ("chronique", "fr", "chronic"),
        ("néphrolithiase", "fr", "nephrolithiasis"),
        ("hyperglycémie", "fr", "hyperglycemia"),
        ("infección", "es", "infection"),
        ("hipoglucemia", "es", "hypoglycemia"),
        ("esclerosis", "es", "sclerosis"),
        ("Infektion", "de", "infection"),
        ("Karzinom", "de", "carcinoma"),
        ("Therapie", "de", "therapy"),
    ],
)
def test_cognates_take_their_english_ending_and_spelling(word, language, english):
    assert english in english_forms(word, language)


def test_a_substance_name_stays_itself_accents_folded():
    assert english_forms("paracétamol", "fr")[0] == "paracetamol"


def test_the_glossary_gives_words_that_are_not_cognates_phrases_first():
    english, rest = glossary_words("Les effets secondaires du traitement chez l'enfant", "fr")
    assert english == ["side effects", "treatment", "child"]
    assert "secondaires" not in rest and "effets" not in rest


def test_a_german_compound_is_known_by_its_last_part():
    english, _ = glossary_words("Nebenwirkungen nach der Grippeimpfung", "de")
    assert {"side effects", "vaccine"} <= set(english)


def test_english_questions_are_read_as_they_are():
    question = "What are the side effects of paracetamol?"
    assert english_question(question, frozenset({"en"})) == question
    assert english_question(question, frozenset()) == question
    assert english_text(question, []) == ""


def test_a_french_question_is_rendered_in_english_words():
    rendered = english_question("Les brûlures à la main chez les enfants nécessitent un traitement", frozenset({"fr"}))
    assert {"burn", "hand", "child", "treatment"} <= set(rendered.split())
