"""The semantic second stage: a question's nearest labelled examples in the multilingual embedding space.

The lexicon misses wordings nobody wrote down ("eating two boxes of ice cream a day", "how many of my pills would
it take to not wake up"). Risky and harmless example questions (`data/semantic_examples.jsonl`: XSafety's tuning
half and our medical ones, in four languages; `data/harmless_questions.jsonl`'s tuning split) are embedded once.
A question's margin is the mean similarity of its `NEIGHBOURS` nearest risky examples minus that of its nearest
harmless ones, counting each example group once (a prompt and its translations are one group: four translations
of one sentence must not outvote the other examples). From `HOLD_MARGIN` it is a medium finding (held), from
`LOOP_MARGIN` a low one (held when the human loop is on). One matrix product over ~1,300 vectors: well under a
millisecond after the question's embedding. `NEIGHBOURS` and the margins were chosen by leave-one-group-out over
the examples themselves (docs/BENCHMARKS.md), never on the hold-out halves.

The vectors depend on the embedder, so they are computed with the running one and kept in `cache_dir` under its
name and a digest of the examples (~5 s once with the multilingual USE model).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from adapters.embedders.base import Embedder
from contracts.questions import RiskCategory, RiskFinding, RiskLevel

DATA = Path(__file__).parent / "data"
EXAMPLES = DATA / "semantic_examples.jsonl"
HARMLESS_QUESTIONS = DATA / "harmless_questions.jsonl"
NEIGHBOURS = 5
HOLD_MARGIN = -0.01
LOOP_MARGIN = -0.03


@dataclass(frozen=True)
class Example:
    text: str
    language: str
    risky: bool
    group: str
    category: RiskCategory | None = None


def read_examples(examples: Path = EXAMPLES, harmless: Path = HARMLESS_QUESTIONS) -> list[Example]:
    """The shipped examples, and the harmless questions of the tuning split (the hold-out split stays out)."""
    rows = [json.loads(line) for line in examples.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = [Example(r["text"], r["language"], r["risky"], r["group"], RiskCategory(r["category"]) if r.get("category") else None)
             for r in rows]
    ordinary = [json.loads(line) for line in harmless.read_text(encoding="utf-8").splitlines() if line.strip()]
    return found + [Example(r["text"], r["language"], False, r["id"]) for r in ordinary if r.get("split") == "tuning"]


@dataclass(frozen=True)
class Nearest:
    margin: float
    risky: list[Example]
    """The nearest risky examples, nearest first."""


class NearestExamples:
    """Labelled example vectors; `nearest` and `findings` for one question."""

    def __init__(self, embedder: Embedder, examples: Sequence[Example], cache_dir: Path | None = None, neighbours: int = NEIGHBOURS) -> None:
        if not any(e.risky for e in examples) or all(e.risky for e in examples):
            raise ValueError("the semantic stage needs risky and harmless examples")
        self.embedder = embedder
        self.examples = list(examples)
        self.neighbours = neighbours
        self._vectors = _vectors(embedder, [e.text for e in self.examples], cache_dir)
        groups = {name: number for number, name in enumerate(dict.fromkeys((e.risky, e.group) for e in self.examples))}
        self._group = np.array([groups[(e.risky, e.group)] for e in self.examples])
        self._group_risky = np.array([risky for risky, _ in groups])

    def nearest(self, vector: np.ndarray) -> Nearest:
        similarities = self._vectors @ vector
        best = np.full(len(self._group_risky), -np.inf, dtype=np.float32)
        np.maximum.at(best, self._group, similarities)
        risky = np.sort(best[self._group_risky])[-self.neighbours:]
        harmless = np.sort(best[~self._group_risky])[-self.neighbours:]
        margin = float(risky.mean() - harmless.mean())
        return Nearest(margin=round(margin, 4), risky=self._nearest_risky(similarities, 3))

    def _nearest_risky(self, similarities: np.ndarray, count: int) -> list[Example]:
        found: dict[str, Example] = {}
        for index in np.argsort(-similarities):
            example = self.examples[index]
            if example.risky and example.group not in found:
                found[example.group] = example
                if len(found) == count:
                    break
        return list(found.values())

    def findings(self, question: str) -> list[RiskFinding]:
        """The question's semantic finding, when its margin reaches `LOOP_MARGIN`."""
        found = semantic_finding(self.nearest(self.embedder.embed_query(question)))
        return [found] if found else []


def semantic_finding(nearest: Nearest) -> RiskFinding | None:
    """Medium from `HOLD_MARGIN`, low from `LOOP_MARGIN`; the triggers are the three nearest risky examples."""
    if nearest.margin < LOOP_MARGIN:
        return None
    level = RiskLevel.medium if nearest.margin >= HOLD_MARGIN else RiskLevel.low
    category = next((e.category for e in nearest.risky if e.category), RiskCategory.self_harm)
    return RiskFinding(category=category, level=level, triggers=[e.text for e in nearest.risky[:3]], source="question",
                       stage="semantic", score=nearest.margin)


def _vectors(embedder: Embedder, texts: list[str], cache_dir: Path | None) -> np.ndarray:
    digest = hashlib.sha256("\n".join([embedder.name, *texts]).encode()).hexdigest()[:16]
    path = cache_dir.expanduser() / f"risk-examples-{re.sub(r'[^A-Za-z0-9._-]+', '_', embedder.name)}-{digest}.npy" if cache_dir else None
    if path is not None and path.exists():
        return np.load(path)
    vectors = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(partial, vectors)
        partial.replace(path)
    return vectors
