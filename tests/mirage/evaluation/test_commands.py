"""`mirage eval retrieval` and `mirage bench` run end to end on tiny inputs (speed is measured by the commands, not here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mirage.cli import app
from mirage.evaluation.beir import load_beir
from tests.factories import SAMPLES

LANGUAGES = ("en", "fr", "es", "de")


def write_beir(folder: Path) -> Path:
    """A tiny set: one document per leaflet section, queried with a paragraph's opening words."""
    folder.mkdir()
    corpus, queries, qrels = [], [], ["query-id\tcorpus-id\tscore"]
    for language in LANGUAGES:
        for i, (heading, paragraphs) in enumerate(SAMPLES[language]["sections"]):
            doc_id = f"{language}-{i}"
            corpus.append({"_id": doc_id, "title": heading, "text": " ".join(paragraphs)})
            queries.append({"_id": f"q-{doc_id}", "text": paragraphs[0][:80]})
            qrels.append(f"q-{doc_id}\t{doc_id}\t1")
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(c) for c in corpus))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries))
    (folder / "qrels").mkdir()
    (folder / "qrels" / "test.tsv").write_text("\n".join(qrels) + "\n")
    return folder


def test_beir_loader_and_limit(tmp_path: Path) -> None:
    dataset = load_beir(write_beir(tmp_path / "set"))
    assert len(dataset.corpus) == 16 and len(dataset.queries) == 16
    assert len(dataset.limited(3).queries) == 3 and len(dataset.limited(3).corpus) == 16
    with pytest.raises(FileNotFoundError, match="qrels"):
        load_beir(tmp_path)


@pytest.mark.timeout(300)
def test_eval_retrieval_reports_metrics(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "retrieval", "--data", str(write_beir(tmp_path / "set")), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["queries"] == 16 and report["documents"] == 16 and report["chunks"] >= 16
    assert report["metrics"]["recall@10"] > 0.9  # each query quotes its own document
    assert report["search_p95_ms"] > 0 and report["documents_per_second"] > 0


@pytest.mark.timeout(300)
def test_bench_ingest_and_search_run(tmp_path: Path) -> None:
    ingest = CliRunner().invoke(app, ["bench", "ingest", "--docs", "4", "--pdfs", "1", "--library", "6", "--json"])
    assert ingest.exit_code == 0, ingest.output
    report = json.loads(ingest.output.strip().splitlines()[-1])["ingest"]
    assert report["bulk"]["documents"] == 4 and report["bulk"]["chunks"] > 4
    assert 0 < report["ingest_to_raw_ratio"] and report["pdf_10_pages_upload_to_searchable"]["uploads"] == 1
    assert report["pdf_10_pages_upload_to_fully_indexed"]["p50_ms"] >= report["pdf_10_pages_upload_to_searchable"]["p50_ms"]
    assert report["library"]["documents"] == 6 and report["library"]["chunks"] >= 6 and report["library"]["wall_seconds"] > 0
    plot = tmp_path / "latency.png"
    search = CliRunner().invoke(app, ["bench", "search", "--sizes", "200", "--queries", "3", "--plot", str(plot), "--json"])
    assert search.exit_code == 0, search.output
    [run] = json.loads(search.output.strip().splitlines()[-1])["search"]
    assert run["chunks"] == 200 and run["search_through_nats"]["p50_ms"] > 0
    assert 0 <= run["chroma"]["dense_recall_at_10_vs_exact"] <= 1 and run["chroma"]["mirage_dense"]["recall_at_10_vs_exact"] > 0.9
    assert run["chroma"]["mirage_dense_exact"]["recall_at_10_vs_exact"] >= 0.99 and run["chroma"]["mirage_dense"]["p50_ms"] > 0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bench_questions_runs_every_variant() -> None:
    result = CliRunner().invoke(app, ["bench", "questions", "--queries", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])["questions"]
    variants = ("multilingual", "english_int8", "both_one_after_the_other", "both_side_by_side")
    assert report["questions"] == 3 and all(report[name]["p50_ms"] > 0 for name in variants)


def test_bench_query_runs_with_the_answer_units_stored_as_ingest_stores_them() -> None:
    from mirage.evaluation.bench import unit_payloads
    from mirage.evaluation.corpus import TextFactory, seed_sentences
    from runtime.process import Components
    from runtime.settings import Settings

    texts = TextFactory(seed_sentences(None)).chunks(4)
    [first, *_] = unit_payloads(Components(Settings(nats_url=None, english_embedder="none")), texts)
    assert first["model"] and len(first["keys"]) >= 1 and first["vectors"]
    result = CliRunner().invoke(app, ["bench", "query", "--chunks", "200", "--queries", "3", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])["query"]
    assert report["chunks"] == 200 and report["http_cold"]["p50_ms"] > 0 and report["in_process"]["p50_ms"] > 0
