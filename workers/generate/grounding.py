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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from adapters.sentences import sentence_pieces
from contracts.search import SearchHit
from workers.generate.base import GenerationFailed
from workers.generate.quantities import UNITS, Quantity, fold, page_quantity, passage_quantities, quantity_readings, same_quantity

_MARKED = r"\d+(?:\s*[-–]\s*\d+)?"
MARKERS = re.compile(rf"\[\s*({_MARKED}(?:\s*[,;]\s*{_MARKED})*)\s*\]")
_LIST_NUMBER = re.compile(r"^\d{1,2}[.)]\s+")  # "2. Do not exceed 4 g": the 2 numbers the list, it states nothing

_LEADING = "-–•*· \t\n"
_WORD = re.compile(r"[^\W\d_]+")
_NBSP = "\u00a0"

# Endings of international nonproprietary names (WHO stems), on the folded, spelling-normalised word.
_INN = re.compile(
    r"(?:[iu]mab|(?<!r)(?<!vi)vir|pril|sartan|olol|statin|azepam|azolam|zepin|zapin|cilin|micin|prazol|gliflozin|gliptin|parin|oxacin"
    r"|ciclin|conazol|idazol|dipin|tinib|afil|triptan|setron|lukast|profen|proxen|fenac|coxib|grel|(?<!pr)ocain|acain|dronat|semid|tiazid"
    r"|xaban|gatran|tropin|relin|oxetin|pramin|alopram|tralin|triptilin|peridol|peridon|tiapin|pidem|tamol|adol|codon|fentanil"
    r"|morfin|codein|insulin|aspirin|formin|farin|metason|cason|sonid|nisolon|nison|barbital|glutid|penem|azosin|teplas|platin"
    r"|rubicin|trexat|tiroxin|atadin|tirizin|tidin|udin|tabin|operamid|ciferol|(?:me|mo|bu|ca|da|an)terol|acetaminofen|nefrin|adrenalin)$"
)
# One substance, two names: the US name where the passage may use the international one.
_SAME_SUBSTANCE = {"acetaminofen": "paracetamol", "albuterol": "salbutamol", "epinefrin": "adrenalin"}
_MIN_INN_LENGTH = 6
_PRODUCT_MARK = re.compile(r"[®™]")
_DOSE_UNITS = {"mg", "ml", "unit"}
_DOSE_AFTER_NAME = re.compile(r"[^\S\n]\d[\d.,]*[^\S\n]?([^\W\d_]+)")


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


def markers(sentence: str) -> list[int]:
    """The passage numbers that `sentence` cites, as written: "[1, 3]" and "[1][3]" give [1, 3]."""
    return [number for match in MARKERS.finditer(sentence) for number in marked_numbers(match)]


def marked_numbers(marker: re.Match[str]) -> list[int]:
    """The passage numbers of one match of `MARKERS`: "[1, 3]" gives [1, 3], "[2-4]" gives [2, 3, 4]."""
    numbers: list[int] = []
    for item in re.split(r"\s*[,;]\s*", marker.group(1)):
        bounds = [int(number) for number in re.split(r"\s*[-–]\s*", item)]
        first, last = bounds[0], bounds[-1]
        numbers.extend(range(first, last + 1) if 0 <= last - first < 10 else [first, last])
    return numbers


def unsupported(sentence: str, sources: Sequence[_Source], language: str | None = None) -> str | None:
    """Why `sentence` (in `language`) is not grounded in the sources it cites, or None when it is."""
    cited = markers(sentence)
    for number in cited:
        if not 1 <= number <= len(sources):
            return f"citation [{number}] points to no passage"
    claim = _LIST_NUMBER.sub("", MARKERS.sub(" ", sentence))
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
        if (len(key) >= _MIN_INN_LENGTH and _INN.search(key)) or _is_product(match, text, capitals_mark_names=language != "de" and index > 0):
            names.setdefault(word, key)
    return names


def name_key(word: str) -> str:
    """The same key for a name in any of the four languages: "Ibuprofen", "ibuprofène", "ibuprofeno" -> "ibuprofen"."""
    key = fold(word).replace("ph", "f").replace("th", "t").replace("gh", "g").replace("ch", "c").replace("y", "i")
    key = re.sub(r"(.)\1", r"\1", key)
    key = re.sub(r"(?<=.{4})(?:um|e|a|o)$", "", key)
    return _SAME_SUBSTANCE.get(key, key)


@dataclass(frozen=True)
class _Source:
    quantities: frozenset[Quantity]
    names: frozenset[str]
    units: frozenset[str]  # "4.8 (3.0-7.2) days" states 3 days without writing the unit after 3


def _source(passage: SearchHit) -> _Source:
    text = "\n".join(part for part in (passage.title, passage.heading, passage.text) if part)
    found = set(passage_quantities(text))
    if passage.page is not None:
        found.add(page_quantity(passage.page, f"page {passage.page}"))
    units = frozenset(quantity.unit for quantity in found if quantity.unit)
    return _Source(frozenset(found), frozenset(name_key(word) for word in _WORD.findall(text)), units)


def _missing(stated: Iterable[Quantity], sources: Sequence[_Source]) -> Quantity | None:
    """The first stated quantity that no cited source states, or None."""
    for quantity in sorted(stated, key=str):
        if not any(same_quantity(quantity, known, source.units) for source in sources for known in source.quantities):
            return quantity
    return None


def _is_product(word: re.Match[str], text: str, *, capitals_mark_names: bool) -> bool:
    """A name before a trademark sign, or a capitalised one before a dose ("Doliprane 1000 mg") where capitals mark names
    (not in German, not at the start of a sentence): a medicine product."""
    if _PRODUCT_MARK.match(text, word.end()):
        return True
    if not capitals_mark_names or not word.group()[0].isupper():
        return False
    dose = _DOSE_AFTER_NAME.match(text, word.end())
    return dose is not None and UNITS.get(fold(dose.group(1)), ("", 0))[0] in _DOSE_UNITS
