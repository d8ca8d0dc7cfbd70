"""The seed plan parses into the outline a reader of it sees."""

from __future__ import annotations

import re

import pytest
from inputs import SEED

from ingest.pipeline import parse_file
from tests.conftest import assert_lossless


@pytest.fixture(scope="module")
def seed_document():  # type: ignore[no-untyped-def]
    return parse_file(SEED)


def tasks_under(document, section: str) -> list:  # type: ignore[no-untyped-def]
    return [s for s in document.segments if s.kind == "task" and s.parent_path == section]


def test_task_sections_hold_1_4_8_2_tasks(seed_document) -> None:  # type: ignore[no-untyped-def]
    counts = [len(tasks_under(seed_document, f"III.{n}")) for n in (1, 2, 3, 4)]
    assert counts == [1, 4, 8, 2]


def test_each_task_section_has_one_assignment_line_governing_its_tasks(seed_document) -> None:  # type: ignore[no-untyped-def]
    for n in (1, 2, 3, 4):
        section = f"III.{n}"
        lines = [s for s in seed_document.segments if s.kind == "assignment" and s.parent_path == section]
        assert len(lines) == 1, section
        assert lines[0].governs == [t.id for t in tasks_under(seed_document, section)]
        assert not lines[0].text.startswith("*")


def test_first_assignment_line_text(seed_document) -> None:  # type: ignore[no-untyped-def]
    line = next(s for s in seed_document.segments if s.kind == "assignment")
    assert line.text.startswith("Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Ban cán sự đảng")
    assert line.path == "III.1.2"


def test_page_broken_paragraphs_are_joined(seed_document) -> None:  # type: ignore[no-untyped-def]
    first = tasks_under(seed_document, "III.1")[0]
    assert "có liên quan đế các cấp ủy" in first.text
    urban = next(s for s in seed_document.segments if "Đô thị trung tâm" in s.text)
    assert "Đô thị trung tâm (thành phố Kon Tum và các đô thị vệ tinh" in urban.text
    assert urban.path == "III.3.3"


def test_emphasis_markers_are_gone_but_ocr_slips_stay(seed_document) -> None:  # type: ignore[no-untyped-def]
    assert "*" not in seed_document.body
    assert "(nhất là ưu tiên nâng cấp Quốc lộ 24" in seed_document.body
    for slip in ("CUA BAN THƯỜNG VỤ", "phò biển", "được liệu"):
        assert slip in seed_document.body


def test_kinds_follow_the_sections(seed_document) -> None:  # type: ignore[no-untyped-def]
    kinds = {s.path: s.kind for s in seed_document.segments}
    assert kinds["0"] == "preamble"
    assert kinds["I"] == "heading"
    assert kinds["I.1"] == "purpose"
    assert kinds["I.2"] == "requirement"
    assert kinds["II"] == "goal"
    assert kinds["III.3"] == "heading"
    assert kinds["IV.1"] == "organization"
    assert kinds["IV.2"] == "organization"
    assert kinds["Nơi nhận"] == "recipients"
    recipients = next(s for s in seed_document.segments if s.kind == "recipients")
    assert recipients.text.count("\n") == 8  # "Nơi nhận:" and its eight lines


def test_metadata(seed_document) -> None:  # type: ignore[no-untyped-def]
    assert seed_document.type == "Kế hoạch"
    assert seed_document.date == "2024-06-16"
    assert seed_document.issuer == "Ban Thường vụ Tỉnh ủy"
    assert seed_document.implements == ["72-KL/TW"]
    assert seed_document.title.startswith("thực hiện Kết luận số 72-KL/TW, ngày 23-02-2024 của Bộ Chính trị")
    assert seed_document.number is None  # the seed's text carries no number; none is invented


def test_lossless_and_every_source_word_kept(seed_document, seed_text) -> None:  # type: ignore[no-untyped-def]
    assert_lossless(seed_document)
    source_words = re.findall(r"\w+", seed_text)
    body_words = re.findall(r"\w+", seed_document.body)
    assert body_words == source_words


def test_segment_ids_are_stable_across_parses(seed_document, seed_path) -> None:  # type: ignore[no-untyped-def]
    again = parse_file(seed_path)
    assert [s.id for s in again.segments] == [s.id for s in seed_document.segments]
    assert [s.text for s in again.segments] == [s.text for s in seed_document.segments]
    assert seed_document.segments[0].id == "ke-hoach-thuc-hien-ket-luan-72-kl-tw:0"
