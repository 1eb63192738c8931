import io
import zipfile

import pytest

from adapters.formats import (
    DocumentFormat,
    EmptyFile,
    RejectedUpload,
    UnsupportedType,
    decode_text,
    detect_format,
    safe_filename,
)
from tests.factories import SAMPLES, make_docx, make_html, make_markdown, make_pdf, make_txt

EN = SAMPLES["en"]


def _zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in members:
            archive.writestr(member, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("make", "misleading_name", "expected"),
    [
        (make_pdf, "leaflet.txt", DocumentFormat.pdf),
        (make_docx, "leaflet.pdf", DocumentFormat.docx),
        (make_html, "leaflet.md", DocumentFormat.html),
        (make_markdown, "leaflet.txt", DocumentFormat.markdown),
        (make_txt, "leaflet.docx", DocumentFormat.txt),
    ],
)
def test_format_comes_from_content_not_extension(make, misleading_name, expected):
    data = make(EN["title"], EN["sections"])

    assert detect_format(data, misleading_name) == expected
    assert detect_format(data) == expected


@pytest.mark.parametrize("language", ["fr", "es", "de"])
def test_accented_text_in_every_language_is_text(language):
    sample = SAMPLES[language]

    assert detect_format(make_txt(sample["title"], sample["sections"])) == DocumentFormat.txt
    assert detect_format(make_txt(sample["title"], sample["sections"], encoding="cp1252")) == DocumentFormat.txt


def test_extension_breaks_a_tie_between_text_kinds_only():
    plain = b"Dosage\n\nTake 500 mg twice a day.\n"

    assert detect_format(plain, "notes.txt") == DocumentFormat.txt
    assert detect_format(plain, "notes.md") == DocumentFormat.markdown
    assert detect_format(b"Take <b>500 mg</b> twice a day.", "page.html") == DocumentFormat.html
    assert detect_format(b"Take <b>500 mg</b> twice a day.", "page.txt") == DocumentFormat.txt


@pytest.mark.parametrize(
    "markdown",
    [
        b"Intro line\n\n# Dosage\n\nTake 500 mg.\n",
        b"Dosage\n======\n\nTake 500 mg.\n",
        b"Side effects\n------------\n\nHeadache.\n",
    ],
)
def test_markdown_is_recognised_by_its_headings(markdown):
    assert detect_format(markdown, "notes.txt") == DocumentFormat.markdown


@pytest.mark.parametrize(
    "text",
    [
        b"Call #112 in an emergency. Take 500 mg at most.",
        b"Dose ranges 2-4 mg\nfor adults -- see the table",
        b"If x < 5 and y > 3 the dose is halved.",
    ],
)
def test_ordinary_text_is_not_mistaken_for_markup(text):
    assert detect_format(text) == DocumentFormat.txt


@pytest.mark.parametrize(
    "html",
    [
        b"<p>Take 500 mg.</p><p>Twice a day.</p>",
        b"  <!doctype html><title>x</title>Hello",
        b"<?xml version='1.0'?><!DOCTYPE html><html><body><p>x</p></body></html>",
        b"Leaflet\n<div><p>One</p><p>Two</p><ul><li>Three</li></ul></div>",
    ],
)
def test_html_is_recognised_from_document_markers_fragments_or_tag_density(html):
    assert detect_format(html, "upload.txt") == DocumentFormat.html


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", b"\xef\xbb\xbf", b"\xff\xfe \x00\n\x00"])
def test_empty_or_blank_files_are_rejected_as_empty(data):
    with pytest.raises(EmptyFile) as error:
        detect_format(data, "leaflet.pdf")

    assert error.value.code == "empty_file"
    assert "empty" in str(error.value)


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG image"),
        (b"GIF89a\x01\x00\x01\x00", "GIF image"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "legacy Microsoft Office document"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip archive"),
        (b"\x7fELF\x02\x01\x01\x00", "ELF executable"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "Windows executable"),
        (b"{\\rtf1\\ansi Dose 500 mg}", "RTF document"),
        (bytes(128) + b"DICM\x02\x00", "DICOM medical image"),
        (b"<?xml version='1.0'?><dosage><mg>500</mg></dosage>", "XML document"),
    ],
)
def test_known_types_are_rejected_by_name_with_the_supported_list(data, named):
    with pytest.raises(UnsupportedType) as error:
        detect_format(data, "leaflet.pdf")

    assert error.value.code == "unsupported_type"
    assert named in str(error.value)
    assert "PDF, DOCX, TXT, Markdown, HTML" in str(error.value)


@pytest.mark.parametrize(
    ("members", "named"),
    [
        (["[Content_Types].xml", "xl/workbook.xml"], "Excel spreadsheet"),
        (["mimetype", "content.xml", "META-INF/manifest.xml"], "OpenDocument"),
        (["readme.txt", "leaflet.pdf"], "ZIP archive"),
    ],
)
def test_zip_archives_other_than_docx_are_rejected_by_kind(members, named):
    with pytest.raises(UnsupportedType, match=named):
        detect_format(_zip(*members), "leaflet.docx")


def test_truncated_docx_is_still_recognised_so_the_parser_can_report_the_damage():
    docx = make_docx(EN["title"], EN["sections"])

    assert detect_format(docx[: len(docx) // 2]) == DocumentFormat.docx


def test_damaged_unknown_zip_is_rejected():
    with pytest.raises(UnsupportedType, match="damaged"):
        detect_format(_zip("a.txt", "b.txt")[:30])


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,
        b"Dose 500 mg\x00\x00\x00\x01\x02 twice",
        bytes([0x8D, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x81]) * 64,
    ],
)
def test_unknown_binary_data_is_rejected(data):
    with pytest.raises(UnsupportedType, match="binary data"):
        detect_format(data, "notes.txt")


def test_rejections_are_value_errors_with_a_machine_code():
    assert issubclass(EmptyFile, RejectedUpload) and issubclass(UnsupportedType, RejectedUpload)
    assert issubclass(RejectedUpload, ValueError)
    assert UnsupportedType("PNG image").detected == "PNG image"


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Größe: 0,5 ml".encode(), "Größe: 0,5 ml"),
        (b"\xef\xbb\xbf" + b"Dosis: 2 x 1 Tablette", "Dosis: 2 x 1 Tablette"),
        ("Posología: 1 comprimido — 400 mg €".encode("cp1252"), "Posología: 1 comprimido — 400 mg €"),
        ("Effets indésirables".encode("latin-1"), "Effets indésirables"),
        ("Übelkeit ß".encode("utf-16"), "Übelkeit ß"),
    ],
)
def test_decode_text_handles_utf8_bom_utf16_and_windows_1252(data, text):
    assert decode_text(data) == text


def test_decode_text_refuses_binary():
    with pytest.raises(UnsupportedType, match="binary data"):
        decode_text(b"\x00\x01\x02\x03abc")


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("/var/lib/mirage/leaflet.pdf", "leaflet.pdf"),
        ("C:\\Users\\x\\Notice Paracétamol.pdf", "Notice Paracétamol.pdf"),
        ("C:leaflet.docx", "leaflet.docx"),
        ("lea\x00flet\r\n.pdf", "leaflet.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("  spaced   out  name.txt  ", "spaced out name.txt"),
        ("..", "upload"),
        ("../", "upload"),
        ("", "upload"),
        (None, "upload"),
        ("\x00\x01\x1f", "upload"),
    ],
)
def test_safe_filename_neutralises_hostile_names(name, safe):
    assert safe_filename(name) == safe


def test_safe_filename_trims_long_names_but_keeps_the_extension():
    name = "ü" * 500 + ".pdf"

    safe = safe_filename(name)

    assert len(safe) == 200
    assert safe.endswith(".pdf")
    assert safe.startswith("üüü")
