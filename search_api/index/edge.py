"""The embedded vector store: Qdrant Edge (qdrant-edge-py), Qdrant's engine running inside this process.

One Edge shard is one folder. Edge locks the folder's write-ahead log, so a second open of the same folder
fails, in this process as in another; stores opened on the same folder in one process therefore share one
shard. Edge keeps no application metadata, so the embedder name and dimension live beside the shard in
`vanban_index.json`.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import qdrant_edge as edge

from search_api.index.vector_store import (
    DENSE_PARTS_VECTOR,
    DENSE_VECTOR,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    RERANK_FACTOR,
    SPARSE_VECTOR,
    YEAR_FIELD,
    DenseVector,
    IndexPoint,
    IndexUnavailable,
    ScoredPoint,
    SearchFilter,
    SparseVector,
    VectorStore,
    check_metadata,
    collection_metadata,
    default_prefetch_limit,
    dense_list,
    dense_multivector,
    dense_rows,
    folder_size,
    point_id,
    point_payload,
)

METADATA_FILE = "vanban_index.json"
SHARD_CONFIG_FILE = "edge_config.json"  # written by Edge when it creates a shard
UPSERT_BATCH = 1024


class _OpenShard:
    """One Edge shard shared by every EdgeStore of this process opened on its folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.shard: edge.EdgeShard | None = None
        self.users = 0


_open_shards: dict[Path, _OpenShard] = {}
_registry_lock = threading.Lock()


def _reindex_hint(path: Path, cause: str) -> str:
    return f"The search index at {path} {cause}; run `vanban reindex` to rebuild it."


def _load_shard(path: Path) -> edge.EdgeShard:
    try:
        return edge.EdgeShard.load(str(path))
    except BaseException as exc:  # Edge raises plain Exception, and a Rust panic a BaseException
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        message = str(exc)
        if "WouldBlock" in message:  # the WAL lock is held by another open shard
            raise IndexUnavailable(
                f"The search index at {path} is in use by another process "
                "(a running `vanban serve` or ingest); stop it or use a Qdrant server."
            ) from None
        raise IndexUnavailable(_reindex_hint(path, f"cannot be opened ({message})")) from None


class EdgeStore(VectorStore):
    def __init__(self, path: Path) -> None:
        self.path = Path(path).resolve()
        with _registry_lock:
            opened = _open_shards.get(self.path)
            if opened is None:
                opened = _OpenShard(self.path)
                if (self.path / SHARD_CONFIG_FILE).exists():
                    opened.shard = _load_shard(self.path)
                _open_shards[self.path] = opened
            opened.users += 1
        self._opened: _OpenShard | None = opened
        self._dense_dim: int | None = self._read_metadata().get("dense_dim")

    # -- lifecycle -------------------------------------------------------------------------------

    def _read_metadata(self) -> dict[str, Any]:
        try:
            loaded: dict[str, Any] = json.loads((self.path / METADATA_FILE).read_text(encoding="utf-8"))
            return loaded
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            raise IndexUnavailable(_reindex_hint(self.path, f"has an unreadable {METADATA_FILE}")) from None

    def _handle(self) -> _OpenShard:
        if self._opened is None:
            raise IndexUnavailable(f"The search index at {self.path} was closed.")
        return self._opened

    def _shard(self) -> edge.EdgeShard | None:
        return self._handle().shard

    def _required_shard(self) -> edge.EdgeShard:
        shard = self._shard()
        if shard is None:
            raise IndexUnavailable(
                f"The search index at {self.path} has no collection yet; run `vanban reindex`."
            )
        return shard

    def ensure_collection(self, dense_dim: int, embedder_name: str) -> None:
        handle = self._handle()
        with _registry_lock:
            if handle.shard is not None:
                metadata = self._read_metadata()
                if not metadata:
                    raise IndexUnavailable(_reindex_hint(self.path, f"has no {METADATA_FILE}"))
                check_metadata(metadata, dense_dim, embedder_name, str(self.path))
            else:
                # The metadata goes first: a crash before the shard exists leaves a folder without
                # edge_config.json, which the next run simply creates again.
                self.path.mkdir(parents=True, exist_ok=True)
                (self.path / METADATA_FILE).write_text(
                    json.dumps(collection_metadata(dense_dim, embedder_name)), encoding="utf-8"
                )
                handle.shard = self._create_shard(dense_dim)
                _open_shards[self.path] = handle
        self._dense_dim = dense_dim

    def _create_shard(self, dense_dim: int) -> edge.EdgeShard:
        config = edge.EdgeConfig(
            vectors={
                DENSE_VECTOR: edge.EdgeVectorParams(size=dense_dim, distance=edge.Distance.Cosine),
                DENSE_PARTS_VECTOR: edge.EdgeVectorParams(
                    size=dense_dim,
                    distance=edge.Distance.Cosine,
                    multivector_config=edge.MultiVectorConfig(edge.MultiVectorComparator.MaxSim),
                    # Half the bytes to read while re-ranking; float16 keeps cosines to about 1e-3.
                    datatype=edge.VectorStorageDatatype.Float16,
                    hnsw_config=edge.HnswIndexConfig(
                        m=0, ef_construct=100, full_scan_threshold=10_000
                    ),  # re-ranks only
                ),
            },
            sparse_vectors={SPARSE_VECTOR: edge.EdgeSparseVectorParams(modifier=edge.Modifier.Idf)},
        )
        try:
            shard = edge.EdgeShard.create(str(self.path), config)
        except Exception as exc:
            raise IndexUnavailable(_reindex_hint(self.path, f"cannot be created ({exc})")) from None
        for name in KEYWORD_FIELDS:
            shard.update(edge.UpdateOperation.create_field_index(name, edge.PayloadSchemaType.Keyword))
        for name in INTEGER_FIELDS:
            shard.update(
                edge.UpdateOperation.create_field_index(
                    name, edge.IntegerIndexParams(lookup=True, range=True)
                )
            )
        return shard

    def close(self) -> None:
        handle, self._opened = self._opened, None
        if handle is None:
            return
        with _registry_lock:
            handle.users -= 1
            if handle.users > 0:
                return
            if _open_shards.get(handle.path) is handle:
                del _open_shards[handle.path]
            if handle.shard is not None:
                handle.shard.flush()
                handle.shard.close()
                handle.shard = None

    def drop(self) -> None:
        """Close the shard and delete the index folder; other stores on this folder see an empty index."""
        handle = self._handle()
        with _registry_lock:
            if handle.shard is not None:
                handle.shard.close()
                handle.shard = None
            if self.path.exists():
                shutil.rmtree(self.path)
        self._dense_dim = None

    # -- writes ----------------------------------------------------------------------------------

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        shard = self._required_shard()
        for start in range(0, len(points), UPSERT_BATCH):
            batch = points[start : start + UPSERT_BATCH]
            wholes = dense_rows([p.dense for p in batch], self._dense_dim)
            batch_points = [
                edge.Point(
                    point_id(point.segment_id),
                    {
                        DENSE_VECTOR: whole,
                        DENSE_PARTS_VECTOR: dense_multivector(whole, point.dense_parts, self._dense_dim),
                        SPARSE_VECTOR: edge.SparseVector(point.sparse.indices, point.sparse.values),
                    },
                    point_payload(point),
                )
                for point, whole in zip(batch, wholes, strict=True)
            ]
            shard.update(edge.UpdateOperation.upsert_points(batch_points))

    def delete_document(self, document_id: str) -> None:
        shard = self._shard()
        if shard is None:
            return
        condition = edge.FieldCondition("document_id", match=edge.MatchValue(document_id))
        shard.update(edge.UpdateOperation.delete_points_by_filter(edge.Filter(must=[condition])))

    def optimize(self) -> None:
        shard = self._shard()
        if shard is not None:
            shard.optimize()

    # -- reads -----------------------------------------------------------------------------------

    def count(self) -> int:
        shard = self._shard()
        return 0 if shard is None else shard.count(edge.CountRequest(exact=True))

    def size_on_disk(self) -> int | None:
        return folder_size(self.path) if self.path.exists() else 0

    def search_dense(
        self, vector: DenseVector, filter: SearchFilter | None = None, limit: int = 10
    ) -> list[ScoredPoint]:
        candidates, best_part = self._dense_stages(vector, _edge_filter(filter), limit)
        return self._query(
            edge.QueryRequest(limit=limit, prefetches=[candidates], query=best_part, with_payload=True)
        )

    def _dense_stages(
        self, vector: DenseVector, conditions: edge.Filter | None, limit: int
    ) -> tuple[edge.Prefetch, edge.Query]:
        """The dense side: candidates by the whole-passage vector (HNSW), then re-ranked by their best
        part."""
        whole = dense_list(vector, self._dense_dim)
        candidates = edge.Prefetch(
            limit=limit * RERANK_FACTOR,
            query=edge.Query.Nearest(whole, using=DENSE_VECTOR),
            filter=conditions,
        )
        return candidates, edge.Query.Nearest([whole], using=DENSE_PARTS_VECTOR)

    def search_sparse(
        self, sparse: SparseVector, filter: SearchFilter | None = None, limit: int = 10
    ) -> list[ScoredPoint]:
        if not sparse.indices:
            return []
        query = edge.Query.Nearest(edge.SparseVector(sparse.indices, sparse.values), using=SPARSE_VECTOR)
        return self._query(
            edge.QueryRequest(limit=limit, query=query, filter=_edge_filter(filter), with_payload=True)
        )

    def search_hybrid(
        self,
        vector: DenseVector,
        sparse: SparseVector,
        filter: SearchFilter | None = None,
        limit: int = 10,
        prefetch_limit: int | None = None,
    ) -> list[ScoredPoint]:
        candidates = prefetch_limit or default_prefetch_limit(limit)
        conditions = _edge_filter(filter)
        dense_candidates, best_part = self._dense_stages(vector, conditions, candidates)
        prefetches = [edge.Prefetch(limit=candidates, query=best_part, prefetches=[dense_candidates])]
        if sparse.indices:
            sparse_query = edge.Query.Nearest(
                edge.SparseVector(sparse.indices, sparse.values), using=SPARSE_VECTOR
            )
            prefetches.append(edge.Prefetch(limit=candidates, query=sparse_query, filter=conditions))
        fusion = edge.Fusion.Rrf(k=self.rrf_k)
        # The stubs list Fusion, not its nested Rrf class, among query types; Edge accepts Rrf.
        request = edge.QueryRequest(limit=limit, prefetches=prefetches, query=fusion, with_payload=True)  # type: ignore[arg-type]
        return self._query(request)

    def _query(self, request: edge.QueryRequest) -> list[ScoredPoint]:
        shard = self._shard()
        if shard is None:
            return []
        found = shard.query(request)
        return [
            ScoredPoint(
                segment_id=str(payload.get("segment_id", "")), score=float(hit.score), payload=payload
            )
            for hit in found
            for payload in [dict(hit.payload or {})]
        ]


def _edge_filter(search_filter: SearchFilter | None) -> edge.Filter | None:
    if search_filter is None or search_filter.is_empty():
        return None
    must: list[Any] = [
        edge.FieldCondition(key, match=edge.MatchAny(values))
        for key, values in search_filter.keyword_conditions()
    ]
    if search_filter.has_year_range():
        year_range = edge.RangeFloat(gte=search_filter.year_from, lte=search_filter.year_to)
        must.append(edge.FieldCondition(YEAR_FIELD, range=year_range))
    return edge.Filter(must=must)
