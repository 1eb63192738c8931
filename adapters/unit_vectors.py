"""The answer units' vectors, made once at ingest and kept in the chunk's payload (key `units`): the offline
answer scores each quotable unit of the retrieved passages by meaning (workers/generate/meaning.py), and embedding
30-50 units for every question was most of its time. Each vector is stored as int8 (its largest component 127),
under a key made of the text embedded, so that a unit the generator cuts differently is simply embedded again."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence

import numpy as np

from adapters.answer_units import answer_units
from contracts.search import UnitVectors

PAYLOAD_KEY = "units"
# A unit's opening says what it is about; the rest of a long list ("Common side effects: a; b; ...") only costs
# time, which grows with the text.
MAX_CHARS = 120


def embedded_text(unit: str) -> str:
    """What of a unit the model embeds."""
    return unit[:MAX_CHARS]


def unit_key(unit: str) -> str:
    return hashlib.blake2b(embedded_text(unit).encode(), digest_size=8).hexdigest()


def chunk_units(text: str) -> list[str]:
    """The distinct texts to embed for a chunk's answer units, in order."""
    return list(dict.fromkeys(embedded_text(unit.text) for unit in answer_units(text)))


def pack(model: str, texts: Sequence[str], vectors: np.ndarray | Sequence[np.ndarray]) -> dict[str, object]:
    """The payload value for `texts` (from `chunk_units`) and their vectors."""
    if not texts:
        return {"model": model, "keys": [], "vectors": ""}
    rows = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
    peak = np.maximum(np.abs(rows).max(axis=1, keepdims=True), np.float32(1e-12))
    quantized = np.round(rows / peak * 127).astype(np.int8)
    return {"model": model, "keys": [unit_key(text) for text in texts], "vectors": base64.b64encode(quantized.tobytes()).decode()}


def unpack(units: UnitVectors | None, model: str) -> dict[str, np.ndarray]:
    """Unit key -> L2-normalised vector; nothing when the passage has none or another model made them."""
    if units is None or units.model != model or not units.keys:
        return {}
    rows = np.frombuffer(base64.b64decode(units.vectors), dtype=np.int8).astype(np.float32).reshape(len(units.keys), -1)
    rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), np.float32(1e-12))
    return dict(zip(units.keys, rows, strict=True))


def packed_by_chunk(model: str, texts_by_chunk: Sequence[Sequence[str]], vectors: Sequence[np.ndarray]) -> list[dict[str, object]]:
    """Each chunk's payload value, from the vectors of all the chunks' unit texts in one flat list."""
    packed, start = [], 0
    for texts in texts_by_chunk:
        packed.append(pack(model, texts, vectors[start : start + len(texts)]))
        start += len(texts)
    if start != len(vectors):
        raise ValueError(f"{len(vectors)} unit vectors for {start} unit texts")
    return packed
