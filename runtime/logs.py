"""Logs as JSON lines: every line carries the question or document it is about and the trace it belongs to.

The question or document comes from a context variable set where a request or a message is handled
(`about`); the trace from OpenTelemetry's current span. FastStream's own "Received"/"Processed" lines are
written outside both, so `MessageLog` adds the ids of the message being handled to them.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import logging.handlers
import sys
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

from opentelemetry import trace

from runtime.telemetry import current_trace_id, trace_id_in

_ABOUT: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("mirage_log_about", default=None)
FILE_BYTES = 10 * 1024 * 1024
FILE_BACKUPS = 5


@contextlib.contextmanager
def about(**ids: str | None) -> Iterator[None]:
    """Lines logged inside carry these ids (query_id=..., document_id=...); so does the current span (as
    mirage.query_id, ...), so that Tempo finds a question's trace by its id."""
    named = {key: value for key, value in ids.items() if value}
    token = _ABOUT.set((_ABOUT.get() or {}) | named)
    trace.get_current_span().set_attributes({f"mirage.{key}": value for key, value in named.items()})
    try:
        yield
    finally:
        _ABOUT.reset(token)


def ids_of(event_name: str | None, correlation_id: str | None) -> dict[str, str]:
    """The id a message is about, from its event's name (Document… events are about a document)."""
    if not correlation_id:
        return {}
    return {"document_id" if (event_name or "").startswith("Document") else "query_id": correlation_id}


def message_ids(headers: Mapping[str, str]) -> dict[str, str]:
    """What a NATS message is about and the trace it belongs to, from its headers alone."""
    ids = ids_of(headers.get("Mirage-Event"), headers.get("Mirage-Correlation"))
    if (trace_id := trace_id_in(headers)) is not None:
        ids["trace_id"] = trace_id
    return ids


class MessageLog(logging.LoggerAdapter):
    """The broker's logger: each line names the message being handled (`headers_now`: its headers, or None)."""

    def __init__(self, logger: logging.Logger, headers_now: Callable[[], Mapping[str, str] | None]) -> None:
        super().__init__(logger)
        self.headers_now = headers_now

    def process(self, msg: object, kwargs: dict) -> tuple[object, dict]:
        headers = self.headers_now()
        if headers:
            kwargs["extra"] = message_ids(headers) | (kwargs.get("extra") or {})
        return msg, kwargs


LINE_IDS = ("query_id", "document_id", "trace_id")


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage(),
        } | {key: value for key in LINE_IDS if (value := getattr(record, key, None))} | (_ABOUT.get() or {})
        if (trace_id := current_trace_id()) is not None:
            line["trace_id"] = trace_id
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
