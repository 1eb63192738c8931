"""The fixed wording around an answer, in each answer language: what the offline generator says in place of a translation."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"
_NBSP = "\u00a0"  # French puts a no-break space before ":" ";" and inside « ».


@dataclass(frozen=True)
class Frame:
    intro: str
    no_answer: str
    fallback_notice: str
    excerpt_labels: dict[str, str]  # by the language of the quoted evidence
    open_quote: str
    close_quote: str

    def quote(self, text: str, language: str | None) -> str:
        """`text` as quoted evidence; labelled with its language when it is known and not this frame's."""
        label = self.excerpt_labels.get(language or "")
        return f"{label} {self.open_quote}{text}{self.close_quote}" if label else text


FRAMES: dict[str, Frame] = {
    "en": Frame(
        intro="Here is what the documents say:",
        no_answer="The available documents do not answer this question.",
        fallback_notice="The answer service is unavailable at the moment, so this answer only quotes the documents.",
        excerpt_labels={"fr": "Excerpt in French:", "es": "Excerpt in Spanish:", "de": "Excerpt in German:"},
        open_quote="“",
        close_quote="”",
    ),
    "fr": Frame(
        intro=f"Voici ce qu’indiquent les documents{_NBSP}:",
        no_answer="Les documents disponibles ne répondent pas à cette question.",
        fallback_notice=f"Le service de réponse est momentanément indisponible{_NBSP}; cette réponse se limite donc à citer les documents.",
        excerpt_labels={"en": f"Extrait en anglais{_NBSP}:", "es": f"Extrait en espagnol{_NBSP}:", "de": f"Extrait en allemand{_NBSP}:"},
        open_quote=f"«{_NBSP}",
        close_quote=f"{_NBSP}»",
    ),
    "es": Frame(
        intro="Esto es lo que indican los documentos:",
        no_answer="Los documentos disponibles no responden a esta pregunta.",
        fallback_notice="El servicio de respuestas no está disponible en este momento; por eso esta respuesta se limita a citar los documentos.",
        excerpt_labels={"en": "Extracto en inglés:", "fr": "Extracto en francés:", "de": "Extracto en alemán:"},
        open_quote="«",
        close_quote="»",
    ),
    "de": Frame(
        intro="Das steht dazu in den Dokumenten:",
        no_answer="Die vorliegenden Dokumente beantworten diese Frage nicht.",
        fallback_notice="Der Antwortdienst ist derzeit nicht verfügbar; diese Antwort beschränkt sich daher auf Zitate aus den Dokumenten.",
        excerpt_labels={"en": "Auszug auf Englisch:", "fr": "Auszug auf Französisch:", "es": "Auszug auf Spanisch:"},
        open_quote="„",
        close_quote="“",
    ),
}

# For the prompt of LLM backends, which are instructed in English.
LANGUAGE_NAMES = {"en": "English", "fr": "French", "es": "Spanish", "de": "German"}


def frame(language: str | None) -> Frame:
    """The frame of `language`; English for a language MIRAGE does not support."""
    return FRAMES.get(language or "", FRAMES[DEFAULT_LANGUAGE])


def citation_marker(number: int) -> str:
    """The marker after a statement that points to citation `number` (1-based), the same in every language."""
    return f"[{number}]"
