"""Does each sentence of an online answer state only what the passages it cites state?

A sentence's claims are its numbers (with their units, compared in base units across the four languages:
"1,2 g" = "1.2 g" = "1200 mg") and its medicine names (INN-like words such as "ibuprofène", and a
capitalised name before a dose or ®, compared without case, accents or language endings). Every claim must
appear in one of the passages the sentence cites ([n], title, section and page included), every marker must
point to a passage, and a sentence that makes a claim must cite. Framing sentences without claims pass.
The question grounds nothing: "Can I take 10 tablets?" does not make "10 tablets" a fact of the documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from contracts.search import SearchHit
from workers.generate.base import GenerationFailed

MARKERS = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")

# A sentence ends at . ! ? … (with closing quotes and the markers written after it) before a space, or at a line break.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)]*(?:\s*\[[\d\s,;]+\])*(?=\s|$)|\n")
_NOT_SENTENCE_END = re.compile(
    r"(?:^|[\s(])(?:\d+|[zdu]|e\.g|i\.e|z\.\s?b|d\.\s?h|u\.\s?a|c\.-à-d|p\.\s?ex|ca|approx|env|dr|prof|bzw|usw|vgl|ggf|evtl|inkl|vs|nr|no|cf"
    r"|sr|sra|dra|p|s|pp)\.$",
    re.IGNORECASE,
)
_LEADING = "-–•*· \t\n"

_GROUP = "\u00a0\u202f\u2009'’"  # no-break, narrow and thin spaces, apostrophes: thousands separators in every reading
# Not glued to a word ("B12", "COVID-19", "H1N1"), not inside another number or a time of day ("10:00").
_NUMBER_START = r"(?<![^\W\d_])(?<![^\W\d_]-)(?<![\d.,:])"
_NUMBER = re.compile(_NUMBER_START + rf"(\d{{1,3}}(?:[{_GROUP}]\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)")
# French and German also group thousands with a plain space ("1 000 mg"), which reads as two numbers in "take 1 500 mg tablet".
_NUMBER_SPACED = re.compile(_NUMBER_START + rf"(\d{{1,3}}(?:[ {_GROUP}]\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)")
_UNIT = re.compile(r"\)?[ \u00a0\u202f]?-?(%|°\s?[cCfF]\b|[^\W\d_]+)")  # "5 (2-9) days": the unit after a range in brackets
_PAGE = re.compile(r"\b(?:pages?|pp?\.|p[aá]gina|seite|s\.)\s?(\d+)", re.IGNORECASE)
_RANGE = re.compile(r"\s*(?:-|–|—)?\s*(?:to|à|a|bis|or|ou|o|oder|and|et|y|und)?\s*", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+")
_CLOCK_MINUTES = re.compile(r"\s?\d{2}\b")
# A passage may spell a small number out; an answer that writes it in digits still repeats it. "one", "un", "uno", "ein"
# are left out: they are articles as often as numbers.
_NUMBER_WORDS = {
    **dict.fromkeys(("two", "deux", "dos", "zwei"), 2), **dict.fromkeys(("three", "trois", "tres", "drei"), 3),
    **dict.fromkeys(("four", "quatre", "cuatro", "vier"), 4), **dict.fromkeys(("five", "cinq", "cinco", "funf"), 5),
    **dict.fromkeys(("six", "seis", "sechs"), 6), **dict.fromkeys(("seven", "sept", "siete", "sieben"), 7),
    **dict.fromkeys(("eight", "huit", "ocho", "acht"), 8), **dict.fromkeys(("nine", "neuf", "nueve", "neun"), 9),
    **dict.fromkeys(("ten", "dix", "diez", "zehn"), 10), **dict.fromkeys(("twelve", "douze", "doce", "zwolf"), 12),
    "twice": "2 times", "zweimal": "2 mal", "dreimal": "3 mal", "viermal": "4 mal",
}
_MULTIPLIERS = {"thousand": 1e3, "mille": 1e3, "mil": 1e3, "tausend": 1e3, "million": 1e6, "millions": 1e6, "millon": 1e6,
                "millones": 1e6, "millionen": 1e6, "mio": 1e6, "billion": 1e9, "billions": 1e9, "milliard": 1e9, "milliards": 1e9,
                "milliarde": 1e9, "milliarden": 1e9, "mrd": 1e9}


def _units(base: str, factor: float, *spellings: str) -> dict[str, tuple[str, float]]:
    return dict.fromkeys(spellings, (base, factor))


# Folded spellings in EN, FR, ES, DE -> (base unit, factor to it).
UNITS: dict[str, tuple[str, float]] = {
    **_units("mg", 0.001, "mcg", "μg", "ug", "microgram", "micrograms", "microgramme", "microgrammes", "microgramo", "microgramos",
             "mikrogramm"),
    **_units("mg", 1, "mg", "milligram", "milligrams", "milligramme", "milligrammes", "miligramo", "miligramos", "milligramm"),
    **_units("mg", 1000, "g", "gr", "gram", "grams", "gramme", "grammes", "gramo", "gramos", "gramm"),
    **_units("mg", 1e6, "kg", "kilo", "kilos", "kilogram", "kilograms", "kilogramme", "kilogrammes", "kilogramo", "kilogramos",
             "kilogramm"),
    **_units("ml", 1, "ml", "millilitre", "millilitres", "milliliter", "milliliters", "mililitro", "mililitros", "cc"),
    **_units("ml", 10, "cl"),
    **_units("ml", 100, "dl"),
    **_units("ml", 1000, "l", "litre", "litres", "liter", "liters", "litro", "litros"),
    **_units("min", 1, "min", "mins", "minute", "minutes", "minuto", "minutos", "minuten"),
    **_units("min", 60, "h", "hr", "hrs", "hour", "hours", "heure", "heures", "hora", "horas", "stunde", "stunden", "std"),
    **_units("min", 1440, "day", "days", "jour", "jours", "dia", "dias", "tag", "tage", "tagen"),
    **_units("min", 10080, "week", "weeks", "semaine", "semaines", "semana", "semanas", "woche", "wochen"),
    **_units("month", 1, "month", "months", "mois", "mes", "meses", "monat", "monate", "monaten"),
    **_units("year", 1, "year", "years", "an", "ans", "annee", "annees", "ano", "anos", "jahr", "jahre", "jahren"),
    **_units("tablet", 1, "tablet", "tablets", "comprime", "comprimes", "comprimido", "comprimidos", "tablette", "tabletten",
             "filmtablette", "filmtabletten", "pill", "pills", "pastille", "pastilles"),
    **_units("capsule", 1, "capsule", "capsules", "gelule", "gelules", "capsula", "capsulas", "kapsel", "kapseln"),
    **_units("drop", 1, "drop", "drops", "goutte", "gouttes", "gota", "gotas", "tropfen"),
    **_units("sachet", 1, "sachet", "sachets", "sobres", "beutel"),
    **_units("dose", 1, "dose", "doses", "dosis", "dosen"),
    **_units("puff", 1, "puff", "puffs", "inhalation", "inhalations", "pulverisation", "pulverisations", "pulsacion", "pulsaciones",
             "hub", "hube", "spruhstoss", "spruhstosse"),
    **_units("unit", 1, "unit", "units", "iu", "unite", "unites", "ui", "unidad", "unidades", "einheit", "einheiten", "ie"),
    **_units("injection", 1, "injection", "injections", "inyeccion", "inyecciones", "injektion", "injektionen"),
    **_units("times", 1, "time", "times", "fold", "fois", "vez", "veces", "mal", "x", "×"),
    **_units("percent", 1, "%", "percent", "prozent"),
    **_units("°c", 1, "°c", "° c"),
    **_units("mmol", 1, "mmol"),
    **_units("mmhg", 1, "mmhg"),
}

# Endings of international nonproprietary names (WHO stems), on the folded, spelling-normalised word.
_INN = re.compile(
    r"(?:[iu]mab|(?<!r)(?<!vi)vir|pril|sartan|olol|statin|azepam|azolam|zepin|zapin|cilin|micin|prazol|gliflozin|gliptin|parin|oxacin"
    r"|ciclin|conazol|idazol|dipin|tinib|afil|triptan|setron|lukast|profen|proxen|fenac|coxib|grel|[oa]cain|dronat|semid|tiazid"
    r"|xaban|gatran|tropin|relin|oxetin|pramin|alopram|tralin|triptilin|peridol|peridon|tiapin|pidem|tamol|adol|codon|fentanil"
    r"|morfin|codein|insulin|aspirin|formin|farin|metason|cason|sonid|nisolon|nison|barbital|glutid|penem|azosin|teplas|platin"
    r"|rubicin|trexat|tiroxin|atadin|tirizin|tidin|udin|tabin|operamid|ciferol)$"
)
_MIN_INN_LENGTH = 6
_PRODUCT_MARK = re.compile(r"[®™]")
_DOSE_UNITS = {"mg", "ml", "unit"}
_DOSE_AFTER_NAME = re.compile(r"[ \u00a0]\d[\d.,]*[ \u00a0]?([^\W\d_]+)")


@dataclass(frozen=True)
class Quantity:
    values: frozenset[float]  # in the base unit; two when the writing is ambiguous ("1.200": 1200 or 1.2)
    unit: str | None  # the base unit; None for a bare number
    numbers: frozenset[float]  # as written, before conversion to the base unit
    written: str = field(compare=False)

    def __str__(self) -> str:
        return self.written


@dataclass(frozen=True)
class Removal:
    sentence: str
    reason: str


class UngroundedAnswer(GenerationFailed):
    """No sentence of an online answer is left citing a passage once the ungrounded ones are removed."""

    def __init__(self, removed: Sequence[Removal]) -> None:
        self.removed = tuple(removed)
        if not removed:
            reason = "answer cites no passage"
        elif len(removed) == 1:
            reason = removed[0].reason
        else:
            reason = f"{len(removed)} ungrounded sentences ({'; '.join(r.reason for r in removed[:3])}{'; ...' if len(removed) > 3 else ''})"
        super().__init__(reason)


_NBSP = "\u00a0"
# Said to the user in the answer language, beside the frames' fallback notice.
_REMOVED_NOTICES = {
    "en": ("One sentence was removed from this answer because the passages it cites do not support it.",
           "{n} sentences were removed from this answer because the passages they cite do not support them."),
    "fr": ("Une phrase a été retirée de cette réponse, car les passages qu’elle cite ne l’étayent pas.",
           "{n} phrases ont été retirées de cette réponse, car les passages qu’elles citent ne les étayent pas."),
    "es": ("Se ha eliminado una frase de esta respuesta porque los pasajes que cita no la respaldan.",
           "Se han eliminado {n} frases de esta respuesta porque los pasajes que citan no las respaldan."),
    "de": ("Ein Satz wurde aus dieser Antwort entfernt, weil die zitierten Stellen ihn nicht belegen.",
           "{n} Sätze wurden aus dieser Antwort entfernt, weil die zitierten Stellen sie nicht belegen."),
}
_UNGROUNDED_NOTICES = {
    "en": "The generated answer could not be verified against the documents, so this answer only quotes them.",
    "fr": f"La réponse rédigée n’a pas pu être vérifiée dans les documents{_NBSP}; cette réponse se limite donc à les citer.",
    "es": "La respuesta redactada no se pudo verificar con los documentos; por eso esta respuesta se limita a citarlos.",
    "de": "Die formulierte Antwort ließ sich nicht anhand der Dokumente überprüfen; diese Antwort beschränkt sich daher auf Zitate "
          "aus den Dokumenten.",
}


def removed_notice(language: str | None, count: int) -> str:
    """Tells the user, in `language` (English for another), that `count` sentences were removed."""
    one, many = _REMOVED_NOTICES.get(language or "", _REMOVED_NOTICES["en"])
    return one if count == 1 else many.format(n=count)


def ungrounded_notice(language: str | None) -> str:
    """Tells the user, in `language` (English for another), that the extractive answer stands in for an ungrounded one."""
    return _UNGROUNDED_NOTICES.get(language or "", _UNGROUNDED_NOTICES["en"])


@dataclass(frozen=True)
class Grounded:
    text: str  # the sentences that passed, with their markers as written
    removed: tuple[Removal, ...]
    cites: bool  # whether a sentence that passed cites a passage


def ground(answer: str, passages: Sequence[SearchHit], language: str | None = None) -> Grounded:
    """`answer` (in `language`) without the sentences that its cited passages do not support."""
    sources = [_source(passage) for passage in passages]
    kept: list[str] = []
    removed: list[Removal] = []
    cites = False
    for piece in sentence_pieces(answer):
        sentence = piece.strip(_LEADING)
        reason = unsupported(sentence, sources, language)
        if reason is None:
            kept.append(piece)
            cites = cites or bool(markers(sentence))
        else:
            removed.append(Removal(sentence, reason))
    return Grounded(text="".join(kept).strip(), removed=tuple(removed), cites=cites)


def sentence_pieces(text: str) -> list[str]:
    """`text` cut into sentences, each with the spaces and bullet before it and the line break after it, so that joining
    them gives `text` back."""
    pieces, start = [], 0
    for end in _SENTENCE_END.finditer(text):
        if end.group().startswith(".") and _NOT_SENTENCE_END.search(text, max(0, end.start() - 12), end.start() + 1):
            continue
        pieces.append(text[start:end.end()])
        start = end.end()
    pieces.append(text[start:])
    merged: list[str] = []
    for piece in pieces:
        if merged and not piece.strip(_LEADING):
            merged[-1] += piece
        else:
            merged.append(piece)
    return [piece for piece in merged if piece.strip(_LEADING)]


def markers(sentence: str) -> list[int]:
    """The passage numbers that `sentence` cites, as written: "[1, 3]" and "[1][3]" give [1, 3]."""
    return [int(n) for match in MARKERS.finditer(sentence) for n in re.split(r"\s*[,;]\s*", match.group(1))]


def unsupported(sentence: str, sources: Sequence[_Source], language: str | None = None) -> str | None:
    """Why `sentence` (in `language`) is not grounded in the sources it cites, or None when it is."""
    cited = markers(sentence)
    for number in cited:
        if not 1 <= number <= len(sources):
            return f"citation [{number}] points to no passage"
    claim = MARKERS.sub(" ", sentence)
    names = medicine_names(claim, language)
    readings = quantity_readings(claim)
    if not cited:
        return "states a number or a medicine but cites no passage" if names or any(readings) else None
    cited_sources = [sources[number - 1] for number in dict.fromkeys(cited)]
    where = "".join(f"[{number}]" for number in dict.fromkeys(cited))
    for name, key in names.items():
        if not any(key in source.names for source in cited_sources):
            return f"{name} is not in {where}"
    missing = [_missing(reading, cited_sources) for reading in readings]
    if all(missing):
        return f"{missing[0]} is not in {where}"
    return None


def medicine_names(text: str, language: str | None = None) -> dict[str, str]:
    """Words of `text` (in `language`) that name a medicine, as written -> their comparison key."""
    names: dict[str, str] = {}
    for index, match in enumerate(_WORD.finditer(text)):
        word, key = match.group(), name_key(match.group())
        if (len(key) >= _MIN_INN_LENGTH and _INN.search(key)) or _is_product(match, text, capitalised_nouns=language == "de" or index == 0):
            names.setdefault(word, key)
    return names


def name_key(word: str) -> str:
    """The same key for a name in any of the four languages: "Ibuprofen", "ibuprofène", "ibuprofeno" -> "ibuprofen"."""
    key = fold(word).replace("ph", "f").replace("th", "t").replace("gh", "g").replace("y", "i")
    key = re.sub(r"(.)\1", r"\1", key)
    return re.sub(r"(?<=.{4})(?:um|e|a|o)$", "", key)


def quantity_readings(text: str) -> list[frozenset[Quantity]]:
    """The quantities that `text` states; a second reading when a plain space may group thousands ("1 000 mg")."""
    first = quantities(text)
    if re.search(r"\d \d{3}(?!\d)", text):
        return [first, quantities(text, spaced=True)]
    return [first]


def quantities(text: str, *, spaced: bool = False) -> frozenset[Quantity]:
    """Numbers with their units in base units; a bare number before a range ("1 to 2 tablets") takes the unit after it."""
    found: list[tuple[frozenset[float], str | None, float, int, int]] = []  # values, unit, factor, start, end
    for match in (_NUMBER_SPACED if spaced else _NUMBER).finditer(text):
        if re.match(r"0\d", match.group(1)):
            continue  # "8 h 00", "05/03": minutes and codes, not amounts
        values, end = number_values(match.group(1)), match.end()
        if (word := _UNIT.match(text, end)) and (multiplier := _MULTIPLIERS.get(fold(word.group(1)))):
            values, end = frozenset(_significant(value * multiplier) for value in values), word.end()
        unit, factor = None, 1.0
        if (word := _UNIT.match(text, end)) and (spelling := fold(word.group(1)).replace(" ", "")) in UNITS:
            (unit, factor), end = UNITS[spelling], word.end()
            if spelling == "h" and _CLOCK_MINUTES.match(text, end):
                unit, factor = None, 1.0  # "8 h 00" is a time of day
        found.append((values, unit, factor, match.start(), end))
    result = set()
    for index, (values, unit, factor, start, end) in enumerate(found):
        if unit is None and index + 1 < len(found):
            next_values, next_unit, next_factor, next_start, _ = found[index + 1]
            if next_unit and next_start > end and _RANGE.fullmatch(text, end, next_start) and min(values) < max(next_values):
                unit, factor = next_unit, next_factor
        result.add(Quantity(frozenset(_significant(value * factor) for value in values), unit, values, text[start:end].strip()))
    result.update(_page(int(page.group(1)), page.group()) for page in _PAGE.finditer(text))
    return frozenset(result)


def _significant(value: float) -> float:
    """`value` without the float noise of a conversion: 8.3 * 1e9 == 8300 * 1e6."""
    return float(f"{value:.9g}")


def _page(number: int, written: str) -> Quantity:
    return Quantity(frozenset({float(number)}), "page", frozenset({float(number)}), written)


def number_values(written: str) -> frozenset[float]:
    """What a written number may mean: "37,5" -> 37.5; "1.200" -> 1200 or 1.2; "1.200,5" -> 1200.5; "1 000" -> 1000."""
    digits = re.sub(rf"[ {_GROUP}]", "", written)
    separators = [c for c in digits if c in ".,"]
    if not separators:
        return frozenset({float(digits)})
    if len(set(separators)) == 2:
        decimal = separators[-1]
        grouping = "," if decimal == "." else "."
        return frozenset({float(digits.replace(grouping, "").replace(decimal, "."))})
    whole, *rest = digits.split(separators[0])
    if len(rest) > 1:
        return frozenset({float(whole + "".join(rest))})
    if len(rest[0]) == 3:
        return frozenset({float(whole + rest[0]), float(f"{whole}.{rest[0]}")})
    return frozenset({float(f"{whole}.{rest[0]}")})


def fold(text: str) -> str:
    """Lowercase without accents: "Höchstdosis" -> "hochstdosis"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


@dataclass(frozen=True)
class _Source:
    quantities: frozenset[Quantity]
    names: frozenset[str]
    units: frozenset[str]  # "4.8 (3.0-7.2) days" states 3 days without writing the unit after 3


def _source(passage: SearchHit) -> _Source:
    text = "\n".join(part for part in (passage.title, passage.heading, passage.text) if part)
    found = set().union(*quantity_readings(text), *quantity_readings(_digits(text)))
    if passage.page is not None:
        found.add(_page(passage.page, f"page {passage.page}"))
    units = frozenset(quantity.unit for quantity in found if quantity.unit)
    return _Source(frozenset(found), frozenset(name_key(word) for word in _WORD.findall(text)), units)


def _digits(text: str) -> str:
    """`text` with small numbers spelled out written in digits: "two tablets" -> "2 tablets"."""
    return _WORD.sub(lambda word: str(_NUMBER_WORDS.get(fold(word.group()), word.group())), text)


def _missing(stated: Iterable[Quantity], sources: Sequence[_Source]) -> Quantity | None:
    """The first stated quantity that no cited source states, or None."""
    for quantity in sorted(stated, key=str):
        if not any(_same(quantity, known, source.units) for source in sources for known in source.quantities):
            return quantity
    return None


def _same(stated: Quantity, known: Quantity, units: frozenset[str]) -> bool:
    if stated.unit is None:
        return bool(stated.numbers & known.numbers)
    if known.unit is None:
        return stated.unit in units and bool(stated.numbers & known.numbers)
    return stated.unit == known.unit and bool(stated.values & known.values)


def _is_product(word: re.Match[str], text: str, *, capitalised_nouns: bool) -> bool:
    """A name before a trademark sign, or a capitalised one before a dose ("Doliprane 1000 mg") where capitals mark names
    (not in German, not at the start of a sentence): a medicine product."""
    if _PRODUCT_MARK.match(text, word.end()):
        return True
    if capitalised_nouns or not word.group()[0].isupper():
        return False
    dose = _DOSE_AFTER_NAME.match(text, word.end())
    return dose is not None and UNITS.get(fold(dose.group(1)), ("", 0))[0] in _DOSE_UNITS
