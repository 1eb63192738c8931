import io
import zipfile
from functools import cache

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from adapters.formats import DocumentFormat, detect_format
from tests.factories import (
    DOSES,
    SAMPLES,
    corrupt_pdf,
    make_docx,
    make_html,
    make_markdown,
    make_pdf,
    make_txt,
)
from workers.ingest.parsing import Block, ParsedDocument, UnreadableDocument, parse

LANGUAGES = ["en", "fr", "es", "de"]
MAKERS = {
    DocumentFormat.pdf: make_pdf,
    DocumentFormat.docx: make_docx,
    DocumentFormat.txt: make_txt,
    DocumentFormat.markdown: make_markdown,
    DocumentFormat.html: make_html,
}


@cache
def parsed_sample(language: str, fmt: DocumentFormat) -> ParsedDocument:
    sample = SAMPLES[language]
    return parse(MAKERS[fmt](sample["title"], sample["sections"]), fmt)


def block_containing(doc: ParsedDocument, text: str) -> Block:
    return next(block for block in doc.blocks if text in block.text)


every_sample = pytest.mark.parametrize(
    ("language", "fmt"), [(language, fmt) for language in LANGUAGES for fmt in MAKERS]
)


@every_sample
def test_title_comes_from_the_document(language, fmt):
    assert parsed_sample(language, fmt).title == SAMPLES[language]["title"]


@every_sample
def test_every_paragraph_survives_under_its_own_heading(language, fmt):
    doc = parsed_sample(language, fmt)

    for heading, paragraphs in SAMPLES[language]["sections"]:
        for paragraph in paragraphs:
            assert block_containing(doc, paragraph).heading == heading


@every_sample
def test_headings_and_title_are_not_body_blocks(language, fmt):
    sample = SAMPLES[language]
    headings = {sample["title"], *(heading for heading, _ in sample["sections"])}

    assert not headings & {block.text for block in parsed_sample(language, fmt).blocks}


@every_sample
def test_doses_are_preserved_verbatim(language, fmt):
    text = "\n".join(block.text for block in parsed_sample(language, fmt).blocks)

    for dose in DOSES[language]:
        assert dose in text


@pytest.mark.parametrize("fmt", [DocumentFormat.docx, DocumentFormat.txt, DocumentFormat.markdown,
                                 DocumentFormat.html])
def test_only_pdf_blocks_carry_pages(fmt):
    doc = parsed_sample("en", fmt)

    assert doc.pages is None
    assert {block.page for block in doc.blocks} == {None}


@pytest.mark.parametrize("language", LANGUAGES)
def test_pdf_blocks_are_on_the_page_of_their_section(language):
    doc = parsed_sample(language, DocumentFormat.pdf)
    sections = SAMPLES[language]["sections"]

    assert doc.pages == len(sections)
    for page, (_, paragraphs) in enumerate(sections, start=1):
        assert {block_containing(doc, paragraph).page for paragraph in paragraphs} == {page}


def test_pdf_paragraphs_spread_over_pages_keep_their_own_page():
    sections = [("1. Dosage", ["Adults take one tablet of 500 mg with water, twice a day.",
                               "Children take half a tablet of 250 mg with water, daily.",
                               "Infants take 0,5 ml of the oral solution, once a day."])]

    doc = parse(make_pdf("Leaflet", sections, pages_per_section=3), DocumentFormat.pdf)

    assert doc.pages == 3
    assert [block_containing(doc, text).page for text in sections[0][1]] == [1, 2, 3]
    assert {block.heading for block in doc.blocks} == {"1. Dosage"}


def test_pdf_page_numbers_and_running_footers_are_dropped():
    doc = parsed_sample("en", DocumentFormat.pdf)

    assert not [block for block in doc.blocks if "Page " in block.text or "Page " in block.heading]


def test_pdf_line_hyphenation_is_undone_but_real_hyphens_stay():
    paragraph = "The usual dosa-\nge is 500 mg. Do not use Paracetamol-\nTabletten with 4-\n6 other drugs."
    sections = [("1. Dosage", [paragraph])]

    text = parse(make_pdf("Leaflet", sections), DocumentFormat.pdf).blocks[0].text

    assert "The usual dosage is 500 mg." in text
    assert "Paracetamol-Tabletten" in text
    assert "4-6 other drugs" in text


@pytest.mark.parametrize(
    "heading",
    ["SIDE EFFECTS", "NEBENWIRKUNGEN UND GRÖßE", "4.2 Posology and method of administration", "4) Overdose",
     "Pregnancy and breast-feeding", "Was ist Ibuprofen?"],
)
def test_pdf_heading_heuristics(heading):
    sections = [(heading, ["Ask your doctor before taking any medicine. Keep it out of the sight and reach of "
                           "children, at a temperature below 25 degrees."])]

    doc = parse(make_pdf("Leaflet", sections, metadata=False), DocumentFormat.pdf)

    assert [block.heading for block in doc.blocks] == [heading]
    assert doc.title == "Leaflet"


def test_pdf_body_lines_are_not_headings():
    sections = [("1. Dosage", ["Keep this medicine\nout of the sight of children.", "Take one tablet.",
                               "Do not take more than 4 g in 24 hours, and leave at least four hours "
                               "between two doses of this medicine for adults\nAdults and children over 12"])]

    doc = parse(make_pdf("Leaflet", sections), DocumentFormat.pdf)

    assert {block.heading for block in doc.blocks} == {"1. Dosage"}
    assert doc.blocks[0].text == "Keep this medicine out of the sight of children."
    assert doc.blocks[-1].text.endswith("for adults Adults and children over 12")


def test_pdf_title_falls_back_to_the_first_heading_without_metadata():
    sample = SAMPLES["fr"]

    doc = parse(make_pdf(sample["title"], sample["sections"], metadata=False), DocumentFormat.pdf)

    assert doc.title == sample["title"]


def test_corrupt_pdf_is_unreadable_with_a_reason():
    with pytest.raises(UnreadableDocument, match="the PDF is corrupt or truncated"):
        parse(corrupt_pdf(), detect_format(corrupt_pdf()))


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(**SAMPLES["en"]))))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_password_protected_pdf_is_unreadable():
    with pytest.raises(UnreadableDocument, match="password-protected"):
        parse(_encrypted("secret"), DocumentFormat.pdf)


def test_pdf_encrypted_with_an_empty_user_password_opens():
    doc = parse(_encrypted(""), DocumentFormat.pdf)

    assert "4 g (8 tablets)" in block_containing(doc, "Do not take more than").text


def test_pdf_without_text_is_reported_as_probably_scanned():
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(10, 10, 100, 100, style="F")

    with pytest.raises(UnreadableDocument, match=r"no extractable text \(scanned images\?\)"):
        parse(bytes(pdf.output()), DocumentFormat.pdf)


def _docx_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_tables_subheadings_and_line_breaks():
    document = docx.Document()
    document.add_paragraph("Notice", style="Title")
    document.add_heading("Dosage", level=1)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Adults", "500 mg"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "Never more than 4 g a day"
    document.add_heading("Children", level=2)
    document.add_paragraph("Use the syrup:\n2,5 ml\tthree times a day.")

    doc = parse(_docx_bytes(document), DocumentFormat.docx)

    assert doc.title == "Notice"
    assert doc.blocks == (
        Block("Adults | 500 mg", None, "Dosage"),
        Block("Never more than 4 g a day", None, "Dosage"),
        Block("Use the syrup: 2,5 ml three times a day.", None, "Children"),
    )


def test_docx_title_falls_back_to_core_properties():
    document = docx.Document()
    document.core_properties.title = "Beipackzettel"
    document.add_heading("Dosierung", level=1)
    document.add_paragraph("2 x 1 Tablette täglich.")

    assert parse(_docx_bytes(document), DocumentFormat.docx).title == "Beipackzettel"


def _rezip(archive: bytes, drop: str = "", replace: dict[str, bytes] | None = None) -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            if name != drop:
                out.writestr(name, (replace or {}).get(name, source.read(name)))
    return target.getvalue()


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: _rezip(data, drop="word/document.xml"),
        lambda data: _rezip(data, replace={"word/document.xml": b"<w:document garbage"}),
    ],
    ids=["truncated", "missing-part", "broken-xml"],
)
def test_damaged_docx_is_unreadable_with_a_reason(damage):
    data = damage(make_docx(**SAMPLES["de"]))

    with pytest.raises(UnreadableDocument, match="the DOCX file is damaged"):
        parse(data, detect_format(data))


def test_markdown_syntax_is_stripped_lightly():
    markdown = (
        "---\ntitle: ignored front matter\n---\n"
        "Leaflet\n=======\n\n"
        "Take **500 mg** with _water_, see [the table](https://example.org/t) or ![chart](c.png).\n"
        "Keep `2 * 3` and snake_case_names intact; 2 * 3 = 6.\n\n"
        "## Dosage\n\n"
        "- Adults: 1 tablet\n- Children: 0,5 ml\n1. First dose\n\n"
        "| Age | Dose |\n|-----|------|\n| 12+ | 400 mg |\n\n"
        "> Ask your *pharmacist*.\n\n"
        "```\nmax 4 g / 24 h\n```\n"
    )

    doc = parse(markdown.encode(), DocumentFormat.markdown)

    assert doc.title == "Leaflet"
    assert [(block.text, block.heading) for block in doc.blocks] == [
        ("Take 500 mg with water, see the table or chart. Keep 2 * 3 and snake_case_names intact; 2 * 3 = 6.",
         "Leaflet"),
        ("Adults: 1 tablet", "Dosage"),
        ("Children: 0,5 ml", "Dosage"),
        ("1. First dose", "Dosage"),
        ("Age | Dose", "Dosage"),
        ("12+ | 400 mg", "Dosage"),
        ("Ask your pharmacist.", "Dosage"),
        ("max 4 g / 24 h", "Dosage"),
    ]


def test_html_drops_page_chrome_and_keeps_words_whole():
    page = (
        "<html><head><title>Notice</title><style>.x{}</style></head><body>"
        "<nav><h1>Menu</h1><a href='/'>Home</a></nav><script>var dose = 9;</script>"
        "<h1>Ibuprofène</h1><p><b>Ibu</b>pro&shy;fène 400&nbsp;mg,<br>2 fois par jour.</p>"
        "<div>Texte <em>libre</em><!-- hidden --> hors para\u200bgraphe</div>"
        "<h3>Tableau</h3><table><tr><th>Âge</th><td>Dose</td></tr></table>"
        "<ul><li>Nausées</li><li>Vertiges<!-- note --> rares</li></ul><pre>max\n  3 g</pre>"
        "</body></html>"
    )

    doc = parse(page.encode(), DocumentFormat.html)

    assert doc.title == "Notice"
    assert [(block.text, block.heading) for block in doc.blocks] == [
        ("Ibuprofène 400 mg, 2 fois par jour.", "Ibuprofène"),
        ("Texte libre hors paragraphe", "Ibuprofène"),
        ("Âge | Dose", "Tableau"),
        ("Nausées", "Tableau"),
        ("Vertiges rares", "Tableau"),
        ("max\n3 g", "Tableau"),
    ]


def test_html_title_falls_back_to_the_first_h1():
    doc = parse(b"<body><h2>Intro</h2><p>x</p><h1>Notice</h1><p>Take 1 g.</p></body>", DocumentFormat.html)

    assert doc.title == "Notice"


def test_txt_headings_need_their_own_line_and_a_heading_shape():
    text = (
        "Beipackzettel\n\n"
        "DOSIERUNG\n\n"
        "Nehmen Sie 2 x 1 Tablette\ntäglich ein.\n\n"
        "Nebenwirkungen:\n\n"
        "Übelkeit,\tKopfschmerzen\u00a0und Schwindel.\n\n"
        "Eine kurze Zeile\n\n"
        "3.1 Überdosierung\n\n"
        "Am 3. Tag einen Arzt fragen.\n"
    )

    doc = parse(text.encode("cp1252"), DocumentFormat.txt)

    assert doc.title == "Beipackzettel"
    assert [(block.text, block.heading) for block in doc.blocks] == [
        ("Nehmen Sie 2 x 1 Tablette täglich ein.", "DOSIERUNG"),
        ("Übelkeit, Kopfschmerzen und Schwindel.", "Nebenwirkungen"),
        ("Eine kurze Zeile", "Nebenwirkungen"),
        ("Am 3. Tag einen Arzt fragen.", "3.1 Überdosierung"),
    ]


def test_a_document_of_headings_only_still_yields_its_text():
    doc = parse(b"# Paracetamol\n\n## Dosage\n", DocumentFormat.markdown)

    assert [block.text for block in doc.blocks] == ["Paracetamol", "Dosage"]


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"  \n\n\t", DocumentFormat.txt),
        (b"<html><body><script>var a = 1;</script><nav>Home</nav></body></html>", DocumentFormat.html),
        (b"```\n```\n", DocumentFormat.markdown),
    ],
)
def test_documents_without_text_are_unreadable(data, fmt):
    with pytest.raises(UnreadableDocument, match="no text"):
        parse(data, fmt)


def test_binary_bytes_announced_as_text_are_unreadable():
    with pytest.raises(UnreadableDocument, match="not readable text"):
        parse(b"\x00\x01\x02binary", DocumentFormat.txt)
