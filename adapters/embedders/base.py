"""The embedder seam: texts in, L2-normalised float32 vectors out."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    name: str
    dim: int

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dim) float32, rows L2-normalised."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """(dim,) float32, L2-normalised."""
        ...


# One model forward pass at a time in a process: each model already uses every core it is given, so two at
# once (the multilingual and the English model) only thrash the caches and take turns badly.
MODEL_LOCK = threading.Lock()


class EmbedderUnavailable(RuntimeError):
    """The configured embedding model cannot be loaded; the message says what an operator can do."""


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))
