"""Assignments on the seed (exact), the genre documents and the real documents (F1 against gold)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from inputs import GENRE, REALDOCS, SEED, realdocs_absent
from inputs import GOLD as GOLD_ROOT

from ingest.model import Assignment, Document
from ingest.pipeline import parse_file
from nlp.agencies import AgencyRegistry
from nlp.assignments import assignments_in_text, extract_assignments

GOLD = GOLD_ROOT / "assignments"


def _analyzed(path: Path) -> Document:
    document = parse_file(str(path))
    extract_assignments(document, AgencyRegistry.default())
    return document


def _facts(document: Document, paths: set[str] | None = None) -> set[tuple[str, str, str]]:
    return {
        (s.path, a.role, a.agency)
        for s in document.segments
        for a in s.assignments
        if paths is None or s.path in paths
    }


def _by_segment(document: Document) -> dict[str, list[Assignment]]:
    return {s.path: s.assignments for s in document.segments}


def test_seed_assignment_lines_exactly() -> None:
    items = _by_segment(_analyzed(SEED))
    line = {(a.role, a.agency) for a in items["III.1.2"]}
    six = {"ban-can-su-dang:all", "dang-doan:all", "huyen-uy:all", "thanh-uy:all"}
    six |= {"dang-uy-truc-thuoc-tinh-uy:all", "btv-tinh-doan"}
    assert line == {
        ("lead", "ban-tuyen-giao-tinh-uy"),
        ("guide", "ban-tuyen-giao-tinh-uy"),
        ("coordinate", "bcs-dang-ubnd-tinh"),
    } | {("direct", a) for a in six}
    assert all(a.frequency == "thường xuyên" for a in items["III.1.2"] if a.role == "direct")
    assert {(a.role, a.agency) for a in items["III.2.5"]} == {
        ("direct", a) for a in ("bcs-dang-ubnd-tinh", "dang-doan-hdnd-tinh", "huyen-uy:all", "thanh-uy:all")
    }
    assert {(a.role, a.agency) for a in items["IV.2"]} == {
        ("lead", "bcs-dang-ubnd-tinh"),
        ("coordinate", "co-quan-lien-quan:all"),
        ("monitor", "bcs-dang-ubnd-tinh"),
        ("report", "bcs-dang-ubnd-tinh"),
        ("advise", "bcs-dang-ubnd-tinh"),
    }
    # Ban Thường vụ Tỉnh ủy is helped, not assigned; task text that merely mentions bodies assigns nothing.
    assert all(a.agency != "btv-tinh-uy" for a in items["IV.2"])
    assert items["III.4.1"] == []
    # A task that opens with its subject is that subject's duty: "Các cấp ủy, tổ chức đảng tăng cường
    # lãnh đạo, chỉ đạo ... Thường xuyên theo dõi, đôn đốc, kiểm tra ...".
    assert {(a.role, a.agency) for a in items["III.2.1"]} == {
        ("direct", "cap-uy-to-chuc-dang:all"),
        ("monitor", "cap-uy-to-chuc-dang:all"),
    }


def test_table_row_columns_give_roles_and_deadline() -> None:
    document = _analyzed(GENRE / "chuong-trinh-60-ctr-tu.md")
    row = _by_segment(document)["Phụ lục.Bảng 1.5"]
    assert {(a.role, a.agency) for a in row} == {
        ("lead", "ban-quan-ly-kkt-tinh"),
        ("coordinate", "so-khdt"),
        ("coordinate", "ubnd-huyen-ngoc-hoi"),
    }
    assert {a.deadline for a in row} == {"Quý IV/2023"}


def test_unknown_agency_is_kept_as_found() -> None:
    text = "Sở Kinh tế Biển chủ trì, phối hợp với Ban cán sự đảng Ủy ban nhân dân tỉnh hướng dẫn."
    items = assignments_in_text(text, AgencyRegistry.default())
    unknown = [a for a in items if not a.known]
    # Kept by its normalised name; the mention stays as written.
    assert {(a.role, a.agency) for a in unknown} == {
        ("lead", "sở kinh tế biển"),
        ("guide", "sở kinh tế biển"),
    }
    assert {a.mention for a in unknown} == {"Sở Kinh tế Biển"}
    assert ("coordinate", "bcs-dang-ubnd-tinh") in {(a.role, a.agency) for a in items}


@pytest.mark.parametrize(
    "text", ["", "   ", "@@@ ;;; ,,, ...", "\x00\ufeff", "chủ trì " * 30_000, "Ban " * 60_000]
)
def test_garbage_empty_and_huge_lines_give_nothing_fast(text: str) -> None:
    started = time.perf_counter()
    assert assignments_in_text(text, AgencyRegistry.default()) == []
    assert time.perf_counter() - started < 1.0


def _roles(text: str) -> set[tuple[str, str]]:
    return {(a.role, a.agency) for a in assignments_in_text(text, AgencyRegistry.default())}


def test_nouns_in_a_list_after_a_determiner_are_not_verbs() -> None:
    # "các quy định, hướng dẫn": guidelines (a noun), not "and guide".
    text = "Giao Bộ Chính trị chỉ đạo, hoàn thiện, ban hành các quy định, hướng dẫn có liên quan."
    assert _roles(text) == {("direct", "bo-chinh-tri")}
    # "chương trình kiểm tra, giám sát": the second verb is a noun of the same object.
    text = "Ủy ban Kiểm tra Tỉnh ủy chủ trì đưa nội dung vào chương trình kiểm tra, giám sát hằng năm."
    assert _roles(text) == {("lead", "uy-ban-kiem-tra-tinh-uy")}


def test_a_verb_inside_an_object_is_not_a_role_and_an_adverb_opens_a_new_verb_phrase() -> None:
    text = "Bộ Tài chính chủ trì, phối hợp với các bộ, ngành, địa phương bảo đảm nguồn kinh phí thực hiện."
    assert _roles(text) == {("lead", "bo-tai-chinh"), ("coordinate", "bo-nganh-dia-phuong:all")}
    text = (
        "Bộ Tư pháp chủ trì, phối hợp với các bộ, ngành theo dõi việc triển khai thực hiện Chương trình, "
        "kịp thời báo cáo Chính phủ; "
        "bám sát chương trình làm việc của Quốc hội để thực hiện việc báo cáo."
    )
    assert _roles(text) == {
        ("lead", "bo-tu-phap"),
        ("coordinate", "bo-nganh:all"),
        ("monitor", "bo-tu-phap"),
        ("report", "bo-tu-phap"),
    }


def test_directed_bodies_act_in_their_clause_and_the_next_clause_returns_to_the_subject() -> None:
    text = (
        "Giao Bộ Chính trị chỉ đạo Đảng uỷ Quốc hội tổ chức triển khai thực hiện; "
        "lãnh đạo, chỉ đạo công tác chuẩn bị bầu cử."
    )
    assert _roles(text) == {("direct", "bo-chinh-tri"), ("implement", "dang-uy-quoc-hoi")}


def test_frequency_of_the_verb_phrase_not_of_a_noun() -> None:
    registry = AgencyRegistry.default()
    line = "Sở Tài chính chủ trì bố trí kinh phí chi thường xuyên."
    assert {a.frequency for a in assignments_in_text(line, registry)} == {None}
    line = "Sở Tài chính chủ trì đưa dự án vào kế hoạch đầu tư công trung hạn và hằng năm."
    assert {a.frequency for a in assignments_in_text(line, registry)} == {None}
    line = "Sở Tài chính chủ trì thực hiện; định kỳ 6 tháng báo cáo Ủy ban nhân dân tỉnh."
    assert {a.frequency for a in assignments_in_text(line, registry) if a.role == "report"} == {
        "định kỳ 6 tháng"
    }


def test_a_bare_head_word_in_a_cut_cell_is_no_agency() -> None:
    document = _analyzed(REALDOCS / "nq03-cp.md") if REALDOCS.is_dir() else None
    if document is None:
        pytest.skip(realdocs_absent(REALDOCS / "nq03-cp.md"))
    row = next(s for s in document.segments if s.kind == "table_row" and s.cells[0].strip() == "3.")
    assert {(a.role, a.agency) for a in row.assignments} == {
        ("lead", "bo-nganh-dia-phuong:all"),
        ("coordinate", "bo-tttt"),
        ("coordinate", "bo-khcn"),
    }


# A procedure table (quy trình giải quyết thủ tục hành chính) as a portal copies it: one cell per
# line between lone "|" lines, and the title row of the steps lost in the copy.
_PROCEDURE_COPY = """**QUYẾT ĐỊNH**

*Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;*

*Căn cứ Nghị định số 118/2025/NĐ-CP ngày 09 tháng 6 năm 2025 của Chính phủ;*

*Theo đề nghị của Chánh Văn phòng.*

**QUYẾT ĐỊNH:**

**Điều 1.** Ban hành kèm theo Quyết định này quy trình nội bộ giải quyết thủ tục hành chính.

**PHỤ LỤC**

**Quy trình xử lý công việc**

|
**1**
|
**Cơ sở pháp lý**
|
|
|
- Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022.
|
|
**1**
|
Tiếp nhận hồ sơ, kiểm tra thành phần hồ sơ và chuyển cho lãnh đạo phòng
|
Công chức tiếp nhận hồ sơ tại bộ phận Một cửa
|
01 ngày
|
BM.01
|
|
**2**
|
Duyệt hồ sơ, chuyển cho công chức được giao xử lý hồ sơ
|
Lãnh đạo Sở Nội vụ
|
0,5 ngày
|
|
|
**3**
|
Thẩm định hồ sơ, dự thảo tờ trình gửi Hội đồng
|
- Văn phòng Sở
- Công chức thụ lý hồ sơ
|
10 ngày
|
BM.02
|
|
**4**
|
Biên bản họp của Hội đồng cơ sở (Mẫu số 03)
|
X
|
|
|
"""


def test_a_procedure_table_that_lost_its_titles_reads_who_and_how_long(tmp_path: Path) -> None:
    source = tmp_path / "quy-trinh.md"
    source.write_text(_PROCEDURE_COPY, encoding="utf-8")
    rows = [s for s in _analyzed(source).segments if s.kind == "table_row"]
    by_step = {s.cells[0]: s.assignments for s in rows if s.cells}
    assert {"1", "2", "3", "4"} <= set(by_step)
    step_one = by_step["1"]
    assert [(a.role, a.mention, a.deadline) for a in step_one] == [
        ("lead", "Công chức tiếp nhận hồ sơ tại bộ phận Một cửa", "01 ngày")
    ]
    # "Lãnh đạo Sở Nội vụ": the department, as "Giám đốc Sở Nội vụ" would be.
    assert [(a.role, a.agency, a.deadline) for a in by_step["2"]] == [("lead", "so-noi-vu", "0,5 ngày")]
    # A bulleted cell names one body per bullet.
    assert sorted(a.mention for a in by_step["3"]) == ["Công chức thụ lý hồ sơ", "Văn phòng Sở"]
    assert {a.role for a in by_step["3"]} == {"lead"}
    # A row of documents with a tick has no time and names no one.
    assert by_step["4"] == []


def test_a_time_column_and_a_responsibility_column_are_told_apart_by_their_titles() -> None:
    from ingest.model import Segment
    from nlp.assignments import assignments_in_row

    def row(columns: list[str], cells: list[str]) -> list[tuple[str, str, str | None]]:
        segment = Segment("d:1", "d", "1", "table_row", " | ".join(cells), 0, 0, cells=cells, columns=columns)
        return [
            (a.role, a.mention, a.deadline) for a in assignments_in_row(segment, AgencyRegistry.default())
        ]

    steps = ["TT", "Trình tự", "Trách nhiệm", "Thời gian thực hiện", "Địa điểm thực hiện"]
    cells = [
        "B2",
        "Phân công xử lý hồ sơ cho chuyên viên",
        "Lãnh đạo Phòng Quản lý công nghệ",
        "0,5 ngày",
        "Tầng 3",
    ]
    # "Thời gian thực hiện" is when, "Địa điểm thực hiện" is where: neither names a body.
    assert row(steps, cells) == [("lead", "Lãnh đạo Phòng Quản lý công nghệ", "0,5 ngày")]
    # A group row (its title spread over the row) is not a body of the responsibility column.
    assert row(steps, ["I", "Tại Sở Nội vụ", "Tại Sở Nội vụ", "", ""]) == []
    # Notes in a bodies' column are not bodies.
    assert row(steps, ["B3", "Trả kết quả cho tổ chức, cá nhân", "Theo quy định", "01 ngày", ""]) == []
    # Without a bullet opening the cell, a hyphen is part of a name.
    cells = ["B4", "Thẩm định hồ sơ đề nghị công nhận", "Sở Lao động - Thương binh và Xã hội", "05 ngày", ""]
    assert row(steps, cells) == [("lead", "Sở Lao động - Thương binh và Xã hội", "05 ngày")]


_DECISION_WITH_TIMES = """ỦY BAN NHÂN DÂN
TỈNH NINH BÌNH

Số: 1498/QĐ-UBND

Ninh Bình, ngày 22 tháng 11 năm 2025

QUYẾT ĐỊNH

Về việc công bố danh mục thủ tục hành chính

Điều 1. Công bố kèm theo Quyết định này danh mục thủ tục hành chính.

Điều 2. Giao các cơ quan, đơn vị:

1. Sở Tài chính chủ trì, phối hợp với Văn phòng UBND tỉnh xây dựng quy trình nội bộ, quy trình điện tử trong giải quyết thủ tục hành chính.

Thời hạn chậm nhất 05 ngày làm việc kể từ ngày ban hành Quyết định.

2. Sở Xây dựng tổ chức số hóa hồ sơ; cập nhật dữ liệu thường xuyên.

3. Sở Nội vụ tổng hợp kết quả, hoàn chỉnh dự thảo trước ngày 01/6/2026 và trình ban hành trước ngày 25/6/2026.
"""


def test_times_of_a_decision_read_as_dates_and_rhythms(tmp_path: Path) -> None:
    source = tmp_path / "quyet-dinh.txt"
    source.write_text(_DECISION_WITH_TIMES, encoding="utf-8")
    items = {(a.agency, a.role): a for s in _analyzed(source).segments for a in s.assignments}
    # A time line without its colon closes the task before it; counted from the decision's date
    # (Saturday 22/11/2025), five working days end on Friday 28/11.
    lead = items[("so-tai-chinh", "lead")]
    assert (lead.deadline, lead.deadline_end) == (
        "chậm nhất 05 ngày làm việc kể từ ngày ban hành Quyết định",
        "2025-11-28",
    )
    assert items[("van-phong-ubnd-tinh", "coordinate")].deadline_end == "2025-11-28"
    # The one rhythm a line states is its work's, wherever the verb that carries it.
    assert items[("so-xay-dung", "implement")].recurrence == "continuous"
    # Several times on a line: the work is due at the last.
    assert items[("so-noi-vu", "implement")].deadline_end == "2026-06-25"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A semicolon list whose names hold commas (KL 127-KL/TW's form).
        (
            "Giao Ban Tổ chức Trung ương; các Đảng uỷ: Chính phủ; Quốc hội; Mặt trận Tổ quốc, các đoàn thể "
            "Trung ương; Bộ Nội vụ và các cấp uỷ, tổ chức đảng căn cứ Kết luận này để tổ chức thực hiện.",
            {
                "ban-to-chuc-tw",
                "dang-uy-chinh-phu",
                "dang-uy-quoc-hoi",
                "dang-uy-mttq-tw",
                "đảng ủy bộ nội vụ",
            },
        ),
        # A comma list that a semicolon closes, before the next person charged.
        (
            "Chánh Văn phòng Ủy ban nhân dân tỉnh; Giám đốc các Sở: Tư pháp, Nội vụ; Chủ tịch Ủy ban nhân dân các "
            "xã, phường chịu trách nhiệm thi hành Quyết định này.",
            {"van-phong-ubnd-tinh", "so-tu-phap", "so-noi-vu", "ubnd-xa:all"},
        ),
        # A name with a comma of its own stays whole.
        (
            "Các Bộ: Giáo dục và Đào tạo, Văn hóa, Thể thao và Du lịch chủ động phối hợp với địa phương.",
            {"bo-gddt", "bo-vhttdl"},
        ),
    ],
)
def test_a_kind_written_once_before_its_names_is_each_names(text: str, expected: set[str]) -> None:
    found = {a.agency for a in assignments_in_text(text, AgencyRegistry.default()) if a.role != "coordinate"}
    assert expected <= found
    assert not any(
        agency.startswith(("sở chủ tịch", "bộ văn hóa")) and agency != "bo-vhttdl" for agency in found
    )


def test_what_the_work_rests_on_comes_before_its_subject() -> None:
    text = (
        "Căn cứ nội dung Kế hoạch này và tình hình thực tiễn, các bộ, cơ quan ngang bộ, cơ quan thuộc Chính "
        "phủ và Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương xây dựng kế hoạch chi tiết triển khai "
        "thi hành Luật trong phạm vi quản lý."
    )
    assert {("implement", "bo-nganh:all"), ("implement", "ubnd-tinh-thanh:all")} <= _roles(text)
    # Without a body after the framing, nothing is assigned.
    assert _roles("Căn cứ kết quả rà soát, tổng hợp danh mục dữ liệu dùng chung.") == set()


def test_verbs_that_name_a_kind_of_document_give_no_role() -> None:
    # "các văn bản hướng dẫn, chỉ đạo": guidance and directive documents, built by the subject.
    text = "Sở Tư pháp xây dựng các văn bản hướng dẫn, chỉ đạo và kế hoạch tổ chức triển khai thực hiện."
    assert _roles(text) == {("implement", "so-tu-phap")}


def test_working_together_with_no_partner_named_is_the_subjects_own_duty() -> None:
    text = "Các sở, ngành tích cực phối hợp, tạo điều kiện thuận lợi cho doanh nghiệp viễn thông."
    assert _roles(text) == {("implement", "so-nganh:all")}
    # With a partner named, the partner coordinates and the subject does the work.
    roles = _roles("Sở Tài chính phối hợp với Sở Nội vụ hướng dẫn các xã lập dự toán kinh phí.")
    assert roles == {("coordinate", "so-noi-vu"), ("guide", "so-tai-chinh")}


def test_partner_names_end_where_the_genre_ends_them() -> None:
    # "liên quan" closes a collective's name; the verb after it is the work, not the name.
    roles = _roles("Phối hợp với Sở Công Thương và các đơn vị liên quan thẩm định, tham mưu bố trí kinh phí.")
    assert ("coordinate", "các đơn vị liên quan") in roles
    # Institutions keep their nouns ("viện nghiên cứu") and their member kinds ("trường đại học, cao đẳng").
    roles = _roles(
        "Sở Giáo dục và Đào tạo phối hợp với các viện nghiên cứu, trường đại học, cao đẳng hướng dẫn."
    )
    assert ("coordinate", "các viện nghiên cứu, trường đại học, cao đẳng") in roles
    # "trong quá trình ..." says when, not who.
    roles = _roles(
        "Sở Công Thương phối hợp với các doanh nghiệp viễn thông trong quá trình khảo sát, lắp đặt."
    )
    assert ("coordinate", "các doanh nghiệp viễn thông") in roles


def test_an_agency_heading_names_its_bodies_without_their_parentheses() -> None:
    from nlp.assignments import agency_heading

    heading = agency_heading(
        "13. Đề nghị các doanh nghiệp viễn thông (VNPT, Viettel, MobiFone và doanh nghiệp khác):",
        AgencyRegistry.default(),
    )
    assert heading is not None and heading.request
    assert [mention for _, mention in heading.bodies] == ["các doanh nghiệp viễn thông"]


def test_a_case_is_not_a_school() -> None:
    # "Trường hợp ..." (in case ...) opens a condition, not a body whose head is "Trường" (school).
    assert (
        _roles("Trường hợp đơn vị cung cấp dịch vụ thực hiện kiểm tra hằng năm thì báo cáo Sở Xây dựng.")
        == set()
    )
    assert _roles("Trường Chính trị tỉnh chủ trì tổ chức bồi dưỡng.") == {("lead", "trường chính trị tỉnh")}


def test_a_body_that_receives_is_given_no_work() -> None:
    # "được <verb>" after a subject is a passive: the body is allowed, rewarded or funded, not charged.
    assert _roles("Trung tâm Y tế khu vực (thành lập năm 2025) được áp dụng định mức biên chế mới.") == set()
    assert _roles("Các hợp tác xã được hỗ trợ kinh phí đào tạo theo quy định.") == set()
    assert _roles("Doanh nghiệp có sáng kiến được khen thưởng; Sở Nội vụ tổng hợp danh sách.") == {
        ("implement", "so-noi-vu")
    }
    # "được (X) giao", "được phân công" give the body work, whoever gives it.
    assert _roles("Sở Nội vụ được Ủy ban nhân dân tỉnh giao chủ trì, tổ chức thực hiện Kế hoạch này.") == {
        ("lead", "so-noi-vu")
    }
    # "được giao", "được phân công" name a body by the work given to it.
    roles = _roles("Các đơn vị được giao chủ trì có trách nhiệm hoàn thành nhiệm vụ đúng tiến độ.")
    assert roles == {("implement", "các đơn vị được giao chủ trì")}


def test_a_body_named_by_the_work_this_document_gives_it_may_be_long() -> None:
    text = (
        "Các cơ quan được phân công chủ trì thực hiện nhiệm vụ theo Kế hoạch này có trách nhiệm "
        "lập dự toán kinh phí."
    )
    mentions = {a.mention for a in assignments_in_text(text, AgencyRegistry.default())}
    assert mentions == {"Các cơ quan được phân công chủ trì thực hiện nhiệm vụ theo Kế hoạch này"}


def test_and_before_a_list_of_its_own_opens_another_group() -> None:
    roles = _roles(
        "Sở Giáo dục và Đào tạo, Ủy ban nhân dân các xã, phường và cơ quan, tổ chức, cá nhân có liên quan "
        "chịu trách nhiệm thi hành Quyết định này."
    )
    assert roles == {
        ("implement", "so-gddt"),
        ("implement", "ubnd-xa:all"),
        ("implement", "cơ quan, tổ chức, cá nhân có liên quan"),
    }
    # A last member joined by "và" stays in its group.
    assert _roles("Các cơ quan, đơn vị và cá nhân có liên quan triển khai thực hiện.") == {
        ("implement", "các cơ quan, đơn vị và cá nhân có liên quan")
    }


def test_items_that_open_by_directing_give_the_lead_ins_bodies_that_role(tmp_path: Path) -> None:
    source = tmp_path / "ket-luan.txt"
    source.write_text(
        "KẾT LUẬN\n\n2. Yêu cầu các cấp ủy, tổ chức đảng:\n\n"
        "2.1. Tập trung lãnh đạo, chỉ đạo việc chuẩn bị đại hội đảng bộ các cấp.\n\n"
        "2.2. Thực hiện nghiêm các quy định về bảo vệ bí mật nhà nước; phục vụ công tác chỉ đạo, điều hành.\n\n"
        "3. Giao Đảng ủy Chính phủ lãnh đạo, chỉ đạo:\n\n"
        "3.1. Chỉ đạo hoàn thiện đề án sắp xếp đơn vị hành chính, hoàn thành trước ngày 31/12/2025.\n",
        encoding="utf-8",
    )
    by_text = {s.text[:4]: {(a.role, a.agency) for a in s.assignments} for s in _analyzed(source).segments}
    item = next(s for s in _analyzed(source).segments if s.text.startswith("3.1."))
    # Its own time goes on the role it inherits.
    assert {(a.role, a.agency, a.deadline_end) for a in item.assignments} == {
        ("direct", "dang-uy-chinh-phu", "2025-12-31")
    }
    assert ("direct", "cap-uy-to-chuc-dang:all") in by_text["2.1."]
    # "chỉ đạo, điều hành" further on is a noun of the object, not the item's opening.
    assert by_text["2.2."] == {("implement", "cap-uy-to-chuc-dang:all")}


def test_a_partner_named_by_its_lowercase_kind() -> None:
    roles = _roles(
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh phối hợp chính quyền địa phương, Mặt trận cơ sở và các "
        "đoàn thể giám sát việc phân bổ nguồn hỗ trợ."
    )
    assert {r for r in roles if r[0] == "coordinate"} == {
        ("coordinate", "chính quyền địa phương"),
        ("coordinate", "mặt trận cơ sở"),
        ("coordinate", "các đoàn thể"),
    }
    # A lowercase piece that runs on past six words has run into the work: no partner is made of it.
    roles = _roles("Sở Xây dựng phối hợp với cơ quan báo chí làm tốt công tác thông tin về tiến độ.")
    assert roles and not any("báo chí" in agency for _, agency in roles)


def test_a_collective_of_things_heads_no_items() -> None:
    from nlp.assignments import agency_heading

    registry = AgencyRegistry.default()
    assert agency_heading("5. Các nội dung khác", registry) is None
    assert agency_heading("Các chứng từ liên quan:", registry) is None
    heading = agency_heading("5. Các chủ đầu tư xây dựng và kinh doanh hạ tầng khu công nghiệp", registry)
    assert heading is not None


def test_a_rhythm_a_bodies_cell_states_times_its_bodies() -> None:
    from ingest.model import Segment
    from nlp.assignments import assignments_in_row

    row = Segment(
        id="r",
        document_id="d",
        path="Phụ lục.Bảng 1.2",
        kind="table_row",
        text="",
        start=0,
        end=0,
        cells=[
            "2",
            "Phát triển các bộ dữ liệu mở",
            "Sở Tài chính chủ trì; các xã thực hiện công bố hằng năm.",
        ],
        columns=["TT", "Chỉ tiêu", "Chủ trì"],
    )
    items = assignments_in_row(row, AgencyRegistry.default())
    assert items and {a.recurrence for a in items} == {"annual"}


def test_a_capitalised_plan_is_this_document_not_a_kind_of_plan() -> None:
    registry = AgencyRegistry.default()
    yearly = assignments_in_text(
        "Sở Nội vụ tổng hợp, đánh giá kết quả thực hiện Kế hoạch hằng năm.", registry
    )
    assert {a.recurrence for a in yearly} == {"annual"}
    plan = assignments_in_text("Sở Nội vụ bố trí kinh phí theo kế hoạch hằng năm.", registry)
    assert plan and {a.recurrence for a in plan} == {None}
