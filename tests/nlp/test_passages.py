"""Parts of long passages: cut at sentence ends, nothing lost, short passages left whole."""

from __future__ import annotations

import re

from inputs import SEED

from ingest.pipeline import parse_file
from nlp.passages import LONG_PASSAGE_CHARS, PART_CHARS, passage_parts
from search_api.index.indexer import document_sources


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def test_short_and_single_sentence_passages_are_not_cut() -> None:
    assert passage_parts("Xây dựng kế hoạch đầu tư công trung hạn.") == []
    one_sentence = "Đầu tư " + ", ".join(f"tuyến đường số {n}" for n in range(60))
    assert len(one_sentence) > LONG_PASSAGE_CHARS and passage_parts(one_sentence) == []


def test_every_long_seed_segment_is_cut_into_bounded_parts_that_keep_every_word() -> None:
    document = parse_file(SEED)
    long_segments = [s for s in document.segments if len(s.text) > LONG_PASSAGE_CHARS]
    assert long_segments
    for segment in long_segments:
        parts = passage_parts(segment.text)
        sentences = [s for s in re.split(r"(?<=[.;!?])\s+|\n+", segment.text) if s.strip()]
        if len(sentences) < 2:
            continue
        assert len(parts) >= 2, segment.path
        assert words(" ".join(parts)) == words(segment.text), segment.path
        for part in parts:  # a part grows past the bound only by being one long sentence
            assert len(part) <= PART_CHARS or part in (s.strip() for s in sentences), segment.path


def test_the_seed_transport_task_is_embedded_whole_and_in_parts() -> None:
    class CountingEmbedder:
        name, dim = "counting", 3

        def embed_passages(self, texts: list[str]) -> list[list[float]]:
            return [[float(len(text)), 0.0, 1.0] for text in texts]

    document = parse_file(SEED)
    sources = {s.segment.path: s for s in document_sources(document, CountingEmbedder())}  # type: ignore[arg-type]
    transport = sources["III.3.2"]
    assert len(transport.dense_parts) == len(passage_parts(transport.segment.text)) >= 3
    assert sources["III.1.1"].dense_parts == [] or len(sources["III.1.1"].segment.text) > LONG_PASSAGE_CHARS
