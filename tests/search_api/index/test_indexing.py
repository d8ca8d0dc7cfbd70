"""Index building: the fast term extraction counts what the plain definition counts, and the parallel
writer stores the same points as the in-process one, even when a worker dies."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from inputs import GENRE, SEED

from ingest.model import Document
from ingest.normalize import fold_diacritics, match_key
from ingest.pipeline import parse_file
from nlp.analyze import analyze
from nlp.lexical import passage_terms, passage_vector, symbol_terms
from nlp.tokenize import annotate_words
from search_api.index import indexer as indexing
from search_api.index.edge import EdgeStore
from search_api.index.indexer import PointSource, is_searchable, write_points
from search_api.index.vector_store import SearchFilter, SparseVector

DIM = 8


@pytest.fixture(scope="module")
def seed() -> Document:
    document = analyze(parse_file(SEED))
    annotate_words(document)
    return document


def plain_terms(text: str, words: list[str]) -> Counter[str]:
    """The definition: each syllable and compound word, its folded form when that differs, and symbols."""
    import re

    terms = re.findall(r"\w+", match_key(text))
    terms += [match_key(w).replace(" ", "_") for w in words if " " in w.strip()]
    terms += [fold_diacritics(t) for t in terms if fold_diacritics(t) != t]
    return Counter(terms + symbol_terms(text))


def test_fast_terms_equal_the_definition_on_every_seed_segment(seed: Document) -> None:
    for segment in seed.segments:
        assert passage_terms(segment.text, segment.words) == plain_terms(segment.text, segment.words), (
            segment.path
        )


@pytest.mark.parametrize(
    "text",
    [
        "Hoà nhập và thuỷ lợi, ĐẢNG BỘ",  # old-style tone marks, capitals
        "diện tích 25 m² và 10 km³",  # letters outside the Vietnamese range
        "chữ Hán 漢字 và tiếng Nga Россия, Ελλάδα",  # scripts beyond the folding table
        "a\u0301 rời",  # a stray combining mark that NFC leaves apart
        "Kết luận số 72-KL/TW và Nghị quyết số 03/NQ-CP",
    ],
)
def test_fast_terms_equal_the_definition_on_awkward_text(text: str) -> None:
    assert passage_terms(text, []) == plain_terms(text, [])


def test_passage_vector_has_distinct_indices_and_bm25_weights(seed: Document) -> None:
    task = next(s for s in seed.segments if s.path == "III.3.2")
    indices, values = passage_vector(passage_terms(task.text, task.words))
    assert len(indices) == len(set(indices)) == len(values)
    assert all(0 < value < 2.2 for value in values)  # BM25 saturation stays below k1 + 1


def sources(document: Document, copies: int) -> list[PointSource]:
    """The seed's searchable segments, repeated under new ids, with random unit dense vectors."""
    rng = np.random.default_rng(3)
    out = []
    for copy in range(copies):
        for segment in document.segments:
            if is_searchable(segment):
                moved = replace(segment, id=f"{segment.id}#{copy}")
                vector = rng.standard_normal(DIM).astype(np.float32)
                out.append(PointSource(document, moved, "III. NHIỆM VỤ", vector / np.linalg.norm(vector)))
    return out


def indexed(store: EdgeStore, query: SparseVector) -> list[tuple[str, float]]:
    return [(p.segment_id, round(p.score, 5)) for p in store.search_sparse(query, SearchFilter(), 20)]


def test_parallel_writer_stores_what_the_in_process_writer_stores(
    seed: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "WRITE_BATCH", 16)
    monkeypatch.setattr(indexing, "PARALLEL_FROM", 32)
    batch = sources(seed, 6)
    stores = {}
    for workers in (0, 2):
        store = EdgeStore(tmp_path / f"w{workers}")
        store.ensure_collection(DIM, "test")
        report = write_points(store, batch, workers=workers)
        assert (report.points, report.workers) == (len(batch), workers)
        stores[workers] = store
    query = SparseVector(*passage_vector(passage_terms("giải phóng mặt bằng", [])))
    assert stores[0].count() == stores[2].count() == len(batch)
    assert indexed(stores[0], query) == indexed(stores[2], query) != []


def _dying_worker(items: list[tuple[str, list[str] | None, str | None]]) -> list[tuple[bytes, bytes]]:
    os._exit(1)  # as a worker killed for memory


def test_a_dead_worker_leaves_the_rest_to_this_process(
    seed: Document, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexing, "WRITE_BATCH", 16)
    monkeypatch.setattr(indexing, "PARALLEL_FROM", 32)
    monkeypatch.setattr(indexing, "_packed_sparse_vectors", _dying_worker)
    batch = sources(seed, 4)
    store = EdgeStore(tmp_path / "index")
    store.ensure_collection(DIM, "test")
    assert write_points(store, batch, workers=1).points == len(batch)
    assert store.count() == len(batch)


def test_reindex_if_outdated_rebuilds_only_an_index_of_another_schema(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `make run` does before ingesting, so an office upgrading vanban keeps a working index."""
    import json

    from tests.conftest import ingest_with_cli

    home = ingest_with_cli(tmp_path / "home", SEED)
    monkeypatch.setenv("VANBAN_HOME", str(home))
    assert "up to date" in cli("reindex", "--if-outdated", "-q").out
    metadata = home / "index" / "vanban_index.json"
    metadata.write_text(json.dumps(dict(json.loads(metadata.read_text()), schema_version=1)))
    assert cli("search", "giải phóng mặt bằng").code != 0  # an old index asks for a reindex
    rebuilt = cli("reindex", "--if-outdated", "-q")
    assert rebuilt.code == 0 and "indexed" in rebuilt.out
    assert cli("search", "giải phóng mặt bằng", "--json").code == 0


# -- what is never a retrieval unit (issue 10) ------------------------------------------------------


def _segment(text: str, kind: str = "other", cells: list[str] | None = None) -> Any:
    from ingest.model import Segment

    return Segment(
        id="d:1", document_id="d", path="1", kind=kind, text=text, start=0, end=len(text), cells=cells
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "kind", "cells"),
    [
        ("|", "task", None),
        ("Bưu điện.", "task", None),
        ("TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Văn A", "other", None),
        (
            "Chính phủ; - Ban Tổ chức Trung ương; - Kiểm toán nhà nước; - Các Bộ, cơ quan ngang bộ; - Lưu: VT, KGVX.",
            "organization",
            None,
        ),
        (
            " | KT. CHỦ TỊCH PHÓ CHỦ TỊCH Lê Văn B | PHỤ LỤC DANH MỤC",
            "table_row",
            ["", "KT. CHỦ TỊCH PHÓ CHỦ TỊCH Lê Văn B", "PHỤ LỤC DANH MỤC"],
        ),
        ("1. Tên người bán hàng: ..................................................", "other", None),
        ("1 | Bộ Công an | Tháng 12/2025", "table_row", ["1", "Bộ Công an", "Tháng 12/2025"]),
    ],
)
def test_layout_residue_is_not_searchable(text: str, kind: str, cells: list[str] | None) -> None:
    assert not is_searchable(_segment(text, kind, cells))


@pytest.mark.parametrize(
    ("text", "kind", "cells"),
    [
        ("Sở Y tế chủ trì tổ chức tập huấn cho cán bộ y tế cơ sở.", "task", None),
        (
            "2 | Xây dựng cơ sở dữ liệu đất đai | Sở Nông nghiệp và Môi trường | Quý IV/2025",
            "table_row",
            ["2", "Xây dựng cơ sở dữ liệu đất đai", "Sở Nông nghiệp và Môi trường", "Quý IV/2025"],
        ),
        # A task that names its recipients in passing is content.
        (
            "Gửi báo cáo về Bộ Nội vụ; - tổng hợp kết quả; - trình Chính phủ trước ngày 15/12/2025.",
            "task",
            None,
        ),
    ],
)
def test_content_stays_searchable(text: str, kind: str, cells: list[str] | None) -> None:
    assert is_searchable(_segment(text, kind, cells))


def test_seed_and_genre_documents_lose_only_their_signature_blocks(seed: Document) -> None:
    genre = GENRE
    documents = [seed, *(parse_file(path) for path in sorted(genre.iterdir()))]
    dropped = [
        s
        for d in documents
        for s in d.segments
        if s.kind not in indexing.UNSEARCHED_KINDS and not is_searchable(s)
    ]
    assert dropped and all(s.text.startswith(("T/M", "TM.", "K/T", "KT.")) for s in dropped), [
        s.text for s in dropped
    ]
