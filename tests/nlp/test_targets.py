"""Targets: the seed's three goals exactly, the notation rules, and F1 against the hand-written gold."""

from __future__ import annotations

import time

import pytest
from inputs import GOLD as GOLD_ROOT
from inputs import SEED

from ingest.model import Target
from ingest.pipeline import parse_file
from nlp.targets import annotate_targets, extract_targets, parse_number

GOLD = GOLD_ROOT / "targets"

Key = tuple[str, str | None, float, float | None, str, int | None]


def seed_goal_text() -> str:
    document = parse_file(SEED)
    return next(s.text for s in document.segments if s.path == "II")


def test_seed_targets_exactly() -> None:
    assert extract_targets(seed_goal_text()) == [
        Target(
            "tốc độ tăng trưởng tổng sản phẩm trên địa bàn (GRDP) bình quân",
            "trên",
            9.5,
            "%/năm",
            2030,
            "đạt trên 9,5%/năm",
        ),
        Target(
            "GRDP bình quân đầu người",
            "khoảng trên",
            110.0,
            "triệu đồng/người",
            2030,
            "đạt khoảng trên 110 triệu đồng/người",
        ),
        Target("tỷ lệ đô thị hóa", "khoảng", 52.0, "%", 2030, "khoảng 52%"),
    ]


def test_no_target_elsewhere_in_the_seed() -> None:
    # "Phát triển 03 trung tâm đô thị", symbols, dates and road numbers are not goals.
    document = parse_file(SEED)
    annotate_targets(document)
    assert {s.path for s in document.segments if s.targets} == {"II"}


@pytest.mark.parametrize(
    ("written", "value"),
    [("9,5", 9.5), ("1.500", 1500.0), ("2.000,25", 2000.25), ("52", 52.0), ("0,7", 0.7)],
)
def test_vietnamese_number_notation(written: str, value: float) -> None:
    assert parse_number(written) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vốn đầu tư toàn xã hội đạt khoảng 1.500 tỷ đồng", ("khoảng", 1500.0, None, "tỷ đồng")),
        ("số lượng đơn đăng ký sáng chế tăng trung bình 16 - 18%/năm", ("từ ... đến", 16.0, 18.0, "%/năm")),
        (
            "thu nhập bình quân của người dân nông thôn tăng gấp 2 lần so với năm 2020",
            ("gấp", 2.0, None, "lần"),
        ),
        ("tăng trưởng GDP đạt từ 8% trở lên", ("không dưới", 8.0, None, "%")),
        ("quy mô kinh tế số đạt tối thiểu 30% GDP", ("tối thiểu", 30.0, None, "% GDP")),
        ("8 | Tỉ lệ đóng góp của TFP | % | ≥ 55 | Bộ Kế hoạch và Đầu tư", ("tối thiểu", 55.0, None, "%")),
    ],
)
def test_comparators_units_and_ranges(text: str, expected: tuple[str, float, float | None, str]) -> None:
    (target,) = extract_targets(text)
    assert (target.comparator, target.value, target.value_max, target.unit) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kết luận số 72-KL/TW, ngày 23-02-2024 của Bộ Chính trị",
        "Phấn đấu đến năm 2030, tầm nhìn đến năm 2045",
        "Phát triển 03 trung tâm đô thị: Đô thị trung tâm; Trung tâm đô thị phía Bắc",
        "nâng cấp Quốc lộ 24, Quốc lộ 40B, Quốc lộ 14C",
        "năm 2023 tốc độ tăng trưởng đã đạt 8,2%",
        "kiểm tra định kỳ ít nhất 01 lần mỗi năm",
        "15. | Dự án Luật Năng lượng nguyên tử (sửa đổi) | Bộ Khoa học và Công nghệ | Luật của Quốc hội | 2025",
    ],
)
def test_not_targets(text: str) -> None:
    assert extract_targets(text) == []


@pytest.mark.parametrize(
    "text", ["", "%%%% ,,,, 9,,,5 ....", "đạt " * 50_000, "9" * 200_000, "1,5% " * 40_000]
)
def test_garbage_and_long_lines_give_nothing_fast(text: str) -> None:
    started = time.perf_counter()
    result = extract_targets(text)
    assert time.perf_counter() - started < 2.0
    assert isinstance(result, list)
    if len(text) > 100_000:
        assert result == []
