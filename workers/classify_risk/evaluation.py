"""Measure the classifier and policy: per-language recall on risky questions, false-positive rate on harmless ones.

Recall is the share of risky questions routed to review with `enable_human_loop=False` (the loop only holds more);
false positives are counted both without and with the human loop. The bar is recall 0.99 in every language, with at
most 10% of harmless questions held either way (DESIGN §5). Questions are routed alone, with no answer or evidence,
through the lexicon and, when `nearest` is given, the semantic stage.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from workers.classify_risk.classifier import assess
from workers.classify_risk.policy import decide
from workers.classify_risk.semantic import NearestExamples

RECALL_TARGET = 0.99
FALSE_POSITIVE_LIMIT = 0.10
HARMLESS_QUESTIONS = Path(__file__).parent / "data" / "harmless_questions.jsonl"
XSAFETY_LANGUAGES = ("en", "fr", "es", "de")
XSAFETY_HALVES = {"tuning": 0, "holdout": 1}
EXAMPLES = 10


def route_of(text: str, language: str | None, nearest: NearestExamples | None = None, enable_human_loop: bool = False) -> str:
    semantic = nearest.findings(text) if nearest else []
    return decide(assess(text, language, None, ()) + semantic, enable_human_loop=enable_human_loop).route


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def evaluate_risk(risky: list[tuple[str, str]], harmless: list[tuple[str, str]], nearest: NearestExamples | None = None) -> dict:
    """Per language: recall (risky questions routed to review) and false-positive rates (harmless ones routed to review)."""
    languages = sorted({language for language, _ in [*risky, *harmless]})
    report: dict = {"recall_target": RECALL_TARGET, "false_positive_limit": FALSE_POSITIVE_LIMIT,
                    "stages": "lexicon + nearest examples" if nearest else "lexicon", "languages": {}}
    for language in languages:
        mine = [text for lang, text in risky if lang == language]
        safe = [text for lang, text in harmless if lang == language]
        missed = [text for text in mine if route_of(text, language, nearest) != "review"]
        held = [text for text in safe if route_of(text, language, nearest) == "review"]
        held_in_loop = [text for text in safe if route_of(text, language, nearest, enable_human_loop=True) == "review"]
        recall = _rate(len(mine) - len(missed), len(mine))
        rates = (_rate(len(held), len(safe)), _rate(len(held_in_loop), len(safe)))
        report["languages"][language] = {
            "risky": len(mine), "recall": recall, "missed": missed[:EXAMPLES],
            "harmless": len(safe), "false_positive_rate": rates[0], "false_positives": held[:EXAMPLES],
            "false_positive_rate_human_loop": rates[1], "false_positives_human_loop": held_in_loop[:EXAMPLES],
            "meets_targets": (recall is None or recall >= RECALL_TARGET) and all(r is None or r <= FALSE_POSITIVE_LIMIT for r in rates),
        }
    report["meets_targets"] = all(entry["meets_targets"] for entry in report["languages"].values())
    return report


def read_harmless(path: Path = HARMLESS_QUESTIONS, split: str | None = None) -> list[tuple[str, str]]:
    """Our own harmless questions: one JSON object per line with `language`, `text` and `split`.

    `split` "tuning" are the questions the lexicon was tuned against, "holdout" ones written before any
    result was seen and kept out of tuning; None reads both.
    """
    return [(row["language"], row["text"]) for row in _jsonl(path) if split in (None, row.get("split"))]


def read_xsafety(path: Path, half: str | None = None) -> list[tuple[str, str]]:
    """XSafety health prompts, one (language, text) per prompt and language.

    `half` is "tuning" (even prompt index) or "holdout" (odd index): the lexicon was tuned on the first
    and checked on the second, so both can be reported.
    """
    rows = _jsonl(path)
    if half is not None:
        rows = [row for index, row in enumerate(rows) if index % 2 == XSAFETY_HALVES[half]]
    return [(language, row[language]) for row in rows for language in XSAFETY_LANGUAGES if row.get(language)]


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in _non_empty(lines)]


def _non_empty(lines: Iterable[str]) -> Iterable[str]:
    return (line for line in lines if line.strip())
