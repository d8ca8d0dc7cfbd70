"""The Markdown reader on the real converted directives and on synthetic tables of each kind."""

from __future__ import annotations

import hashlib
import html
import random
import re
from collections import Counter
from pathlib import Path

import pytest
from inputs import REALDOC_FILES, REALDOCS, realdocs_absent

from ingest.model import Block, ReadError
from ingest.readers import read_bytes
from ingest.readers.markdown import markdown_to_blocks, read_markdown

_WORD = re.compile(r"[^\W_]+")


@pytest.fixture(scope="module")
def realdocs() -> Path:
    if not REALDOCS.is_dir():
        pytest.skip(realdocs_absent(REALDOCS))
    return REALDOCS


def _read(folder: Path, name: str) -> list[Block]:
    data = (folder / name).read_bytes()
    raw = read_markdown(data, str(folder / name), hashlib.sha256(data).hexdigest())
    assert raw.source_format == "md"
    assert raw.encoding == "utf-8"
    return raw.blocks


def _texts(blocks: list[Block]) -> list[str]:
    return [block.text for block in blocks]


def _index(blocks: list[Block], prefix: str) -> int:
    return next(i for i, block in enumerate(blocks) if block.text.startswith(prefix))


# ---------------------------------------------------------------------------
# Real documents
# ---------------------------------------------------------------------------


def test_nq60_header_comes_from_the_multiline_table(realdocs: Path) -> None:
    blocks = _read(realdocs, "nq60-tw.md")
    header = [block.text for block in blocks if block.in_header]
    assert header in (
        [
            "BAN CHẤP HÀNH TRUNG ƯƠNG",
            "*",
            "Số 60-NQ/TW",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Hà Nội, ngày 12 tháng 4 năm 2025",
        ],
        [
            "BAN CHẤP HÀNH TRUNG ƯƠNG",
            "***",
            "Số 60-NQ/TW",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Hà Nội, ngày 12 tháng 4 năm 2025",
        ],
    )
    assert all(block.in_header for block in blocks[:5])
    assert blocks[5].text == "NGHỊ QUYẾT" and blocks[5].bold and not blocks[5].in_header


def test_nq60_body_paragraphs(realdocs: Path) -> None:
    blocks = _read(realdocs, "nq60-tw.md")
    decision = blocks[_index(blocks, "QUYẾT NGHỊ")]
    assert decision.text == "QUYẾT NGHỊ" and decision.bold
    opening = blocks[_index(blocks, "Hội nghị lần thứ 11")]
    assert opening.text.endswith("căn cứ kết quả biểu quyết của Ban Chấp hành Trung ương Đảng,")
    assert "họp từ ngày 10/4 đến ngày 12/4/2025" in opening.text  # wrapped lines joined with a space
    first = blocks[_index(blocks, "1. Thông qua")]
    assert not first.bold  # `**1. **Thông qua`: only the label is bold
    reports = [b for b in blocks if b.text.startswith("Báo cáo") and b.marker == "-"]
    assert len(reports) == 4
    assert "kinh tế - xã hội 10 năm 2021 - 2030" in reports[3].text
    annex = blocks[_index(blocks, "(Kèm theo Nghị quyết số 60-NQ/TW")]
    assert annex.italic
    assert "1. Thành phố Hà Nội." in _texts(blocks)  # `1\.` unescaped, the number kept
    assert (
        "sử dụng con dấu... tránh xáo trộn"
        in blocks[_index(blocks, "Giao Bộ Chính trị chỉ đạo Đảng ủy Quốc")].text
    )


def test_nq60_closing_layout_table_becomes_lines(realdocs: Path) -> None:
    blocks = _read(realdocs, "nq60-tw.md")
    start = _index(blocks, "Nơi nhận:")
    assert blocks[start].text == "Nơi nhận:" and blocks[start].bold and blocks[start].italic
    assert blocks[start + 1].marker == "-"
    assert blocks[start + 1].text == "Các ban đảng, đảng ủy trực thuộc Trung ương,"
    assert _texts(blocks[start + 5 : start + 8]) == ["T/M BAN CHẤP HÀNH TRUNG ƯƠNG", "TỔNG BÍ THƯ", "Tô Lâm"]


def test_nq03_header_lines_before_the_title(realdocs: Path) -> None:
    blocks = _read(realdocs, "nq03-cp.md")
    header = [block.text for block in blocks if block.in_header]
    assert header == [
        "CHÍNH PHỦ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 03/NQ-CP",
        "Hà Nội, ngày 09 tháng 01 năm 2025",
    ]
    title = blocks[_index(blocks, "NGHỊ QUYẾT")]
    assert title.bold and not title.in_header
    signature = _index(blocks, "TM. CHÍNH PHỦ")
    assert _texts(blocks[signature : signature + 5]) == [
        "TM. CHÍNH PHỦ",
        "KT. THỦ TƯỚNG",
        "PHÓ THỦ TƯỚNG",
        "[đã ký]",
        "Nguyễn Hòa Bình",
    ]


def test_nq03_list_items_and_tables(realdocs: Path) -> None:
    blocks = _read(realdocs, "nq03-cp.md")
    start = _index(blocks, "đ) Sửa đổi Luật Khoa học")
    items = blocks[start + 1 : start + 4]
    assert [b.marker for b in items] == ["-", "-", "-"]
    assert items[0].text.startswith("Tháo gỡ các khó khăn")
    assert blocks[start + 4].text.startswith("e) ")
    recipients = blocks[_index(blocks, "VPCP: BTCN")]
    assert recipients.text == "VPCP: BTCN, các PCN, Trợ lý TTg, các Vụ, Cục, đơn vị trực thuộc, Công báo;"
    assert blocks[_index(blocks, "Nơi nhận:")].italic
    rows = [b for b in blocks if b.is_table_row]
    assert {b.table for b in rows} == {1, 2}
    first = [b for b in rows if b.table == 1]
    assert first[0].header_row and (first[0].cells or [])[:3] == ["TT", "Chỉ tiêu", "Đơn vị"]
    assert (first[1].cells or [])[:2] == ["I", "Đến năm 2030"] and first[1].bold
    assert sum(b.header_row for b in rows) == 2
    assert any(b.cells and b.cells[0] == "140." for b in rows)


def test_kh252_header_table_and_run_on_headings(realdocs: Path) -> None:
    blocks = _read(realdocs, "kh252-bcdqg1237.md")
    header = [block.text for block in blocks if block.in_header]
    assert header == [
        "BAN CHỈ ĐẠO QUỐC GIA VỀ TÌM KIẾM, QUY TẬP HÀI CỐT LIỆT SĨ",
        "Số: 252/KH-BCĐQG1237",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hà Nội, ngày 11 tháng 11 năm 2013",
    ]
    assert not any(block.is_table_row for block in blocks[:10])
    texts = _texts(blocks)
    # "A." and "C." follow a sentence on the next line without a blank line: still their own blocks.
    assert "A. MỤC ĐÍCH, YÊU CẦU" in texts
    assert "C. MỘT SỐ NỘI DUNG, GIẢI PHÁP TRỌNG TÂM TỪ NAY ĐẾN NĂM 2015" in texts
    assert texts[texts.index("A. MỤC ĐÍCH, YÊU CẦU") - 1].endswith("xây dựng kế hoạch thực hiện như sau:")
    recipients = _index(blocks, "Nơi nhận:")
    assert (
        blocks[recipients + 1].text == "Thủ tướng, các Phó Thủ tướng Chính phủ;"
        and blocks[recipients + 1].marker == "-"
    )


def test_nq57_has_no_header_and_unescaped_text(realdocs: Path) -> None:
    blocks = _read(realdocs, "nq57-tw.md")
    assert not any(block.in_header for block in blocks)
    assert blocks[0].text == "Nghị quyết số 57-NQ/TW" and blocks[0].bold
    goals = blocks[_index(blocks, "II- MỤC TIÊU")]
    assert goals.bold
    assert any("(R&D) đạt 2% GDP" in text for text in _texts(blocks))
    assert any("kỷ nguyên mới - kỷ nguyên vươn mình" in text for text in _texts(blocks))


@pytest.mark.parametrize("name", REALDOC_FILES)
def test_no_markup_left(realdocs: Path, name: str) -> None:
    for block in _read(realdocs, name):
        for text in [block.text, *(block.cells or [])]:
            assert "\\" not in text, text
            assert "**" not in text, text
            assert "&nbsp;" not in text and "\u00a0" not in text, text
        if not block.is_table_row:
            assert block.text == block.text.strip() and block.text, repr(block.text)
        else:
            assert block.text == " | ".join(block.cells or [])
            assert all(cell == cell.strip() for cell in block.cells or [])


def _source_words(source: str) -> tuple[list[str], list[str]]:
    """Words of the whole source, and words of the lines outside tables (whose order the reader keeps)."""
    lines = html.unescape(source).split("\n")
    outside: list[str] = []
    in_dash_table = False
    for line in lines:
        dash_line = re.fullmatch(r"\s*-{3,}(\s+-{2,})*\s*", line) is not None
        if dash_line and re.search(r"-\s+-", line):
            in_dash_table = not in_dash_table
            continue
        if in_dash_table or line.lstrip().startswith(("|", "+")):
            continue
        outside.extend(_WORD.findall(line))
    return _WORD.findall("\n".join(lines)), outside


@pytest.mark.parametrize("name", REALDOC_FILES)
def test_every_source_word_is_kept(realdocs: Path, name: str) -> None:
    source = (realdocs / name).read_text(encoding="utf-8")
    all_words, ordered_words = _source_words(source)
    blocks = _read(realdocs, name)
    block_words = [w for block in blocks for w in _WORD.findall(block.text)]
    missing = Counter(all_words) - Counter(block_words)
    assert not missing, missing.most_common(10)
    position = 0
    for word in ordered_words:  # a subsequence: no word lost or moved outside tables
        position = block_words.index(word, position) + 1


# ---------------------------------------------------------------------------
# Synthetic tables
# ---------------------------------------------------------------------------


def _rows(blocks: list[Block]) -> list[list[str]]:
    return [block.cells or [] for block in blocks if block.is_table_row]


def test_pipe_table() -> None:
    blocks = markdown_to_blocks(
        "Bảng phân công:\n\n"
        "| STT | Nhiệm vụ | Cơ quan chủ trì |\n"
        "|:---:|----------|-----------------|\n"
        "| 1 | Xây dựng **kế hoạch** | Sở Nội vụ \\| UBND |\n"
        "| 2 | `a|b` và R\\&D | |\n\n"
        "Đoạn sau bảng."
    )
    assert _rows(blocks) == [
        ["STT", "Nhiệm vụ", "Cơ quan chủ trì"],
        ["1", "Xây dựng kế hoạch", "Sở Nội vụ | UBND"],
        ["2", "a|b và R&D", ""],
    ]
    rows = [b for b in blocks if b.is_table_row]
    assert [b.header_row for b in rows] == [True, False, False]
    assert {b.table for b in rows} == {1}
    assert rows[1].text == "1 | Xây dựng kế hoạch | Sở Nội vụ | UBND"
    assert blocks[0].text == "Bảng phân công:" and blocks[-1].text == "Đoạn sau bảng."


def test_grid_table_with_multiline_cell() -> None:
    blocks = markdown_to_blocks(
        "+-----+--------------------+-----------+\n"
        "| TT  | Nhiệm vụ           | Thời gian |\n"
        "+=====+====================+===========+\n"
        "| 1.  | Rà soát, sửa đổi   | Quý I     |\n"
        "|     | quy định về thuế   | 2025      |\n"
        "+-----+--------------------+-----------+\n"
        "| 2.  | *Báo cáo* kết quả  | Hằng năm  |\n"
        "+-----+--------------------+-----------+\n"
    )
    assert _rows(blocks) == [
        ["TT", "Nhiệm vụ", "Thời gian"],
        ["1.", "Rà soát, sửa đổi quy định về thuế", "Quý I 2025"],
        ["2.", "Báo cáo kết quả", "Hằng năm"],
    ]
    assert [b.header_row for b in blocks] == [True, False, False]


def test_pandoc_simple_table() -> None:
    blocks = markdown_to_blocks(
        "Chỉ tiêu:\n\n"
        "  TT   Chỉ tiêu                Đơn vị\n"
        "  ---- ----------------------- --------\n"
        "  1    Quy mô kinh tế số       \\% GDP\n"
        "  2    Tỉ lệ dịch vụ công      %\n\n"
        "Hết."
    )
    assert _rows(blocks) == [
        ["TT", "Chỉ tiêu", "Đơn vị"],
        ["1", "Quy mô kinh tế số", "% GDP"],
        ["2", "Tỉ lệ dịch vụ công", "%"],
    ]
    assert [b.header_row for b in blocks if b.is_table_row] == [True, False, False]
    assert _texts(blocks)[0] == "Chỉ tiêu:" and _texts(blocks)[-1] == "Hết."


def test_pandoc_headerless_simple_table() -> None:
    blocks = markdown_to_blocks("Đoạn mở.\n\n------ --------\nA      Một\nB      Hai\n------ --------\n")
    assert _rows(blocks) == [["A", "Một"], ["B", "Hai"]]
    assert not any(b.header_row for b in blocks)


def test_pandoc_multiline_table() -> None:
    blocks = markdown_to_blocks(
        "Phụ lục.\n\n"
        "----------------------------------------------\n"
        "  TT   Nhiệm vụ              Cơ quan\n"
        "                             chủ trì\n"
        "------ --------------------- -----------------\n"
        "  1    Xây dựng đề án        Bộ Khoa học và\n"
        "       chuyển đổi số         Công nghệ\n"
        "\n"
        "  2    Đào tạo nhân lực      Bộ Giáo dục\n"
        "----------------------------------------------\n"
    )
    assert _rows(blocks) == [
        ["TT", "Nhiệm vụ", "Cơ quan chủ trì"],
        ["1", "Xây dựng đề án chuyển đổi số", "Bộ Khoa học và Công nghệ"],
        ["2", "Đào tạo nhân lực", "Bộ Giáo dục"],
    ]
    assert [b.header_row for b in blocks if b.is_table_row] == [True, False, False]


def test_second_table_is_numbered_two() -> None:
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    blocks = markdown_to_blocks(table + "\nGiữa.\n\n" + table)
    assert [b.table for b in blocks if b.is_table_row] == [1, 1, 2, 2]


# ---------------------------------------------------------------------------
# Inline Markdown and errors
# ---------------------------------------------------------------------------


def test_emphasis_escapes_and_breaks() -> None:
    blocks = markdown_to_blocks(
        "**KẾT LUẬN**\n\n"
        "*Ban Tuyên giáo chủ trì, phối hợp\nthực hiện.*\n\n"
        "Văn bản *số* 7\\. và \\*dấu sao\\* &amp; snake_case_name.\n\n"
        "TM. BAN THƯỜNG VỤ  \nBÍ THƯ\\\nNguyễn Văn A\n\n"
        "&nbsp;\n\n"
        "+ Mục cộng\n    - Mục lồng\n\n"
        "## Tiêu đề ##\n\n"
        "Xem [Nghị quyết 57](https://example.org/57) và ![ảnh](a.png)."
    )
    assert [(b.text, b.bold, b.italic, b.marker) for b in blocks] == [
        ("KẾT LUẬN", True, False, ""),
        ("Ban Tuyên giáo chủ trì, phối hợp thực hiện.", False, True, ""),
        ("Văn bản số 7. và *dấu sao* & snake_case_name.", False, False, ""),
        ("TM. BAN THƯỜNG VỤ", False, False, ""),
        ("BÍ THƯ", False, False, ""),
        ("Nguyễn Văn A", False, False, ""),
        ("Mục cộng", False, False, "+"),
        ("Mục lồng", False, False, "-"),
        ("Tiêu đề", True, False, ""),
        ("Xem Nghị quyết 57 và ảnh.", False, False, ""),
    ]


def test_read_bytes_dispatches_md_and_decodes() -> None:
    raw = read_bytes("# KẾ HOẠCH\n\nNội dung.\n".encode("utf-16"), "plan.md")
    assert raw.source_format == "md"
    assert _texts(raw.blocks) == ["KẾ HOẠCH", "Nội dung."]


def test_markup_only_file_is_a_read_error() -> None:
    with pytest.raises(ReadError, match="no text"):
        read_markdown(b"---\n\n&nbsp;\n\n***\n", "empty.md", "0" * 64)


def test_random_markdown_never_raises_anything_but_read_error() -> None:
    pieces = [
        "**",
        "*",
        "\\",
        "|",
        "---",
        "+--+",
        "| a |",
        "`",
        "[x](",
        "&amp;",
        "#",
        "- ",
        "\n",
        "\n\n",
        " ",
        "chữ",
        "1.",
        "===",
        "\\*",
    ]
    generator = random.Random(7)
    for _ in range(400):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 40)))
        try:
            blocks = read_markdown(text.encode("utf-8"), "fuzz.md", "0" * 64).blocks
        except ReadError:
            continue
        assert all(block.text for block in blocks)


def _unbroken_copy() -> str:
    """A portal copy with no blank lines, its procedure table as lone-"|" cells (Lạng Sơn's form)."""
    opening = [
        "**QUYẾT ĐỊNH**",
        "Về việc phê duyệt quy trình nội bộ giải quyết thủ tục hành chính",
        "**CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH**",
    ]
    reasons = [
        f"*Căn cứ văn bản số {n}/2025 về việc thực hiện thủ tục hành chính theo cơ chế một cửa;*"
        for n in range(1, 31)
    ]
    table = [
        "Tổng thời gian giải quyết: 15 ngày kể từ ngày nhận được hồ sơ hợp lệ",
        "|",
        "**Số TT**",
        "|",
        "**Trình tự**",
        "|",
        "**Trách nhiệm thực hiện**",
        "|",
        "**Thời gian** **thực hiện**",
        "|",
        "|",
        "B1",
        "|",
        "- Tiếp nhận hồ sơ đầy đủ, hợp lệ.",
        "- Chuyển hồ sơ cho lãnh đạo Phòng.",
        "|",
        "Công chức Bộ phận Một cửa",
        "|",
        "0,5 ngày",
        "|",
        "|",
        "B2",
        "|",
        "Phân công xử lý hồ sơ",
        "|",
        "Lãnh đạo Phòng Quản lý công nghệ",
        "|",
        "0,5 ngày",
        "|",
        "**Điều 2.** Quyết định này có hiệu lực kể từ ngày ký.",
    ]
    return "\n".join(opening + reasons + table) + "\n"


def test_a_title_row_of_an_unbroken_copy_keeps_all_its_cells(tmp_path: Path) -> None:
    source = tmp_path / "quy-trinh.md"
    source.write_text(_unbroken_copy(), encoding="utf-8")
    from ingest.pipeline import parse_file

    document = parse_file(source)
    rows = [s for s in document.segments if s.kind == "table_row"]
    assert [s.cells[:2] for s in rows] == [
        ["B1", "- Tiếp nhận hồ sơ đầy đủ, hợp lệ. - Chuyển hồ sơ cho lãnh đạo Phòng."],
        ["B2", "Phân công xử lý hồ sơ"],
    ]
    assert rows[0].columns == ["Số TT", "Trình tự", "Trách nhiệm thực hiện", "Thời gian thực hiện"]
    # The text after the table is not a cell of it.
    assert any(s.text.startswith("Điều 2.") for s in document.segments if s.kind != "table_row")


def test_a_number_that_a_wrapped_line_carries_over_is_not_an_ordered_item() -> None:
    # A portal copy hard-wrapped near 80 columns, paragraphs between blank lines. A line cut at the
    # width mid-sentence runs on: the "1." and "2025)" that open the next line are the sentence's own.
    filler = [
        f"{n}. Ủy ban nhân dân các xã, phường tổ chức rà soát, thống kê số hộ dân cần hỗ trợ khẩn cấp."
        for n in range(1, 31)
    ]
    wrapped = [
        "- Giai đoạn khẩn cấp: Tổ chức lực lượng, phương tiện tiếp cận ngay các vùng bị ngập",
        "sâu, chia cắt bằng ca nô, xuồng máy, phương tiện cơ động, ưu tiên địa bàn cấp độ",
        "1. Cấp ngay lương khô, nước uống cho Nhân dân theo quyết định từ ngày 01 tháng 3 năm",
        "2025) của cấp có thẩm quyền.",
    ]
    blocks = markdown_to_blocks("\n\n".join(filler) + "\n\n" + "\n".join(wrapped) + "\n")
    last = blocks[-1].text
    assert last.startswith("Giai đoạn khẩn cấp") and last.endswith("của cấp có thẩm quyền.")
    assert "cấp độ 1. Cấp ngay" in last and "năm 2025)" in last
    # In a copy written a paragraph to a line, a line's end says nothing: the number opens an item.
    long_lines = [
        f"{n}. " + "Ủy ban nhân dân các xã, phường rà soát số hộ dân cần hỗ trợ khẩn cấp. " * 3
        for n in range(30)
    ]
    blocks = markdown_to_blocks(
        "\n\n".join(long_lines)
        + "\n\n1. Sở Nội vụ chủ trì rà soát tổ chức bộ máy cấp tỉnh\n2. Sở Tài chính bố trí kinh phí.\n"
    )
    assert [b.text[:2] for b in blocks[-2:]] == ["1.", "2."]
    # A number after a finished sentence still opens an item.
    blocks = markdown_to_blocks("\n\n".join(filler) + "\n\nĐoạn văn kết thúc ở đây.\n1. Mục mới.\n")
    assert [b.text for b in blocks[-2:]] == ["Đoạn văn kết thúc ở đây.", "1. Mục mới."]


def test_bold_runs_cut_loose_by_a_copy_leave_no_stars() -> None:
    # A copy moved the closing "**" past the space: neither run can open or close, and neither marks
    # anything a reader sees; the label is the item's own again.
    blocks = markdown_to_blocks(
        "** 2.5.** Thực hiện nghiêm các quy định về bảo vệ bí mật nhà nước.\n\nChương III **\n\n"
        "Giá trị 2 * 3 bằng 6.\n"
    )
    assert [b.text for b in blocks] == [
        "2.5. Thực hiện nghiêm các quy định về bảo vệ bí mật nhà nước.",
        "Chương III",
        "Giá trị 2 * 3 bằng 6.",
    ]
