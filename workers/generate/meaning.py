"""How close each quotable sentence is in meaning to the question: the multilingual embedder on sentences, so
that a German question finds the Spanish sentence that answers it although they share no word, and a question
about an overdose finds the overdose lines of a "how to take" section rather than its first lines.

The units' vectors come with the passages (made once at ingest, adapters/unit_vectors.py); a passage indexed
before they were, or a unit cut otherwise, is embedded here and its vector kept (LRU)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence

import numpy as np

from adapters.embedders.base import Embedder
from adapters.unit_vectors import embedded_text, unit_key

# Sentences of the same leaflets come back question after question: 4096 vectors of 512 floats are 8 MB.
CACHE_SIZE = 4096


class SentenceMeaning:
    """Cosine similarities between a question and sentences, with the sentences' vectors kept (LRU)."""

    def __init__(self, embedder: Embedder, cache_size: int = CACHE_SIZE) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    @property
    def model(self) -> str:
        """The name stored unit vectors must carry to be used (adapters.unit_vectors.unpack)."""
        return self.embedder.name

    def similarities(self, question: str, sentences: Sequence[str], stored: Mapping[str, np.ndarray] | None = None) -> np.ndarray:
        """`stored`: vectors made at ingest, by unit key (adapters.unit_vectors.unit_key); the others are embedded."""
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        asked = self.embedder.embed_query(question)
        vectors = self._vectors([embedded_text(sentence) for sentence in sentences], stored or {})
        return vectors @ asked

    def _vectors(self, sentences: Sequence[str], stored: Mapping[str, np.ndarray]) -> np.ndarray:
        known = {text: vector for text in sentences if (vector := stored.get(unit_key(text))) is not None}
        with self._lock:
            cached = {text: self._cache[text] for text in sentences if text not in known and text in self._cache}
            for text in cached:
                self._cache.move_to_end(text)
        known.update(cached)
        missing = [text for text in dict.fromkeys(sentences) if text not in known]
        if missing:
            embedded = self.embedder.embed_documents(missing)
            known.update(zip(missing, embedded, strict=True))
            with self._lock:
                self._cache.update(zip(missing, embedded, strict=True))
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return np.stack([known[text] for text in sentences])
