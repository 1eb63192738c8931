"""Checks on what a user sends, before anything is stored."""

from __future__ import annotations

import json
import re
from typing import Any

from adapters.language import SUPPORTED_LANGUAGES
from contracts.documents import MetadataValue
from gateway.errors import ApiError

DOCUMENT_ID = re.compile(r"^[0-9a-f]{64}$")
METADATA_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
MAX_METADATA_KEYS = 50
MAX_METADATA_VALUE_CHARS = 1000


def check_language(language: str | None, field: str = "language") -> str | None:
    if language is None:
        return None
    normalized = language.strip().lower()
    if normalized not in SUPPORTED_LANGUAGES:
        raise ApiError(422, "unsupported_language",
                       f"{field} {language!r} is not supported; use one of {', '.join(SUPPORTED_LANGUAGES)}")
    return normalized


def parse_metadata(raw: str | None) -> dict[str, MetadataValue]:
    if raw is None or not raw.strip():
        return {}
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ApiError(400, "invalid_metadata", f"metadata is not valid JSON: {exc.msg} at position {exc.pos}") from exc
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_metadata", 'metadata must be a JSON object, e.g. {"type":"medical","language":"fr"}')
    if len(value) > MAX_METADATA_KEYS:
        raise ApiError(422, "invalid_metadata", f"metadata has {len(value)} keys; at most {MAX_METADATA_KEYS} are allowed")
    for key, item in value.items():
        if not METADATA_KEY.match(key):
            raise ApiError(422, "invalid_metadata", f"metadata key {key!r} must start with a letter and use letters, digits, '_', '-' or '.' "
                                                        "(64 at most)")
        if isinstance(item, str) and len(item) > MAX_METADATA_VALUE_CHARS:
            raise ApiError(422, "invalid_metadata", f"metadata value of {key!r} is longer than {MAX_METADATA_VALUE_CHARS} characters")
        if not isinstance(item, str | int | float | bool) or item is None:
            raise ApiError(422, "invalid_metadata", f"metadata value of {key!r} must be a string, number or boolean")
    if "language" in value:
        if not isinstance(value["language"], str):
            raise ApiError(422, "unsupported_language", "metadata language must be a string such as \"fr\"")
        value["language"] = check_language(value["language"], "metadata language")
    return value


def check_document_id(document_id: str) -> str:
    if not DOCUMENT_ID.match(document_id):
        raise ApiError(404, "document_not_found", f"no document {document_id!r}: ids are 64 hexadecimal characters")
    return document_id
