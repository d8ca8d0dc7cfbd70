"""Documents of the genre that nobody on this project wrote (realdocs) or that we wrote by its rules (genre)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from inputs import GENRE, REALDOC_FILES

from ingest.model import Block
from ingest.pipeline import parse_file
from ingest.segment import looks_like_assignment
from ingest.vocabulary import ASSIGNING_WORD, ASSIGNMENT_VERBS, DUTY_OPENERS, ROLE_VERBS, ROLES
from tests.conftest import assert_lossless


@pytest.mark.parametrize("name", REALDOC_FILES)
def test_realdocs_parse_without_loss(realdocs: Path, name: str) -> None:
    document = parse_file(realdocs / name)
    assert_lossless(document)
    assert len(document.segments) > 10
    assert "\\-" not in document.body and "**" not in document.body


def test_nq60_metadata(realdocs: Path) -> None:
    document = parse_file(realdocs / "nq60-tw.md")
    assert (document.type, document.number, document.date) == ("Nghị quyết", "60-NQ/TW", "2025-04-12")
    assert document.issuer == "Ban Chấp hành Trung ương"
    assert document.place == "Hà Nội"


def test_nq57_press_copy_metadata_from_its_opening(realdocs: Path) -> None:
    document = parse_file(realdocs / "nq57-tw.md")
    assert (document.type, document.number, document.date) == ("Nghị quyết", "57-NQ/TW", "2024-12-22")


def test_nq03_metadata_and_action_program(realdocs: Path) -> None:
    document = parse_file(realdocs / "nq03-cp.md")
    assert (document.type, document.number, document.date) == ("Nghị quyết", "03/NQ-CP", "2025-01-09")
    assert document.issuer == "Chính phủ"
    assert document.implements == ["57-NQ/TW"]
    kinds = Counter(s.kind for s in document.segments)
    assert kinds["task"] >= 40
    assert any(s.path == "Điều 1" for s in document.segments)


def test_kh252_metadata_and_assignment_lists(realdocs: Path) -> None:
    document = parse_file(realdocs / "kh252-bcdqg1237.md")
    assert (document.type, document.number, document.date) == ("Kế hoạch", "252/KH-BCĐQG1237", "2013-11-11")
    assert document.implements == ["1237/QĐ-TTg"]
    leads = [
        s for s in document.segments if s.kind == "assignment" and s.text.startswith("Ban Chỉ đạo quốc gia")
    ]
    assert leads, "the 'Cơ quan chủ trì' lists are assignment segments"
    assert all(s.governs for s in leads)


GENRE_FILES = ("chuong-trinh-60-ctr-tu.md", "quy-dinh-dieu-khoan.txt", "ke-hoach-huyen-uy-ngoc-hoi.txt")


@pytest.mark.parametrize("name", GENRE_FILES)
def test_genre_documents_parse_without_loss(name: str) -> None:
    assert_lossless(parse_file(GENRE / name))


def test_district_plan_structure() -> None:
    document = parse_file(GENRE / "ke-hoach-huyen-uy-ngoc-hoi.txt")
    assert (document.number, document.issuer, document.date, document.place) == (
        "45-KH/HU",
        "Ban Thường vụ Huyện ủy",
        "2024-07-10",
        "Ngọc Hồi",
    )
    assert document.implements == ["123-KH/TU"]
    tasks = Counter(s.parent_path for s in document.segments if s.kind == "task")
    assert [tasks[f"III.{n}"] for n in (1, 2, 3, 4)] == [1, 3, 5, 3]
    assert sum(1 for s in document.segments if s.kind == "assignment") == 4
    split = next(s for s in document.segments if s.path == "III.3.1")
    assert "Quốc lộ 14C và các tuyến đường kết nối với Khu kinh tế" in split.text


def test_decree_legal_units() -> None:
    document = parse_file(GENRE / "quy-dinh-dieu-khoan.txt")
    assert (document.type, document.number, document.date) == ("Nghị định", "389/2024/NĐ-CP", "2024-12-26")
    paths = {s.path: s for s in document.segments}
    assert paths["Chương I"].heading == "QUY ĐỊNH CHUNG"
    assert paths["Chương II.Mục 1"].kind == "heading"
    assert paths["Điều 2.0"].text == "Nghị định này áp dụng đối với:"
    assert paths["Điều 2.1"].text.startswith("1. Các bộ")
    assert paths["Điều 5.1.a"].text.startswith("a) ")
    assert sum(1 for p in paths if p.startswith("Điều ") and "." not in p) == 18
    assert paths["Ký"].text.startswith("TM. CHÍNH PHỦ")


def test_program_with_appendix_table() -> None:
    document = parse_file(GENRE / "chuong-trinh-60-ctr-tu.md")
    assert (document.type, document.number, document.date) == ("Chương trình", "60-CTr/TU", "2023-05-15")
    assert document.implements == ["29-NQ/TW"]
    rows = [s for s in document.segments if s.kind == "table_row"]
    assert len(rows) == 10
    assert rows[0].columns is not None and rows[0].columns[2] == "Cơ quan chủ trì"
    assert all(len(r.cells or []) == 6 for r in rows)


_PLAN_WITH_CLOSING = """ỦY BAN NHÂN DÂN
TỈNH ĐỒNG THÁP

Số: 597/KH-UBND

Đồng Tháp, ngày 10 tháng 11 năm 2025

KẾ HOẠCH
Chuyển đổi số trong hoạt động xây dựng

I. TỔ CHỨC THỰC HIỆN

1. Sở Xây dựng

a) Chủ trì tổng hợp, theo dõi việc thực hiện Kế hoạch.

b) Đề xuất sáng kiến, giải pháp công nghệ phù hợp thực tiễn, tham gia cung cấp dữ liệu.

Trên đây là Kế hoạch Chuyển đổi số trong hoạt động xây dựng. Đề nghị các cơ quan, đơn vị nghiêm túc triển khai thực hiện. Định kỳ hằng năm (trước ngày 30 tháng 11) báo cáo kết quả thực hiện về Sở Xây dựng./.

Nơi nhận:
- Như trên;
- Lưu: VT.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
"""


def test_the_closing_paragraph_belongs_to_the_plan_not_to_its_last_item(tmp_path: Path) -> None:
    from nlp.analyze import analyze

    source = tmp_path / "ke-hoach.txt"
    source.write_text(_PLAN_WITH_CLOSING, encoding="utf-8")
    document = analyze(parse_file(source))
    closing = next(s for s in document.segments if s.text.startswith("Trên đây là"))
    assert closing.parent_path is None
    assert {(a.role, a.mention) for a in closing.assignments} >= {("request", "các cơ quan, đơn vị")}
    # The last item keeps its own text and its own body.
    last = next(s for s in document.segments if s.text.startswith("b) Đề xuất"))
    assert "Trên đây" not in last.text
    assert {(a.role, a.agency) for a in last.assignments} == {("implement", "so-xay-dung")}


_PLAN_WITH_DUTY_LINES = """ỦY BAN NHÂN DÂN
TỈNH ĐỒNG THÁP

Số: 598/KH-UBND

Đồng Tháp, ngày 12 tháng 11 năm 2025

KẾ HOẠCH
Phòng, chống dịch bệnh mùa mưa

Để chủ động phòng, chống dịch bệnh trong mùa mưa năm 2025, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:

I. NHIỆM VỤ, GIẢI PHÁP

1. Tăng cường giám sát dịch bệnh tại các xã, phường trên địa bàn tỉnh.

Sở Y tế kiểm tra, giám sát việc thực hiện.

2. Bố trí kinh phí phòng, chống dịch từ ngân sách tỉnh.

Sở Tài chính chịu trách nhiệm bố trí kinh phí thực hiện.

3. Bố trí kinh phí dự phòng cho các xã, phường.

Sở Tài chính có trách nhiệm bố trí kinh phí thực hiện.
"""


def _marked_role_verbs() -> list[str]:
    return [verb for role in ROLES if role.marks_assignment_line for verb in role.verbs]


def test_the_lines_that_assign_come_from_the_roles_of_the_one_vocabulary() -> None:
    assert set(ASSIGNMENT_VERBS) == {*_marked_role_verbs(), ASSIGNING_WORD}
    role_verbs = {verb for verb, _ in ROLE_VERBS}
    # A duty opener ("chịu trách nhiệm") is no role verb for the extractor, so no assignment verb either.
    assert not set(ASSIGNMENT_VERBS) & (set(DUTY_OPENERS) - role_verbs)


@pytest.mark.parametrize("verb", _marked_role_verbs())
def test_every_verb_of_a_role_that_marks_lines_makes_an_assignment_line(verb: str) -> None:
    line = f"Sở Y tế {verb} các địa phương trong việc thực hiện nội dung này."
    assert looks_like_assignment(Block(line, italic=True))
    assert looks_like_assignment(Block(line, marker="*"))


@pytest.mark.parametrize("opener", ["chịu trách nhiệm", "có trách nhiệm"])
def test_a_duty_opener_alone_makes_no_assignment_line(opener: str) -> None:
    assert not looks_like_assignment(Block(f"Sở Tài chính {opener} bố trí kinh phí thực hiện.", italic=True))


def test_the_segmenter_and_the_extractor_agree_on_duty_lines(tmp_path: Path) -> None:
    from nlp.analyze import analyze

    source = tmp_path / "ke-hoach.txt"
    source.write_text(_PLAN_WITH_DUTY_LINES, encoding="utf-8")
    document = analyze(parse_file(source))
    paths = {s.path: s for s in document.segments}
    # "kiểm tra, giám sát" are monitoring verbs: the line says who does the task above it.
    monitor = paths["I.1.1"]
    assert monitor.kind == "assignment"
    assert monitor.governs == [paths["I.1"].id]
    assert {(a.role, a.agency) for a in monitor.assignments} == {("monitor", "so-y-te")}
    # "chịu trách nhiệm" opens a duty as "có trách nhiệm" does: the line is its section's kind, not a line
    # that speaks for the tasks before it, and its subject implements what follows in both.
    answerable, responsible = paths["I.2.1"], paths["I.3.1"]
    assert answerable.kind == responsible.kind == "task"
    for line in (answerable, responsible):
        assert {(a.role, a.agency) for a in line.assignments} == {("implement", "so-tai-chinh")}
