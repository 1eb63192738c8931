"""A French, Spanish or German question's medical words in the English forms they most likely have, for the two
ways it reaches English chunks: BM25 (every form, stemmed in English) and the English model (one rendering).
Substance names are the same in every language and most medical words are cognates that differ by accents and
endings ("dermite séborrhéique" / "seborrheic dermatitis", "Infektion" / "infection"): spelling rules per
language carry those, and a small glossary (`medical_words.tsv`) the common words that are not cognates
("brûlure" / "burn", "Niere" / "kidney"). Forms that are not English words match nothing."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

# (ending, English endings): longest endings first; a word takes the first ending that matches.
_ENDINGS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "fr": (
        ("iases", ("iasis",)), ("iase", ("iasis",)), ("émies", ("emia",)), ("émie", ("emia",)), ("uries", ("uria",)), ("urie", ("uria",)),
        ("algies", ("algia",)), ("algie", ("algia",)), ("plasie", ("plasia",)), ("pnée", ("pnea", "pnoea")),
        ("logies", ("logy",)), ("logie", ("logy",)), ("ités", ("ity",)), ("ité", ("ity",)),
        ("ites", ("itis",)), ("ite", ("itis",)), ("iques", ("ic", "ical")), ("ique", ("ic", "ical")),
        ("ies", ("y",)), ("ie", ("y",)), ("euses", ("ous",)), ("euse", ("ous",)), ("eux", ("ous",)),
        ("aires", ("ary",)), ("aire", ("ary",)), ("ismes", ("ism",)), ("isme", ("ism",)),
        ("oses", ("osis",)), ("ose", ("osis",)), ("omes", ("oma",)), ("ome", ("oma",)), ("oïde", ("oid",)),
        ("ives", ("ive",)), ("ive", ("ive",)), ("ifs", ("ive",)), ("if", ("ive",)),
        ("elles", ("al",)), ("elle", ("al",)), ("els", ("al",)), ("el", ("al",)), ("aux", ("al",)),
        ("ines", ("in",)), ("ine", ("in", "ine")), ("eurs", ("or",)), ("eur", ("or",)),
        ("isées", ("ized",)), ("isés", ("ized",)), ("isée", ("ized",)), ("isé", ("ized",)), ("iser", ("ize",)),
        ("ées", ("ed",)), ("és", ("ed",)), ("ée", ("ed",)), ("é", ("ed",)),
        ("entes", ("ent",)), ("ente", ("ent",)), ("ents", ("ent",)), ("antes", ("ant",)), ("ante", ("ant",)), ("ants", ("ant",)),
        ("es", ("e",)), ("s", ("",)),
    ),
    "es": (
        ("cciones", ("ction",)), ("cción", ("ction",)), ("ciones", ("tion",)), ("ción", ("tion",)),
        ("siones", ("sion",)), ("sión", ("sion",)), ("dades", ("ty",)), ("dad", ("ty",)),
        ("logías", ("logy",)), ("logía", ("logy",)), ("icos", ("ic", "ical")), ("icas", ("ic", "ical")),
        ("ico", ("ic", "ical")), ("ica", ("ic", "ical")), ("emias", ("emia",)), ("emia", ("emia",)),
        ("ías", ("y",)), ("ía", ("y",)), ("osos", ("ous",)), ("osas", ("ous",)), ("oso", ("ous",)), ("osa", ("ous",)),
        ("arios", ("ary",)), ("arias", ("ary",)), ("ario", ("ary",)), ("aria", ("ary",)), ("ismo", ("ism",)),
        ("ivos", ("ive",)), ("ivas", ("ive",)), ("ivo", ("ive",)), ("iva", ("ive",)), ("inas", ("in",)), ("ina", ("in", "ine")),
        ("mente", ("ly",)), ("ados", ("ated",)), ("adas", ("ated",)), ("ado", ("ated",)), ("ada", ("ated",)),
        ("izar", ("ize",)), ("ales", ("al",)), ("ores", ("or",)), ("ntes", ("nt",)), ("nte", ("nt",)),
        ("os", ("",)), ("as", ("",)), ("es", ("",)), ("o", ("",)), ("a", ("",)),
    ),
    "de": (
        ("iasen", ("iasis",)), ("iase", ("iasis",)),
        ("ischen", ("ic", "ical")), ("ischer", ("ic", "ical")), ("isches", ("ic", "ical")), ("ische", ("ic", "ical")),
        ("isch", ("ic", "ical")), ("itäten", ("ity",)), ("ität", ("ity",)), ("ismus", ("ism",)),
        ("ionen", ("ion",)), ("ien", ("y",)), ("ie", ("y",)), ("iven", ("ive",)), ("ive", ("ive",)), ("iv", ("ive",)),
        ("osen", ("osis",)), ("ose", ("osis",)), ("ome", ("oma",)), ("om", ("oma",)),
        ("ellen", ("al",)), ("elle", ("al",)), ("ell", ("al",)), ("öse", ("ous",)), ("ös", ("ous",)),
        ("äre", ("ary",)), ("är", ("ary",)), ("ierten", ("ated",)), ("ierte", ("ated",)), ("iert", ("ated",)),
        ("ieren", ("ate", "ize")), ("iken", ("ics",)), ("ik", ("ic", "ics")), ("inen", ("in",)),
        ("en", ("",)), ("er", ("",)), ("e", ("",)),
    ),
}
# spellings of the same sound: German k and z where English writes c; Spanish f where Greek words keep ph
_LETTERS: dict[str, tuple[tuple[str, str], ...]] = {
    "fr": (),
    "es": (("^f", "ph"), ("^es(?=[cpt])", "s"), ("^t(?=[eo]r)", "th"), ("^hipo", "hypo"), ("^hiper", "hyper"), ("^psic", "psych"), ("gluc", "glyc")),
    "de": (("k", "c"), ("z", "c")),
}
_MIN_LETTERS = 5
GLOSSARY = Path(__file__).with_name("medical_words.tsv")
_WORD = re.compile(r"[^\W\d_]+")


def english_forms(word: str, language: str) -> list[str]:
    """The English forms a word of `language` may have, accents folded, the word itself first."""
    word = word.lower()
    forms = [word]
    for ending, replacements in _ENDINGS.get(language, ()):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            forms += [word[: -len(ending)] + replacement for replacement in replacements]
            break
    for pattern, replacement in _LETTERS.get(language, ()):
        forms += [changed for form in forms if (changed := re.sub(pattern, replacement, form)) != form]
    return list(dict.fromkeys(fold(form) for form in forms))


def english_question(question: str, languages: frozenset[str]) -> str:
    """What the English model reads of a question: the question itself when it may be English (or its language
    is unknown), else its English rendering in each of its languages (the question when nothing is left)."""
    if "en" in languages or not languages:
        return question
    words = " ".join(english_rendering(question, language) for language in sorted(languages)).split()
    return " ".join(dict.fromkeys(words)) or question


def english_text(text: str, languages: Iterable[str]) -> str:
    """Every English form the question's words may have under each of its non-English languages (the glossary's
    words and the cognates' forms), as one text for the English analyzer; empty when there is none."""
    forms: list[str] = []
    for language in languages:
        if language in _ENDINGS:
            english, rest = glossary_words(text, language)
            forms += english + [form for word in rest if len(word) >= _MIN_LETTERS for form in english_forms(word, language)]
    return " ".join(dict.fromkeys(forms))


def english_rendering(text: str, language: str) -> str:
    """The glossary's English words for the question's words, then the likeliest cognate form of each other
    word: a rough English version for the English model (short words, mostly grammar, are left out). Glossary
    words first measured better than the question's own order (docs/BENCHMARKS.md)."""
    if language not in _ENDINGS:
        return ""
    english, rest = glossary_words(text, language)
    return " ".join([*english, *(english_forms(word, language)[-1] for word in rest if len(word) >= _MIN_LETTERS)])


def glossary_words(text: str, language: str) -> tuple[list[str], list[str]]:
    """The English words of the glossary's entries found in `text`, and the words left over, lowercase."""
    pieces = read(text, language)
    return list(dict.fromkeys(piece for piece, known in pieces if known)), [piece for piece, known in pieces if not known]


def read(text: str, language: str) -> list[tuple[str, bool]]:
    """`text` in order as (English word, True) where a glossary entry starts (the longest one), else (its word
    lowercase, False); in German a compound is also known by its last part ("Grippeimpfung" ends with "Impfung")."""
    words = [w.lower() for w in _WORD.findall(text)]
    folded = [fold(w) for w in words]
    starting, endings = _glossary(language)
    pieces: list[tuple[str, bool]] = []
    i = 0
    while i < len(folded):
        entry = next(((variant, word) for variant, word in starting.get(folded[i], ()) if tuple(folded[i : i + len(variant)]) == variant), None)
        if entry is None:
            if language == "de":
                pieces += [(word, True) for ending, word in endings if len(folded[i]) > len(ending) and folded[i].endswith(ending)]
            pieces.append((words[i], False))
            i += 1
        else:
            pieces.append((entry[1], True))
            i += len(entry[0])
    return pieces


@functools.cache
def _glossary(language: str) -> tuple[dict[str, list[tuple[tuple[str, ...], str]]], list[tuple[str, str]]]:
    """`language`'s entries by their first folded word (longest entries first), and its one-word entries of at
    least 4 letters, which a German compound may end with."""
    column = {"fr": 1, "es": 2, "de": 3}[language]
    starting: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        cells = line.split("\t")
        for variant in filter(None, (tuple(_WORD.findall(fold(v).lower())) for v in cells[column].split(","))):
            starting.setdefault(variant[0], []).append((variant, cells[0]))
    for entries in starting.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    endings = sorted({(v[0], word) for entries in starting.values() for v, word in entries if len(v) == 1 and len(v[0]) >= 4})
    return starting, endings


def fold(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
