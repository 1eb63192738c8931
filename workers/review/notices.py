"""What the asker reads after a review, in the answer language: a reviewed answer's label, or a safe message."""

from __future__ import annotations

from collections.abc import Iterable

from contracts.questions import RiskCategory
from contracts.review import Decision

REVIEWED = {
    "en": "This answer was reviewed by a healthcare professional before it was released.",
    "fr": "Cette réponse a été vérifiée par un professionnel de santé avant d'être publiée.",
    "es": "Un profesional sanitario revisó esta respuesta antes de publicarla.",
    "de": "Diese Antwort wurde vor der Freigabe von einer medizinischen Fachkraft geprüft.",
}

REJECTED = {
    "en": "A healthcare professional reviewed the answer to your question and did not release it. Please ask your doctor "
          "or pharmacist, who can take your situation into account.",
    "fr": "Un professionnel de santé a examiné la réponse à votre question et ne l'a pas publiée. Demandez conseil à votre "
          "médecin ou à votre pharmacien, qui pourra tenir compte de votre situation.",
    "es": "Un profesional sanitario revisó la respuesta a su pregunta y no la publicó. Consulte a su médico o farmacéutico, "
          "que podrá tener en cuenta su situación.",
    "de": "Eine medizinische Fachkraft hat die Antwort auf Ihre Frage geprüft und nicht freigegeben. Bitte fragen Sie Ihre "
          "Ärztin, Ihren Arzt oder Ihre Apotheke, die Ihre Situation berücksichtigen können.",
}

EXPIRED = {
    "en": "No healthcare professional could review the answer to your question in time, so it will not be shown. Please "
          "ask your doctor or pharmacist.",
    "fr": "Aucun professionnel de santé n'a pu vérifier la réponse à votre question à temps : elle ne sera pas affichée. "
          "Demandez conseil à votre médecin ou à votre pharmacien.",
    "es": "Ningún profesional sanitario pudo revisar a tiempo la respuesta a su pregunta, por lo que no se mostrará. "
          "Consulte a su médico o farmacéutico.",
    "de": "Die Antwort auf Ihre Frage konnte nicht rechtzeitig von einer medizinischen Fachkraft geprüft werden und wird "
          "daher nicht angezeigt. Bitte fragen Sie Ihre Ärztin, Ihren Arzt oder Ihre Apotheke.",
}

# Where to get help now, for questions about self-harm or an emergency (national numbers, free of charge).
HELP_NOW = {
    "en": "If you are in danger, or thinking about harming yourself, call your local emergency number now (112 in Europe, "
          "999 in the UK, 911 in North America) or go to the nearest emergency department.",
    "fr": "Si vous êtes en danger ou si vous pensez à vous faire du mal, appelez maintenant le 15 ou le 112, ou le 3114 "
          "(numéro national de prévention du suicide, gratuit, 24 h/24), ou rendez-vous aux urgences les plus proches.",
    "es": "Si está en peligro o piensa en hacerse daño, llame ahora al 112 o al 024 (línea de atención a la conducta "
          "suicida, gratuita, 24 horas), o acuda al servicio de urgencias más cercano.",
    "de": "Wenn Sie in Gefahr sind oder daran denken, sich etwas anzutun, rufen Sie jetzt die 112 an oder die "
          "TelefonSeelsorge unter 0800 111 0 111 (kostenlos, rund um die Uhr), oder gehen Sie in die nächste Notaufnahme.",
}
URGENT = {RiskCategory.self_harm, RiskCategory.emergency}


def reviewed_notice(language: str) -> str:
    return REVIEWED.get(language, REVIEWED["en"])


def refusal_notice(language: str, decision: Decision, categories: Iterable[RiskCategory]) -> str:
    texts = EXPIRED if decision is Decision.expired else REJECTED
    notice = texts.get(language, texts["en"])
    if URGENT & set(categories):
        notice = f"{HELP_NOW.get(language, HELP_NOW['en'])} {notice}"
    return notice
