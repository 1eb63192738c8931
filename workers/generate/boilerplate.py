"""Lines every leaflet repeats whatever its medicine ("talk to your doctor", "report side effects", the expiry
date, how to throw medicines away): they rank below what a leaflet says about its own medicine, unless the
question asks about that very thing ("what do I do with tablets I no longer need?").

Matched on folded text (lowercase, no accents) in English, French, Spanish, German, Danish and Portuguese.
Advice that states a number is specific ("... or call the poison centre on 91 562 04 20"); a section
number is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from adapters.leaflet import fold


@dataclass(frozen=True)
class _Template:
    lines: re.Pattern[str]
    asked_by: re.Pattern[str] | None = None  # a question that asks for these lines
    specific_with_number: bool = False  # such a line that states a number says something of its own


_TEMPLATES = (
    _Template(re.compile(
        r"(?:talk|speak|ask|tell|consult|check with) (?:to )?your (?:doctor|pharmacist|nurse)|doctor,? (?:or|and) pharmacist"
        r"|this leaflet|see section|not everybody gets them|votre medecin|medecin ou (?:votre )?pharmacien|cette notice"
        r"|consulte a su medico|medico o farmaceutico|este prospecto|no todas las personas|(?:ihren|ihrem|den) arzt|arzt oder apotheker"
        r"|packungsbeilage|nicht jeden betreffen|laege(?:n)? eller apotek|indlaegssedl|medico ou farmaceutico|este folheto"),
        specific_with_number=True),
    _Template(re.compile(
        r"report(?:ing)? (?:of )?(?:any )?side effects|reporting system|appendix v|declar(?:er|ation) des effets"
        r"|systeme national de declaration|comunicacion de efectos|notificar|farmacovigilancia|meldung von nebenwirkungen"
        r"|comunicacao de efeitos"),
        asked_by=re.compile(r"report|signal|declar|notific|comunic|meld|indberet")),
    _Template(re.compile(
        r"expiry date|expiration date|after exp\b|date de peremption|fecha de caducidad|verfallsdatum|verwendbar bis"
        r"|udlobsdato|prazo de validade"),
        asked_by=re.compile(r"expir|\bexp\b|perim|peremption|caduc|verfall|haltbar|udlob|validade|how long|combien de temps"
                            r"|cuanto tiempo|wie lange")),
    _Template(re.compile(
        r"wastewater|household (?:waste|water)|protect the environment|eaux usees|ordures menageres|l'environnement"
        r"|desagues|la basura|medio ambiente|abwasser|haushaltsabfall|umwelt|afloebet|husholdningsaffald|miljoet"
        r"|aguas residuais|lixo domestico|o ambiente"),
        asked_by=re.compile(r"no longer|dispos|throw|left ?over|jeter|elimin|desech|deshacer|tirar|sobr[ae]n|entsorg|wegwerf"
                            r"|ubrig|smid|bortskaf|deitar")),
)
_SECTION_NUMBER = re.compile(r"\b(?:section|rubrique|seccion|sección|apartado|punto|abschnitt|afsnit|secção|seccao)\s+\d+")
_DIGIT = re.compile(r"\d")


def is_boilerplate(text: str, question: str = "") -> bool:
    """Whether `text` is a line every leaflet repeats, for a question that does not ask for it."""
    folded, asked = fold(text), fold(question)
    for template in _TEMPLATES:
        if not template.lines.search(folded):
            continue
        if template.asked_by is not None and template.asked_by.search(asked):
            continue
        if template.specific_with_number and _DIGIT.search(_SECTION_NUMBER.sub(" ", folded)):
            continue
        return True
    return False
