"""How close each quotable sentence is in meaning to the question: the multilingual embedder on sentences, so
that a German question finds the Spanish sentence that answers it although they share no word, and a question
about an overdose finds the overdose lines of a "how to take" section rather than its first lines."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from adapters.embedders.base import Embedder

# Sentences of the same leaflets come back question after question: 4096 vectors of 512 floats are 8 MB.
CACHE_SIZE = 4096
# A unit's opening says what it is about; the rest of a long list ("Common side effects: a; b; ...") only costs
# time, which grows with the text (the tokenizer is pure Python).
MAX_CHARS = 120


class SentenceMeaning:
    """Cosine similarities between a question and sentences, with the sentences' vectors kept (LRU)."""

    def __init__(self, embedder: Embedder, cache_size: int = CACHE_SIZE) -> None:
        self.embedder = embedder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def similarities(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        asked = self.embedder.embed_query(question)
        vectors = self._vectors([sentence[:MAX_CHARS] for sentence in sentences])
        return vectors @ asked

    def _vectors(self, sentences: Sequence[str]) -> np.ndarray:
        with self._lock:
            known = {text: self._cache[text] for text in sentences if text in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = [text for text in dict.fromkeys(sentences) if text not in known]
        if missing:
            embedded = self.embedder.embed_documents(missing)
            known.update(zip(missing, embedded, strict=True))
            with self._lock:
                self._cache.update(zip(missing, embedded, strict=True))
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return np.stack([known[text] for text in sentences])
