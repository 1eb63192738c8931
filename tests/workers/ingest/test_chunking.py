import pytest

from adapters.formats import DocumentFormat
from tests.factories import DOSES, SAMPLES, make_long_text, make_pdf
from workers.ingest.chunking import chunk_document
from workers.ingest.parsing import Block, ParsedDocument, parse


def document(*blocks: Block) -> ParsedDocument:
    return ParsedDocument(title=None, pages=None, blocks=blocks)


def sentences(count: int, start: int = 0) -> str:
    return " ".join(f"Sentence {number} says the dose is 2.5 mg for adults." for number in range(start, start + count))


def test_small_blocks_of_one_section_merge_up_to_max_chars():
    blocks = [Block(f"Paragraph {number} of the dosage section, 20 mg.", 1, "Dosage") for number in range(10)]

    chunks = chunk_document(document(*blocks), max_chars=150, min_chars=0)

    assert [chunk.text.count("Paragraph") for chunk in chunks] == [3, 3, 3, 1]
    assert chunks[0].text == "\n".join(block.text for block in blocks[:3])
    assert all(len(chunk.text) <= 150 for chunk in chunks)


def test_chunks_never_cross_a_heading():
    doc = document(
        Block("Take 500 mg.", 1, "Dosage"),
        Block("Headache.", 1, "Side effects"),
        Block("Nausea.", 2, "Side effects"),
        Block("Ask your doctor.", 2, "Pregnancy"),
    )

    chunks = chunk_document(doc, max_chars=1000, min_chars=200)

    assert [(chunk.text, chunk.heading) for chunk in chunks] == [
        ("Take 500 mg.", "Dosage"),
        ("Headache.\nNausea.", "Side effects"),
        ("Ask your doctor.", "Pregnancy"),
    ]


def test_a_short_tail_is_not_merged_into_another_section():
    doc = document(Block(sentences(8), 1, "Dosage"), Block("Short.", 1, "Storage"))

    chunks = chunk_document(doc, max_chars=200, min_chars=100)

    assert chunks[-1].text == "Short."
    assert chunks[-1].heading == "Storage"


def test_long_block_splits_at_sentence_ends_and_never_inside_a_number():
    text = sentences(12)

    chunks = chunk_document(document(Block(text, 3, "Dosage")), max_chars=200, min_chars=0)

    assert len(chunks) > 1
    assert all(len(chunk.text) <= 200 for chunk in chunks)
    assert all(chunk.text.endswith("adults.") and chunk.text.startswith("Sentence") for chunk in chunks)
    assert " ".join(chunk.text for chunk in chunks) == text
    assert {chunk.page for chunk in chunks} == {3}


def test_a_sentence_longer_than_max_chars_is_cut_at_words_keeping_doses_whole():
    sentence = "The dose is " + ", ".join(f"{number}00 mg on day {number}" for number in range(1, 40)) + "."

    chunks = chunk_document(document(Block(sentence, None, None)), max_chars=120, min_chars=0)

    assert all(len(chunk.text) <= 120 for chunk in chunks)
    assert " ".join(chunk.text for chunk in chunks) == sentence
    assert not any(chunk.text.startswith("mg") for chunk in chunks)


def test_a_word_longer_than_max_chars_is_cut_hard():
    chunks = chunk_document(document(Block("x" * 250, None, None)), max_chars=100, min_chars=0)

    assert [len(chunk.text) for chunk in chunks] == [100, 100, 50]


def test_short_trailing_fragment_joins_the_previous_chunk_within_one_and_a_half_max():
    text = sentences(4) + " Short end."
    assert len(sentences(4)) <= 190 < len(text)

    merged = chunk_document(document(Block(text, 1, None)), max_chars=190, min_chars=50)
    kept = chunk_document(document(Block(text, 1, None)), max_chars=190, min_chars=5)

    assert [chunk.text for chunk in merged] == [text]
    assert [chunk.text for chunk in kept] == [sentences(4), "Short end."]


def test_short_trailing_fragment_stays_apart_when_merging_would_exceed_the_bound():
    doc = document(Block(sentences(4), 1, None), Block("y" * 150, 2, None))

    chunks = chunk_document(doc, max_chars=200, min_chars=180)

    assert [len(chunk.text) for chunk in chunks] == [len(sentences(4)), 150]
    assert [chunk.page for chunk in chunks] == [1, 2]


def test_chunk_page_is_where_it_starts():
    doc = document(Block("Starts on page four.", 4, "S"), Block("Ends on page five.", 5, "S"))

    assert [(chunk.page, chunk.text) for chunk in chunk_document(doc)] == [
        (4, "Starts on page four.\nEnds on page five.")
    ]


def test_indexes_follow_reading_order_and_output_is_deterministic():
    data = make_long_text(40, language="de")

    first = chunk_document(parse(data, DocumentFormat.txt), max_chars=400, min_chars=100)
    second = chunk_document(parse(data, DocumentFormat.txt), max_chars=400, min_chars=100)

    assert first == second
    assert [chunk.index for chunk in first] == list(range(len(first)))
    markers = [int(chunk.text.split("Hinweis ")[1].split(":")[0]) for chunk in first if "Hinweis " in chunk.text]
    assert markers == sorted(markers)


def test_empty_document_has_no_chunks_and_bad_sizes_are_refused():
    assert chunk_document(document()) == []
    with pytest.raises(ValueError):
        chunk_document(document(Block("x", None, None)), max_chars=0)


@pytest.mark.parametrize("language", ["en", "fr", "es", "de"])
def test_leaflet_pdf_chunks_keep_sections_pages_and_doses(language):
    sample = SAMPLES[language]
    doc = parse(make_pdf(sample["title"], sample["sections"]), DocumentFormat.pdf)

    chunks = chunk_document(doc, max_chars=250, min_chars=80)

    headings = [heading for heading, _ in sample["sections"]]
    assert [chunk.heading for chunk in chunks] == sorted((chunk.heading for chunk in chunks), key=headings.index)
    assert {chunk.page for chunk in chunks if chunk.heading == headings[2]} == {3}
    assert all(len(chunk.text) <= 375 for chunk in chunks)
    text = "\n".join(chunk.text for chunk in chunks)
    assert all(dose in text for dose in DOSES[language])


def test_long_text_gives_one_chunk_per_paragraph_at_the_default_size():
    chunks = chunk_document(parse(make_long_text(300), DocumentFormat.txt))

    assert len(chunks) == 300
    assert all(chunk.text.startswith(f"Note {chunk.index + 1}:") for chunk in chunks)
