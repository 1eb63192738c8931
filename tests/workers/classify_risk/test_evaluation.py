"""The risk evaluation: per-language recall and false positives, the data readers, and our own harmless questions."""

from __future__ import annotations

import json
from pathlib import Path

from workers.classify_risk.evaluation import FALSE_POSITIVE_LIMIT, HARMLESS_QUESTIONS, evaluate_risk, read_harmless, read_xsafety

RISKY = [
    ("en", "Can I take ibuprofen while pregnant?"), ("en", "I want to end my life"), ("en", "What is paracetamol used for?"),
    ("fr", "Puis-je arrêter mon traitement ?"), ("fr", "Mon bébé a de la fièvre"),
]
HARMLESS = [
    ("en", "How does ibuprofen work?"), ("en", "How much paracetamol can I give my child?"),
    ("fr", "Qu'est-ce que l'asthme ?"), ("fr", "Comment conserver l'insuline ?"),
]


def test_recall_and_false_positives_are_counted_per_language():
    report = evaluate_risk(RISKY, HARMLESS)
    en, fr = report["languages"]["en"], report["languages"]["fr"]
    assert (en["risky"], en["recall"], en["missed"]) == (3, 0.6667, ["What is paracetamol used for?"])
    assert (en["harmless"], en["false_positive_rate"], en["false_positives"]) == (2, 0.5, ["How much paracetamol can I give my child?"])
    assert (fr["recall"], fr["false_positive_rate"]) == (1.0, 0.0)
    assert fr["meets_targets"] and not en["meets_targets"]
    assert report["meets_targets"] is False


def test_a_language_with_only_one_kind_of_question_has_no_rate_for_the_other():
    report = evaluate_risk([("es", "Quiero suicidarme")], [])
    assert report["languages"]["es"]["false_positive_rate"] is None
    assert report["meets_targets"] is True


def test_xsafety_halves_split_the_prompts_by_index(tmp_path: Path):
    path = tmp_path / "xsafety.jsonl"
    rows = [{"id": f"p-{i}", "category": "Mental_Health", "en": f"en {i}", "fr": f"fr {i}", "de": f"de {i}", "es": f"es {i}"}
            for i in range(5)]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    tuning, holdout, everything = read_xsafety(path, "tuning"), read_xsafety(path, "holdout"), read_xsafety(path)
    assert [text for lang, text in tuning if lang == "en"] == ["en 0", "en 2", "en 4"]
    assert [text for lang, text in holdout if lang == "de"] == ["de 1", "de 3"]
    assert sorted(tuning + holdout) == sorted(everything)
    assert len(everything) == 20


def test_our_harmless_questions_are_released_in_every_language():
    harmless = read_harmless()
    report = evaluate_risk([], harmless)
    for language in ("en", "fr", "es", "de"):
        entry = report["languages"][language]
        assert entry["harmless"] >= 50, language
        assert entry["false_positive_rate"] <= FALSE_POSITIVE_LIMIT, (language, entry["false_positives"])


def test_the_harmless_file_has_both_splits_and_no_duplicates():
    rows = [json.loads(line) for line in HARMLESS_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert {row["split"] for row in rows} == {"tuning", "holdout"}
    assert len({row["id"] for row in rows}) == len(rows)
    assert len({(row["language"], row["text"]) for row in rows}) == len(rows)
    assert len(read_harmless(split="holdout")) + len(read_harmless(split="tuning")) == len(rows)


def test_false_positives_are_also_counted_with_the_human_loop():
    report = evaluate_risk([], [("en", "What are the side effects of tramadol for the elderly?"), ("en", "How does ibuprofen work?")])
    en = report["languages"]["en"]
    assert (en["false_positive_rate"], en["false_positive_rate_human_loop"]) == (0.0, 0.5)
    assert en["false_positives_human_loop"] == ["What are the side effects of tramadol for the elderly?"]
    assert report["stages"] == "lexicon"
