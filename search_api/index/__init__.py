"""The search index: segment vectors in Qdrant Edge (embedded, default) or a Qdrant server."""

from __future__ import annotations

import os
from pathlib import Path

from search_api.index.store import (
    RRF_K,
    IndexMismatch,
    IndexPoint,
    IndexStoreError,
    IndexUnavailable,
    ScoredPoint,
    SearchFilter,
    SparseVector,
    VectorStore,
)

__all__ = [
    "RRF_K",
    "IndexMismatch",
    "IndexPoint",
    "IndexStoreError",
    "IndexUnavailable",
    "ScoredPoint",
    "SearchFilter",
    "SparseVector",
    "VectorStore",
    "open_store",
]


def open_store(home: Path) -> VectorStore:
    """A Qdrant server when `VANBAN_QDRANT_URL` is set, else the embedded Edge index in `home/index`."""
    url = os.environ.get("VANBAN_QDRANT_URL", "").strip()
    # Imported here so that a deployment uses, and needs to load, only the engine it runs on.
    if url:
        from search_api.index.server import ServerStore

        return ServerStore(url, api_key=os.environ.get("VANBAN_QDRANT_API_KEY") or None)
    from search_api.index.edge import EdgeStore

    return EdgeStore(home / "index")
