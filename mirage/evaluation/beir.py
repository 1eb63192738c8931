"""Reading a retrieval set in the BEIR layout: corpus.jsonl, queries.jsonl, qrels/test.tsv."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BeirDocument:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class BeirSet:
    name: str
    corpus: list[BeirDocument]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # query id → {document id: graded relevance > 0}

    def limited(self, queries: int | None) -> BeirSet:
        """The first `queries` judged queries, against the whole corpus."""
        if queries is None:
            return self
        kept = [q for q in self.queries if q in self.qrels][:queries]
        return BeirSet(self.name, self.corpus, {q: self.queries[q] for q in kept}, {q: self.qrels[q] for q in kept})


def load_beir(directory: Path, split: str = "test") -> BeirSet:
    directory = Path(directory)
    missing = [p for p in ("corpus.jsonl", "queries.jsonl", f"qrels/{split}.tsv") if not (directory / p).exists()]
    if missing:
        raise FileNotFoundError(f"{directory} is not a BEIR set: missing {', '.join(missing)}")
    corpus = [
        BeirDocument(str(row["_id"]), row.get("title") or "", row.get("text") or "")
        for row in map(json.loads, (directory / "corpus.jsonl").read_text(encoding="utf-8").splitlines())
        if row
    ]
    queries = {
        str(row["_id"]): row["text"] for row in map(json.loads, (directory / "queries.jsonl").read_text(encoding="utf-8").splitlines()) if row
    }
    qrels: dict[str, dict[str, int]] = {}
    with (directory / f"qrels/{split}.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if int(row["score"]) > 0 and row["query-id"] in queries:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    return BeirSet(directory.name, corpus, queries, qrels)
