"""fastembed ONNX models, from the local cache, a site-provided directory, or the model hub when reachable."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from adapters.embedders.base import EmbedderUnavailable, l2_normalise

_BATCH = 64
_HUB_PROBE_TIMEOUT_S = 2.0
_MODEL_FILES = ("model.onnx", "onnx/model.onnx", "model_optimized.onnx", "model_quantized.onnx", "onnx/model_quantized.onnx")
_registry_lock = threading.Lock()


class FastEmbedEmbedder:
    """A fastembed `TextEmbedding`, loaded without ever waiting on an unreachable model hub.

    `model_path` points at a directory holding an ONNX export (first output `last_hidden_state`,
    (batch, seq, dim)) with tokenizer.json and tokenizer_config.json; a name fastembed does not know is
    registered as a custom model, mean-pooled unless a sentence-transformers 1_Pooling/config.json says otherwise.
    """

    def __init__(
        self,
        model_name: str,
        cache_dir: str | None = None,
        model_path: str | None = None,
        threads: int | None = None,
    ) -> None:
        try:
            from fastembed import TextEmbedding
        except ImportError as e:
            raise EmbedderUnavailable(
                f"fastembed model {model_name!r} was configured, but fastembed is not installed: "
                f"pip install 'mirage[fastembed]', or use the default offline embedder (MIRAGE_EMBEDDER=use)."
            ) from e
        self.name = f"fastembed:{model_name}"
        if model_path:
            self._model = _load_from_directory(TextEmbedding, model_name, Path(model_path), cache_dir, threads)
        else:
            self._model = _load_from_cache_or_hub(TextEmbedding, model_name, cache_dir, threads)
        self.dim = int(self.embed_query("dimension probe").shape[0])

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return l2_normalise(np.stack(list(self._model.passage_embed(texts, batch_size=_BATCH))))

    def embed_query(self, text: str) -> np.ndarray:
        return l2_normalise(np.stack(list(self._model.query_embed([text]))))[0]


def _known_model(text_embedding: Any, model_name: str) -> dict[str, Any] | None:
    for description in text_embedding.list_supported_models():
        if description["model"].lower() == model_name.lower():
            return description
    return None


def _load_from_cache_or_hub(text_embedding: Any, model_name: str, cache_dir: str | None, threads: int | None) -> Any:
    if _known_model(text_embedding, model_name) is None:
        raise EmbedderUnavailable(
            f"fastembed does not know the model {model_name!r} (see fastembed.TextEmbedding.list_supported_models()). "
            f"For your own ONNX export, set MIRAGE_FASTEMBED_MODEL_PATH to its directory; "
            f"or use the default offline embedder (MIRAGE_EMBEDDER=use)."
        )
    try:
        with _quiet_fastembed():
            return text_embedding(model_name, cache_dir=cache_dir, threads=threads, local_files_only=True)
    except Exception as cache_miss:
        # fastembed alone would now retry the hub for ~40 s; only try it if it answers at all.
        hub = _reachable_hub()
        if hub is None:
            raise EmbedderUnavailable(
                f"fastembed model {model_name!r} is neither in the cache ({_cache_location(cache_dir)}) nor "
                f"reachable (the model hub is offline or HF_HUB_OFFLINE is set). Download it once on a machine with "
                f"access into MIRAGE_FASTEMBED_CACHE, or set MIRAGE_FASTEMBED_MODEL_PATH to a directory holding the "
                f"model, or use the default offline embedder (MIRAGE_EMBEDDER=use)."
            ) from cache_miss
    try:
        return text_embedding(model_name, cache_dir=cache_dir, threads=threads)
    except Exception as e:
        raise EmbedderUnavailable(
            f"fastembed model {model_name!r} is not in the cache and downloading it from {hub} failed: {e}. "
            f"Pre-download it into MIRAGE_FASTEMBED_CACHE, set MIRAGE_FASTEMBED_MODEL_PATH, or use the default "
            f"offline embedder (MIRAGE_EMBEDDER=use)."
        ) from e


def _load_from_directory(
    text_embedding: Any, model_name: str, path: Path, cache_dir: str | None, threads: int | None
) -> Any:
    if not path.is_dir():
        raise EmbedderUnavailable(f"MIRAGE_FASTEMBED_MODEL_PATH {str(path)!r} for model {model_name!r} is not a directory.")
    known = _known_model(text_embedding, model_name)
    if known is not None:
        if not (path / known["model_file"]).is_file():
            raise EmbedderUnavailable(
                f"{path} does not hold {known['model_file']}, the file fastembed loads for {model_name!r}; "
                f"copy the model's files there with the same layout as on the model hub."
            )
    else:
        _register_custom_model(text_embedding, model_name, path)
    try:
        return text_embedding(
            model_name, cache_dir=cache_dir, threads=threads, specific_model_path=str(path), local_files_only=True
        )
    except Exception as e:
        raise EmbedderUnavailable(f"could not load fastembed model {model_name!r} from {path}: {e}") from e


def _register_custom_model(text_embedding: Any, model_name: str, path: Path) -> None:
    from fastembed.common.model_description import ModelSource, PoolingType
    from fastembed.text.custom_text_embedding import CustomTextEmbedding

    model_file = _find_model_file(path, model_name)
    pooling = PoolingType(_pooling_of(path))
    with _registry_lock:
        for registered in CustomTextEmbedding.SUPPORTED_MODELS:
            if registered.model.lower() == model_name.lower():
                same_layout = registered.model_file == model_file
                if same_layout and CustomTextEmbedding.POSTPROCESSING_MAPPING[registered.model].pooling == pooling:
                    return
                raise EmbedderUnavailable(
                    f"model name {model_name!r} is already registered in this process with another layout; "
                    f"give the model in {path} another name."
                )
        text_embedding.add_custom_model(
            model=model_name,
            pooling=pooling,
            normalization=True,
            # Never fetched: specific_model_path short-circuits every download.
            sources=ModelSource(hf=model_name),
            dim=_hidden_size(path),
            model_file=model_file,
            additional_files=[p.name for p in (path / model_file).parent.glob("*.onnx_data")],
            description=f"site-provided model in {path}",
        )


def _find_model_file(path: Path, model_name: str) -> str:
    for candidate in _MODEL_FILES:
        if (path / candidate).is_file():
            return candidate
    found = sorted(str(p.relative_to(path)) for p in path.rglob("*.onnx"))
    if len(found) == 1:
        return found[0]
    raise EmbedderUnavailable(
        f"cannot tell which ONNX file in {path} is model {model_name!r}: expected one of {', '.join(_MODEL_FILES)}"
        f"{f', found {found}' if found else ', found none'}."
    )


def _pooling_of(path: Path) -> str:
    """CLS/MEAN/LAST_TOKEN from a sentence-transformers export's pooling config; MEAN when there is none."""
    try:
        config = json.loads((path / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError):
        return "MEAN"
    if config.get("pooling_mode_cls_token"):
        return "CLS"
    if config.get("pooling_mode_lasttoken"):
        return "LAST_TOKEN"
    return "MEAN"


def _hidden_size(path: Path) -> int:
    """fastembed wants the dimension at registration; the loaded model's real output is what we use."""
    try:
        config = json.loads((path / "config.json").read_text())
        return int(config.get("hidden_size") or config.get("d_model") or config.get("dim") or 0)
    except (OSError, ValueError, TypeError):
        return 0


def _reachable_hub() -> str | None:
    """The model hub's URL if it answers an HTTP request within a couple of seconds, else None."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "TRUE", "YES", "ON"}:
        return None
    import httpx
    from huggingface_hub import constants

    try:
        httpx.head(constants.ENDPOINT, timeout=_HUB_PROBE_TIMEOUT_S)
    except httpx.HTTPError:
        return None
    return constants.ENDPOINT


def _cache_location(cache_dir: str | None) -> str:
    if cache_dir:
        return cache_dir
    from fastembed.common.utils import define_cache_dir

    return str(define_cache_dir(None))


class _quiet_fastembed:
    """A cache miss is an expected branch here; fastembed would log it as an error."""

    def __enter__(self) -> None:
        from loguru import logger

        logger.disable("fastembed")

    def __exit__(self, *exc: object) -> None:
        from loguru import logger

        logger.enable("fastembed")
