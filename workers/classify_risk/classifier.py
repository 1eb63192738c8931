"""Find the risky topics of a question, its answer and its evidence with the lexicon, reporting triggers as written.

How much a finding counts depends on where it was found (`SOURCE_CAPS`):

- question: the group's full level. The question says what the person needs and what state they are in.
- answer: at most high. The answer is what the person will read, so a dose, a pregnancy warning or a word
  on suicide in it is held like the same words in the question. But only the asker's own words make a
  situation critical, so a leaflet sentence on seizures is not an emergency. Emergencies and stopping a
  treatment are not held at all when only the answer mentions them (`ANSWER_ONLY_LOW`): the brief names
  pregnancy, children, dosage, contraindications, overdose and self-harm for answers, and "stop taking the
  tablets and see a doctor if you have difficulty breathing" is the standard advice of every side-effects
  section; holding it would hold every side-effects answer.
- evidence only: at most low. Package leaflets nearly all have pregnancy, children and overdose sections,
  and a passage on suicidal thoughts as a side effect says nothing about the person asking. Holding every
  answer whose sources have such a section would hold nearly everything and teach reviewers to approve
  blindly. The findings are still recorded: the reviewer sees them, and the human loop holds them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from contracts.questions import RiskCategory, RiskFinding, RiskLevel
from workers.classify_risk.lexicon import LEXICON

LEVEL_ORDER = {level: rank for rank, level in enumerate(RiskLevel)}
SOURCE_CAPS = {"question": RiskLevel.critical, "answer": RiskLevel.high, "evidence": RiskLevel.low}
ANSWER_ONLY_LOW = frozenset({RiskCategory.emergency, RiskCategory.stopping_treatment})

_QUOTES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
_LIGATURES = {"œ": "oe", "æ": "ae"}
_UMLAUTS = {"ä": "a", "ö": "o", "ü": "u"}
_GAP = r"(?:[\W_]+\w+){0,3}"
_NUMBER = r"\d+(?:[.,]\d+)?"
_DIGIT_KEY = "#"
_WORD_START = re.compile(r"(?<!\w)\w")


@cache
def _fold_char(char: str, strip_accents: bool) -> str:
    folded = "".join(_LIGATURES.get(c, c) for c in _QUOTES.get(char, char).casefold())
    if strip_accents:
        folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    return folded


@dataclass(frozen=True)
class FoldedText:
    """A text casefolded (and, by default, stripped of accents), with each folded character's index in the original."""

    text: str
    origin: Sequence[int]

    def original_span(self, original: str, start: int, end: int) -> str:
        return original[self.origin[start]:self.origin[end - 1] + 1]

    def original_start(self, start: int) -> int:
        return self.origin[start]


def fold(text: str, *, strip_accents: bool = True) -> FoldedText:
    if text.isascii():
        return FoldedText(text.lower().replace("`", "'"), range(len(text)))
    pieces = [_fold_char(char, strip_accents) for char in text]
    if all(len(piece) == 1 for piece in pieces):
        return FoldedText("".join(pieces), range(len(text)))
    return FoldedText("".join(pieces), [index for index, piece in enumerate(pieces) for _ in piece])


def _letter(char: str, language: str, strip_accents: bool) -> str:
    if language == "de" and char in _UMLAUTS:
        return f"{_UMLAUTS[char]}e?" if strip_accents else f"(?:{char}|{_UMLAUTS[char]}e)"
    return re.escape(_fold_char(char, strip_accents))


def _word(token: str, language: str, strip_accents: bool) -> str:
    specials = {"*": r"\w*", "#": _NUMBER, "'": "'?", "-": r"[\s-]?"}
    return "".join(specials.get(char) or _letter(char, language, strip_accents) for char in token.casefold())


def _key(term: str, language: str) -> str:
    """The first (up to three) letters every match of the term starts with: the index under which it is tried."""
    first = term.lstrip("=@").split()[0].casefold()
    if first.startswith("#"):
        return _DIGIT_KEY
    key = ""
    for char in first:
        if char in "*'-#" or len(key) >= 3:
            break
        if language == "de" and char in _UMLAUTS:
            return key + _UMLAUTS[char]
        key += _fold_char(char, True)
    return key[:3]


def term_pattern(term: str, language: str) -> tuple[str, bool]:
    """The regular expression of one lexicon term, and whether it runs on text that kept its accents."""
    if term.startswith("re:"):
        return term[3:], False
    strip_accents = not term.startswith("=")
    tokens = term.lstrip("=@").split()
    pattern = _word(tokens[0], language, strip_accents)
    for previous, token in zip(tokens, tokens[1:]):
        separator = r"[\W_]*" if previous == "#" else r"[\W_]+"
        pattern += _GAP if token == "..." else separator + _word(token, language, strip_accents)
    return rf"(?<!\w){pattern}(?!\w)", not strip_accents


@dataclass(frozen=True)
class CompiledGroup:
    category: RiskCategory
    name: str
    level: RiskLevel
    sources: tuple[str, ...]
    scanned: re.Pattern[str] | None
    accented: re.Pattern[str] | None
    unless: re.Pattern[str] | None


@dataclass(frozen=True)
class CompiledLexicon:
    groups: tuple[CompiledGroup, ...]
    index: dict[str, list[tuple[re.Pattern[str], int, str | None]]]
    """Plain terms by the first letters of their matches: (pattern, group number, the only language it applies to or None)."""


def _alternation(patterns: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(patterns), key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in ordered)) if ordered else None


@cache
def compiled_lexicon() -> CompiledLexicon:
    groups: list[CompiledGroup] = []
    index: dict[str, list[tuple[re.Pattern[str], int, str | None]]] = defaultdict(list)
    for category, named in LEXICON.items():
        for name, group in named.items():
            number = len(groups)
            scanned: list[str] = []
            accented: list[str] = []
            for language, terms in group.terms.items():
                for term in terms:
                    pattern, keeps_accents = term_pattern(term, language)
                    if term.startswith("re:"):
                        scanned.append(pattern)
                    elif keeps_accents:
                        accented.append(pattern)
                    else:
                        index[_key(term, language)].append((re.compile(pattern), number, language if term.startswith("@") else None))
            unless = [term_pattern(term, language)[0] for language, terms in group.unless.items() for term in terms]
            groups.append(CompiledGroup(category=category, name=name, level=group.level, sources=group.sources,
                                        scanned=_alternation(scanned), accented=_alternation(accented), unless=_alternation(unless)))
    return CompiledLexicon(tuple(groups), dict(index))


@dataclass(frozen=True)
class Match:
    category: RiskCategory
    group: str
    level: RiskLevel
    trigger: str
    start: int


Span = tuple[int, int, FoldedText]


def _spans(lexicon: CompiledLexicon, wanted: set[int], stripped: FoldedText, accented: FoldedText,
           language: str | None) -> dict[int, list[Span]]:
    text = stripped.text
    spans: dict[int, list[Span]] = defaultdict(list)
    for word in _WORD_START.finditer(text):
        at = word.start()
        keys = (_DIGIT_KEY,) if text[at].isdigit() else {"", text[at], text[at:at + 2], text[at:at + 3]}
        for key in keys:
            for pattern, number, only_in in lexicon.index.get(key, ()):
                if number in wanted and (only_in is None or language in (None, only_in)) and (m := pattern.match(text, at)):
                    spans[number].append((m.start(), m.end(), stripped))
    for number in wanted:
        group = lexicon.groups[number]
        if group.scanned:
            spans[number] += [(m.start(), m.end(), stripped) for m in group.scanned.finditer(text)]
        if group.accented:
            spans[number] += [(m.start(), m.end(), accented) for m in group.accented.finditer(accented.text)]
    return spans


def find_triggers(text: str, language: str | None = None, source: str = "question") -> list[Match]:
    """Every lexicon match in `text` from groups that read this source, in reading order.

    Overlapping matches of one group become one trigger ("Can I stop" + "stop taking": "Can I stop taking").
    `language`, when known, switches off the `@` terms of other languages ("kind" in an English question).
    """
    lexicon = compiled_lexicon()
    stripped = fold(text)
    accented = fold(text, strip_accents=False)
    wanted = {number for number, group in enumerate(lexicon.groups) if source in group.sources}
    found: list[Match] = []
    for number, spans in _spans(lexicon, wanted, stripped, accented, language).items():
        group = lexicon.groups[number]
        excluded = [_original(stripped, m.span()) for m in group.unless.finditer(stripped.text)] if group.unless else []
        kept = [span for span in sorted(_original(folded, (s, e)) for s, e, folded in spans if e > s) if not _overlaps(span, excluded)]
        for first, last in _merged(kept):
            found.append(Match(group.category, group.name, group.level, text[first:last], first))
    return sorted(found, key=lambda match: match.start)


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _original(folded: FoldedText, span: tuple[int, int]) -> tuple[int, int]:
    return folded.original_start(span[0]), folded.original_start(span[1] - 1) + 1


def _overlaps(span: tuple[int, int], others: Sequence[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def _findings(matches: Iterable[Match], source: str) -> list[RiskFinding]:
    levels: dict[RiskCategory, RiskLevel] = {}
    triggers: dict[RiskCategory, list[str]] = {}
    for match in matches:
        levels[match.category] = max_level((levels.get(match.category, RiskLevel.none), match.level))
        mine = triggers.setdefault(match.category, [])
        if match.trigger.casefold() not in (t.casefold() for t in mine):
            mine.append(match.trigger)
    def cap(category: RiskCategory) -> RiskLevel:
        return RiskLevel.low if source == "answer" and category in ANSWER_ONLY_LOW else SOURCE_CAPS[source]

    return [
        RiskFinding(category=category, level=min(level, cap(category), key=LEVEL_ORDER.__getitem__), triggers=triggers[category],
                    source=source)
        for category, level in levels.items()
    ]


def assess(question: str, question_language: str | None, answer: str | None, evidence: Sequence[str]) -> list[RiskFinding]:
    """Findings per category and source ("question", "answer", "evidence"), each capped by `SOURCE_CAPS`."""
    findings = _findings(find_triggers(question, question_language, "question"), "question")
    if answer:
        findings += _findings(find_triggers(answer, None, "answer"), "answer")
    findings += _findings((m for passage in evidence for m in find_triggers(passage, None, "evidence")), "evidence")
    return findings


def max_level(levels: Iterable[RiskLevel]) -> RiskLevel:
    return max(levels, key=LEVEL_ORDER.__getitem__, default=RiskLevel.none)


def level_of(findings: Iterable[RiskFinding]) -> RiskLevel:
    """The highest level among the findings; none when there are none."""
    return max_level(f.level for f in findings)
