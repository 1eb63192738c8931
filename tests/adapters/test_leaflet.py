"""Leaflet structure and asked names: the QRD template's headings in six languages, what a question asks for, which medicine it names."""

from __future__ import annotations

import pytest

from adapters.leaflet import (
    BEFORE,
    CONTENTS,
    CONTENTS_LIST,
    HOW,
    PREAMBLE,
    SIDE_EFFECTS,
    STORAGE,
    USE,
    Name,
    asked_names,
    asked_sections,
    documents_naming_most,
    fold,
    heading_section,
    missing_names,
    names_to_match,
    naming_text,
)

# The template's six headings as EMA leaflets write them, for a made-up medicine "Zentrava".
QRD_HEADINGS = {
    "en": ["1. What Zentrava is and what it is used for", "2. What you need to know before you take Zentrava", "3. How to take Zentrava",
           "4. Possible side effects", "5. How to store Zentrava", "6. Contents of the pack and other information"],
    "fr": ["1. Qu'est-ce que Zentrava et dans quel cas est-il utilisé", "2. Quelles sont les informations à connaître avant de prendre Zentrava",
           "3. Comment prendre Zentrava", "4. Quels sont les effets indésirables éventuels", "5. Comment conserver Zentrava",
           "6. Contenu de l'emballage et autres informations"],
    "es": ["1. Qué es Zentrava y para qué se utiliza", "2. Qué necesita saber antes de empezar a tomar Zentrava", "3. Cómo tomar Zentrava",
           "4. Posibles efectos adversos", "5. Conservación de Zentrava", "6. Contenido del envase e información adicional"],
    "de": ["1. Was ist Zentrava und wofür wird es angewendet?", "2. Was sollten Sie vor der Einnahme von Zentrava beachten?",
           "3. Wie ist Zentrava einzunehmen?", "4. Welche Nebenwirkungen sind möglich?", "5. Wie ist Zentrava aufzubewahren?",
           "6. Inhalt der Packung und weitere Informationen"],
    "da": ["1. Virkning og anvendelse", "2. Det skal du vide, før du begynder at tage Zentrava", "3. Sådan skal du tage Zentrava",
           "4. Bivirkninger", "5. Opbevaring", "6. Pakningsstørrelser og yderligere oplysninger"],
    "pt": ["1. O que é Zentrava e para que é utilizado", "2. O que precisa de saber antes de tomar Zentrava", "3. Como tomar Zentrava",
           "4. Efeitos indesejáveis possíveis", "5. Como conservar Zentrava", "6. Conteúdo da embalagem e outras informações"],
}
SECTIONS = [USE, BEFORE, HOW, SIDE_EFFECTS, STORAGE, CONTENTS]


@pytest.mark.parametrize("language", sorted(QRD_HEADINGS))
def test_the_six_template_sections_are_told_apart_in_every_language(language: str) -> None:
    assert [heading_section(heading) for heading in QRD_HEADINGS[language]] == SECTIONS


@pytest.mark.parametrize("heading", [
    "What is in this leaflet", "Contenido del prospecto", "Oversigt over indlægssedlen", "O que contém este folheto",
    "Was in dieser Packungsbeilage steht", "Que contient cette notice ?",
])
def test_a_table_of_contents_is_recognised(heading: str) -> None:
    assert heading_section(heading) == CONTENTS_LIST


@pytest.mark.parametrize("heading", ["Package leaflet: Information for the user", "PROSPECTO: INFORMACIÓN PARA EL USUARIO", "Gebrauchsinformation"])
def test_the_preamble_is_recognised(heading: str) -> None:
    assert heading_section(heading) == PREAMBLE


@pytest.mark.parametrize("heading", [None, "", "Anamnese", "Results of the randomised trial"])
def test_other_headings_are_no_section(heading: str | None) -> None:
    assert heading_section(heading) is None


@pytest.mark.parametrize(("question", "sections"), [
    ("What are the side effects?", {SIDE_EFFECTS}),
    ("Quels sont les effets indésirables du Zentrava ?", {SIDE_EFFECTS}),
    ("¿Qué efectos secundarios tiene?", {SIDE_EFFECTS}),
    ("Welche Nebenwirkungen hat Zentrava?", {SIDE_EFFECTS}),
    ("How should I store the tablets?", {STORAGE}),
    ("Faut-il garder le Zentrava au réfrigérateur ?", {STORAGE}),
    ("¿Cómo tengo que guardar Zentrava?", {STORAGE}),
    ("Wie bewahre ich die Tabletten richtig auf?", {STORAGE}),
    ("What is Zentrava used for?", {USE}),
    ("À quoi sert le Zentrava ?", {USE}),
    ("¿Para qué sirve Zentrava?", {USE}),
    ("Wofür wird Zentrava verschrieben?", {USE}),
    ("How do I take Zentrava?", {HOW}),
    ("¿Cada cuánto se puede tomar un comprimido?", {HOW}),
    ("What do the tablets look like?", {CONTENTS}),
    ("¿Lleva lactosa?", {CONTENTS}),
    ("Can I take Zentrava while I am pregnant?", {BEFORE, HOW}),
    ("Darf ich danach Auto fahren?", {BEFORE}),
    ("Can Zentrava cause diarrhoea?", {SIDE_EFFECTS}),
    ("Les comprimés de Zentrava peuvent-ils constiper ?", {SIDE_EFFECTS}),
    ("¿Puede Zentrava provocar dolor de cabeza?", {SIDE_EFFECTS}),
    ("Kann Zentrava schwindelig machen?", {SIDE_EFFECTS}),
])
def test_what_a_question_asks_for(question: str, sections: set[str]) -> None:
    assert asked_sections(question) == sections


def test_how_to_take_gives_way_to_a_more_specific_request() -> None:
    """"given" and "take" are everywhere: a storage question that mentions an injection is about storage."""
    assert asked_sections("How should the vaccine be kept before the injection is given?") == {STORAGE}


def words(names: list[Name]) -> list[tuple[str, bool]]:
    return [(name.word, name.strong) for name in names]


@pytest.mark.parametrize(("question", "language", "expected"), [
    ("What are the common side effects of Crestor (rosuvastatin)?", "en", [("Crestor", True), ("rosuvastatin", True)]),
    ("Quels sont les effets indésirables du latanoprost ?", "fr", [("latanoprost", True)]),
    ("¿Cómo se toma la rosuvastatina?", "es", [("rosuvastatina", True)]),
    ("Que faire si j'oublie de prendre mon irbésartan ?", "fr", [("irbésartan", True)]),
    ("What are the side effects?", "en", []),
    ("Welche Nebenwirkungen hat Zentrava?", "de", [("Zentrava", False)]),
    ("Welche Nebenwirkungen hat Metformin?", "de", [("Metformin", True)]),
    ("Darf ich die Brausetabletten im Kühlschrank lagern?", "de", []),
    ("Ich habe eine Tablette mit der Prägung „SV 137“ gefunden.", "de", [("SV 137", True)]),
])
def test_names_a_question_asks_about(question: str, language: str, expected: list[tuple[str, bool]]) -> None:
    assert words(asked_names(question, language)) == expected


@pytest.mark.parametrize(("asked", "text"), [
    ("irbésartan", "Karvea contains irbesartan."), ("Irbesartán", "IRBESARTAN 150 mg"), ("Mirtazapin", "mirtazapina cinfa 30 mg"),
    ("rosuvastatina", "Rosuvastatin lowers cholesterol."), ("dolutégravir", "Dolutegravir/lamivudine"),
])
def test_a_name_is_found_across_accents_case_and_language_endings(asked: str, text: str) -> None:
    assert Name(asked, strong=True).found_in(fold(text))


def test_a_name_is_not_found_inside_another_word() -> None:
    assert not Name("Tetra", strong=True).found_in(fold("Vaxigriptetra is a vaccine"))


def test_names_are_missing_when_no_text_has_any() -> None:
    names = asked_names("What are the common side effects of Crestor (rosuvastatin)?", "en")

    assert words(missing_names(names, [fold("Biktarvy side effects: headache, nausea")])) == [("Crestor", True), ("rosuvastatin", True)]
    assert missing_names(names, [fold("Rosuvastatin may cause muscle pain")]) == []


def test_a_common_german_noun_found_does_not_excuse_the_missing_names() -> None:
    names = asked_names("Wie lagere ich die Dupixent-Fertigspritzen (Dupilumab)?", "de")

    missing = missing_names(names, [fold("Fertigspritzen im Kühlschrank lagern")])

    assert [name.word for name in missing] == ["Dupixent", "Dupilumab"]


def test_a_missing_strong_name_is_not_excused_by_a_weak_one_found() -> None:
    names = asked_names("Hilft Zentrava (bolagravir) bei Fieber?", "de")

    assert [name.word for name in missing_names(names, [fold("Zentrava ist ein Stärkungsmittel")])] == ["bolagravir"]


def test_the_names_to_match_are_the_strong_ones_found_else_the_specific_weak_ones() -> None:
    documents = {"a": fold("Zentrava Gelkur"), "b": fold("eine Gelkur"), "c": fold("Gelkur"), "d": fold("Gelkur"), "e": fold("x")}
    weak = asked_names("Welche Gelkur ist Zentrava?", "de")

    assert [name.word for name in names_to_match(weak, documents)] == ["Zentrava"], "a word in most documents is no name"
    strong = asked_names("Is Zentrava (bolagravir) safe?", "en")
    assert [name.word for name in names_to_match(strong, {"a": fold("bolagravir tablets")})] == ["bolagravir"]


def test_the_documents_naming_most_of_the_names_are_the_ones_about_the_question() -> None:
    names = asked_names("How should Flucelvax Tetra be stored?", "en")

    assert documents_naming_most(names, {"vaxigrip": fold("Vaxigrip Tetra"), "flucelvax": fold("Flucelvax Tetra")}) == ["flucelvax"]
    assert documents_naming_most(names, {"other": fold("Biktarvy")}) == []


def test_a_medicine_named_only_in_another_leaflets_warnings_is_not_what_that_leaflet_is_about() -> None:
    interactions = naming_text("Package leaflet", "2. What you need to know before you take Zentrava", "Do not take Zentrava with metformin.")
    use = naming_text("Package leaflet", "1. What Zentrava is and what it is used for", "Zentrava contains bolagravir.")
    names = asked_names("What are the side effects of metformin?", "en")

    assert missing_names(names, [interactions, use]) == names
    assert not missing_names(asked_names("What is bolagravir?", "en"), [interactions, use])
    assert not missing_names(asked_names("How do I take Zentrava?", "en"), [interactions]), "the heading names it"


def test_names_in_parentheses_are_other_names_of_the_same_medicine() -> None:
    names = asked_names("What are the side effects of Zentrava (bolagravir/lamivudine)?", "en")
    documents = {"full": fold("bolagravir and lamivudine"), "brand": fold("Zentrava"), "other": fold("lamivudine")}

    assert documents_naming_most(names, documents) == ["full", "brand", "other"]
