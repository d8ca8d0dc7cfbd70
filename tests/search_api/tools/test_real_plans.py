"""Real plans as they arrive: copied web text, agency headings, groups named with commas.

The small documents here are written for these tests in the copied-web-text layout (cells between
lone "|" lines, emphasis across lines, no blank lines); the real ones come from ../shared/realdocs
and their hand-read gold from evaluation/gold/real, scored by the code `vanban eval extraction` runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inputs import PORTAL_META, REALDOC_PLANS, realdocs_absent

from ingest.model import Document
from ingest.pipeline import parse_bytes, parse_file
from ingest.readers.markdown import is_copied_web_text, markdown_to_blocks
from nlp.agencies import AgencyRegistry
from nlp.analyze import analyze
from nlp.assignments import agency_heading, assignments_in_text, split_bodies
from nlp.timeframes import normalize_deadline
from search_api.tools.eval_extraction import REAL_GOLD_DIR, Score, evaluate_portal_metadata, evaluate_real
from tests.docgen_renditions import make_docx, make_pdf, plan_blocks

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
    assert {agency for _, agency in _facts(groups)} == {"các sở, ban, ngành", "ubnd-xa:all"}
    row = next(s for s in document.segments if s.kind == "table_row" and "5G" in s.text)
    assert _facts(row) == {("lead", "so-khcn"), ("coordinate", "ubnd-xa:all")}


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
        # After a name closed by its level, a lowercase kind of body is another body.
        (
            "Đài Phát thanh và Truyền hình Thành phố, cơ quan thông tấn báo chí",
            ["Đài Phát thanh và Truyền hình Thành phố", "cơ quan thông tấn báo chí"],
        ),
        (
            "UBND các tỉnh, thành phố trực thuộc Trung ương, cơ quan, tổ chức khác có liên quan",
            ["UBND các tỉnh, thành phố trực thuộc Trung ương", "cơ quan, tổ chức khác có liên quan"],
        ),
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
        ("3. Các sở, ban, ngành; UBND cấp xã", ["các sở, ban, ngành", "ubnd-xa:all"], False),
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
        ("Năm 2025 và các năm tiếp theo", ("2025-01-01", None, None)),
        ("Từ năm 2026 trở đi", ("2026-01-01", None, None)),
        ("Từ tháng 10/2025 đến tháng 3/2026", ("2025-10-01", "2026-03-31", None)),
        # No such day: the typo is kept as written, not read as a date.
        ("trước ngày 31/6/2025", (None, None, None)),
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
            ("coordinate", "ubnd-xa:all"),
        }
        assert {(a.deadline_start, a.deadline_end) for a in task.assignments} == {
            ("2026-10-01", "2026-12-31")
        }
    fields = [s for s in document.segments if "Đơn vị chủ trì" in s.text]
    assert fields and all(not s.assignments for s in fields)


def test_an_empty_time_field_is_due_when_the_last_of_its_dated_steps_is() -> None:
    text = (
        "QUYẾT ĐỊNH\n\nII. NHIỆM VỤ\n\n4. Rà soát văn bản quy phạm pháp luật\n\n"
        "- Nội dung: rà soát các văn bản có liên quan đến Luật.\n\n"
        "- Cơ quan thực hiện: Bộ Tư pháp, Bộ Nội vụ.\n\n"
        "- Thời gian thực hiện:\n\n"
        "+ Các bộ gửi kết quả rà soát về Bộ Tư pháp trước ngày 15 tháng 11 năm 2026.\n\n"
        "+ Bộ Tư pháp tổng hợp, báo cáo Thủ tướng Chính phủ trước ngày 20 tháng 12 năm 2026.\n\n"
        "5. Xây dựng Nghị định\n"
    )
    document = analyze(parse_bytes(text.encode("utf-8"), "ra-soat.txt"))
    task = next(s for s in document.segments if s.text.startswith("4. Rà soát"))
    assert _facts(task) == {("lead", "bo-tu-phap"), ("lead", "bo-noi-vu")}
    assert {a.deadline_end for a in task.assignments} == {"2026-12-20"}


SUBJECT_LED = [
    # A body at a clause's start followed by a duty opener implements, in any section.
    (
        "Các sở, ngành, địa phương có trách nhiệm bố trí kinh phí thực hiện các nhiệm vụ được giao.",
        {("implement", "các sở, ngành, địa phương")},
    ),
    (
        "Sở Tư pháp khẩn trương rà soát các văn bản quy phạm pháp luật của tỉnh.",
        {("implement", "so-tu-phap")},
    ),
    # "Đề nghị X ..." asks a body outside the issuer's authority.
    (
        "Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh và các tổ chức chính trị - xã hội tỉnh tăng "
        "cường tuyên truyền, vận động nhân dân.",
        {("request", "ubmttq-tinh"), ("request", "to-chuc-ct-xh-tinh:all")},
    ),
    (
        "Trong quá trình thực hiện, nếu có vướng mắc, đề nghị các cơ quan, đơn vị kịp thời phản ánh "
        "về Sở Nội vụ để tổng hợp.",
        {("request", "các cơ quan, đơn vị")},
    ),
    # A subject listed before a semicolon shares the next clause's duty; titles stand for bodies.
    (
        "Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Y tế; Chủ tịch Ủy ban nhân dân các xã, "
        "phường chịu trách nhiệm thi hành Quyết định này.",
        {
            ("implement", "van-phong-ubnd-tinh"),
            ("implement", "so-y-te"),
            ("implement", "ubnd-xa:all"),
        },
    ),
    # A described collective is one subject, up to its duty.
    (
        "Các cơ quan, đơn vị được giao chủ trì có trách nhiệm báo cáo kết quả trước ngày 15/12/2026.",
        {("report", "các cơ quan, đơn vị được giao chủ trì")},
    ),
    # "yêu cầu X <duty>": X acts.
    (
        "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy, tổ chức đảng tập trung lãnh đạo thực hiện tốt các "
        "nội dung trên.",
        {("direct", "cap-uy-to-chuc-dang:all")},
    ),
    # A level written after a known body's name makes it that body's regional or provincial office.
    (
        "Đề nghị Kiểm toán Nhà nước khu vực II, Thuế tỉnh tăng cường kiểm tra việc sử dụng kinh phí.",
        {("request", "kiểm toán nhà nước khu vực ii"), ("request", "thue-tinh")},
    ),
    # "Các Ông/bà:" addresses the people charged; it is not a body.
    (
        "Các Ông/bà: Chánh Văn phòng Ủy ban nhân dân tỉnh; Giám đốc Sở Tư pháp chịu trách nhiệm thi hành "
        "Quyết định này.",
        {("implement", "van-phong-ubnd-tinh"), ("implement", "so-tu-phap")},
    ),
    # A partner's name ends where its purpose begins.
    (
        "Sở Công Thương chủ trì, phối hợp với các đơn vị điện lực trên địa bàn tỉnh để bảo đảm cung cấp điện.",
        {("lead", "so-cong-thuong"), ("coordinate", "các đơn vị điện lực trên địa bàn tỉnh")},
    ),
    # A goal that names bodies mid-sentence assigns nothing, nor does a collective of things.
    ("Phấn đấu 100% các sở, ngành, địa phương sử dụng văn bản điện tử.", set()),
    ("Các phong trào thi đua tiếp tục được đẩy mạnh.", set()),
]


def test_a_field_naming_a_group_of_local_bodies_keeps_it_whole() -> None:
    text = (
        "KẾ HOẠCH\n\nII. NHIỆM VỤ\n\n1. Số hóa hồ sơ lưu trữ của các cơ quan.\n\n"
        "- Đơn vị chủ trì: Sở Nội vụ.\n\n- Đơn vị phối hợp: UBND xã, phường, đặc khu; Sở Tài chính.\n"
    )
    document = analyze(parse_bytes(text.encode("utf-8"), "ke-hoach.txt"))
    task = next(s for s in document.segments if s.text.startswith("1. Số hóa") or s.text.startswith("Số hóa"))
    assert _facts(task) == {
        ("lead", "so-noi-vu"),
        ("coordinate", "ubnd-xa:all"),
        ("coordinate", "so-tai-chinh"),
    }


@pytest.mark.parametrize(("sentence", "expected"), SUBJECT_LED)
def test_subject_led_duties_in_running_text(sentence: str, expected: set[tuple[str, str]]) -> None:
    text = f"KẾ HOẠCH\n\nI. MỤC TIÊU\n\n1. Mục tiêu chung\n\n{sentence}\n"
    document = analyze(parse_bytes(text.encode("utf-8"), "ke-hoach.txt"))
    holding = [s for s in document.segments if sentence[:30] in s.text]
    assert len(holding) == 1
    assert _facts(holding[0]) == expected


def test_the_bodies_a_task_names_as_carrying_it_out_lead_it() -> None:
    # "Đơn vị thực hiện" / "Cơ quan thực hiện" name who carries the task out, as "chủ trì" does.
    text = (
        "KẾ HOẠCH\n\nII. NHIỆM VỤ\n\n1. Phổ biến Luật Việc làm\n\n- Nội dung thực hiện: Tổ chức phổ biến "
        "Luật Việc làm trên các phương tiện thông tin đại chúng.\n\n- Cơ quan thực hiện: Sở Nội vụ; Sở Tư pháp."
        "\n\n- Thời gian thực hiện: Năm 2026 và các năm tiếp theo.\n"
    )
    document = analyze(parse_bytes(text.encode("utf-8"), "ke-hoach.txt"))
    task = next(s for s in document.segments if "Tổ chức phổ biến" in s.text)
    assert _facts(task) == {("lead", "so-noi-vu"), ("lead", "so-tu-phap")}
    assert {(a.deadline_start, a.deadline_end) for a in task.assignments} == {("2026-01-01", None)}


COLON_AGENCY_LINES = """KẾ HOẠCH

Hỗ trợ nhân dân vùng lũ

I. MỤC ĐÍCH

Bảo đảm hàng hóa đến tay người dân vùng lũ kịp thời, đúng đối tượng.

IV. KINH PHÍ

1. Kinh phí:

- Ngân sách tỉnh và kinh phí hỗ trợ từ Trung ương.

IV. PHÂN CÔNG NHIỆM VỤ

1. Sở Công Thương:

- Chủ trì điều phối nguồn hàng hỗ trợ cho các xã bị chia cắt.

- Phân bổ hàng hóa theo mức độ thiệt hại của từng địa bàn.

2. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh:

- Tiếp nhận và phân phối nguồn đóng góp tự nguyện của nhân dân.
"""


def test_a_labelled_agency_line_ending_with_a_colon_governs_its_items() -> None:
    # Two parts both written "IV.": the second part's items belong to its own "1. Sở Công Thương:".
    document = analyze(parse_bytes(COLON_AGENCY_LINES.encode("utf-8"), "ke-hoach.txt"))
    by_start = {s.text[:20]: s for s in document.segments}
    lead = by_start["Chủ trì điều phối ng"]
    assert lead.parent_path is not None and lead.parent_path.endswith("~2")
    assert _facts(lead) == {("lead", "so-cong-thuong")}
    assert _facts(by_start["Phân bổ hàng hóa the"]) == {("implement", "so-cong-thuong")}
    assert _facts(by_start["Tiếp nhận và phân ph"]) == {("request", "ubmttq-tinh")}
    assert not by_start["Ngân sách tỉnh và ki"].assignments


# -- the 2025 administration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "agency_id"),
    [
        ("Sở Nông nghiệp và Môi trường", "so-nnmt"),
        ("Sở NN&MT", "so-nnmt"),
        ("Sở Dân tộc và Tôn giáo", "so-dttg"),
        ("Bộ Nông nghiệp và Môi trường", "bo-nnmt"),
        ("Đảng ủy Ủy ban nhân dân tỉnh", "dang-uy-ubnd-tinh"),
        ("Ban Tuyên giáo và Dân vận Tỉnh ủy", "ban-tuyen-giao-dan-van-tinh-uy"),
        ("UBND các xã, phường, đặc khu", "ubnd-xa:all"),
        ("Văn phòng UBND tỉnh", "van-phong-ubnd-tinh"),
    ],
)
def test_bodies_of_the_2025_reorganisation_are_known(written: str, agency_id: str) -> None:
    agency = AgencyRegistry.default().resolve(written)
    assert agency is not None and agency.id == agency_id


def test_merged_bodies_name_the_ones_they_replace() -> None:
    registry = AgencyRegistry.default()
    merged = registry.get("so-nnmt")
    assert merged is not None and set(merged.replaces) == {"so-nnptnt", "so-tnmt"}
    # Every replaced id is itself known, so documents written before 2025 still resolve.
    replaced = [old for agency in registry.agencies for old in agency.replaces]
    assert replaced and all(registry.get(old) is not None for old in replaced)


PROVINCIAL_PLAN = """ỦY BAN NHÂN DÂN TỈNH
ĐỒNG THÁP

Số: 12/KH-UBND

Đồng Tháp, ngày 3 tháng 12 năm 2025

KẾ HOẠCH

Chuyển đổi số trong quản lý đất đai

I. NHIỆM VỤ

1. Sở Nông nghiệp và Môi trường chủ trì, phối hợp với Bộ Tài chính xây dựng cơ sở dữ liệu đất đai.
"""


def test_local_bodies_take_the_province_of_the_issuer() -> None:
    document = analyze(parse_bytes(PROVINCIAL_PLAN.encode("utf-8"), "ke-hoach.txt"))
    items = {(a.agency, a.role): a for s in document.segments for a in s.assignments}
    assert items[("so-nnmt", "lead")].province == "Đồng Tháp"
    assert items[("bo-tai-chinh", "coordinate")].province is None  # a ministry belongs to no province


# -- the real corpus -------------------------------------------------------------------------------


@pytest.mark.skipif(not PORTAL_META.is_file(), reason=realdocs_absent(PORTAL_META))
def test_portal_metadata_number_type_and_date_at_least_97_percent() -> None:
    results = evaluate_portal_metadata(PORTAL_META)
    assert set(results) == {"number", "type", "date"}
    for field, checks in results.items():
        assert len(checks) == 110, field
        right = sum(ok for _, ok in checks)
        assert right / len(checks) >= 0.97, (field, [name for name, ok in checks if not ok])


@pytest.fixture(scope="module")
def real_scores() -> dict[str, Score]:
    scores, metadata, missing = evaluate_real()
    if not scores:
        pytest.skip(realdocs_absent(f"every real document of evaluation/gold/real ({len(missing)})"))
    totals: dict[str, Score] = {}
    for score in scores:
        totals.setdefault(score.facet, Score(score.facet, "all")).add(score)
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


# Floors at the level this version reaches, so that a change that loses ground fails. Appendix rows and
# inline fields hold the targets (0.95, 0.9); its others (heading ≥ 0.95, lines ≥ 0.9, deadlines
# ≥ 0.95) are above these floors and not met yet.
REAL_FLOORS = {"table": 0.95, "heading": 0.945, "inline": 0.9, "line": 0.9, "deadline": 0.94}


@pytest.mark.parametrize("form", sorted(REAL_FLOORS))
def test_real_corpus_assignment_floors(real_scores: dict[str, Score], form: str) -> None:
    score = real_scores[form]
    assert score.gold > 0
    assert score.f1 >= REAL_FLOORS[form], score.to_dict()


# -- the same plan as copied text, Word and PDF ----------------------------------------------------

RENDERED_PLANS = ("hanoi-308-kh-ubnd.txt", "dongthap-597-kh-ubnd.txt", "kl-155-tw.txt", "qd-2597-ttg.txt")


@pytest.mark.parametrize("name", RENDERED_PLANS)
def test_word_and_pdf_renditions_of_a_real_plan_read_the_same(name: str, tmp_path: Path) -> None:
    source = REALDOC_PLANS / name
    if not source.is_file():
        pytest.skip(realdocs_absent(source))
    blocks = plan_blocks(source)
    as_text = analyze(parse_file(source))
    assert as_text.segments

    def facts(document: Document) -> set[tuple[str, str, str]]:
        return {(s.path, a.role, a.agency) for s in document.segments for a in s.assignments}

    assert facts(as_text)
    for rendition in (
        make_docx(blocks, tmp_path / f"{source.stem}.docx"),
        make_pdf(blocks, tmp_path / f"{source.stem}.pdf", name),
    ):
        document = analyze(parse_file(rendition))
        assert (document.type, document.number, document.date) == (as_text.type, as_text.number, as_text.date)
        assert [(s.kind, s.path) for s in document.segments] == [(s.kind, s.path) for s in as_text.segments]
        assert facts(document) == facts(as_text)


def test_an_appendix_after_the_signature_is_a_part_with_its_tables() -> None:
    source = REALDOC_PLANS / "bacninh-144-kh-ubnd.txt"
    if not source.is_file():
        pytest.skip(realdocs_absent(source))
    document = parse_file(source)
    rows = [s for s in document.segments if s.kind == "table_row"]
    assert rows and all(s.path.startswith("Phụ lục.") for s in rows)
    appendix = next(s for s in document.segments if s.path == "Phụ lục")
    assert appendix.kind == "heading" and "PHÂN CÔNG THỰC HIỆN" in appendix.text
    signature = next(s for s in document.segments if s.path == "Ký")
    assert "PHỤ LỤC" not in signature.text


def test_a_day_without_a_year_takes_the_rhythm_of_its_line() -> None:
    registry = AgencyRegistry.default()
    items = assignments_in_text(
        "Sở Xây dựng định kỳ hằng năm (trước ngày 30 tháng 11) báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh.",
        registry,
    )
    reports = [a for a in items if a.agency == "so-xay-dung"]
    assert reports and all(a.recurrence == "annual" and a.deadline_end is None for a in reports)
