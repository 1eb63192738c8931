"""The offline answer quotes the passages verbatim, cites them, frames them in the answer language and knows when to say nothing."""

from __future__ import annotations

import re

import pytest

from contracts.questions import DraftAnswer
from contracts.search import SearchHit
from tests.factories import DOSES
from tests.workers.generate.fakes import DOSAGE, DOSAGE_QUESTIONS, PREGNANCY, leaflet_passages
from workers.generate.extractive import ExtractiveGenerator
from workers.generate.frames import FRAMES
from workers.generate.meaning import SentenceMeaning

_LINE = re.compile(r"^- (?P<body>.+) \[(?P<number>\d+)\]$")


@pytest.fixture(scope="module")
def generator() -> ExtractiveGenerator:
    return ExtractiveGenerator()


def quoted(answer: DraftAnswer, passages: list[SearchHit]) -> list[tuple[str, str | None, SearchHit]]:
    """(sentence, label, cited passage) per line of the answer, after checking the frame around them."""
    frame = FRAMES[answer.language]
    intro, *lines = answer.text.split("\n")
    assert intro == frame.intro
    by_chunk = {p.chunk_id: p for p in passages}
    found = []
    for line in lines:
        match = _LINE.match(line)
        assert match, line
        body, citation = match["body"], answer.citations[int(match["number"]) - 1]
        label = next((label for label in frame.excerpt_labels.values() if body.startswith(label + " ")), None)
        if label:
            body = body.removeprefix(label + " ")
            assert body.startswith(frame.open_quote) and body.endswith(frame.close_quote), body
            body = body.removeprefix(frame.open_quote).removesuffix(frame.close_quote)
        passage = by_chunk[citation.chunk_id]
        assert (citation.document_id, citation.page, citation.language) == (passage.document_id, passage.page, passage.language)
        assert body in citation.quote
        found.append((body, label, passage))
    return found


def assert_verbatim_and_cited(answer: DraftAnswer, passages: list[SearchHit]) -> list[tuple[str, str | None, SearchHit]]:
    lines = quoted(answer, passages)
    assert answer.answered and lines
    for sentence, _, passage in lines:
        assert sentence in passage.text, f"{sentence!r} is not in the passage its marker cites"
    markers = [int(n) for n in re.findall(r"\[(\d+)\]", answer.text)]
    assert sorted(set(markers)) == list(range(1, len(answer.citations) + 1)), "markers and citations do not match one to one"
    assert markers == sorted(markers), "citations are numbered in order of first use"
    return lines


@pytest.mark.parametrize("language", ["en", "fr", "es", "de"])
async def test_answers_in_each_language_by_quoting_the_dosage_section(generator: ExtractiveGenerator, language: str) -> None:
    passages = leaflet_passages(language, first=DOSAGE)

    answer = await generator.generate(DOSAGE_QUESTIONS[language], language, language, passages)

    lines = assert_verbatim_and_cited(answer, passages)
    assert answer.language == language and answer.backend == "extractive" and answer.notice is None
    assert answer.citations[0].chunk_id == f"{language}-{DOSAGE}"
    assert all(label is None for _, label, _ in lines), "evidence in the answer language needs no label"
    assert len(lines) <= generator.max_sentences


@pytest.mark.parametrize(("language", "doses"), [
    ("en", ["500 mg to 1000 mg", "4 g (8 tablets)"]),
    ("fr", ["1 comprimé de 500 mg", "3 g par jour"]),
    ("es", ["1 comprimido de 400 mg cada 8 horas", "1.200 mg al día"]),
    ("de", ["2 x 1 Tablette täglich", "800 mg pro Tag", "1,2 g"]),
])
async def test_doses_are_quoted_exactly(generator: ExtractiveGenerator, language: str, doses: list[str]) -> None:
    answer = await generator.generate(DOSAGE_QUESTIONS[language], language, language, leaflet_passages(language, first=DOSAGE))

    for dose in doses:
        assert dose in DOSES[language]
        assert dose in answer.text


@pytest.mark.parametrize(("question", "question_language", "passage_language", "label"), [
    ("Le paracétamol peut-il être pris pendant la grossesse ?", "fr", "en", "Extrait en anglais\u00a0:"),
    ("¿Se puede tomar paracetamol durante el embarazo?", "es", "en", "Extracto en inglés:"),
    ("Kann man Paracetamol in der Schwangerschaft einnehmen?", "de", "fr", "Auszug auf Französisch:"),
    ("Can ibuprofen be taken during pregnancy?", "en", "de", "Excerpt in German:"),
])
async def test_evidence_in_another_language_is_quoted_in_its_own_language_and_labelled(
    generator: ExtractiveGenerator, question: str, question_language: str, passage_language: str, label: str
) -> None:
    passages = leaflet_passages(passage_language, first=PREGNANCY)

    answer = await generator.generate(question, question_language, question_language, passages)

    lines = assert_verbatim_and_cited(answer, passages)
    assert answer.text.startswith(FRAMES[question_language].intro)
    assert all(found == label for _, found, _ in lines)
    assert lines[0][2].chunk_id == f"{passage_language}-{PREGNANCY}"
    assert all(citation.language == passage_language for citation in answer.citations)


async def test_labels_only_the_evidence_in_another_language(generator: ExtractiveGenerator) -> None:
    # one document in two languages: an answer quotes a single document
    sections = (leaflet_passages("en", first=PREGNANCY)[0], leaflet_passages("fr", first=PREGNANCY)[0])
    passages = [p.model_copy(update={"document_id": "leaflet"}) for p in sections]

    answer = await generator.generate("Peut-on prendre du paracétamol pendant la grossesse ?", "fr", "fr", passages)

    labels = {passage.language: label for _, label, passage in assert_verbatim_and_cited(answer, passages)}
    assert labels == {"fr": None, "en": "Extrait en anglais\u00a0:"}
    assert "«\u00a0Paracetamol can be used during pregnancy" in answer.text


async def test_answers_in_the_target_language_when_it_differs_from_the_question(generator: ExtractiveGenerator) -> None:
    passages = leaflet_passages("en", first=DOSAGE)

    answer = await generator.generate(DOSAGE_QUESTIONS["en"], "en", "de", passages)

    lines = assert_verbatim_and_cited(answer, passages)
    assert answer.text.startswith("Das steht dazu in den Dokumenten:")
    assert all(label == "Auszug auf Englisch:" for _, label, _ in lines)


NO_ANSWER = {
    "en": ("How should insulin pens be stored?", "The available documents do not answer this question."),
    "fr": ("Comment conserver les stylos d'insuline ?", "Les documents disponibles ne répondent pas à cette question."),
    "es": ("¿Cómo se conservan las plumas de insulina?", "Los documentos disponibles no responden a esta pregunta."),
    "de": ("Wie bewahrt man Insulinpens auf?", "Die vorliegenden Dokumente beantworten diese Frage nicht."),
}


@pytest.mark.parametrize("language", ["en", "fr", "es", "de"])
async def test_unrelated_passages_do_not_answer(generator: ExtractiveGenerator, language: str) -> None:
    question, text = NO_ANSWER[language]
    passages = [*leaflet_passages(language), *leaflet_passages("en" if language != "en" else "fr")]

    answer = await generator.generate(question, language, language, passages)

    assert (answer.answered, answer.citations, answer.backend) == (False, [], "extractive")
    assert answer.text.startswith(text.removesuffix(".")), "the answer says that the documents do not answer, whatever it adds"


@pytest.mark.parametrize("language", ["en", "fr", "es", "de"])
async def test_no_passages_do_not_answer(generator: ExtractiveGenerator, language: str) -> None:
    answer = await generator.generate(DOSAGE_QUESTIONS[language], language, language, [])

    assert (answer.answered, answer.text, answer.citations) == (False, NO_ANSWER[language][1], [])


async def test_passages_under_the_score_floor_do_not_answer() -> None:
    passages = leaflet_passages("en", first=DOSAGE)
    strict = ExtractiveGenerator(min_score=1.5)

    assert not (await strict.generate(DOSAGE_QUESTIONS["en"], "en", "en", passages)).answered


async def test_a_question_of_stop_words_only_is_not_answered(generator: ExtractiveGenerator) -> None:
    assert not (await generator.generate("What is it and why?", "en", "en", leaflet_passages("en"))).answered


async def test_headings_and_questions_in_a_passage_are_never_quoted(generator: ExtractiveGenerator) -> None:
    passage = SearchHit(
        chunk_id="c", score=1.0, document_id="d", language="en",
        text="How to take Paracetamol\nHow much Paracetamol can adults take?\nAdults take 1 g of Paracetamol at most 4 times a day.",
    )

    answer = await generator.generate("How much paracetamol can adults take?", "en", "en", [passage])

    assert [sentence for sentence, _, _ in quoted(answer, [passage])] == ["Adults take 1 g of Paracetamol at most 4 times a day."]


def hit(chunk_id: str, text: str, heading: str, language: str = "en", document_id: str = "zentrava-en", score: float = 0.9) -> SearchHit:
    return SearchHit(chunk_id=chunk_id, score=score, text=text, document_id=document_id, title="Package leaflet", heading=heading, language=language)


ZENTRAVA = [
    hit("toc", "What Zentrava is and what it is used for\nPossible side effects\nHow to store Zentrava", "What is in this leaflet"),
    hit("use", "Zentrava is used to treat high blood pressure in adults.\nIt lowers the pressure within two weeks.",
        "1. What Zentrava is and what it is used for"),
    hit("side-effects", "Like all medicines, this medicine can cause side effects, although not everybody gets them. "
        "Common side effects (may affect up to 1 in 10 people)\nheadache\ndizziness\nfeeling sick (nausea)\n"
        "Reporting of side effects If you get any side effects, talk to your doctor or pharmacist. You can also report "
        "side effects directly via the national reporting system.", "4. Possible side effects"),
    hit("storage", "Store below 25 °C in the original package to protect from moisture.", "5. How to store Zentrava"),
]
NOT_MENTIONED = {
    "en": ("What are the common side effects of Crestor (rosuvastatin)?", "The available documents do not answer this question"),
    "fr": ("Quels sont les effets indésirables du latanoprost ?", "Les documents disponibles ne répondent pas à cette question"),
    "es": ("¿Cómo se toma la rosuvastatina (Crestor)?", "Los documentos disponibles no responden a esta pregunta"),
    "de": ("Wofür wird Jardiance (Empagliflozin) verschrieben?", "Die vorliegenden Dokumente beantworten diese Frage nicht"),
}


@pytest.mark.parametrize("language", ["en", "fr", "es", "de"])
async def test_a_medicine_no_passage_mentions_is_declined_by_name(generator: ExtractiveGenerator, language: str) -> None:
    question, sentence = NOT_MENTIONED[language]

    answer = await generator.generate(question, language, language, ZENTRAVA)

    assert (answer.answered, answer.citations) == (False, [])
    assert answer.text.startswith(sentence)
    missing = re.findall(r"\w+", question)[-3:]
    assert any(word in answer.text for word in missing if word[0].isupper() or word.endswith(("statina", "prost", "flozin"))), answer.text


async def test_a_medicine_named_in_another_passage_of_its_document_is_answered(generator: ExtractiveGenerator) -> None:
    """The list of side effects does not repeat the medicine's name; the document's other passage does."""
    answer = await generator.generate("What are the side effects of Zentrava?", "en", "en", [ZENTRAVA[2], ZENTRAVA[1]])

    assert answer.answered and answer.citations[0].chunk_id == "side-effects"


async def test_the_side_effects_are_quoted_not_the_advice_to_report_them(generator: ExtractiveGenerator) -> None:
    answer = await generator.generate("What are the side effects?", "en", "en", ZENTRAVA)

    assert "Common side effects (may affect up to 1 in 10 people): headache; dizziness; feeling sick (nausea)" in answer.text
    assert "report" not in answer.text.lower() and "talk to your doctor" not in answer.text


@pytest.mark.parametrize(("question", "language", "chunk"), [
    ("What is Zentrava used for?", "en", "use"),
    ("¿Cómo se conserva Zentrava?", "es", "storage"),
    ("Welche Nebenwirkungen hat Zentrava?", "de", "side-effects"),
])
async def test_the_section_that_answers_is_quoted_and_never_the_table_of_contents(
    generator: ExtractiveGenerator, question: str, language: str, chunk: str
) -> None:
    answer = await generator.generate(question, language, language, ZENTRAVA)

    assert [citation.chunk_id for citation in answer.citations] == [chunk]
    assert "How to store Zentrava" not in answer.text


async def test_the_version_in_the_answer_language_is_quoted_else_the_english_one(generator: ExtractiveGenerator) -> None:
    spanish = hit("storage-es", "Conservar por debajo de 25 °C en el envase original para protegerlo de la humedad.",
                  "5. Conservación de Zentrava", language="es", document_id="zentrava-es", score=1.0)
    portuguese = hit("storage-pt", "Não conservar acima de 25 °C. Conservar na embalagem de origem para proteger da humidade.",
                     "5. Como conservar Zentrava", language="pt", document_id="zentrava-pt", score=1.0)
    english = ZENTRAVA[3]

    in_spanish = await generator.generate("¿Cómo se conserva Zentrava?", "es", "es", [english, spanish])
    in_french = await generator.generate("Comment conserver le Zentrava ?", "fr", "fr", [portuguese, english])

    assert [citation.document_id for citation in in_spanish.citations] == ["zentrava-es"]
    assert [citation.document_id for citation in in_french.citations] == ["zentrava-en"]


@pytest.mark.parametrize(("language", "label"), [
    ("da", "Auszug auf Dänisch:"), ("pt", "Auszug auf Portugiesisch:"), ("fi", "Auszug in einer anderen Sprache (fi):"),
])
async def test_evidence_in_a_language_outside_the_four_says_its_real_language(generator: ExtractiveGenerator, language: str, label: str) -> None:
    passage = hit("storage-x", "Zentrava 25 °C Zentrava 25 °C Zentrava 25 °C Zentrava.", "5. Opbevaring", language=language)
    named = hit("use-x", "Zentrava.", "1. Zentrava", language=language)  # the retriever keeps one passage that names it

    answer = await generator.generate("Wie ist Zentrava aufzubewahren?", "de", "de", [passage, named])

    assert answer.answered
    assert answer.text.split("\n")[1].startswith(f"- {label} „")


HOW_TO_TAKE = [
    hit("how-1", "Always take this medicine exactly as your doctor has told you. The recommended dose is one tablet once a day. "
        "Swallow the tablet with some liquid. Zentrava can be taken with or without food.", "3. How to take Zentrava", score=1.0),
    hit("how-2", "If you forget to take Zentrava If you miss a dose, take it as soon as you remember. "
        "If you take more Zentrava than you should Taking too many tablets can make you very drowsy and lower your blood pressure. "
        "Contact the poison centre on 0800 123 456 at once.", "3. How to take Zentrava", score=0.8),
    hit("storage-2", "Store below 25 °C in the original package to protect from moisture. Do not use this medicine after the expiry date "
        "which is stated on the carton after EXP. Do not throw away any medicines via wastewater or household waste. "
        "Ask your pharmacist how to throw away medicines you no longer use.", "5. How to store Zentrava", score=0.9),
]


@pytest.fixture(scope="module")
def meaning(embedder) -> SentenceMeaning:  # noqa: ANN001
    return SentenceMeaning(embedder)


@pytest.fixture(scope="module")
def meaning_generator(meaning: SentenceMeaning) -> ExtractiveGenerator:
    return ExtractiveGenerator(meaning=meaning)


@pytest.mark.parametrize(("question", "language"), [
    ("I took three Zentrava tablets by mistake. What can happen?", "en"),
    ("J'ai pris trois comprimés de Zentrava par erreur. Que risque-t-on ?", "fr"),
    ("Ich habe aus Versehen drei Zentrava-Tabletten genommen. Was kann passieren?", "de"),
])
async def test_a_question_about_an_overdose_quotes_the_overdose_lines_of_the_how_to_take_section(
    meaning: SentenceMeaning, question: str, language: str
) -> None:
    """The lines of the section that answer rank first, although the section's first passage ranked higher."""
    answer = await ExtractiveGenerator(max_sentences=2, meaning=meaning).generate(question, language, language, HOW_TO_TAKE)

    assert "drowsy" in answer.text and "0800 123 456" in answer.text


async def test_template_lines_of_the_storage_section_are_left_out_unless_asked(meaning_generator: ExtractiveGenerator) -> None:
    storage = await meaning_generator.generate("How should I store Zentrava?", "en", "en", HOW_TO_TAKE)
    disposal = await meaning_generator.generate("What do I do with Zentrava tablets I no longer need?", "en", "en", HOW_TO_TAKE)

    assert "Store below 25 °C" in storage.text and "wastewater" not in storage.text and "expiry date" not in storage.text
    assert "wastewater" in disposal.text or "throw away" in disposal.text


async def test_the_asked_section_that_begins_inside_a_passage_is_quoted(generator: ExtractiveGenerator) -> None:
    passage = hit("3-to-4", "Swallow the tablet whole with a glass of water, once a day in the morning.\n"
                  "## 4. Possible side effects\nCommon side effects (may affect up to 1 in 10 people)\nheadache\ndizziness",
                  "3. How to take Zentrava")

    answer = await generator.generate("What are the side effects of Zentrava?", "en", "en", [passage])

    assert [sentence for sentence, _, _ in quoted(answer, [passage])] == [
        "Common side effects (may affect up to 1 in 10 people): headache; dizziness"]


async def test_a_question_on_an_excipient_quotes_the_whole_warning_under_its_sub_heading(generator: ExtractiveGenerator) -> None:
    before = hit("before", "Driving and using machines Zentrava may make you feel dizzy. Do not drive until you know how it affects you.\n"
                 "Zentrava contains lactose. If you have been told by your doctor that you have an intolerance to some sugars, "
                 "contact your doctor before taking this medicine.", "2. What you need to know before you take Zentrava")

    answer = await generator.generate("Does Zentrava contain lactose?", "en", "en", [before, *ZENTRAVA[1:]])

    assert [sentence for sentence, _, _ in quoted(answer, [before, *ZENTRAVA[1:]])] == [
        "Zentrava contains lactose.",
        "If you have been told by your doctor that you have an intolerance to some sugars, contact your doctor before taking this medicine.",
    ]
