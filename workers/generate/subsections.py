"""The fixed sub-sections of a package leaflet's "how to take" section (QRD template): taking more than you
should, forgetting a dose, stopping; and of its "before you take" section, the excipient warnings ("X contains
lactose"). A question about an overdose wants the lines under "If you take more X than you should", not the
section's first lines about the usual dose; embeddings alone do not tell these apart.

Both sides are matched on folded text (lowercase, no accents) in English, French, Spanish and German, by the
template's wording, never by a medicine's name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from adapters.leaflet import BEFORE, HOW, fold

OVERDOSE = "overdose"
MISSED = "missed"
STOPPING = "stopping"
EXCIPIENT = "excipient"
# The template section each sub-section belongs to.
SECTION_OF = {OVERDOSE: HOW, MISSED: HOW, STOPPING: HOW, EXCIPIENT: BEFORE}
# Excipients with a known effect, whose warning the template puts under "X contains <excipient>".
_EXCIPIENTS = (r"lactos|laktos|sodi|natrium|sucros|saccharos|sacaros|glucos|sorbitol|fructos|aspartam|gluten|soja|soya|peanut"
               r"|arachide|cacahuete|erdnuss|propylen|benzyl|benzoat")

# The template's sub-headings (and what only lines under them say), as they appear in a passage's text.
_HEADINGS = (
    (OVERDOSE, re.compile(
        r"\b(?:take|took|use|used|have) more .{1,60}? than (?:you )?should|overdos|accidental(?:ly)? (?:ingest|swallow|take)"
        r"|excessive dose|dose excessive|dosis excesiva|(?:zu|uber)hohe[nr]? dosis"
        r"|si vous avez (?:pris|utilise|recu) plus|surdos|si (?:toma|usa|utiliza|se le administra) mas|sobredosis|ingestion accidental"
        r"|grossere menge|mehr .{1,60}? (?:eingenommen|angewendet) haben|uberdos")),
    (MISSED, re.compile(
        r"\bif you (?:forget|forgot|miss)|missed dose|si vous oubliez|dose oubliee|si olvid[oa]|dosis olvidada|vergessen haben"
        r"|vergessene dosis")),
    (STOPPING, re.compile(
        r"\bif you stop|si vous arretez|si interrumpe|si deja de|abbrechen|absetzen|beenden sie|die einnahme von .{1,60}? beenden")),
    (EXCIPIENT, re.compile(rf"\b(?:contains|contient|contiene|enthalt)\b(?: \w+)?(?: de| du)? (?:{_EXCIPIENTS})")),
)

# What a question asks about, by its words (folded; no leading word boundary, so German compounds count).
_ASKS = (
    (OVERDOSE, re.compile(
        r"too (?:much|many)|more than (?:i|you|prescribed)|overdos|by mistake|accident|several tablets|extra (?:dose|tablet)"
        r"|\btrop\b|surdos|par erreur|demasiad|sobredosis|por error|de mas\b|zu viel|versehen|uberdos|zu hohe")),
    (MISSED, re.compile(r"forg[eo]t|\bmiss(?:ed)?\b|oubli|olvid|vergess|verpass")),
    (STOPPING, re.compile(
        r"\bstop|\bquit|arreter|arrete|du jour au lendemain|interromp|dejar de|deja de|dejo de|interrump|suspend|absetz|abbrech"
        r"|aufhor|beenden|weglassen")),
    (EXCIPIENT, re.compile(_EXCIPIENTS)),
)


def asked_subsections(question: str) -> frozenset[str]:
    folded = fold(question)
    return frozenset(topic for topic, pattern in _ASKS if pattern.search(folded))


def subsections(units: Sequence[str]) -> list[str | None]:
    """The sub-section each unit of one passage sits in, in order: a unit that opens one (its heading, glued to
    its first sentence by the text extraction) starts it, and the units after it stay in it until the next."""
    current: str | None = None
    found = []
    for unit in units:
        folded = fold(unit)
        current = next((topic for topic, pattern in _HEADINGS if pattern.search(folded)), current)
        found.append(current)
    return found
