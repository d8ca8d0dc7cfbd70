"""Real plans as they arrive: copied web text, agency headings, groups named with commas.

The small documents here are written for these tests in the copied-web-text layout (cells between
lone "|" lines, emphasis across lines, no blank lines); the real ones come from ../shared/realdocs
and their hand-read gold from evaluation/gold/real, scored by the code `vanban eval extraction` runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import parse_bytes
from ingest.readers.markdown import is_copied_web_text, markdown_to_blocks
from nlp.agencies import AgencyRegistry
from nlp.analyze import analyze
from nlp.assignments import agency_heading, split_bodies
from nlp.evaluation import REAL_GOLD_DIR, FormScore, evaluate_portal_metadata, evaluate_real
from nlp.timeframes import normalize_deadline

COPIED_PLAN = """|
**ỦY BAN NHÂN DÂN
**
TỈNH KON TUM
-------
|
**CỘNG HÒA XÃ HỘI
CHỦ NGHĨA VIỆT NAM**
Độc lập - Tự do - Hạnh phúc
---------------
|
|
Số: 215/KH-UBND
|
*Kon Tum, ngày 03
tháng 12 năm 2025*
|

**KẾ HOẠCH**

Triển khai hạ tầng số trên địa bàn tỉnh năm 2026

**I. MỤC
ĐÍCH, YÊU CẦU**

Bảo đảm hạ tầng số đồng bộ, an toàn, phục vụ chuyển đổi số
của các cơ quan nhà nước trên địa bàn tỉnh.

**II. TỔ CHỨC THỰC HIỆN**

**1. Sở Khoa học và Công nghệ**

a) Chủ trì, phối hợp với Sở Tài chính tham mưu bố trí kinh phí
thực hiện Kế hoạch.

b) Hướng dẫn các cơ quan, đơn vị triển khai các nền tảng số dùng chung.

**2. Đề nghị Ủy ban Mặt trận Tổ quốc tỉnh**

Tuyên truyền, vận động Nhân dân tham gia chuyển đổi số.

**3. Các sở, ban, ngành, UBND các xã, phường**

Chủ động triển khai các nhiệm vụ được giao tại Phụ lục.

**PHỤ LỤC**

|
**TT**
|
**Nhiệm vụ**
|
**Cơ quan chủ trì**
|
**Cơ quan phối hợp**
|
|
|
**I. Hạ tầng số**
|
|
1
|
Phủ sóng di động 5G đến các xã vùng sâu
|
Sở Khoa học và Công nghệ
|
UBND các xã, phường
|
|
2
|
Số hóa hồ sơ thủ tục hành chính của tỉnh
|
Văn phòng UBND tỉnh
|
Các sở, ban, ngành tỉnh
|
"""


def _facts(segment) -> set[tuple[str, str]]:
    return {(a.role, a.agency) for a in segment.assignments}


def test_copied_text_is_recognised_and_read_into_header_and_table_rows() -> None:
    assert is_copied_web_text(COPIED_PLAN)
    blocks = markdown_to_blocks(COPIED_PLAN)
    header = [b.text for b in blocks if b.in_header]
    assert "ỦY BAN NHÂN DÂN TỈNH KON TUM" in header
    assert "Số: 215/KH-UBND" in header
    assert "Kon Tum, ngày 03 tháng 12 năm 2025" in header
    rows = [b.cells for b in blocks if b.cells is not None]
    assert rows[0] == ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp"]
    assert [
        "1",
        "Phủ sóng di động 5G đến các xã vùng sâu",
        "Sở Khoa học và Công nghệ",
        "UBND các xã, phường",
    ] in rows
    # The emphasis that opens on one line and closes on the next makes one heading.
    assert any(b.text == "I. MỤC ĐÍCH, YÊU CẦU" for b in blocks)


def test_copied_plan_metadata_outline_and_assignments() -> None:
    document = analyze(parse_bytes(COPIED_PLAN.encode("utf-8"), "ke-hoach-215.txt"))
    assert (document.type, document.number, document.date) == ("Kế hoạch", "215/KH-UBND", "2025-12-03")
    lead_item = next(s for s in document.segments if s.text.startswith("a) Chủ trì"))
    assert _facts(lead_item) >= {("lead", "so-khcn"), ("coordinate", "so-tai-chinh")}
    guide_item = next(s for s in document.segments if s.text.startswith("b) Hướng dẫn"))
    assert ("lead", "so-khcn") not in _facts(guide_item)
    assert {agency for _, agency in _facts(guide_item)} == {"so-khcn"}
    request = next(s for s in document.segments if s.text.startswith("Tuyên truyền, vận động"))
    assert {role for role, _ in _facts(request)} == {"request"}
    groups = next(s for s in document.segments if s.text.startswith("Chủ động triển khai"))
    assert {agency for _, agency in _facts(groups)} == {"các sở, ban, ngành", "ubnd các xã, phường"}
    row = next(s for s in document.segments if s.kind == "table_row" and "5G" in s.text)
    assert _facts(row) == {("lead", "so-khcn"), ("coordinate", "ubnd các xã, phường")}


@pytest.mark.parametrize(
    ("cell", "bodies"),
    [
        ("Các sở, ban, ngành tỉnh", ["Các sở, ban, ngành tỉnh"]),
        ("UBND các xã, phường", ["UBND các xã, phường"]),
        ("UBND xã, phường, đặc khu", ["UBND xã, phường, đặc khu"]),
        ("các bộ, ngành, địa phương", ["các bộ, ngành, địa phương"]),
        ("Sở Văn hóa, Thể thao và Du lịch", ["Sở Văn hóa, Thể thao và Du lịch"]),
        ("Ban Quản lý các Khu công nghiệp, khu kinh tế", ["Ban Quản lý các Khu công nghiệp, khu kinh tế"]),
        ("Sở Tài chính, Sở Nội vụ", ["Sở Tài chính", "Sở Nội vụ"]),
        ("Sở Giáo dục và Đào tạo; Sở Nội vụ", ["Sở Giáo dục và Đào tạo", "Sở Nội vụ"]),
        (
            "Liên đoàn Lao động, Hội Nông dân, Liên minh Hợp tác xã",
            ["Liên đoàn Lao động", "Hội Nông dân", "Liên minh Hợp tác xã"],
        ),
    ],
)
def test_groups_stay_whole_and_lists_split_between_bodies(cell: str, bodies: list[str]) -> None:
    assert split_bodies(cell) == bodies


@pytest.mark.parametrize(
    ("title", "ids", "asks"),
    [
        ("1. Sở Khoa học và Công nghệ", ["so-khcn"], False),
        ("2. Đề nghị Ủy ban Mặt trận Tổ quốc tỉnh", None, True),
        ("3. Các sở, ban, ngành; UBND cấp xã", ["các sở, ban, ngành", "ubnd cấp xã"], False),
        ("1. Phát triển hạ tầng số", None, None),  # a topic, not a body
        ("2. Sở Tài chính chủ trì, phối hợp với Sở Nội vụ", None, None),  # a sentence, not a heading
    ],
)
def test_agency_headings(title: str, ids: list[str] | None, asks: bool | None) -> None:
    heading = agency_heading(title, AgencyRegistry.default())
    if asks is None:
        assert heading is None
        return
    assert heading is not None and heading.request is asks
    if ids is not None:
        assert [agency.id for agency, _ in heading.bodies] == ids


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Quý IV/2025", ("2025-10-01", "2025-12-31", None)),
        ("Quí IV-2025", ("2025-10-01", "2025-12-31", None)),
        ("Quý IV/2025 - Quý II/2026", ("2025-10-01", "2026-06-30", None)),
        ("Quý III Năm 2026", ("2026-07-01", "2026-09-30", None)),
        ("2026", ("2026-01-01", "2026-12-31", None)),
        ("Tháng 12/2025", ("2025-12-01", "2025-12-31", None)),
        ("Tháng 2/2028", ("2028-02-01", "2028-02-29", None)),
        ("trước ngày 15/12/2025", (None, "2025-12-15", None)),
        ("Trước 31/12/2025", (None, "2025-12-31", None)),
        ("Giai đoạn 2026-2030", ("2026-01-01", "2030-12-31", None)),
        ("Thường xuyên", (None, None, "continuous")),
        ("Hằng năm", (None, None, "annual")),
        ("Thường xuyên, hằng năm", (None, None, "annual")),
        ("Theo lộ trình của Bộ", (None, None, None)),
    ],
)
def test_deadlines_as_data(written: str, expected: tuple[str | None, str | None, str | None]) -> None:
    assert normalize_deadline(written) == expected


INLINE_FIELDS = """KẾ HOẠCH

Số hóa dữ liệu chuyên ngành năm 2026

II. NHIỆM VỤ

1. Về dữ liệu

a) Nhiệm vụ:

- Rà soát, chuẩn hóa cơ sở dữ liệu chuyên ngành của đơn vị.

- Kết nối cơ sở dữ liệu chuyên ngành với Trung tâm dữ liệu tỉnh.

b) Cơ quan thực hiện:

- Đơn vị chủ trì: Các sở, ban, ngành.

- Đơn vị phối hợp: Sở Khoa học và Công nghệ, UBND các xã, phường.

c) Thời gian thực hiện: Quý IV/2026.
"""


def test_inline_fields_go_on_the_tasks_they_follow() -> None:
    document = analyze(parse_bytes(INLINE_FIELDS.encode("utf-8"), "so-hoa.txt"))
    tasks = [s for s in document.segments if s.text.startswith(("Rà soát", "Kết nối"))]
    assert len(tasks) == 2
    for task in tasks:
        assert _facts(task) == {
            ("lead", "các sở, ban, ngành"),
            ("coordinate", "so-khcn"),
            ("coordinate", "ubnd các xã, phường"),
        }
        assert {(a.deadline_start, a.deadline_end) for a in task.assignments} == {
            ("2026-10-01", "2026-12-31")
        }
    fields = [s for s in document.segments if "Đơn vị chủ trì" in s.text]
    assert fields and all(not s.assignments for s in fields)


# -- the real corpus -------------------------------------------------------------------------------

PORTAL_META = Path(__file__).resolve().parents[2] / "shared" / "realdocs" / "portal" / "_meta.json"


@pytest.mark.skipif(not PORTAL_META.is_file(), reason="../shared/realdocs/portal is not here")
def test_portal_metadata_number_type_and_date_at_least_97_percent() -> None:
    results = evaluate_portal_metadata(PORTAL_META)
    assert set(results) == {"number", "type", "date"}
    for field, checks in results.items():
        assert len(checks) == 110, field
        right = sum(ok for _, ok in checks)
        assert right / len(checks) >= 0.97, (field, [name for name, ok in checks if not ok])


@pytest.fixture(scope="module")
def real_scores() -> dict[str, FormScore]:
    scores, metadata, missing = evaluate_real()
    if not scores:
        pytest.skip(f"no real document of evaluation/gold/real is here ({len(missing)} missing)")
    totals: dict[str, FormScore] = {}
    for score in scores:
        totals.setdefault(score.form, FormScore("all", score.form)).add(score)
    return totals


def test_real_gold_is_well_formed() -> None:
    files = sorted(REAL_GOLD_DIR.glob("*.json"))
    assert len(files) >= 16
    forms: set[str] = set()
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        assert gold["source"].startswith("shared/realdocs/"), path
        assert {"type", "number", "date"} <= set(gold["metadata"]), path
        for item in gold["assignments"]:
            assert item["role"] in ("lead", "coordinate", "implement", "direct", "request"), (path, item)
            assert item["task"].strip(), (path, item)
            forms.add(item["form"])
    assert forms == {"table", "heading", "inline", "line"}


# Floors at the level this version reaches, so that a change that loses ground fails; the issue's
# targets (table and heading ≥ 0.95, inline and line ≥ 0.9) are above them and not met yet.
REAL_FLOORS = {"table": 0.8, "heading": 0.55, "inline": 0.5}


@pytest.mark.parametrize("form", sorted(REAL_FLOORS))
def test_real_corpus_assignment_floors(real_scores: dict[str, FormScore], form: str) -> None:
    score = real_scores[form]
    assert score.gold > 0
    assert score.f1 >= REAL_FLOORS[form], score.to_dict()
