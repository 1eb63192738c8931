"""What the asker reads while an answer waits for a human expert, in the answer language."""

from __future__ import annotations

REVIEW_NOTICE = {
    "en": "Your question touches on a sensitive topic. A healthcare professional will review the answer before it is "
          "released. Use the query id to check its status.",
    "fr": "Votre question porte sur un sujet sensible. Un professionnel de santé va vérifier la réponse avant de la "
          "publier. Utilisez l'identifiant de la question pour suivre son statut.",
    "es": "Su pregunta trata un tema delicado. Un profesional sanitario revisará la respuesta antes de publicarla. "
          "Use el identificador de la consulta para conocer su estado.",
    "de": "Ihre Frage betrifft ein sensibles Thema. Eine medizinische Fachkraft prüft die Antwort, bevor sie "
          "freigegeben wird. Den Stand sehen Sie mit der Kennung der Anfrage.",
}


def review_notice(language: str) -> str:
    return REVIEW_NOTICE.get(language, REVIEW_NOTICE["en"])
