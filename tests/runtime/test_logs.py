"""Logs as JSON lines that name the question or document and the trace; a log file that rotates."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from opentelemetry.sdk.trace import TracerProvider

from contracts.documents import DocumentIndexed
from contracts.questions import QueryReceived
from runtime.logs import JsonLines, about, configure, ids_of


def formatted(message: str) -> dict:
    record = logging.LogRecord("mirage.test", logging.WARNING, __file__, 1, message, None, None)
    return json.loads(JsonLines().format(record))


def test_a_line_names_the_question_or_document_it_is_about_and_its_trace() -> None:
    assert "query_id" not in formatted("outside")
    with about(query_id="q1"):
        line = formatted("retrying")
        with TracerProvider().get_tracer("test").start_as_current_span("step"):
            traced = formatted("inside a span")
    assert line["query_id"] == "q1" and line["level"] == "warning" and line["message"] == "retrying" and "trace_id" not in line
    assert len(traced["trace_id"]) == 32 and traced["query_id"] == "q1"


def test_a_message_is_about_what_its_event_header_says() -> None:
    question = QueryReceived(correlation_id="q2", query_id="q2", query="x")
    indexed = DocumentIndexed(correlation_id="d" * 64, document_id="d" * 64, chunks=1, embedder="use")
    for event, key in ((question, "query_id"), (indexed, "document_id")):
        headers = event.headers()
        assert ids_of(headers["Mirage-Event"], headers["Mirage-Correlation"]) == {key: event.correlation_id}


def test_the_log_file_gets_json_lines_and_rotates(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "mirage.log"
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure(json_lines=True, log_file=log_file)
        handler = next(h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler))
        handler.maxBytes = 400
        with about(document_id="abc"):
            for i in range(20):
                logging.getLogger("mirage.test").info("line %d", i)
        handler.flush()
        lines = [json.loads(line) for line in log_file.read_text().splitlines()]
        assert lines and all(line["document_id"] == "abc" for line in lines)
        assert (tmp_path / "logs" / "mirage.log.1").exists()  # rotated
    finally:
        for h in root.handlers:
            h.close()
        root.handlers[:], root.level = saved
