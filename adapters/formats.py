"""What an upload is, judged from its bytes; the file name only breaks ties between text kinds."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from enum import StrEnum

SUPPORTED_TYPES = "PDF, DOCX, TXT, Markdown, HTML"
MAX_FILENAME_CHARS = 200


class DocumentFormat(StrEnum):
    pdf = "pdf"
    docx = "docx"
    txt = "txt"
    markdown = "markdown"
    html = "html"


class RejectedUpload(ValueError):
    """An upload we refuse before accepting it; `code` is for machines, the message for people."""

    code = "rejected_upload"


class EmptyFile(RejectedUpload):
    code = "empty_file"

    def __init__(self) -> None:
        super().__init__("the file is empty")


class UnsupportedType(RejectedUpload):
    code = "unsupported_type"

    def __init__(self, detected: str) -> None:
        self.detected = detected
        super().__init__(f"unsupported file type: {detected}. Supported types: {SUPPORTED_TYPES}")


_BINARY_SIGNATURES = [
    (re.compile(pattern, re.DOTALL), name)
    for pattern, name in [
        (rb"\A\x89PNG\r\n\x1a\n", "PNG image"),
        (rb"\A\xff\xd8\xff", "JPEG image"),
        (rb"\AGIF8[79]a", "GIF image"),
        (rb"\A(?:II\*\x00|MM\x00\*)", "TIFF image"),
        (rb"\ARIFF....WEBP", "WebP image"),
        (rb"\A8BPS", "Photoshop image"),
        (rb"\A.{128}DICM", "DICOM medical image"),
        (rb"\A\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Microsoft Office document (.doc/.xls/.ppt)"),
        (rb"\A\{\\rtf", "RTF document"),
        (rb"\A%!PS", "PostScript document"),
        (rb"\A\x1f\x8b", "gzip archive"),
        (rb"\ABZh[1-9]1AY&SY", "bzip2 archive"),
        (rb"\A\xfd7zXZ\x00", "xz archive"),
        (rb"\ARar!\x1a\x07", "RAR archive"),
        (rb"\A7z\xbc\xaf\x27\x1c", "7-Zip archive"),
        (rb"\ASQLite format 3\x00", "SQLite database"),
        (rb"\A\x7fELF", "ELF executable"),
        # "MZ" and "BM" also start ordinary words; real executables and bitmaps have NULs right after.
        (rb"\AMZ(?=.{0,200}\x00)", "Windows executable"),
        (rb"\ABM(?=.{0,100}\x00)", "BMP image"),
        (rb"\A(?:\xca\xfe\xba\xbe|\xcf\xfa\xed\xfe)", "Mach-O executable or Java class"),
        (rb"\A(?:ID3|OggS|fLaC)", "audio file"),
        (rb"\ARIFF....WAVE", "audio file"),
        (rb"\A(?:.{4}ftyp|\x1a\x45\xdf\xa3|RIFF....AVI )", "video file"),
    ]
]

_CONTROL_CHARS = re.compile(r"[\x01-\x08\x0e-\x1f\x7f-\x9f]")  # all C0/C1 controls but tab and line breaks
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_ZIP_KINDS = [
    ("xl/workbook.xml", "Excel spreadsheet (XLSX)"),
    ("ppt/presentation.xml", "PowerPoint presentation (PPTX)"),
    ("META-INF/container.xml", "EPUB e-book"),
    ("content.xml", "OpenDocument file (ODT/ODS/ODP)"),
]

_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:p|div|span|a|b|i|u|em|strong|br|hr|img|h[1-6]|ul|ol|li|dl|dt|dd|table|thead|tbody|tr|td|th"
    r"|section|article|header|footer|main|nav|aside|blockquote|pre|code|title|meta|link|script|style)\b[^>]*>",
    re.IGNORECASE,
)
_XML_START = re.compile(r"\A\s*<(?:\?xml|svg\b)", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+\S", re.MULTILINE)
_SETEXT_HEADING = re.compile(r"^[ \t]*\S.*\n {0,3}(?:=+|-{3,})[ \t]*$", re.MULTILINE)


def detect_format(data: bytes, filename: str | None = None) -> DocumentFormat:
    """Classify an upload, raising a RejectedUpload that says why when we cannot take it."""
    if not data.strip():
        raise EmptyFile()
    if data.lstrip().startswith(b"%PDF-"):
        return DocumentFormat.pdf
    if data.startswith(_ZIP_MAGIC):
        return _zip_format(data)
    for signature, name in _BINARY_SIGNATURES:
        if signature.match(data):
            raise UnsupportedType(name)
    text = decode_text(data)
    if not text.strip():
        raise EmptyFile()
    return _text_format(text, _extension(filename))


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16/32 with a BOM, else Windows-1252; refuse binary data."""
    text = _decode(data)
    if not _looks_like_text(text):
        raise UnsupportedType("binary data")
    return text


def safe_filename(name: str | None) -> str:
    """A display name that cannot address the file system: basename only, printable, bounded."""
    name = unicodedata.normalize("NFC", name or "")
    # Cf holds the bidi overrides that make "invoice\u202efdp.exe" display as "invoiceexe.pdf".
    name = "".join(char for char in name if unicodedata.category(char) not in ("Cc", "Cf"))
    name = re.split(r"[\\/]", name)[-1]
    name = re.sub(r"^[A-Za-z]:", "", name)
    name = " ".join(name.split()).strip(". ")
    return _shorten(name, MAX_FILENAME_CHARS) if name else "upload"


def _zip_format(data: bytes) -> DocumentFormat:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError):
        # A truncated DOCX still names its parts in the local headers; the parser reports the damage.
        if b"word/document.xml" in data or b"word/_rels/" in data:
            return DocumentFormat.docx
        raise UnsupportedType("damaged or unrecognised ZIP archive") from None
    # A Word package missing its main part is still a DOCX; the parser tells the uploader it is damaged.
    if any(name.startswith("word/") for name in names):
        return DocumentFormat.docx
    kind = next((kind for member, kind in _ZIP_KINDS if member in names), "ZIP archive")
    raise UnsupportedType(kind)


def _decode(data: bytes) -> str:
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
                       (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise UnsupportedType("binary data") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _looks_like_text(text: str) -> bool:
    return "\x00" not in text and len(_CONTROL_CHARS.findall(text)) * 100 <= len(text)


def _text_format(text: str, extension: str) -> DocumentFormat:
    head = text[:2048]
    if _HTML_START.search(head):
        return DocumentFormat.html
    if _XML_START.match(head):
        raise UnsupportedType("XML document")
    if _looks_like_html_markup(text, extension):
        return DocumentFormat.html
    if extension in (".md", ".markdown") or _ATX_HEADING.search(text) or _SETEXT_HEADING.search(text):
        return DocumentFormat.markdown
    return DocumentFormat.txt


def _looks_like_html_markup(text: str, extension: str) -> bool:
    sample = text[:20_000].strip()
    tags = len(_HTML_TAG.findall(sample))
    if not tags:
        return False
    is_fragment = sample.startswith("<") and sample.endswith(">") and _HTML_TAG.match(sample) is not None
    is_dense = tags >= 4 and tags * 100 >= len(sample)
    return is_fragment or is_dense or extension in (".html", ".htm", ".xhtml")


def _extension(filename: str | None) -> str:
    name = safe_filename(filename).lower()
    return name[name.rfind("."):] if "." in name else ""


def _shorten(name: str, limit: int) -> str:
    if len(name) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 16:
        return name[:limit].rstrip(" .")
    return stem[: limit - len(extension) - 1].rstrip(" .") + "." + extension
