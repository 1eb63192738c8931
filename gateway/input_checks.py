"""Checks on what a user sends, before anything is stored, published or used as a NATS key or subject."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator

from adapters.language import SUPPORTED_LANGUAGES
from contracts.documents import MetadataValue, filter_problem
from gateway.errors import ApiError

DOCUMENT_ID = re.compile(r"^[0-9a-f]{64}$")
# Query ids are uuid4 hex; other callers' ids (tests, the runbook's "123") keep to a NATS-key-and-token-safe alphabet.
QUERY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
QUERY_ID_PATTERN = QUERY_ID.pattern
METADATA_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
MAX_METADATA_KEYS = 50
MAX_METADATA_VALUE_CHARS = 1000
MAX_METADATA_CHARS = 64 * 1024
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}([T ].*)?$")


def check_language(language: str | None, field: str = "language") -> str | None:
    if language is None:
        return None
    normalized = language.strip().lower()
    if normalized not in SUPPORTED_LANGUAGES:
        raise ApiError(422, "unsupported_language",
                       f"{field} {language[:40]!r} is not supported; use one of {', '.join(SUPPORTED_LANGUAGES)}")
    return normalized


def _iso_text(value: Any) -> Any:
    """Refuses what pydantic alone would read as seconds since 1970 (`0.5`): a moment is written as an ISO 8601 date."""
    if isinstance(value, str) and not ISO_MOMENT.match(value):
        raise ValueError("must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T08:00:00Z")
    return value


def _utc_if_naive(moment: datetime) -> datetime:
    """Stored times are UTC and aware; a naive one could not even be compared with them."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# A moment a user writes in a query string (`since`, `until`): an ISO 8601 date or date-time, UTC unless it says otherwise.
Moment = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_utc_if_naive)]


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_metadata(raw: str | None) -> dict[str, MetadataValue]:
    """A flat JSON object of at most MAX_METADATA_KEYS keys, with strings, finite numbers or booleans."""
    if raw is None or not raw.strip():
        return {}
    if len(raw) > MAX_METADATA_CHARS:
        raise ApiError(422, "invalid_metadata", f"metadata is {len(raw)} characters; at most {MAX_METADATA_CHARS} are allowed")
    try:
        value: Any = json.loads(raw, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "invalid_metadata", f"metadata is not valid JSON: {exc.msg} at position {exc.pos}") from exc
    except ValueError as exc:
        raise ApiError(422, "invalid_metadata", f"metadata values must be finite numbers: {exc}") from exc
    except RecursionError as exc:
        raise ApiError(422, "invalid_metadata", "metadata is nested too deep; it must be a flat JSON object") from exc
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_metadata", 'metadata must be a JSON object, e.g. {"type":"medical","language":"fr"}')
    if len(value) > MAX_METADATA_KEYS:
        raise ApiError(422, "invalid_metadata", f"metadata has {len(value)} keys; at most {MAX_METADATA_KEYS} are allowed")
    for key, item in value.items():
        if not METADATA_KEY.match(key):
            raise ApiError(422, "invalid_metadata", f"metadata key {key[:80]!r} must start with a letter and use letters, digits, '_', '-' or '.' "
                                                        "(64 at most)")
        if isinstance(item, str) and len(item) > MAX_METADATA_VALUE_CHARS:
            raise ApiError(422, "invalid_metadata", f"metadata value of {key!r} is longer than {MAX_METADATA_VALUE_CHARS} characters")
        if not isinstance(item, str | int | float | bool) or item is None:
            raise ApiError(422, "invalid_metadata", f"metadata value of {key!r} must be a string, number or boolean (metadata is flat)")
        if isinstance(item, float) and not math.isfinite(item):
            raise ApiError(422, "invalid_metadata", f"metadata value of {key!r} is too large: numbers must be finite")
    if "language" in value:
        if not isinstance(value["language"], str):
            raise ApiError(422, "unsupported_language", "metadata language must be a string such as \"fr\"")
        value["language"] = check_language(value["language"], "metadata language")
    return value


def check_filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters search can apply (see contracts.documents.filter_problem); `language` values must be supported ones."""
    if (problem := filter_problem(filters)) is not None:
        raise ApiError(422, "invalid_filter", problem)
    checked = dict(filters)
    if "language" in checked:
        languages = checked["language"] if isinstance(checked["language"], list) else [checked["language"]]
        if not all(isinstance(v, str) for v in languages):
            raise ApiError(422, "invalid_filter", "filter 'language' takes language codes such as \"fr\"")
        normalized = [check_language(v, "filter language") for v in languages]
        checked["language"] = normalized if isinstance(checked["language"], list) else normalized[0]
    return checked


def query_string_filters(params: Iterable[tuple[str, str]], known: set[str]) -> dict[str, Any]:
    """Every query parameter but `known` is a filter; a repeated one accepts any of its values."""
    filters: dict[str, Any] = {}
    for key, value in params:
        if key in known:
            continue
        if key in filters:
            filters[key] = [*filters[key], value] if isinstance(filters[key], list) else [filters[key], value]
        else:
            filters[key] = value
    return check_filters(filters)


def check_document_id(document_id: str) -> str:
    if not DOCUMENT_ID.match(document_id):
        raise ApiError(404, "document_not_found", f"no document {document_id[:80]!r}: ids are 64 hexadecimal characters")
    return document_id


def check_query_id(query_id: str, missing: str = "query_not_found") -> str:
    """A question's id (also its review case's): it becomes a NATS key and a subject token, so 404 unless it could be one."""
    if not QUERY_ID.match(query_id):
        what = "review case for question" if missing == "case_not_found" else "question"
        raise ApiError(404, missing, f"no {what} {query_id[:80]!r}: ids are letters, digits, '_' or '-' (64 at most)")
    return query_id
