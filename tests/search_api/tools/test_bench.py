"""`vanban bench` at a tiny size: the report's structure and sanity, never its timings."""

from __future__ import annotations

import argparse
import json
import random
from typing import Any

import numpy as np
import pytest

from search_api.cli.main import main
from search_api.index.indexer import payload_for, sparse_vector
from search_api.index.vector_store import IndexPoint
from search_api.tools.bench import (
    SYNTHETIC_DOCUMENTS,
    compose_corpus,
    corpus_sources,
    load_queries,
    load_sentences,
    parse_sizes,
    source_paths,
    split_sentences,
    synthetic_documents,
)

SIZE = 300
QUERIES = 20


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    argv = ["bench", "--sizes", str(SIZE), "--queries", str(QUERIES), "--embed-sample", "8", "--json", "-q"]
    capture = pytest.MonkeyPatch()
    out = tmp_path_factory.mktemp("bench") / "report.json"
    with out.open("w", encoding="utf-8") as stream:
        capture.setattr("sys.stdout", stream)
        try:
            code = main(argv)
        finally:
            capture.undo()
    assert code == 0
    loaded: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return loaded


def test_report_covers_the_size_with_every_point_indexed(report: dict[str, Any]) -> None:
    assert [entry["segments"] for entry in report["sizes"]] == [SIZE]
    entry = report["sizes"][0]
    assert entry["points"] == SIZE
    assert entry["index_bytes"] > 0
    assert entry["peak_rss_bytes"] >= report["sizes"][0]["rss_delta_bytes"]
    assert report["synthetic_documents"] == SYNTHETIC_DOCUMENTS
    assert report["sentences"] > 100  # the seed and the genre documents give a few hundred
    assert "normalized mean" in report["dense_method"]


def test_latencies_are_percentiles_of_every_query(report: dict[str, Any]) -> None:
    entry = report["sizes"][0]
    for phase in ("latency_before_optimize", "latency_after_optimize"):
        for measure in ("search", "filtered", "end_to_end"):
            figures = entry[phase][measure]
            assert figures["n"] == QUERIES
            assert 0 < figures["p50_ms"] <= figures["p95_ms"]
        # Kind + year filters on 300 segments over 200 documents still leave most queries some hits.
        assert entry[phase]["filtered"]["empty_results"] < QUERIES
    # End to end includes embedding the query, so it cannot be faster than the search part alone.
    after = entry["latency_after_optimize"]
    assert after["end_to_end"]["p50_ms"] > after["search"]["p50_ms"]


def test_index_finds_segments_by_their_own_vectors(report: dict[str, Any]) -> None:
    check = report["sizes"][0]["self_check"]
    assert check["checked"] > 0
    assert check["found_first"] == check["checked"]


def test_throughputs_and_extrapolations_are_consistent(report: dict[str, Any]) -> None:
    embedded = report["embedding_sample"]
    assert embedded["items"] == 8 and embedded["kb_per_s"] > 0
    assert report["word_segmentation"]["items"] == report["sentences"]
    entry = report["sizes"][0]
    # The report rounds the rate to 0.1 segment/s; on a loaded machine (2 segments/s) that alone is
    # a few percent, so the extrapolation must lie within what the rounded rate allows.
    rate = embedded["items_per_s"]
    assert (
        SIZE / (rate + 0.05) - 0.1 <= entry["embedding_extrapolated_s"] <= SIZE / max(rate - 0.05, 1e-9) + 0.1
    )
    assert entry["indexing_segments_per_s"] >= entry["indexing_segments_per_s_with_optimize"] > 0


def test_composition_is_seeded_and_vectors_are_normalized_means() -> None:
    sentences = load_sentences(source_paths(), limit=40)
    vectors = np.random.default_rng(0).standard_normal((len(sentences), 8)).astype(np.float32)
    documents = synthetic_documents(5, random.Random(0))
    first = compose_corpus(sentences, vectors, documents, 50, seed=7)
    again = compose_corpus(sentences, vectors, documents, 50, seed=7)
    assert [s.text for s in first.segments] == [s.text for s in again.segments]
    assert np.allclose(np.linalg.norm(first.dense, axis=1), 1.0, atol=1e-5)
    assert set(first.sentence_counts) <= {1, 2, 3, 4}
    texts = {s.text: i for i, s in enumerate(sentences)}
    single = next(i for i, count in enumerate(first.sentence_counts) if count == 1)
    expected = vectors[texts[first.segments[single].text]]
    assert np.allclose(first.dense[single], expected / np.linalg.norm(expected), atol=1e-5)
    points = [
        IndexPoint(
            s.segment.id,
            s.dense,
            sparse_vector(s.segment.text, s.segment.words, None),
            payload_for(s.document, s.segment),
        )
        for s in corpus_sources(first)
    ]
    assert {p.payload["document_id"] for p in points} <= {d.id for d in documents}
    assert all(2012 <= p.payload["year"] <= 2025 and p.sparse.indices for p in points)


def test_split_sentences_keeps_offsets_and_drops_fragments() -> None:
    text = "Tăng cường công tác tuyên truyền. Ok.\nHoàn thành trước tháng 12 năm 2025; báo cáo Tỉnh ủy."
    pieces = split_sentences(text)
    assert [sentence for _, sentence in pieces] == [
        "Tăng cường công tác tuyên truyền.",
        "Hoàn thành trước tháng 12 năm 2025;",
    ]  # "Ok." and "báo cáo Tỉnh ủy." are too short to stand as sentences
    assert all(text[offset : offset + len(sentence)] == sentence for offset, sentence in pieces)


def test_queries_cycle_through_the_evaluation_set() -> None:
    queries = load_queries(150)
    assert len(queries) == 150 and len(set(queries)) < 150
    assert queries[0] == queries[len(set(queries))]


@pytest.mark.parametrize("value", ["", "10,abc", "5", "1000,-3"])
def test_bad_sizes_are_refused(value: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_sizes(value)
    assert parse_sizes("1000,10_000") == [1000, 10_000]
