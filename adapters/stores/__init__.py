"""Vector stores behind one seam: embedded Qdrant Edge by default, a Qdrant server when a URL is set."""

from __future__ import annotations

import os
from collections.abc import Mapping

from adapters.stores._shared import IndexDiskFull, StoreLocked, VectorLayoutMismatch
from adapters.stores.base import VectorStore

__all__ = ["IndexDiskFull", "StoreLocked", "VectorLayoutMismatch", "VectorStore", "build_store"]


def build_store(
    *,
    dim: int | Mapping[str, int],
    path: str | os.PathLike[str] | None = None,
    url: str | None = None,
    api_key: str | None = None,
    collection: str = "mirage_chunks",
    disk_reserve_mb: int = 100,
) -> VectorStore:
    """A Qdrant server store when `url` is set (QDRANT_URL; ":memory:" for a throwaway local one),
    else the embedded Edge store in `path`. `dim`: each embedding space's dimension, by space name
    (`adapters.spaces`; an int: the first space's alone). `disk_reserve_mb`: room the embedded index leaves free on
    its disk: a write that would cut into it is refused (IndexDiskFull)."""
    if url:
        from qdrant_client import QdrantClient

        from adapters.stores.qdrant import QdrantServerStore

        client = QdrantClient(location=":memory:") if url == ":memory:" else QdrantClient(url=url, api_key=api_key)
        return QdrantServerStore(client, collection, dim)
    if path is None:
        raise ValueError("build_store needs either a Qdrant URL or a directory for the embedded index")
    from adapters.stores.edge import EdgeVectorStore

    return EdgeVectorStore(path, dim, disk_reserve_mb * 1024 * 1024)
