"""Amounts as an answer or a passage writes them, in any of EN, FR, ES, DE: "1,2 g" = "1.2 g" = "1200 mg", "3 fois" = "3-mal".

A number is read with its unit and converted to the unit's base (mg, ml, minutes, ...); an ambiguous writing keeps
both readings ("1.200": 1200 in Spanish, 1.2 in English). A passage is read generously (small numbers spelled out,
adjectives between a number and its dose form, a plain space grouping thousands), so that an answer that repeats it
in other words is still grounded.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_GROUP = "\u00a0\u202f\u2009'’"  # no-break, narrow and thin spaces, apostrophes: thousands separators in every reading
# Not glued to a word or a code ("B12", "H1N1", "COVID-19", "SARS-CoV-2"; "mid-1960s" is a year), not inside another number
# or a time of day ("10:00").
_NUMBER_START = r"(?<![^\W\d_])(?<![A-Z][-‐‑])(?<![\d.,:])"
_NUMBER = re.compile(_NUMBER_START + rf"(\d{{1,3}}(?:[{_GROUP}]\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)")
# French and German also group thousands with a plain space ("1 000 mg"), which reads as two numbers in "take 1 500 mg tablet".
_NUMBER_SPACED = re.compile(_NUMBER_START + rf"(\d{{1,3}}(?:[ {_GROUP}]\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)")
_UNIT = re.compile(r"\)?[^\S\n]?-?(%|[°º]\s?[cCfF]\b|[^\W\d_]+)")  # "5 (2-9) days": the unit after a range in brackets
_PAGE = re.compile(r"\b(?:pages?|pp?\.|p[aá]gina|seite|s\.)\s?(\d+)", re.IGNORECASE)
_RANGE = re.compile(r"\s*(?:[-–—]|(?:[-–—]\s*)?(?:to|à|a|bis|or|ou|o|oder|and|et|y|und))\s*", re.IGNORECASE)
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
    **_units("°c", 1, "°c", "oc"),  # "ºC" folds to "oc"
    **_units("mmol", 1, "mmol"),
    **_units("mmhg", 1, "mmhg"),
}

# Ages go without their unit as often as not: "children under 12" says what "enfants de moins de 12 ans" says.
_OFTEN_UNWRITTEN = {"year"}
_COUNTED_FORMS = {"tablet", "capsule", "drop", "sachet", "dose", "puff", "injection", "unit"}
_ADJECTIVES_BEFORE_FORM = re.compile(
    r"(\d[^\S\n])(?:[^\W\d_]+[ -]){1,2}(?=(?:"
    + "|".join(sorted((s for s, (unit, _) in UNITS.items() if unit in _COUNTED_FORMS and len(s) > 2), key=len, reverse=True))
    + r")\b)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Quantity:
    values: frozenset[float]  # in the base unit; two when the writing is ambiguous ("1.200": 1200 or 1.2)
    unit: str | None  # the base unit; None for a bare number
    numbers: frozenset[float]  # as written, before conversion to the base unit
    written: str = field(compare=False)

    def __str__(self) -> str:
        return self.written


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
    result.update(page_quantity(int(page.group(1)), page.group()) for page in _PAGE.finditer(text))
    return frozenset(result)


def _significant(value: float) -> float:
    """`value` without the float noise of a conversion: 8.3 * 1e9 == 8300 * 1e6."""
    return float(f"{value:.9g}")


def page_quantity(number: int, written: str) -> Quantity:
    """A page number: "page 2", "p. 2", "S. 2", or a passage's page."""
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


def _without_dose_form_adjectives(text: str) -> str:
    """`text` without the words between a number and the dose form it counts: "2 film-coated tablets" -> "2 tablets"."""
    return _ADJECTIVES_BEFORE_FORM.sub(r"\1", text)


def _digits(text: str) -> str:
    """`text` with small numbers spelled out written in digits: "two tablets" -> "2 tablets"."""
    return _WORD.sub(lambda word: str(_NUMBER_WORDS.get(fold(word.group()), word.group())), text)


def passage_quantities(text: str) -> frozenset[Quantity]:
    """Every quantity `text` may state, read generously: "two film-coated tablets" states 2 tablets."""
    readings = (text, _digits(text), _without_dose_form_adjectives(_digits(text)))
    return frozenset().union(*(found for reading in readings for found in quantity_readings(reading)))


def same_quantity(stated: Quantity, known: Quantity, units: frozenset[str]) -> bool:
    """Whether `known`, from a passage that uses `units`, states `stated`: a bare number there counts for a unit the passage
    uses elsewhere ("4.8 (3.0-7.2) days" states 3 days), and for years."""
    if stated.unit is None:
        return bool(stated.numbers & known.numbers)
    if known.unit is None:
        return (stated.unit in units or stated.unit in _OFTEN_UNWRITTEN) and bool(stated.numbers & known.numbers)
    return stated.unit == known.unit and bool(stated.values & known.values)


