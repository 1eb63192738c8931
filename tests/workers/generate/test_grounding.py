"""Online answers keep only the sentences whose numbers, units, medicines and markers their cited passages state."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from contracts.search import SearchHit
from tests.workers.generate.fakes import DOSAGE, DOSAGE_QUESTIONS, PREGNANCY, WIRES, FakeApi, Wire, leaflet_passages
from workers.generate.base import aclose
from workers.generate.extractive import ExtractiveGenerator
from workers.generate.fallback import FallbackGenerator
from workers.generate.grounding import ground, removed_notice, ungrounded_notice
from workers.generate.quantities import number_values

pytestmark = pytest.mark.filterwarnings("ignore:Inheritance class AiohttpClientSession:DeprecationWarning")


def hit(text: str, number: int = 1) -> SearchHit:
    return SearchHit(chunk_id=f"c{number}", score=1.0, text=text, document_id="d")


def removed(sentence: str, passage: str, language: str) -> list[str]:
    """Why `sentence`, citing `passage` as [1], is removed; [] when it is kept."""
    return [removal.reason for removal in ground(f"{sentence} [1].", [hit(passage)], language).removed]


@pytest.mark.parametrize(("written", "values"), [
    ("500", {500}), ("37,5", {37.5}), ("2.5", {2.5}), ("1.200", {1200, 1.2}), ("1,200", {1200, 1.2}), ("1.200,5", {1200.5}),
    ("1,200.5", {1200.5}), ("1\u00a0000", {1000}), ("1 000", {1000}), ("10'000", {10000}), ("1.200.000", {1200000}),
])
def test_written_numbers_read_with_decimal_commas_and_grouped_thousands(written: str, values: set[float]) -> None:
    assert number_values(written) == values


# (answer language, sentence, passage that states the same quantities in its own way)
SAME_QUANTITIES = [
    ("en", "Take 500 mg every 6 hours", "Take 0.5 g every six hours."),
    ("en", "Take up to 1,200 mg a day", "No tome más de 1.200 mg al día."),
    ("en", "Take 1 to 2 tablets", "1 oder 2 Tabletten einnehmen."),
    ("en", "Take 1 500 mg tablet", "1 comprimé de 500 mg."),
    ("en", "Take 2 tablets with water", "Take two film-coated tablets with water."),
    ("fr", "Prenez 37,5 mg 2 fois par jour", "Take 37.5 mg twice a day."),
    ("fr", "Ne dépassez pas 1 000 mg", "Do not exceed 1000 mg."),
    ("fr", "Donnez 0,5 ml par kilo", "Give 0.5 mL per kg."),
    ("fr", "Pas chez l’enfant de moins de 12 ans", "Not for children under 12."),
    ("fr", "Le SARS-CoV-2 donne la COVID-19 en 3\u2009jours", "The coronavirus causes the disease within 3 days."),
    ("es", "Tome 1.200 mg al día como máximo", "At most 1200 mg per day."),
    ("es", "Tome 2 comprimidos cada 8 horas", "Take 2 tablets every 8 hours."),
    ("es", "Tome 5 ml 3 veces al día", "Prendre 5 ml trois fois par jour."),
    ("de", "Höchstens 1,2 g pro Tag", "No more than 1200 mg per day."),
    ("de", "2 Tabletten alle 6 Stunden", "2 comprimés toutes les 6 heures."),
    ("de", "3-mal täglich 5 ml", "5 ml 3 times a day."),
    ("de", "Unter 25 °C lagern", "Conservar por debajo de 25 ºC."),
]


@pytest.mark.parametrize(("language", "sentence", "passage"), SAME_QUANTITIES)
def test_the_same_quantity_written_in_another_language_or_unit_is_grounded(language: str, sentence: str, passage: str) -> None:
    assert removed(sentence, passage, language) == []


@pytest.mark.parametrize(("language", "sentence", "passage", "reason"), [
    ("en", "Take 500 mg", "Take 500 µg.", "500 mg is not in [1]"),
    ("en", "Wait 4 hours between doses", "Wait 4 days between doses.", "4 hours is not in [1]"),
    ("fr", "Prenez 4 g par jour", "Prenez 4 mg par jour.", "4 g is not in [1]"),
    ("fr", "Prenez 37,5 mg", "Prenez 375 mg.", "37,5 mg is not in [1]"),
    ("es", "Tome 2 cápsulas", "Tome 2 comprimidos.", "2 cápsulas is not in [1]"),
    ("es", "No tome más de 1.300 mg", "No tome más de 1.200 mg.", "1.300 mg is not in [1]"),
    ("de", "Höchstens 1,2 g", "Höchstens 12 g.", "1,2 g is not in [1]"),
    ("de", "3-mal täglich", "2-mal täglich.", "3-mal is not in [1]"),
])
def test_a_different_amount_or_unit_is_not(language: str, sentence: str, passage: str, reason: str) -> None:
    assert removed(sentence, passage, language) == [reason]


@pytest.mark.parametrize(("language", "sentence", "passage", "reasons"), [
    ("fr", "L’ibuprofène soulage la fièvre", "Ibuprofen wird bei Fieber angewendet.", []),
    ("es", "El paracetamol no daña al feto", "Paracétamol peut être utilisé pendant la grossesse.", []),
    ("es", "El acetaminofén no daña al feto", "Paracetamol can be used during pregnancy.", []),
    ("en", "Amoxicillin can be taken with it", "Paracetamol can be taken with food.", ["Amoxicillin is not in [1]"]),
    ("fr", "Prenez du Doliprane 1000 mg", "Paracetamol 1000 mg, up to 4 times a day.", ["Doliprane is not in [1]"]),
    ("de", "Erwachsene nehmen die Tagesdosis 1,2 g ein", "Adults: a daily dose of 1.2 g.", []),
])
def test_medicine_names_must_be_in_the_cited_passage_whatever_their_spelling(
    language: str, sentence: str, passage: str, reasons: list[str]
) -> None:
    assert removed(sentence, passage, language) == reasons


DOSING = "Take 1 to 2 tablets every 4 to 6 hours. Do not take more than 4 g in 24 hours."
OTHER = "Rare side effects include skin rash."


def test_a_sentence_with_a_claim_must_cite_and_every_marker_must_point_to_a_passage() -> None:
    grounded = ground("The leaflet covers this. Do not exceed 4 g [1]. Never exceed 4 g. See section 3 [3].", [hit(DOSING)], "en")

    assert grounded.text == "The leaflet covers this. Do not exceed 4 g [1]."
    assert [r.reason for r in grounded.removed] == [
        "states a number or a medicine but cites no passage", "citation [3] points to no passage"]
    assert grounded.cites


def test_markers_after_the_full_stop_and_list_layout_are_kept() -> None:
    answer = "What the leaflet says:\n- 1 to 2 tablets every 4 to 6 hours. [1]\n- 6 g at once is safe [1]\n- at most 4 g in 24 hours [1][2]"

    grounded = ground(answer, [hit(DOSING), hit(OTHER, 2)], "en")

    assert grounded.text == "What the leaflet says:\n- 1 to 2 tablets every 4 to 6 hours. [1]\n- at most 4 g in 24 hours [1][2]"
    assert [r.sentence for r in grounded.removed] == ["6 g at once is safe [1]"]


def test_an_answer_of_framing_sentences_cites_nothing() -> None:
    grounded = ground("Here is what the leaflet says. Take 6 g at once [1].", [hit(DOSING)], "en")

    assert (grounded.text, grounded.cites) == ("Here is what the leaflet says.", False)


def removed_count(wire: Wire) -> float:
    return REGISTRY.get_sample_value("mirage_generation_ungrounded_sentences_total", {"backend": wire.name}) or 0.0


QUESTION = "Combien de paracétamol puis-je prendre pendant la grossesse ?"


@pytest.mark.parametrize("wire", WIRES, ids=lambda wire: wire.name.split(":")[0])
async def test_a_sentence_with_an_invented_dose_is_removed(fake_api: FakeApi, wire: Wire) -> None:
    fake_api.reply(wire.reply(
        "Les adultes prennent 1 à 2 comprimés toutes les 4 à 6 heures [1]. Ne dépassez pas 6 g par 24 heures [1]."))
    generator, before = wire.make(fake_api.url), removed_count(wire)
    try:
        answer = await generator.generate(QUESTION, "fr", "fr", leaflet_passages("en", first=DOSAGE))
    finally:
        await aclose(generator)

    assert answer.text == "Les adultes prennent 1 à 2 comprimés toutes les 4 à 6 heures [1]."
    assert [c.chunk_id for c in answer.citations] == [f"en-{DOSAGE}"]
    assert (answer.answered, answer.backend, answer.notice) == (True, wire.name, removed_notice("fr", 1))
    assert removed_count(wire) == before + 1


@pytest.mark.parametrize("wire", WIRES, ids=lambda wire: wire.name.split(":")[0])
async def test_a_sentence_citing_the_wrong_passage_is_removed(fake_api: FakeApi, wire: Wire) -> None:
    passages = leaflet_passages("en", first=DOSAGE)  # [1] dosage, [2] what it is, [3] side effects, [4] pregnancy
    fake_api.reply(wire.reply(
        "Ne dépassez pas 4 g (8 comprimés) par 24 heures [2]. Pendant la grossesse, le paracétamol peut être utilisé si nécessaire [4]."))
    generator = wire.make(fake_api.url)
    try:
        answer = await generator.generate(QUESTION, "fr", "fr", passages)
    finally:
        await aclose(generator)

    assert answer.text == "Pendant la grossesse, le paracétamol peut être utilisé si nécessaire [1]."
    assert [c.chunk_id for c in answer.citations] == [f"en-{PREGNANCY}"]
    assert answer.notice == removed_notice("fr", 1)


@pytest.mark.parametrize("wire", WIRES, ids=lambda wire: wire.name.split(":")[0])
async def test_an_answer_without_a_grounded_sentence_falls_back_to_the_extractive_one_with_a_notice(fake_api: FakeApi, wire: Wire) -> None:
    question, passages = DOSAGE_QUESTIONS["de"], leaflet_passages("de", first=DOSAGE)
    fake_api.reply(wire.reply("Nehmen Sie höchstens 2.400 mg pro Tag [1]. Bei Fieber hilft auch Aspirin [1]."))
    extractive = ExtractiveGenerator()
    generator, before = FallbackGenerator(wire.make(fake_api.url), extractive), removed_count(wire)
    try:
        answer = await generator.generate(question, "de", "de", passages)
    finally:
        await aclose(generator)

    offline = await extractive.generate(question, "de", "de", passages)
    assert (answer.text, answer.citations, answer.answered) == (offline.text, offline.citations, True)
    assert answer.notice == ungrounded_notice("de") and "nicht anhand der Dokumente" in answer.notice
    assert answer.backend == f"extractive ({wire.name} failed: 2 ungrounded sentences (2.400 mg is not in [1]; Aspirin is not in [1]))"
    assert removed_count(wire) == before + 2


@pytest.mark.parametrize("wire", WIRES, ids=lambda wire: wire.name.split(":")[0])
async def test_a_grounded_answer_passes_unchanged(fake_api: FakeApi, wire: Wire) -> None:
    reply = ("Das Merkblatt sagt Folgendes. Erwachsene nehmen 1 Tablette mit 400 mg alle 8 Stunden [1]. "
             "Ohne ärztlichen Rat nicht mehr als 1.200 mg pro Tag [1]. Ibuprofen in der Schwangerschaft: nicht im letzten Drittel [2].")
    fake_api.reply(wire.reply(reply))
    generator = FallbackGenerator(wire.make(fake_api.url), ExtractiveGenerator())
    before = removed_count(wire)
    try:
        answer = await generator.generate(DOSAGE_QUESTIONS["de"], "de", "de", leaflet_passages("es", first=DOSAGE)[:1] + [
            leaflet_passages("es", first=3)[0]])
    finally:
        await aclose(generator)

    assert (answer.text, answer.notice, answer.backend) == (reply, None, wire.name)
    assert removed_count(wire) == before


def test_list_numbers_state_nothing_and_marker_ranges_cite_each_passage() -> None:
    answer = "Dosing:\n1. Take 1 to 2 tablets [1]\n2. Rare side effects include skin rash [1-2]\n3. Never more than 9 g [2]"

    grounded = ground(answer, [hit(DOSING), hit(OTHER, 2)], "en")

    assert grounded.text == "Dosing:\n1. Take 1 to 2 tablets [1]\n2. Rare side effects include skin rash [1-2]"
    assert [r.reason for r in grounded.removed] == ["9 g is not in [2]"]
