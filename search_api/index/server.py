"""The vector store on a Qdrant server or cluster, through qdrant-client.

`ServerStore.local(path)` runs the same code on qdrant-client's local mode (pure Python, no server): the
contract tests use it so this implementation is exercised in CI. Local mode is slow beyond ~20,000 points,
ignores payload indexes and takes an exclusive lock on its folder; it is not meant for production.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from ingest.model import VanbanError
from search_api.index.vector_store import (
    DENSE_PARTS_VECTOR,
    DENSE_VECTOR,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
    RERANK_FACTOR,
    SCHEMA_VERSION,
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

DEFAULT_COLLECTION = "vanban_segments"
UPSERT_BATCH = 256
# What `Fusion.RRF` uses when no k is given (qdrant-client local mode and the server agree). Queries with
# this k use the plain FusionQuery, which servers older than the parameterised `RrfQuery` also accept.
QDRANT_DEFAULT_RRF_K = 2
OPTIMIZE_WAIT_S = 600.0

T = TypeVar("T")


class ServerStore(VectorStore):
    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        collection: str = DEFAULT_COLLECTION,
        shard_number: int | None = None,
        replication_factor: int | None = None,
        *,
        _client: QdrantClient | None = None,
        _local_path: Path | None = None,
    ) -> None:
        self.url = url
        self.collection = collection
        self.shard_number = shard_number
        self.replication_factor = replication_factor
        self._local_path = _local_path
        self._is_local = _client is not None
        self._client: QdrantClient | None = _client or QdrantClient(
            url=url, api_key=api_key, check_compatibility=False
        )
        self._dense_dim: int | None = None
        self._collection_seen = False

    @classmethod
    def local(cls, path: Path | None = None, collection: str = DEFAULT_COLLECTION) -> ServerStore:
        """A store on qdrant-client's local mode: in memory, or persisted in `path`."""
        location = str(path) if path is not None else ":memory:"
        try:
            client = QdrantClient(path=str(path)) if path is not None else QdrantClient(location=":memory:")
        except RuntimeError as exc:  # raised for a folder another client holds
            raise IndexUnavailable(f"The search index at {location} is in use: {exc}") from None
        return cls(location, collection=collection, _client=client, _local_path=path)

    # -- plumbing --------------------------------------------------------------------------------

    @contextmanager
    def _talking(self) -> Iterator[None]:
        """Turn the ways a server can fail to answer into one VanbanError naming it."""
        try:
            yield
        except ResponseHandlingException as exc:
            raise IndexUnavailable(f"Cannot reach the Qdrant server at {self.url}: {exc}") from None
        except UnexpectedResponse as exc:
            if exc.status_code in (401, 403):
                raise IndexUnavailable(
                    f"The Qdrant server at {self.url} refused the API key (VANBAN_QDRANT_API_KEY)."
                ) from None
            raise IndexUnavailable(
                f"The Qdrant server at {self.url} answered {exc.status_code}: {exc}"
            ) from None

    def _live_client(self) -> QdrantClient:
        if self._client is None:
            raise VanbanError(f"The search index at {self.url} was closed.")
        return self._client

    def _call(self, action: Callable[[QdrantClient], T]) -> T:
        client = self._live_client()
        with self._talking():
            return action(client)

    def _exists(self) -> bool:
        # Once seen, the collection is assumed to stay: a search then costs one round trip, not two.
        if not self._collection_seen:
            self._collection_seen = self._call(lambda client: client.collection_exists(self.collection))
        return self._collection_seen

    # -- lifecycle -------------------------------------------------------------------------------

    def ensure_collection(self, dense_dim: int, embedder_name: str) -> None:
        where = f"{self.url} (collection {self.collection})"
        if self._exists():
            info = self._call(lambda client: client.get_collection(self.collection))
            vectors = info.config.params.vectors
            dense = vectors.get(DENSE_VECTOR) if isinstance(vectors, dict) else None
            stored: dict[str, Any] = dict(info.config.metadata or {})
            if (
                not stored
            ):  # servers before collection metadata (Qdrant < 1.16) keep none: check the dimension
                stored = {"embedder": embedder_name, "schema_version": SCHEMA_VERSION}
            # The collection's actual dimension is what matters, whatever its metadata says.
            stored["dense_dim"] = dense.size if dense is not None else None
            check_metadata(stored, dense_dim, embedder_name, where)
        else:
            self._call(
                lambda client: client.create_collection(
                    self.collection,
                    vectors_config={
                        DENSE_VECTOR: models.VectorParams(size=dense_dim, distance=models.Distance.COSINE),
                        DENSE_PARTS_VECTOR: models.VectorParams(
                            size=dense_dim,
                            distance=models.Distance.COSINE,
                            multivector_config=models.MultiVectorConfig(
                                comparator=models.MultiVectorComparator.MAX_SIM
                            ),
                            hnsw_config=models.HnswConfigDiff(m=0),  # re-ranks only
                        ),
                    },
                    sparse_vectors_config={
                        SPARSE_VECTOR: models.SparseVectorParams(modifier=models.Modifier.IDF)
                    },
                    shard_number=self.shard_number,
                    replication_factor=self.replication_factor,
                    metadata=collection_metadata(dense_dim, embedder_name),
                )
            )
            self._create_payload_indexes()
        self._dense_dim = dense_dim
        self._collection_seen = True

    def _create_payload_indexes(self) -> None:
        if self._is_local:  # local mode ignores payload indexes and warns about each one
            return
        schema = [(name, models.PayloadSchemaType.KEYWORD) for name in KEYWORD_FIELDS]
        schema += [(name, models.PayloadSchemaType.INTEGER) for name in INTEGER_FIELDS]
        client = self._live_client()
        with self._talking():
            for name, field_type in schema:
                client.create_payload_index(self.collection, name, field_schema=field_type)

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def drop(self) -> None:
        self._call(lambda client: client.delete_collection(self.collection))
        self._dense_dim = None
        self._collection_seen = False

    # -- writes ----------------------------------------------------------------------------------

    def upsert(self, points: Sequence[IndexPoint]) -> None:
        client = self._live_client()
        for start in range(0, len(points), UPSERT_BATCH):
            batch = points[start : start + UPSERT_BATCH]
            wholes = dense_rows([p.dense for p in batch], self._dense_dim)
            structs = [
                models.PointStruct(
                    id=point_id(point.segment_id),
                    vector={
                        DENSE_VECTOR: whole,
                        DENSE_PARTS_VECTOR: dense_multivector(whole, point.dense_parts, self._dense_dim),
                        SPARSE_VECTOR: models.SparseVector(
                            indices=point.sparse.indices, values=point.sparse.values
                        ),
                    },
                    payload=point_payload(point),
                )
                for point, whole in zip(batch, wholes, strict=True)
            ]
            with self._talking():
                client.upsert(self.collection, points=structs, wait=True)

    def delete_document(self, document_id: str) -> None:
        if not self._exists():
            return
        condition = models.FieldCondition(key="document_id", match=models.MatchValue(value=document_id))
        selector = models.FilterSelector(filter=models.Filter(must=[condition]))
        self._call(lambda client: client.delete(self.collection, points_selector=selector, wait=True))

    def optimize(self) -> None:
        """Wait (up to OPTIMIZE_WAIT_S) until the server has finished indexing; it optimizes by itself."""
        if self._is_local or not self._exists():
            return
        deadline = time.monotonic() + OPTIMIZE_WAIT_S
        while time.monotonic() < deadline:
            info = self._call(lambda client: client.get_collection(self.collection))
            if info.status == models.CollectionStatus.GREEN:
                return
            time.sleep(0.5)

    # -- reads -----------------------------------------------------------------------------------

    def count(self) -> int:
        if not self._exists():
            return 0
        return self._call(lambda client: client.count(self.collection, exact=True).count)

    def size_on_disk(self) -> int | None:
        if not self._is_local:
            return None
        return folder_size(self._local_path) if self._local_path is not None else None

    def search_dense(
        self, vector: DenseVector, filter: SearchFilter | None = None, limit: int = 10
    ) -> list[ScoredPoint]:
        whole = dense_list(vector, self._dense_dim)
        return self._run_query(
            query=[whole],
            using=DENSE_PARTS_VECTOR,
            prefetch=self._dense_candidates(whole, filter, limit),
            limit=limit,
        )

    def _dense_candidates(
        self, whole: list[float], search_filter: SearchFilter | None, limit: int
    ) -> models.Prefetch:
        """Candidates by the whole-passage vector, for the parts vector to re-rank."""
        return models.Prefetch(
            query=whole, using=DENSE_VECTOR, filter=_qdrant_filter(search_filter), limit=limit * RERANK_FACTOR
        )

    def search_sparse(
        self, sparse: SparseVector, filter: SearchFilter | None = None, limit: int = 10
    ) -> list[ScoredPoint]:
        if not sparse.indices:
            return []
        query = models.SparseVector(indices=sparse.indices, values=sparse.values)
        return self._query(query, SPARSE_VECTOR, filter, limit)

    def search_hybrid(
        self,
        vector: DenseVector,
        sparse: SparseVector,
        filter: SearchFilter | None = None,
        limit: int = 10,
        prefetch_limit: int | None = None,
    ) -> list[ScoredPoint]:
        candidates = prefetch_limit or default_prefetch_limit(limit)
        conditions = _qdrant_filter(filter)
        whole = dense_list(vector, self._dense_dim)
        prefetch = [
            models.Prefetch(
                query=[whole],
                using=DENSE_PARTS_VECTOR,
                prefetch=self._dense_candidates(whole, filter, candidates),
                limit=candidates,
            )
        ]
        if sparse.indices:
            sparse_query = models.SparseVector(indices=sparse.indices, values=sparse.values)
            prefetch.append(
                models.Prefetch(query=sparse_query, using=SPARSE_VECTOR, filter=conditions, limit=candidates)
            )
        fusion: models.FusionQuery | models.RrfQuery = (
            models.FusionQuery(fusion=models.Fusion.RRF)
            if self.rrf_k == QDRANT_DEFAULT_RRF_K
            else models.RrfQuery(rrf=models.Rrf(k=self.rrf_k))
        )
        return self._run_query(query=fusion, prefetch=prefetch, limit=limit)

    def _query(
        self, query: Any, using: str, search_filter: SearchFilter | None, limit: int
    ) -> list[ScoredPoint]:
        return self._run_query(
            query=query, using=using, query_filter=_qdrant_filter(search_filter), limit=limit
        )

    def _run_query(self, **arguments: Any) -> list[ScoredPoint]:
        if not self._exists():
            return []
        response = self._call(
            lambda client: client.query_points(self.collection, with_payload=True, **arguments)
        )
        return [
            ScoredPoint(
                segment_id=str(payload.get("segment_id", "")), score=float(hit.score), payload=payload
            )
            for hit in response.points
            for payload in [dict(hit.payload or {})]
        ]


def _qdrant_filter(search_filter: SearchFilter | None) -> models.Filter | None:
    if search_filter is None or search_filter.is_empty():
        return None
    must: list[models.Condition] = [
        models.FieldCondition(key=key, match=models.MatchAny(any=values))
        for key, values in search_filter.keyword_conditions()
    ]
    if search_filter.has_year_range():
        year_range = models.Range(gte=search_filter.year_from, lte=search_filter.year_to)
        must.append(models.FieldCondition(key=YEAR_FIELD, range=year_range))
    return models.Filter(must=must)
