"""The vector store interface: what search needs from an index of segments, whatever engine holds it.

The index is derived from the SQLite system of record and can always be rebuilt with `vanban reindex`,
so every error here that concerns the index itself says so.

Each point is one segment with two vectors: "dense" (cosine, from the embedder) and "lexical" (sparse
term weights; the engine applies IDF at query time, which gives BM25-style scoring when the stored values
are BM25 term-frequency weights). Point ids are uuid5 of the segment id, because Qdrant accepts only
UUIDs or integers; the segment id itself travels in the payload.

Hybrid ranking is Reciprocal Rank Fusion computed by the engine. Qdrant's formula (server, qdrant-client
local mode and Qdrant Edge alike, checked in their sources and by test) gives a point at 0-based rank `r`
in one prefetch list the score `1 / (RRF_K + r)` and sums over lists. With RRF_K = 2 the first point of one
list scores 0.5, and a point first in both lists scores 2 / RRF_K = 1.0, the maximum. Ranking code that
adds a boost on top of these scores must size it against that scale.
"""

from __future__ import annotations

import os
import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ingest.model import VanbanError

# Qdrant's own default k (DEFAULT_RRF_K in the server, DEFAULT_RANKING_CONSTANT_K in qdrant-client).
# Every implementation passes it explicitly, so the scale above holds whatever an engine's default is.
RRF_K = 2

DENSE_VECTOR = "dense"
# The whole passage and its parts (nlp.passages) as a MaxSim multivector without an HNSW graph: it
# re-ranks the candidates the whole-passage vector finds, by their best part.
DENSE_PARTS_VECTOR = "dense_parts"
# How many whole-passage candidates the parts re-rank, per result wanted from the dense side.
RERANK_FACTOR = 2
SPARSE_VECTOR = "lexical"
# Bump when the payload layout or the vector schema changes: an older index then asks for a reindex.
SCHEMA_VERSION = 2  # 2: the parts multivector beside the dense vector

# SearchFilter attribute -> payload field matched by keyword (any of the listed values).
KEYWORD_FILTERS: dict[str, str] = {
    "document_ids": "document_id",
    "doc_types": "doc_type",
    "issuers": "issuer",
    "kinds": "kind",
    "agencies": "agencies",
    "agency_roles": "agency_roles",
    "cited": "cited",
    "access_levels": "access_level",
}
YEAR_FIELD = "year"
KEYWORD_FIELDS: tuple[str, ...] = tuple(KEYWORD_FILTERS.values())
INTEGER_FIELDS: tuple[str, ...] = (YEAR_FIELD,)

_SEGMENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_DNS, "segments.vanban")

DenseVector = Sequence[float] | NDArray[np.floating[Any]]


class IndexStoreError(VanbanError):
    """The search index cannot be used as it is (locked, corrupt, unreachable, built differently)."""


class IndexMismatch(IndexStoreError):
    """The index was built with another embedder, dimension or schema than the one configured now."""


class IndexUnavailable(IndexStoreError):
    """The index folder is locked or unreadable, or the Qdrant server cannot be reached."""


@dataclass
class SparseVector:
    indices: list[int]
    values: list[float]

    def __post_init__(self) -> None:
        if len(self.indices) != len(self.values):
            raise ValueError(f"sparse vector has {len(self.indices)} indices but {len(self.values)} values")


@dataclass
class IndexPoint:
    segment_id: str
    dense: DenseVector  # the whole passage
    sparse: SparseVector
    payload: dict[str, Any]
    dense_parts: list[DenseVector] = field(default_factory=list)  # the parts of a long passage


def dense_multivector(whole: list[float], parts: Sequence[DenseVector], dim: int | None) -> list[list[float]]:
    """The parts vector of a point: the whole passage's vector, then its parts' (see nlp.passages);
    the whole comes first so a short passage, which has no parts, still has the value."""
    return [whole, *dense_rows(parts, dim)] if len(parts) else [whole]


@dataclass
class SearchFilter:
    """Conditions on the payload: values within one field are alternatives, fields are all required.

    An empty list puts no condition on its field; in particular `access_levels=[]` does not restrict
    access, so a caller that enforces access must always pass the levels the user may read.
    """

    document_ids: list[str] = field(default_factory=list)
    doc_types: list[str] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    year_from: int | None = None  # inclusive
    year_to: int | None = None  # inclusive
    kinds: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)  # agency ids
    agency_roles: list[str] = field(default_factory=list)  # "role:agency-id"
    cited: list[str] = field(default_factory=list)  # canonical symbols, "72-KL/TW"
    access_levels: list[str] = field(default_factory=list)

    def keyword_conditions(self) -> list[tuple[str, list[str]]]:
        """(payload field, accepted values) for every keyword field this filter constrains."""
        return [
            (key, list(getattr(self, attr))) for attr, key in KEYWORD_FILTERS.items() if getattr(self, attr)
        ]

    def has_year_range(self) -> bool:
        return self.year_from is not None or self.year_to is not None

    def is_empty(self) -> bool:
        return not self.keyword_conditions() and not self.has_year_range()


@dataclass
class ScoredPoint:
    segment_id: str
    score: float
    payload: dict[str, Any]


def point_id(segment_id: str) -> str:
    """The Qdrant point id of a segment: stable across runs and engines."""
    return str(uuid.uuid5(_SEGMENT_NAMESPACE, segment_id))


def dense_list(vector: DenseVector, dim: int | None = None) -> list[float]:
    values: list[float] = np.asarray(vector, dtype=np.float32).ravel().tolist()
    if dim is not None and len(values) != dim:
        raise ValueError(f"dense vector has {len(values)} dimensions, the index expects {dim}")
    return values


def dense_rows(vectors: Sequence[DenseVector], dim: int | None = None) -> list[list[float]]:
    """Many dense vectors as lists, converted in one go (a tenth of the cost of one at a time)."""
    try:
        matrix = np.asarray(vectors, dtype=np.float32)
    except ValueError:  # ragged: let the per-vector check name the wrong length
        return [dense_list(vector, dim) for vector in vectors]
    if matrix.ndim != 2 or (dim is not None and matrix.shape[1] != dim):
        return [dense_list(vector, dim) for vector in vectors]
    rows: list[list[float]] = matrix.tolist()
    return rows


def point_payload(point: IndexPoint) -> dict[str, Any]:
    return {**point.payload, "segment_id": point.segment_id}


def collection_metadata(dense_dim: int, embedder_name: str) -> dict[str, Any]:
    return {"dense_dim": dense_dim, "embedder": embedder_name, "schema_version": SCHEMA_VERSION}


def check_metadata(stored: dict[str, Any], dense_dim: int, embedder_name: str, where: str) -> None:
    """Raise IndexMismatch when the index at `where` was built for another embedder or schema."""
    wanted = collection_metadata(dense_dim, embedder_name)
    differences = [
        f"{key} {stored.get(key)!r} (configured: {value!r})"
        for key, value in wanted.items()
        if stored.get(key) != value
    ]
    if differences:
        raise IndexMismatch(
            f"The search index at {where} was built with {', '.join(differences)}; "
            "run `vanban reindex` to rebuild it."
        )


def folder_size(path: Path) -> int:
    """Bytes allocated on disk: Edge preallocates and maps sparse files, whose apparent size misleads."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_blocks * 512
            except OSError:  # a file the engine removed while we walked
                continue
    return total


class VectorStore(ABC):
    """A collection of segment points with dense, sparse and hybrid (RRF) search under payload filters."""

    rrf_k: int = RRF_K

    @abstractmethod
    def ensure_collection(self, dense_dim: int, embedder_name: str) -> None:
        """Create the collection if missing; raise IndexMismatch if it exists built differently."""

    @abstractmethod
    def upsert(self, points: Sequence[IndexPoint]) -> None:
        """Insert or replace points (by segment id), in batches."""

    @abstractmethod
    def delete_document(self, document_id: str) -> None:
        """Remove every point whose payload `document_id` is this one."""

    @abstractmethod
    def search_dense(
        self, vector: DenseVector, filter: SearchFilter | None = None, limit: int = 10
    ) -> list[ScoredPoint]: ...

    @abstractmethod
    def search_sparse(
        self, sparse: SparseVector, filter: SearchFilter | None = None, limit: int = 10
    ) -> list[ScoredPoint]: ...

    @abstractmethod
    def search_hybrid(
        self,
        vector: DenseVector,
        sparse: SparseVector,
        filter: SearchFilter | None = None,
        limit: int = 10,
        prefetch_limit: int | None = None,
    ) -> list[ScoredPoint]:
        """Dense and sparse candidates (`prefetch_limit` each) fused by RRF with k = `self.rrf_k`."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def optimize(self) -> None:
        """Build vector and payload indexes after bulk upserts; a no-op where the engine does it itself."""

    @abstractmethod
    def drop(self) -> None:
        """Delete the collection and its data."""

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def size_on_disk(self) -> int | None:
        """Bytes the index takes on local disk, or None where it lives elsewhere (a server)."""


def default_prefetch_limit(limit: int) -> int:
    # RRF needs candidates beyond the final page so that a point ranked moderately in both lists can win.
    return max(50, 4 * limit)
