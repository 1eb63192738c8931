"""Leaflet-like documents in every supported format and language, built in memory for tests."""

from __future__ import annotations

import datetime
import html
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import docx
from fpdf import FPDF

Sections = Sequence[tuple[str, Sequence[str]]]

SAMPLES: dict[str, dict] = {
    "en": {
        "title": "Paracetamol 500 mg tablets",
        "sections": [
            ("1. What Paracetamol is and what it is used for", [
                "Paracetamol 500 mg tablets contain the active substance paracetamol, which belongs to a group of "
                "medicines called analgesics. It relieves mild to moderate pain such as headache, toothache and "
                "period pain, and it lowers fever in colds and flu.",
                "Talk to a doctor if you do not feel better or if you feel worse after 3 days of fever or 5 days "
                "of pain.",
            ]),
            ("2. How to take Paracetamol", [
                "Adults and adolescents weighing more than 50 kg: take 1 to 2 tablets (500 mg to 1000 mg) every "
                "4 to 6 hours as needed. Do not take more than 4 g (8 tablets) in 24 hours. Leave at least 4 hours "
                "between doses.",
                "Children aged 6 to 12 years should use the oral suspension instead: 2.5 ml to 5 ml per dose, "
                "measured with the syringe provided. Swallow the tablets whole with a glass of water.",
                "If you take more Paracetamol than you should, talk to a doctor at once, even if you feel well, "
                "because of the risk of delayed, serious liver damage.",
            ]),
            ("3. Possible side effects", [
                "Like all medicines, Paracetamol can cause side effects, although not everybody gets them. Rare "
                "side effects (up to 1 in 1,000 people) include skin rash, swelling of the face and changes in "
                "blood counts.",
                "Stop taking the tablets and see a doctor immediately if you notice a serious skin reaction or "
                "difficulty breathing.",
            ]),
            ("4. Pregnancy and breast-feeding", [
                "Paracetamol can be used during pregnancy if clinically needed, at the lowest effective dose for "
                "the shortest possible time. Ask your doctor or midwife before taking any medicine while you are "
                "pregnant or breast-feeding.",
            ]),
        ],
    },
    "fr": {
        "title": "Paracétamol 500 mg, comprimé",
        "sections": [
            ("1. Qu'est-ce que le paracétamol et dans quels cas est-il utilisé ?", [
                "Ce médicament contient du paracétamol, un antalgique et antipyrétique. Il est indiqué dans le "
                "traitement symptomatique des douleurs d'intensité légère à modérée et des états fébriles, "
                "par exemple en cas de grippe ou de maux de tête.",
                "Si les symptômes persistent plus de 3 jours ou s'aggravent, consultez votre médecin.",
            ]),
            ("2. Comment prendre le paracétamol ?", [
                "Chez l'adulte et l'enfant de plus de 50 kg, la posologie usuelle est de 1 comprimé de 500 mg, "
                "à renouveler au bout de 4 heures minimum. Ne dépassez pas 3 g par jour sans avis médical.",
                "Pour l'enfant de moins de 6 ans, utilisez la solution buvable : 0,5 ml par kilo de poids, "
                "mesuré avec la seringue graduée, à répéter si nécessaire toutes les 6 heures.",
            ]),
            ("3. Quels sont les effets indésirables éventuels ?", [
                "Comme tous les médicaments, ce médicament peut provoquer des effets indésirables, mais ils ne "
                "surviennent pas systématiquement chez tout le monde. De très rares cas de réactions cutanées "
                "graves ont été signalés.",
                "Arrêtez le traitement et prévenez immédiatement votre médecin en cas d'éruption, de démangeaisons "
                "ou de gonflement du visage.",
            ]),
            ("4. Grossesse et allaitement", [
                "Le paracétamol peut être utilisé pendant la grossesse si nécessaire, à la dose efficace la plus "
                "faible et pendant la durée la plus courte possible. Demandez conseil à votre médecin ou à votre "
                "sage-femme avant de prendre tout médicament.",
            ]),
        ],
    },
    "es": {
        "title": "Ibuprofeno 400 mg comprimidos recubiertos",
        "sections": [
            ("1. Qué es Ibuprofeno y para qué se utiliza", [
                "El ibuprofeno pertenece al grupo de medicamentos llamados antiinflamatorios no esteroideos. "
                "Está indicado para el alivio sintomático del dolor leve o moderado, como el dolor de cabeza, "
                "el dolor dental o el dolor menstrual, y para bajar la fiebre.",
            ]),
            ("2. Cómo tomar Ibuprofeno", [
                "Adultos y adolescentes a partir de 12 años: 1 comprimido de 400 mg cada 8 horas, si fuera "
                "necesario. No tome más de 1.200 mg al día sin consultar al médico.",
                "Tome los comprimidos con un vaso de agua, preferiblemente con las comidas. Si los síntomas "
                "empeoran o duran más de 3 días, consulte a su médico.",
                "Si toma más ibuprofeno del que debe, consulte inmediatamente a su médico o farmacéutico, o llame "
                "al Servicio de Información Toxicológica.",
            ]),
            ("3. Posibles efectos adversos", [
                "Al igual que todos los medicamentos, este medicamento puede producir efectos adversos, aunque no "
                "todas las personas los sufran. Los más frecuentes son náuseas, ardor de estómago y dolor "
                "abdominal.",
                "Interrumpa el tratamiento si nota heces negras, vómitos con sangre o una reacción alérgica grave, "
                "como hinchazón de la cara o dificultad para respirar.",
            ]),
            ("4. Embarazo y lactancia", [
                "No tome ibuprofeno durante el tercer trimestre del embarazo. Durante los primeros seis meses, "
                "solo debe tomarlo si su médico lo considera estrictamente necesario. Pequeñas cantidades pasan "
                "a la leche materna.",
            ]),
        ],
    },
    "de": {
        "title": "Ibuprofen 400 mg Filmtabletten",
        "sections": [
            ("1. Was ist Ibuprofen und wofür wird es angewendet?", [
                "Ibuprofen ist ein entzündungshemmendes und schmerzstillendes Arzneimittel aus der Gruppe der "
                "nichtsteroidalen Antirheumatika. Es wird angewendet bei leichten bis mäßig starken Schmerzen wie "
                "Kopfschmerzen, Zahnschmerzen und Regelschmerzen sowie bei Fieber.",
                "Wenn Sie sich nach 3 Tagen nicht besser oder gar schlechter fühlen, wenden Sie sich an Ihren Arzt.",
            ]),
            ("2. Wie ist Ibuprofen einzunehmen?", [
                "Erwachsene und Jugendliche ab 12 Jahren nehmen 2 x 1 Tablette täglich, also 800 mg pro Tag. "
                "Die Tageshöchstdosis von 1,2 g darf ohne ärztlichen Rat nicht überschritten werden.",
                "Nehmen Sie die Filmtabletten unzerkaut mit reichlich Flüssigkeit während oder nach einer Mahlzeit "
                "ein. Der Abstand zwischen zwei Einnahmen muss mindestens 6 Stunden betragen.",
            ]),
            ("3. Welche Nebenwirkungen sind möglich?", [
                "Wie alle Arzneimittel kann auch dieses Arzneimittel Nebenwirkungen haben, die aber nicht bei jedem "
                "auftreten müssen. Häufig sind Sodbrennen, Übelkeit und Bauchschmerzen.",
                "Beenden Sie die Einnahme und suchen Sie sofort einen Arzt auf, wenn Sie schwarzen Stuhl, "
                "Bluterbrechen oder eine Schwellung im Gesicht bemerken. Größere Mengen können die Nieren schädigen.",
            ]),
            ("4. Schwangerschaft und Stillzeit", [
                "Im letzten Drittel der Schwangerschaft dürfen Sie Ibuprofen nicht einnehmen. In den ersten sechs "
                "Monaten sollten Sie es nur nach Rücksprache mit Ihrem Arzt anwenden. Ibuprofen geht in geringen "
                "Mengen in die Muttermilch über.",
            ]),
        ],
    },
}

# Doses that appear verbatim in SAMPLES and must survive parsing and chunking untouched.
DOSES: dict[str, tuple[str, ...]] = {
    "en": ("500 mg to 1000 mg", "4 g (8 tablets)", "2.5 ml to 5 ml"),
    "fr": ("1 comprimé de 500 mg", "3 g par jour", "0,5 ml par kilo"),
    "es": ("1 comprimido de 400 mg cada 8 horas", "1.200 mg al día"),
    "de": ("2 x 1 Tablette täglich", "800 mg pro Tag", "1,2 g"),
}

_FIXED_TIME = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


class _LeafletPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.font_family, "", 8)
        self.cell(0, 10, f"Page {self.page_no()}/{{nb}}", align="C")


def make_pdf(title: str, sections: Sections, pages_per_section: int = 1, *, metadata: bool = True) -> bytes:
    """A leaflet PDF: bold title and headings; with pages_per_section=n >= 1 each section starts on a new
    page and its paragraphs are spread over up to n pages; 0 lets the text flow. Same input, same bytes."""
    pdf = _LeafletPdf(format="A4")
    pdf.set_creation_date(_FIXED_TIME)
    if metadata:
        pdf.set_title(title)
    family = _register_font(pdf)
    pdf.add_page()
    pdf.set_font(family, "B", 16)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    for number, (heading, paragraphs) in enumerate(sections):
        if pages_per_section and number:
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 11)
        per_page = -(-len(paragraphs) // pages_per_section) if pages_per_section else len(paragraphs)
        for index, paragraph in enumerate(paragraphs):
            if index and per_page and index % per_page == 0:
                pdf.add_page()
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def _register_font(pdf: FPDF) -> str:
    """DejaVu when the machine has it (embedded, like real leaflets); else Helvetica, which covers Latin-1."""
    regular, bold = _DEJAVU / "DejaVuSans.ttf", _DEJAVU / "DejaVuSans-Bold.ttf"
    if not (regular.exists() and bold.exists()):
        return "Helvetica"
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold))
    return "DejaVu"


def make_docx(title: str, sections: Sections) -> bytes:
    document = docx.Document()
    document.add_heading(title, level=0)
    for heading, paragraphs in sections:
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return _with_fixed_timestamps(buffer.getvalue())


def _with_fixed_timestamps(archive: bytes) -> bytes:
    """python-docx stamps zip entries with the current time; tests need identical bytes for identical input."""
    source, target = zipfile.ZipFile(io.BytesIO(archive)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            out.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), source.read(name),
                         compress_type=zipfile.ZIP_DEFLATED)
    return target.getvalue()


def make_txt(title: str, sections: Sections, encoding: str = "utf-8") -> bytes:
    lines = [title]
    for heading, paragraphs in sections:
        lines += [heading, *paragraphs]
    return ("\n\n".join(lines) + "\n").encode(encoding)


def make_markdown(title: str, sections: Sections) -> bytes:
    lines = [f"# {title}"]
    for heading, paragraphs in sections:
        lines += [f"## {heading}", *paragraphs]
    return ("\n\n".join(lines) + "\n").encode()


def make_html(title: str, sections: Sections) -> bytes:
    """A full page with the navigation, script and style a real site carries around the leaflet."""
    body = [f"<h1>{html.escape(title)}</h1>"]
    for heading, paragraphs in sections:
        body.append(f"<section><h2>{html.escape(heading)}</h2>")
        body += [f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs]
        body.append("</section>")
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>p {{ margin: 0 }}</style></head>\n"
        "<body><nav><a href=\"/\">Home</a> <a href=\"/leaflets\">All leaflets</a></nav>\n"
        "<script>window.trackingId = 'UA-000';</script>\n<main>\n"
        + "\n".join(body)
        + "\n</main></body></html>\n"
    ).encode()


_PARAGRAPH_LABEL = {"en": "Note", "fr": "Remarque", "es": "Nota", "de": "Hinweis"}


def make_long_text(paragraphs: int, language: str = "en") -> bytes:
    """A large plain-text document of distinct numbered paragraphs of 500-1000 characters each, so that with
    the default chunk size every paragraph becomes exactly one chunk."""
    sentences = _sample_sentences(language)
    label = _PARAGRAPH_LABEL[language]
    texts = [SAMPLES[language]["title"]]
    for number in range(paragraphs):
        text, offset = f"{label} {number + 1}:", number
        while len(text) < 500:
            text += " " + sentences[offset % len(sentences)]
            offset += 1
        texts.append(text)
    return ("\n\n".join(texts) + "\n").encode()


@cache
def _sample_sentences(language: str) -> tuple[str, ...]:
    paragraphs = [paragraph for _, section in SAMPLES[language]["sections"] for paragraph in section]
    return tuple(sentence.strip().rstrip(".") + "." for paragraph in paragraphs for sentence in paragraph.split(". "))


def corrupt_pdf() -> bytes:
    """A PDF cut off halfway: the header still says PDF, the objects and cross-reference table are gone."""
    whole = make_pdf(**SAMPLES["en"])
    return whole[: len(whole) // 2]


@dataclass(frozen=True)
class PreparedDocument:
    title: str | None
    pages: int | None
    points: list

    @property
    def languages(self) -> dict[str, int]:
        from workers.ingest.indexing import language_counts

        return language_counts(self.points)


def prepare(data: bytes, event, *, embedders, lexical, detector, max_chars: int) -> PreparedDocument:  # noqa: ANN001
    """Bytes to index-ready points in one call, unbatched: the steps the ingest worker runs, for tests that fill an
    index. `embedders`: the model of each space to embed in, by space name (adapters.spaces)."""
    from adapters.spaces import SPACES
    from workers.ingest.indexing import chunk_for_index, to_points

    document = chunk_for_index(data, event, lexical=lexical, detector=detector, max_chars=max_chars)
    vectors = {space: list(embedders[space.name].embed_documents(texts)) if (texts := document.texts_for(space)) else []
               for space in SPACES if space.name in embedders}
    return PreparedDocument(title=document.title, pages=document.pages, points=to_points(event, document, vectors))
