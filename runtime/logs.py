"""Logs as JSON lines: every line carries the question or document it is about and the trace it belongs to.

The question or document comes from a context variable set where a request or a message is handled
(`about`); the trace from OpenTelemetry's current span, when tracing is on.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import logging.handlers
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from opentelemetry import trace

_ABOUT: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("mirage_log_about", default=None)
FILE_BYTES = 10 * 1024 * 1024
FILE_BACKUPS = 5


@contextlib.contextmanager
def about(**ids: str | None) -> Iterator[None]:
    """Lines logged inside carry these ids (query_id=..., document_id=...)."""
    token = _ABOUT.set((_ABOUT.get() or {}) | {key: value for key, value in ids.items() if value})
    try:
        yield
    finally:
        _ABOUT.reset(token)


def ids_of(event_name: str | None, correlation_id: str | None) -> dict[str, str]:
    """The id a message is about, from its event's name (Document… events are about a document)."""
    if not correlation_id:
        return {}
    return {"document_id" if (event_name or "").startswith("Document") else "query_id": correlation_id}


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        } | (_ABOUT.get() or {})
        context = trace.get_current_span().get_span_context()
        if context.is_valid:
            line["trace_id"] = format(context.trace_id, "032x")
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(*, verbose: bool = False, json_lines: bool = True, log_file: Path | None = None) -> None:
    """Root logging for a MIRAGE process: stdout, and `log_file` rotated at 10 MB (5 kept) when given."""
    formatter: logging.Formatter = JsonLines() if json_lines else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stdout)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.handlers.RotatingFileHandler(log_file, maxBytes=FILE_BYTES, backupCount=FILE_BACKUPS, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=handlers, force=True)
