"""Time frames: the seed's deadlines, vision, period, frequencies and "Trước mắt"; no citation dates."""

from __future__ import annotations

import time

import pytest
from inputs import SEED

from ingest.model import TimeFrame
from ingest.pipeline import parse_file
from nlp.timeframes import FREQUENCY_WORDS, extract_time_frames, normalize_deadline


def frames_by_path() -> dict[str, list[TimeFrame]]:
    document = parse_file(SEED)
    return {s.path: extract_time_frames(s.text) for s in document.segments}


def kinds_and_texts(frames: list[TimeFrame]) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in frames]


def test_seed_goal_deadline_and_vision() -> None:
    # "Định hướng đến năm 2045" follows the 2030 goals and sets the long horizon: a vision.
    frames = frames_by_path()["II"]
    assert kinds_and_texts(frames) == [("deadline", "đến năm 2030"), ("vision", "Định hướng đến năm 2045")]
    assert [f.year for f in frames] == [2030, 2045]


def test_seed_plan_period_and_vision() -> None:
    period, vision = frames_by_path()["III.2.3"]
    assert (period.kind, period.start_year, period.end_year) == ("period", 2021, 2030)
    assert (vision.kind, vision.year) == ("vision", 2050)


def test_seed_frequencies_and_immediate() -> None:
    frames = frames_by_path()
    assert kinds_and_texts(frames["III.1.2"]) == [("frequency", "thường xuyên")]
    assert kinds_and_texts(frames["IV.2"]) == [("frequency", "định kỳ")]
    assert ("immediate", "Trước mắt") in kinds_and_texts(frames["III.3.2"])


def test_seed_citation_dates_and_quoted_titles_are_not_time_frames() -> None:
    frames = frames_by_path()
    # III.3.2 cites 60-CTr/TU and 50-CTr/TU with dates and quoted titles "... đến năm 2030, tầm nhìn ...".
    assert kinds_and_texts(frames["III.3.2"]) == [("immediate", "Trước mắt")]
    assert all(f.date is None for fs in frames.values() for f in fs)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hoàn thành trước ngày 30/8/2024",
            TimeFrame("date", "trước ngày 30/8/2024", year=2024, date="2024-08-30"),
        ),
        ("báo cáo trước ngày 15/12 hằng năm", TimeFrame("deadline", "trước ngày 15/12")),
        ("xong trong quý III/2023", TimeFrame("deadline", "trong quý III/2023", year=2023)),
        ("trước tháng 12/2024", TimeFrame("deadline", "trước tháng 12/2024", year=2024)),
        ("Tháng 12/2013 và thường xuyên", TimeFrame("deadline", "Tháng 12/2013", year=2013)),
        (
            "kế hoạch giai đoạn 2021-2025",
            TimeFrame("period", "giai đoạn 2021-2025", start_year=2021, end_year=2025),
        ),
        ("nhiệm kỳ 2025 - 2030", TimeFrame("period", "nhiệm kỳ 2025 - 2030", start_year=2025, end_year=2030)),
        ("từ nay đến năm 2020", TimeFrame("period", "từ nay đến năm 2020", end_year=2020)),
        ("ngay trong năm 2025", TimeFrame("immediate", "ngay trong năm 2025", year=2025)),
        ("định kỳ hằng năm báo cáo", TimeFrame("frequency", "định kỳ hằng năm")),
    ],
)
def test_kinds(text: str, expected: TimeFrame) -> None:
    found = extract_time_frames(text)[0]
    found.span = None
    assert found == expected


def test_spans_point_into_the_text() -> None:
    text = "Các huyện ủy báo cáo kết quả trước ngày 30/11 hằng năm."
    assert [text[f.span[0] : f.span[1]] for f in extract_time_frames(text) if f.span] == [
        "trước ngày 30/11",
        "hằng năm",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Kết luận số 72-KL/TW, ngày 23-02-2024 của Bộ Chính trị",
        "Kon Tum, ngày 16 tháng 6 năm 2024",
        "Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;",
    ],
)
def test_dates_of_citations_and_signing_are_skipped(text: str) -> None:
    assert extract_time_frames(text) == []


def test_table_cells_that_are_only_a_time() -> None:
    row = "7. | Xây dựng kế hoạch triển khai | Các bộ, ngành | | Kế hoạch | 01/2025"
    assert [(f.kind, f.year) for f in extract_time_frames(row)] == [("deadline", 2025)]


def test_a_line_with_several_times_is_due_at_its_last() -> None:
    from nlp.agencies import AgencyRegistry
    from nlp.assignments import assignments_in_text

    text = (
        "Giao Đảng uỷ Chính phủ chủ trì dự thảo các văn bản liên quan, hoàn chỉnh trước ngày 01/6/2025 "
        "và ban hành trước ngày 25/6/2025."
    )
    items = assignments_in_text(text, AgencyRegistry.default())
    assert items
    assert {(a.deadline, a.deadline_end) for a in items} == {("trước ngày 25/6/2025", "2025-06-25")}
    assert "thường xuyên" in FREQUENCY_WORDS


@pytest.mark.parametrize("text", ["", "||||", "ngày " * 50_000, "trước ngày 1/" * 20_000, "x" * 200_001])
def test_garbage_and_long_lines(text: str) -> None:
    started = time.perf_counter()
    assert isinstance(extract_time_frames(text), list)
    assert time.perf_counter() - started < 2.0


def test_a_time_counted_from_the_document_date_becomes_a_date() -> None:
    from datetime import date

    from nlp.timeframes import deadline_from_issue

    issued = date(2025, 11, 22)  # a Saturday: working days start on the Monday
    assert deadline_from_issue("chậm nhất 05 ngày làm việc kể từ ngày ban hành Quyết định.", issued) == (
        "chậm nhất 05 ngày làm việc kể từ ngày ban hành Quyết định",
        "2025-11-28",
    )
    assert deadline_from_issue("trong thời hạn 15 ngày kể từ ngày ký", issued) == (
        "trong thời hạn 15 ngày kể từ ngày ký",
        "2025-12-07",
    )
    # Counted from another event, it is no date of the document's.
    assert deadline_from_issue("trong thời hạn 15 ngày kể từ ngày nhận được hồ sơ hợp lệ", issued) is None


def test_a_time_that_follows_another_schedule_has_no_dates_of_its_own() -> None:
    assert normalize_deadline("Theo tiến độ được giao của Luật An ninh mạng 2025") == (None, None, None)
    assert normalize_deadline("Theo lộ trình, thường xuyên") == (None, None, "continuous")
    assert normalize_deadline("Năm 2025") == ("2025-01-01", "2025-12-31", None)
