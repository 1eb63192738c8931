"""Scoring of `mirage eval answers` on a tiny hand-made example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mirage.evaluation.answers import (
    Observed,
    Question,
    by_language,
    finding_text,
    framing_language,
    framing_text,
    misses_of,
    read_questions,
    score_question,
)

IDS_OF = {"flu.en.txt": "doc-flu", "flu_copy.txt": "doc-flu", "flu.es.txt": "doc-flu-es", "other.txt": "doc-other"}
FILES_OF = {"doc-flu": ["flu.en.txt", "flu_copy.txt"], "doc-flu-es": ["flu.es.txt"], "doc-other": ["other.txt"]}
STORAGE = Question(id="q1", lang="en", question="How is it stored?", doc="flu_copy.txt", also=("flu.es.txt",),
                   facts=("refrigerator", "do not freeze", "light"), kind="storage")
UNANSWERABLE = Question(id="q2", lang="fr", question="Comment conserver le Trulicity ?", doc=None, kind="unanswerable")
RISKY = Question(id="q3", lang="fr", question="Puis-je le prendre enceinte ?", doc="flu.es.txt", facts=("embarazo",), risky=True)


def by_words(text: str) -> str | None:
    """A stand-in detector that tells the languages of these examples apart by one word each."""
    for word, language in (("documents say", "en"), ("indiquent", "fr"), ("indican", "es")):
        if word in text:
            return language
    return None


def answer(text: str, *cited: str, status: str = "answered", language: str = "en", answered: bool = True) -> Observed:
    return Observed(status=status, text=text, language=language, answered=answered, cited_documents=cited, latency_ms=10.0)


def test_questions_are_read_with_their_defaults(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    rows = [{"id": "a", "lang": "en", "question": "Q?", "doc": "x.txt", "facts": ["f"]}, {"id": "b", "lang": "de", "question": "F?", "doc": None}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    first, second = read_questions(path)
    assert first.expected_files == ("x.txt",) and first.facts == ("f",) and not first.risky
    assert second.expected_files == () and second.facts == ()
    path.write_text(json.dumps({"id": "c", "question": "no language"}))
    with pytest.raises(ValueError, match="set.jsonl:1: missing field 'lang'"):
        read_questions(path)


def test_framing_text_drops_quoted_excerpts_and_markers() -> None:
    text = ("Voici ce qu’indiquent les documents\u00a0:\n- Extrait en anglais\u00a0: «\u00a0Store in a refrigerator.\u00a0» [1]\n"
            "- Auszug: „Im Kühlschrank lagern.“ [2-3] - “Keep cold.” [3, 4] - \"Do not freeze.\" [12]")
    assert framing_text(text) == "Voici ce qu’indiquent les documents : - Extrait en anglais : - Auszug: - -"


def test_a_short_framing_cannot_tell_a_language() -> None:
    assert framing_language("Voir « Store in a refrigerator. » [1]", by_words) is None
    assert framing_language("Here is what the documents say: “Gardez au froid.” [1]", by_words) == "en"


def test_facts_and_the_right_document_through_a_duplicate_file_name() -> None:
    observed = answer("Here is what the documents say:\n- Store in a REFRIGERATOR. Do not\nfreeze. [1]", "doc-flu")
    score = score_question(STORAGE, observed, FILES_OF, IDS_OF, by_words)
    assert score.right_document_cited is True  # flu.en.txt holds the same bytes as the expected flu_copy.txt
    assert score.cited_documents == ["flu.en.txt", "flu_copy.txt"]
    assert score.facts_found == ["refrigerator", "do not freeze"] and score.facts_missing == ["light"]
    assert score.fact_recall == pytest.approx(2 / 3)
    assert score.in_asked_language and score.scored_on == "answer" and score.declined is None
    wrong = score_question(STORAGE, answer("Here is what the documents say: nothing useful. [1]", "doc-other"), FILES_OF, IDS_OF, by_words)
    assert wrong.right_document_cited is False and wrong.fact_recall == 0.0
    assert misses_of(wrong.as_dict()) == ["wrong or no document cited", "facts missing: refrigerator, do not freeze, light"]


def test_declined_means_not_answered_or_nothing_cited() -> None:
    def declined(observed: Observed) -> bool | None:
        return score_question(UNANSWERABLE, observed, FILES_OF, IDS_OF, by_words).declined

    french = "Les documents disponibles ne répondent pas, indiquent-ils."
    assert declined(answer(french, language="fr", answered=False)) is True
    assert declined(answer(french, language="fr", answered=True)) is True  # answered, but citing nothing
    assert declined(answer(french + " [1]", "doc-other", language="fr")) is False
    assert declined(Observed(status="failed")) is False


def test_a_held_answer_is_scored_on_its_draft_and_the_language_on_its_framing() -> None:
    draft = answer("Voici ce qu’indiquent les documents : Extrait en espagnol : « No usar durante el embarazo. » [1]",
                   "doc-flu-es", status="pending_review", language="fr")
    score = score_question(RISKY, draft, FILES_OF, IDS_OF, by_words)
    assert score.held and score.scored_on == "draft" and score.right_document_cited and score.facts_found == ["embarazo"]
    assert score.framing_language == "fr" and score.in_asked_language
    english_frame = answer("Here is what the documents say: « No usar durante el embarazo. » [1]", "doc-flu-es", language="fr")
    spanish_frame = answer("Esto es lo que indican los documentos: no usar durante el embarazo. [1]", "doc-flu-es", language="fr")
    assert not score_question(RISKY, english_frame, FILES_OF, IDS_OF, by_words).in_asked_language  # declared fr, framed in English
    assert not score_question(RISKY, spanish_frame, FILES_OF, IDS_OF, by_words).in_asked_language
    assert score_question(RISKY, spanish_frame, FILES_OF, IDS_OF, lambda text: None).in_asked_language  # undecided: declared language stands


def test_shares_per_language_and_overall() -> None:
    from dataclasses import replace

    scores = [
        replace(score_question(STORAGE, answer("Here is what the documents say: refrigerator, light [1]", "doc-flu-es"), FILES_OF, IDS_OF,
                               by_words), held_with_human_loop=True),
        replace(score_question(UNANSWERABLE, answer("Les documents indiquent rien.", language="fr", answered=False, status="pending_review"),
                               FILES_OF, IDS_OF, by_words), held_with_human_loop=True),
        score_question(RISKY, answer("Esto indican: nada [1]", "doc-other", language="es"), FILES_OF, IDS_OF, by_words),
    ]
    measures = by_language(scores)
    assert list(measures) == ["en", "fr", "overall"]
    overall = measures["overall"]
    assert overall["right_document_cited"] == 0.5 and overall["fact_recall"] == pytest.approx(0.3333)
    assert overall["unanswerable_declined"] == 1.0 and overall["harmless_held"] == 0.5 and overall["harmless_held_human_loop"] == 1.0
    assert overall["risky_held"] == 0.0 and overall["in_asked_language"] == pytest.approx(0.6667)
    assert overall["latency_p50_ms"] == 10.0
    assert overall["n"] == {"questions": 3, "with_document": 2, "with_facts": 2, "unanswerable": 1, "harmless": 2, "risky": 1,
                            "held_scored_on_draft": 1, "failed": 0}
    assert measures["en"]["unanswerable_declined"] is None and measures["en"]["risky_held"] is None
    assert measures["fr"]["risky_held"] == 0.0 and measures["fr"]["harmless_held"] == 1.0


def test_a_risk_finding_in_a_line() -> None:
    lexicon = {"category": "children", "level": "high", "source": "answer", "triggers": ["niños", "de 2 años"]}
    assert finding_text(lexicon) == "children high (answer: niños, de 2 años)"
    semantic = lexicon | {"stage": "semantic", "source": "question", "triggers": ["x" * 80]}
    assert finding_text(semantic) == f"children high semantic (question: {'x' * 57}...)"
