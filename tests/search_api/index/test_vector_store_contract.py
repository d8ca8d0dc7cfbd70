"""One contract for every VectorStore: Qdrant Edge, qdrant-client local mode and, when
VANBAN_QDRANT_URL is set, a real Qdrant server.

The points are small and hand-made so that every ranking below is predictable: random 384-dim dense
vectors (nearly orthogonal to each other) and sparse vectors where term 1 is in every point and term
100 + i only in point i.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from inputs import ROOT

from search_api.index import IndexMismatch, IndexUnavailable, open_store
from search_api.index.edge import EdgeStore
from search_api.index.server import ServerStore
from search_api.index.vector_store import (
    IndexPoint,
    ScoredPoint,
    SearchFilter,
    SparseVector,
    VectorStore,
    point_id,
)

DIM = 384
EMBEDDER = "test-embedder"
COMMON_TERM = 1
SERVER_URL = os.environ.get("VANBAN_QDRANT_URL", "")

DOCUMENTS: dict[str, dict[str, Any]] = {
    "d1": {"doc_type": "nghi-quyet", "issuer": "bch-tw", "year": 2019, "access_level": "public"},
    "d2": {"doc_type": "ket-luan", "issuer": "bo-chinh-tri", "year": 2021, "access_level": "internal"},
    "d3": {"doc_type": "ke-hoach", "issuer": "tinh-uy-ha-tinh", "year": 2023, "access_level": "public"},
}
# Per segment within its document: kind, agencies, agency_roles, cited.
SEGMENT_FACTS: list[tuple[str, list[str], list[str], list[str]]] = [
    ("task", ["ban-tuyen-giao"], ["lead:ban-tuyen-giao"], ["72-KL/TW"]),
    ("assignment", ["ubnd-tinh", "so-noi-vu"], ["lead:ubnd-tinh", "support:so-noi-vu"], []),
    ("goal", [], [], ["72-KL/TW", "57-NQ/TW"]),
]


def unique_term(index: int) -> int:
    return 100 + index


def make_points() -> list[IndexPoint]:
    rng = np.random.default_rng(7)
    points = []
    for doc_number, (document_id, facts) in enumerate(DOCUMENTS.items()):
        for position, (kind, agencies, roles, cited) in enumerate(SEGMENT_FACTS):
            index = doc_number * len(SEGMENT_FACTS) + position
            dense = rng.standard_normal(DIM).astype(np.float32)
            payload = {
                "document_id": document_id,
                **facts,
                "kind": kind,
                "agencies": agencies,
                "agency_roles": roles,
                "cited": cited,
            }
            sparse = SparseVector([COMMON_TERM, unique_term(index)], [1.0, 1.0])
            points.append(
                IndexPoint(f"{document_id}-s{position}", dense / np.linalg.norm(dense), sparse, payload)
            )
    return points


POINTS = make_points()


@dataclass
class Backend:
    name: str
    open: Callable[[], VectorStore]  # opens the same index again on each call


@pytest.fixture(params=["edge", "qdrant-local", "qdrant-server"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "edge":
        yield Backend("edge", lambda: EdgeStore(tmp_path / "index"))
    elif request.param == "qdrant-local":
        yield Backend("qdrant-local", lambda: ServerStore.local(tmp_path / "local"))
    else:
        if not SERVER_URL:
            pytest.skip("VANBAN_QDRANT_URL is not set")
        collection = f"vanban_test_{uuid.uuid4().hex[:12]}"
        api_key = os.environ.get("VANBAN_QDRANT_API_KEY") or None
        yield Backend("qdrant-server", lambda: ServerStore(SERVER_URL, api_key, collection=collection))
        cleanup = ServerStore(SERVER_URL, api_key, collection=collection)
        cleanup.drop()
        cleanup.close()


@pytest.fixture
def empty_store(backend: Backend) -> Iterator[VectorStore]:
    store = backend.open()
    store.ensure_collection(DIM, EMBEDDER)
    yield store
    store.close()


@pytest.fixture
def store(empty_store: VectorStore) -> VectorStore:
    empty_store.upsert(POINTS)
    empty_store.optimize()
    return empty_store


def ids(found: list[ScoredPoint]) -> list[str]:
    return [hit.segment_id for hit in found]


def matches(payload: dict[str, Any], search_filter: SearchFilter) -> bool:
    """The filter semantics, written out independently of the stores."""

    def any_of(wanted: list[str], value: str | list[str]) -> bool:
        values = value if isinstance(value, list) else [value]
        return not wanted or bool(set(wanted) & set(values))

    year = payload["year"]
    return (
        any_of(search_filter.document_ids, payload["document_id"])
        and any_of(search_filter.doc_types, payload["doc_type"])
        and any_of(search_filter.issuers, payload["issuer"])
        and any_of(search_filter.kinds, payload["kind"])
        and any_of(search_filter.agencies, payload["agencies"])
        and any_of(search_filter.agency_roles, payload["agency_roles"])
        and any_of(search_filter.cited, payload["cited"])
        and any_of(search_filter.access_levels, payload["access_level"])
        and (search_filter.year_from is None or year >= search_filter.year_from)
        and (search_filter.year_to is None or year <= search_filter.year_to)
    )


# -- the contract -----------------------------------------------------------------------------------


def test_empty_collection_searches_return_nothing(empty_store: VectorStore) -> None:
    assert empty_store.count() == 0
    assert empty_store.search_dense(POINTS[0].dense) == []
    assert empty_store.search_sparse(POINTS[0].sparse) == []
    assert empty_store.search_hybrid(POINTS[0].dense, POINTS[0].sparse) == []


def test_count_and_payload_round_trip(store: VectorStore) -> None:
    assert store.count() == len(POINTS)
    top = store.search_dense(POINTS[4].dense, limit=1)[0]
    assert top.payload == {**POINTS[4].payload, "segment_id": POINTS[4].segment_id}


def test_exact_dense_query_ranks_its_point_first(store: VectorStore) -> None:
    for point in POINTS:
        found = store.search_dense(point.dense, limit=3)
        assert found[0].segment_id == point.segment_id
        assert found[0].score == pytest.approx(1.0, abs=1e-4)
        assert found[1].score < 0.5


def test_sparse_query_with_a_rare_term_finds_only_its_point(store: VectorStore) -> None:
    found = store.search_sparse(SparseVector([unique_term(5)], [1.0]))
    assert ids(found) == [POINTS[5].segment_id]


def test_idf_makes_a_rare_term_outweigh_a_common_one(store: VectorStore) -> None:
    # Without IDF the common-term point wins (1.5 against 1.0); IDF must turn the ranking around.
    store.upsert(
        [
            IndexPoint(
                "common-heavy", POINTS[0].dense, SparseVector([COMMON_TERM], [1.5]), POINTS[0].payload
            ),
            IndexPoint("rare-light", POINTS[1].dense, SparseVector([999], [1.0]), POINTS[1].payload),
        ]
    )
    found = store.search_sparse(SparseVector([COMMON_TERM, 999], [1.0, 1.0]), limit=3)
    assert ids(found)[0] == "rare-light"
    assert found[0].score > 2 * found[1].score


def test_hybrid_puts_the_point_first_in_both_lists_on_top(store: VectorStore) -> None:
    point = POINTS[3]
    found = store.search_hybrid(point.dense, SparseVector([unique_term(3)], [1.0]), limit=5)
    assert found[0].segment_id == point.segment_id
    # Rank 0 in both lists: 1/k + 1/k.
    assert found[0].score == pytest.approx(2 / store.rrf_k, rel=1e-5)


def test_hybrid_returns_the_union_ranked_by_rrf(store: VectorStore) -> None:
    dense_query, sparse_query = POINTS[0].dense, SparseVector([unique_term(7)], [1.0])
    dense_top = ids(store.search_dense(dense_query, limit=3))
    found = store.search_hybrid(dense_query, sparse_query, limit=10, prefetch_limit=3)
    assert set(ids(found)) == set(dense_top) | {POINTS[7].segment_id}
    k = store.rrf_k
    expected = {segment: 1 / (k + rank) for rank, segment in enumerate(dense_top)}
    expected[POINTS[7].segment_id] = expected.get(POINTS[7].segment_id, 0.0) + 1 / k
    assert {hit.segment_id: hit.score for hit in found} == pytest.approx(expected, rel=1e-5)
    assert [hit.score for hit in found] == sorted((hit.score for hit in found), reverse=True)


FILTERS: dict[str, SearchFilter] = {
    "document_ids": SearchFilter(document_ids=["d2"]),
    "doc_types": SearchFilter(doc_types=["nghi-quyet", "ke-hoach"]),
    "issuers": SearchFilter(issuers=["bo-chinh-tri"]),
    "year_exact": SearchFilter(year_from=2021, year_to=2021),
    "year_from": SearchFilter(year_from=2021),
    "year_to": SearchFilter(year_to=2021),
    "kinds": SearchFilter(kinds=["assignment"]),
    "agencies": SearchFilter(agencies=["so-noi-vu"]),
    "agency_roles": SearchFilter(agency_roles=["lead:ubnd-tinh", "lead:ban-tuyen-giao"]),
    "cited": SearchFilter(cited=["57-NQ/TW"]),
    "access_levels": SearchFilter(access_levels=["public"]),
    "combined": SearchFilter(
        kinds=["task", "goal"], cited=["72-KL/TW"], year_from=2020, year_to=2023, access_levels=["public"]
    ),
    "nothing_matches": SearchFilter(issuers=["bch-tw"], year_from=2020),
}


@pytest.mark.parametrize("name", FILTERS)
def test_every_filter_alone_and_combined(store: VectorStore, name: str) -> None:
    search_filter = FILTERS[name]
    expected = {point.segment_id for point in POINTS if matches(point.payload, search_filter)}
    assert expected != {point.segment_id for point in POINTS}, "a filter that keeps everything tests nothing"
    every_point = SparseVector([COMMON_TERM], [1.0])
    assert set(ids(store.search_dense(POINTS[0].dense, search_filter, limit=50))) == expected
    assert set(ids(store.search_sparse(every_point, search_filter, limit=50))) == expected
    assert set(ids(store.search_hybrid(POINTS[0].dense, every_point, search_filter, limit=50))) == expected


def test_delete_document_removes_exactly_its_points(store: VectorStore) -> None:
    store.delete_document("d2")
    remaining = ids(store.search_sparse(SparseVector([COMMON_TERM], [1.0]), limit=50))
    assert sorted(remaining) == sorted(p.segment_id for p in POINTS if p.payload["document_id"] != "d2")
    assert store.count() == 6
    store.delete_document("no-such-document")
    assert store.count() == 6


def test_upsert_of_the_same_segment_replaces_it(store: VectorStore) -> None:
    changed = IndexPoint(
        POINTS[2].segment_id, POINTS[8].dense, POINTS[2].sparse, {**POINTS[2].payload, "year": 2025}
    )
    store.upsert([changed])
    assert store.count() == len(POINTS)
    found = store.search_dense(POINTS[8].dense, SearchFilter(year_from=2025), limit=5)
    assert ids(found) == [POINTS[2].segment_id]


def test_data_survives_close_and_reopen(backend: Backend, store: VectorStore) -> None:
    store.close()
    reopened = backend.open()
    try:
        reopened.ensure_collection(DIM, EMBEDDER)
        assert reopened.count() == len(POINTS)
        assert reopened.search_dense(POINTS[6].dense, limit=1)[0].segment_id == POINTS[6].segment_id
    finally:
        reopened.close()


@pytest.mark.parametrize(("dim", "embedder"), [(DIM + 1, EMBEDDER), (DIM, "another-embedder")])
def test_another_dimension_or_embedder_asks_for_a_reindex(
    backend: Backend, store: VectorStore, dim: int, embedder: str
) -> None:
    store.close()
    reopened = backend.open()
    try:
        with pytest.raises(IndexMismatch, match="vanban reindex"):
            reopened.ensure_collection(dim, embedder)
    finally:
        reopened.close()


def test_drop_deletes_the_collection(store: VectorStore) -> None:
    store.drop()
    assert store.count() == 0
    assert store.search_dense(POINTS[0].dense) == []
    store.ensure_collection(DIM + 8, "another-embedder")  # a fresh collection, any shape
    assert store.count() == 0


def test_rrf_k_is_qdrants_default_everywhere(store: VectorStore) -> None:
    assert store.rrf_k == 2


# -- engine-specific behaviour --------------------------------------------------------------------


def test_edge_reuses_a_folder_opened_twice_in_one_process(tmp_path: Path) -> None:
    first = EdgeStore(tmp_path / "index")
    first.ensure_collection(DIM, EMBEDDER)
    first.upsert(POINTS)
    second = EdgeStore(tmp_path / "index")
    second.ensure_collection(DIM, EMBEDDER)
    assert second.count() == len(POINTS)
    first.close()
    assert second.search_dense(POINTS[1].dense, limit=1)[0].segment_id == POINTS[1].segment_id
    second.close()
    with pytest.raises(IndexUnavailable, match="closed"):
        second.count()


def test_edge_folder_locked_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    store = EdgeStore(tmp_path / "index")
    store.ensure_collection(DIM, EMBEDDER)
    probe = (
        "from pathlib import Path\nfrom search_api.index.edge import EdgeStore\n"
        "from search_api.index.vector_store import IndexUnavailable\n"
        f"try:\n    EdgeStore(Path({str(tmp_path / 'index')!r}))\n"
        "except IndexUnavailable as exc:\n    print(exc)\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=environment)
    store.close()
    assert result.returncode == 0, result.stderr
    assert "in use by another process" in result.stdout
    assert str(tmp_path / "index") in result.stdout


@pytest.mark.parametrize("damaged", ["edge_config.json", "segment.json"])
def test_edge_corrupt_folder_names_it_and_asks_for_a_reindex(tmp_path: Path, damaged: str) -> None:
    store = EdgeStore(tmp_path / "index")
    store.ensure_collection(DIM, EMBEDDER)
    store.upsert(POINTS)
    store.close()
    target = next((tmp_path / "index").rglob(damaged))
    target.write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexUnavailable, match="vanban reindex") as raised:
        EdgeStore(tmp_path / "index")
    assert str(tmp_path / "index") in str(raised.value)


def test_qdrant_local_folder_in_use_is_a_clear_error(tmp_path: Path) -> None:
    holder = ServerStore.local(tmp_path / "local")
    try:
        with pytest.raises(IndexUnavailable, match="in use"):
            ServerStore.local(tmp_path / "local")
    finally:
        holder.close()


def test_unreachable_server_is_one_error_naming_the_url() -> None:
    store = ServerStore("http://127.0.0.1:9", api_key=None)
    with pytest.raises(IndexUnavailable, match="http://127.0.0.1:9"):
        store.ensure_collection(DIM, EMBEDDER)
    store.close()


def test_open_store_picks_the_engine_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VANBAN_QDRANT_URL", raising=False)
    embedded = open_store(tmp_path)
    assert isinstance(embedded, EdgeStore) and embedded.path == (tmp_path / "index").resolve()
    embedded.close()
    monkeypatch.setenv("VANBAN_QDRANT_URL", "http://qdrant.example:6333")
    remote = open_store(tmp_path)
    assert isinstance(remote, ServerStore) and remote.url == "http://qdrant.example:6333"
    remote.close()


def test_point_ids_are_stable_uuids() -> None:
    assert point_id("d1-s0") == point_id("d1-s0") != point_id("d1-s1")
    assert uuid.UUID(point_id("d1-s0")).version == 5


def test_a_long_passage_scores_its_best_part(store: VectorStore) -> None:
    """Dense candidates come by the whole-passage vector and are scored by their best part (MaxSim
    over the whole and its parts): a query equal to one part scores the passage 1.0, not the 0.6
    cosine of its whole."""
    rng = np.random.default_rng(11)
    part, other = rng.standard_normal((2, DIM)).astype(np.float32)
    part /= np.linalg.norm(part)
    other -= other.dot(part) * part
    other /= np.linalg.norm(other)
    whole = 0.6 * part + 0.8 * other  # cosine 0.6 with the query: still its nearest whole vector
    payload = dict(POINTS[0].payload, document_id="doc-parts")
    store.upsert([IndexPoint("long-s0", whole, SparseVector([COMMON_TERM], [1.0]), payload, [part])])
    for found in (
        store.search_dense(part, limit=3),
        store.search_hybrid(part, SparseVector([], []), limit=3),
    ):
        assert found[0].segment_id == "long-s0"
    assert store.search_dense(part, limit=3)[0].score == pytest.approx(1.0, abs=1e-2)
