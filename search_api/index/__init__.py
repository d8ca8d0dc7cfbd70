"""The search index: segment vectors in Qdrant Edge (embedded, default) or a Qdrant server."""

from __future__ import annotations

import os
from pathlib import Path

from search_api.index.vector_store import (
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

        return ServerStore(
            url,
            api_key=os.environ.get("VANBAN_QDRANT_API_KEY") or None,
            collection=os.environ.get("VANBAN_QDRANT_COLLECTION", "").strip() or "vanban_segments",
            # Used when the collection is created on a cluster in distributed mode.
            shard_number=_positive_int("VANBAN_QDRANT_SHARDS"),
            replication_factor=_positive_int("VANBAN_QDRANT_REPLICAS"),
        )
    from search_api.index.edge import EdgeStore

    return EdgeStore(home / "index")


def _positive_int(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise IndexStoreError(f"{name} must be a positive whole number, not '{raw}'")
    return int(raw)
