"""Sentence embedders behind one seam: USE v3 offline by default, fastembed models by configuration."""

from __future__ import annotations

import os

from adapters.embedders.base import Embedder, EmbedderUnavailable

__all__ = ["Embedder", "EmbedderUnavailable", "build_embedder"]

_FASTEMBED = "fastembed:"


def build_embedder(
    spec: str, *, threads: int = 2, cache_dir: str | None = None, model_path: str | None = None,
    model_cache: str | os.PathLike[str] | None = None,
) -> Embedder:
    """`"use"` (offline multilingual USE v3, its ONNX graph built once into `model_cache`) or `"fastembed:<model name>"`
    (its files in `cache_dir`)."""
    if spec == "use":
        from adapters.embedders.use import UniversalSentenceEncoder

        return UniversalSentenceEncoder(threads=threads, cache_dir=model_cache)
    if spec.startswith(_FASTEMBED) and spec[len(_FASTEMBED) :].strip():
        from adapters.embedders.fastembed import FastEmbedEmbedder

        return FastEmbedEmbedder(spec[len(_FASTEMBED) :].strip(), cache_dir=cache_dir, model_path=model_path, threads=threads)
    raise ValueError(f"unknown embedder {spec!r}: use \"use\" or \"fastembed:<model name>\" (e.g. fastembed:intfloat/multilingual-e5-large)")
