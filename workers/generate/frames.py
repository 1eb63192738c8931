"""The fixed wording around an answer, in each answer language: what the offline generator says in place of a translation."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LANGUAGE = "en"
_NBSP = "\u00a0"  # French puts a no-break space before ":" ";" and inside « ».


@dataclass(frozen=True)
class Frame:
    language: str
    intro: str
    no_answer: str
    not_mentioned_template: str  # the no_answer sentence naming what no document mentions: {names}
    fallback_notice: str
    excerpt_labels: dict[str, str]  # by the language of the quoted evidence
    other_language_label: str  # evidence in a language without a label of its own: {code}
    open_quote: str
    close_quote: str

    def quote(self, text: str, language: str | None) -> str:
        """`text` as quoted evidence; labelled with its language when it is known and not this frame's."""
        if not language or language == self.language:
            return text
        label = self.excerpt_labels.get(language) or self.other_language_label.format(code=language)
        return f"{label} {self.open_quote}{text}{self.close_quote}"

    def not_mentioned(self, names: list[str]) -> str:
        quoted = ", ".join(f"{self.open_quote}{name}{self.close_quote}" for name in names)
        return self.not_mentioned_template.format(names=quoted)


FRAMES: dict[str, Frame] = {
    "en": Frame(
        language="en",
        intro="Here is what the documents say:",
        no_answer="The available documents do not answer this question.",
        not_mentioned_template="The available documents do not answer this question: none of them mentions {names}.",
        fallback_notice="The answer service is unavailable at the moment, so this answer only quotes the documents.",
        excerpt_labels={
            "fr": "Excerpt in French:", "es": "Excerpt in Spanish:", "de": "Excerpt in German:", "da": "Excerpt in Danish:",
            "pt": "Excerpt in Portuguese:", "it": "Excerpt in Italian:", "nl": "Excerpt in Dutch:", "sv": "Excerpt in Swedish:",
        },
        other_language_label="Excerpt in another language ({code}):",
        open_quote="“",
        close_quote="”",
    ),
    "fr": Frame(
        language="fr",
        intro=f"Voici ce qu’indiquent les documents{_NBSP}:",
        no_answer="Les documents disponibles ne répondent pas à cette question.",
        not_mentioned_template=f"Les documents disponibles ne répondent pas à cette question{_NBSP}: aucun ne mentionne {{names}}.",
        fallback_notice=f"Le service de réponse est momentanément indisponible{_NBSP}; cette réponse se limite donc à citer les documents.",
        excerpt_labels={
            "en": f"Extrait en anglais{_NBSP}:", "es": f"Extrait en espagnol{_NBSP}:", "de": f"Extrait en allemand{_NBSP}:",
            "da": f"Extrait en danois{_NBSP}:", "pt": f"Extrait en portugais{_NBSP}:", "it": f"Extrait en italien{_NBSP}:",
            "nl": f"Extrait en néerlandais{_NBSP}:", "sv": f"Extrait en suédois{_NBSP}:",
        },
        other_language_label=f"Extrait dans une autre langue ({{code}}){_NBSP}:",
        open_quote=f"«{_NBSP}",
        close_quote=f"{_NBSP}»",
    ),
    "es": Frame(
        language="es",
        intro="Esto es lo que indican los documentos:",
        no_answer="Los documentos disponibles no responden a esta pregunta.",
        not_mentioned_template="Los documentos disponibles no responden a esta pregunta: ninguno menciona {names}.",
        fallback_notice="El servicio de respuestas no está disponible en este momento; por eso esta respuesta se limita a citar los documentos.",
        excerpt_labels={
            "en": "Extracto en inglés:", "fr": "Extracto en francés:", "de": "Extracto en alemán:", "da": "Extracto en danés:",
            "pt": "Extracto en portugués:", "it": "Extracto en italiano:", "nl": "Extracto en neerlandés:", "sv": "Extracto en sueco:",
        },
        other_language_label="Extracto en otro idioma ({code}):",
        open_quote="«",
        close_quote="»",
    ),
    "de": Frame(
        language="de",
        intro="Das steht dazu in den Dokumenten:",
        no_answer="Die vorliegenden Dokumente beantworten diese Frage nicht.",
        not_mentioned_template="Die vorliegenden Dokumente beantworten diese Frage nicht: Keines erwähnt {names}.",
        fallback_notice="Der Antwortdienst ist derzeit nicht verfügbar; diese Antwort beschränkt sich daher auf Zitate aus den Dokumenten.",
        excerpt_labels={
            "en": "Auszug auf Englisch:", "fr": "Auszug auf Französisch:", "es": "Auszug auf Spanisch:", "da": "Auszug auf Dänisch:",
            "pt": "Auszug auf Portugiesisch:", "it": "Auszug auf Italienisch:", "nl": "Auszug auf Niederländisch:", "sv": "Auszug auf Schwedisch:",
        },
        other_language_label="Auszug in einer anderen Sprache ({code}):",
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
