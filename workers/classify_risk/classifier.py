"""Find the risky topics of a question and of its answer with the lexicon, reporting triggers as written.

The question's intent decides: its findings count at their group's full level. The answer counts for what its
sentences tell the asker (`answer_level`), not for the words it happens to contain:

- a dose to take for a child or in pregnancy (a dose instruction and the population in one sentence, adults not
  named): high, held like the same words in a question. "Adults and adolescents from 12 years: 1 tablet a day" is
  the leaflet's general dose, as is any dose for adults: low.
- a warning about pregnancy or children (the population with advice in one sentence: "do not give to children
  under 6"): medium, held when the human loop is on.
- anything else: low, recorded for the reviewer and never held. Product strengths in names ("Dovato 50 mg/300 mg"),
  "keep out of the sight and reach of children", side effects listed ("suicidal thoughts" in a list of side effects
  says nothing about the person asking) and who a medicine is for ("adults and children from 2 years").

Evidence (the retrieved passages) is read for a held answer, and its findings are recorded at low: package leaflets
nearly all have pregnancy, children and overdose sections, and what was not quoted is not what the asker reads. The
policy never holds an answer for them.

Some groups `need` a cue in the same text (lexicon.CUES): a dose counts when someone in particular is named ("my son",
"I", "20 kg"); without anyone, "how many capsules a day?" asks what the leaflet says for everyone.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from contracts.questions import RiskCategory, RiskFinding, RiskLevel
from workers.classify_risk.lexicon import CUES, LEXICON, Group

LEVEL_ORDER = {level: rank for rank, level in enumerate(RiskLevel)}
POPULATIONS = frozenset({RiskCategory.pregnancy, RiskCategory.children})

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
    category: RiskCategory | None
    """None for a cue."""
    name: str
    level: RiskLevel
    sources: tuple[str, ...]
    scanned: re.Pattern[str] | None
    accented: re.Pattern[str] | None
    unless: re.Pattern[str] | None
    needs: str | None


@dataclass(frozen=True)
class CompiledLexicon:
    groups: tuple[CompiledGroup, ...]
    index: dict[str, list[tuple[re.Pattern[str], int, str | None]]]
    """Plain terms by the first letters of their matches: (pattern, group number, the only language it applies to or None)."""


def _alternation(patterns: Iterable[str]) -> re.Pattern[str] | None:
    ordered = sorted(set(patterns), key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in ordered)) if ordered else None


def _named_groups() -> Iterable[tuple[RiskCategory | None, str, Group]]:
    for category, named in LEXICON.items():
        for name, group in named.items():
            yield category, name, group
    for name, group in CUES.items():
        yield None, name, group


@cache
def compiled_lexicon() -> CompiledLexicon:
    groups: list[CompiledGroup] = []
    index: dict[str, list[tuple[re.Pattern[str], int, str | None]]] = defaultdict(list)
    for category, name, group in _named_groups():
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
                                    scanned=_alternation(scanned), accented=_alternation(accented), unless=_alternation(unless),
                                    needs=group.needs))
    return CompiledLexicon(tuple(groups), dict(index))


@dataclass(frozen=True)
class Match:
    category: RiskCategory | None
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
    """Every lexicon match in `text` from groups that read this source, in reading order; cues included (category None).

    Overlapping matches of one group become one trigger ("Can I stop" + "stop taking": "Can I stop taking").
    `language`, when known, switches off the `@` terms of other languages ("kind" in an English question).
    """
    lexicon = compiled_lexicon()
    stripped = fold(text)
    accented = fold(text, strip_accents=False)
    wanted = {number for number, group in enumerate(lexicon.groups) if source in group.sources}
    found: list[Match] = []
    for number, spans in _spans(lexicon, wanted, stripped, accented, language).items():
        if not spans:
            continue  # the group's `unless` scan is the slowest part: only for a group that matched
        group = lexicon.groups[number]
        excluded = [_original(stripped, m.span()) for m in group.unless.finditer(stripped.text)] if group.unless else []
        kept = [span for span in sorted(_original(folded, (s, e)) for s, e, folded in spans if e > s) if not _overlaps(span, excluded)]
        for first, last in _merged(kept):
            found.append(Match(group.category, group.name, group.level, text[first:last], first))
    return sorted(found, key=lambda match: match.start)


@cache
def _needs() -> dict[str, str | None]:
    return {group.name: group.needs for group in compiled_lexicon().groups}


def topics(matches: Sequence[Match]) -> list[Match]:
    """The matches that are findings: not cues, and with the cue their group needs among `matches` (the same text)."""
    cues = {m.group for m in matches if m.category is None}
    return [m for m in matches if m.category is not None and _needs()[m.group] in (None, *cues)]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|\s[-•·▪]\s")


def sentences(text: str) -> list[str]:
    return [piece for piece in _SENTENCE_END.split(text) if piece.strip()]


def answer_level(match: Match, cues: set[str]) -> RiskLevel:
    """What one sentence of the answer tells the asker about a topic it names (see the module docstring)."""
    if match.category in POPULATIONS and "dose_instruction" in cues and "adults" not in cues:
        return RiskLevel.high
    if match.category in POPULATIONS and "advice" in cues:
        return RiskLevel.medium
    return RiskLevel.low


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


def _findings(matches: Iterable[tuple[Match, RiskLevel]], source: str) -> list[RiskFinding]:
    levels: dict[RiskCategory, RiskLevel] = {}
    triggers: dict[RiskCategory, list[str]] = {}
    for match, level in matches:
        assert match.category is not None
        levels[match.category] = max_level((levels.get(match.category, RiskLevel.none), level))
        mine = triggers.setdefault(match.category, [])
        if match.trigger.casefold() not in (t.casefold() for t in mine):
            mine.append(match.trigger)
    return [RiskFinding(category=category, level=level, triggers=triggers[category], source=source) for category, level in levels.items()]


def question_findings(question: str, language: str | None) -> list[RiskFinding]:
    return _findings(((m, m.level) for m in topics(find_triggers(question, language, "question"))), "question")


def answer_findings(answer: str) -> list[RiskFinding]:
    """Sentence by sentence: a cue only counts in the sentence it is in."""
    judged: list[tuple[Match, RiskLevel]] = []
    for sentence in sentences(answer):
        matches = find_triggers(sentence, None, "answer")
        cues = {m.group for m in matches if m.category is None}
        judged += [(m, answer_level(m, cues)) for m in topics(matches)]
    return _findings(judged, "answer")


def evidence_findings(evidence: Sequence[str]) -> list[RiskFinding]:
    matches = [m for passage in evidence for m in topics(find_triggers(passage, None, "evidence"))]
    return _findings(((m, RiskLevel.low) for m in matches), "evidence")


def assess(question: str, question_language: str | None, answer: str | None, evidence: Sequence[str]) -> list[RiskFinding]:
    """Findings per category and source ("question", "answer", "evidence")."""
    return [*question_findings(question, question_language), *(answer_findings(answer) if answer else []), *evidence_findings(evidence)]


def max_level(levels: Iterable[RiskLevel]) -> RiskLevel:
    return max(levels, key=LEVEL_ORDER.__getitem__, default=RiskLevel.none)


def level_of(findings: Iterable[RiskFinding]) -> RiskLevel:
    """The highest level among the findings; none when there are none."""
    return max_level(f.level for f in findings)
