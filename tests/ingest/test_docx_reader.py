"""The Word reader on the seed plan rendered as .docx (Unicode and legacy fonts) and on tables."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_BREAK

from ingest.model import Block, RawDocument, ReadError
from ingest.readers import read_bytes, read_file
from ingest.readers.docx import read_docx
from tests.docgen_docx import SEED_PATH, make_broken_docx, make_seed_docx, make_table_docx

SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")

TASK_ROWS = [
    ["1", "Rà soát quy hoạch vùng huyện, quy hoạch chung", "Ủy ban nhân dân tỉnh", "Sở Xây dựng", "Năm 2024"],
    [
        "2",
        "Xây dựng kế hoạch đầu tư công trung hạn",
        "Ủy ban nhân dân tỉnh",
        "Sở Kế hoạch và Đầu tư",
        "Hằng năm",
    ],
    ["NHIỆM VỤ KIỂM TRA, GIÁM SÁT"],
    [
        "3",
        "Kiểm tra việc thực hiện Kết luận số 72-KL/TW",
        "Ủy ban Kiểm tra Tỉnh ủy",
        "Các huyện ủy, thành ủy",
        "Định kỳ",
    ],
]


def read(path: Path) -> RawDocument:
    data = path.read_bytes()
    return read_docx(data, str(path), hashlib.sha256(data).hexdigest())


def seed_lines() -> list[str]:
    """The seed's non-empty lines with its two page-break splits joined, as typed."""
    lines: list[str] = []
    for line in (line.strip() for line in SEED_TEXT.splitlines()):
        if line.startswith(("quan đế ", "phố Kon Tum ")):
            lines[-1] = f"{lines[-1]} {line}"
        elif line:
            lines.append(line)
    return lines


def expected_text(line: str) -> str:
    if line.startswith(("* ", "- ")):
        line = line[2:]
    return " ".join(line.replace("*", "").split())


@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory) -> RawDocument:
    return read(make_seed_docx(SEED_TEXT, tmp_path_factory.mktemp("docx") / "ke-hoach-72.docx"))


@pytest.fixture(scope="module")
def body(seed_docx: RawDocument) -> list[Block]:
    return [block for block in seed_docx.blocks if not block.in_header]


def test_header_table_comes_first_left_column_then_right(seed_docx: RawDocument) -> None:
    header = seed_docx.blocks[:4]
    assert [block.text for block in header] == [
        "TỈNH ỦY KON TUM",
        "*",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Kon Tum, ngày 16 tháng 6 năm 2024",
    ]
    assert all(block.in_header for block in header)
    assert not any(block.in_header for block in seed_docx.blocks[4:])
    assert header[3].italic and not header[2].italic
    assert not any(block.is_table_row for block in seed_docx.blocks)


def test_body_blocks_are_the_seed_paragraphs(body: list[Block]) -> None:
    lines = seed_lines()
    assert len(body) == len(lines)
    assert [" ".join(block.text.split()) for block in body] == [expected_text(line) for line in lines]
    joined = [block.text for block in body if "có liên quan đế các cấp ủy" in block.text]
    assert len(joined) == 1
    assert any("Đô thị trung tâm (thành phố Kon Tum và các đô thị vệ tinh" in block.text for block in body)


def test_assignment_lines_are_italic(body: list[Block]) -> None:
    lines = seed_lines()
    assignments = [block for block, line in zip(body, lines, strict=True) if line.startswith("* ")]
    assert len(assignments) == 4  # the seed marks four lines with "*"
    assert all(block.italic for block in assignments)
    assert all(not block.text.startswith("*") for block in assignments)
    italic = [block.text for block in body if block.italic]
    assert italic == [block.text for block in assignments] + ["Nơi nhận:"]


def test_bullets_carry_the_dash_as_marker(body: list[Block]) -> None:
    lines = seed_lines()
    markers = [block.marker for block in body]
    assert markers == ["-" if line.startswith("- ") else "" for line in lines]
    assert not any(block.text.startswith("-") for block in body)
    # A bullet with inline emphasis is not an italic paragraph.
    emphasised = next(block for block in body if "nhất là ưu tiên nâng cấp Quốc lộ 24" in block.text)
    assert emphasised.marker == "-" and not emphasised.italic


def test_headings_are_bold_and_lead_labels_are_not_whole_paragraphs(body: list[Block]) -> None:
    bold = {block.text for block in body if block.bold}
    assert "KẾ HOẠCH" in bold and "I. MỤC ĐÍCH, YÊU CẦU" in bold and "IV. TỔ CHỨC THỰC HIỆN" in bold
    assert any(text.startswith("3. Huy động và sử dụng hiệu quả") for text in bold)
    assert not any(text.startswith(("II. MỤC TIÊU:", "1. Mục đích:")) for text in bold)


@pytest.mark.parametrize("legacy", ["tcvn3", "vni"])
def test_legacy_font_variant_reads_like_the_unicode_one(
    legacy: str, seed_docx: RawDocument, tmp_path: Path
) -> None:
    path = make_seed_docx(SEED_TEXT, tmp_path / f"{legacy}.docx", legacy=legacy)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "Kết luận" not in xml  # the fixture really holds glyph codes, not Unicode
    assert (".VnTime" if legacy == "tcvn3" else "VNI-Times") in xml
    raw = read(path)
    assert raw.encoding == legacy
    assert raw.blocks == seed_docx.blocks


def test_task_table_rows_stay_rows_between_the_paragraphs(tmp_path: Path) -> None:
    path = make_table_docx(TASK_ROWS, tmp_path / "phu-luc.docx")
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "<w:vMerge/>" in xml and 'w:gridSpan w:val="5"' in xml  # the fixture merges both ways
    blocks = read(path).blocks
    assert blocks[0].text == "DANH MỤC NHIỆM VỤ THỰC HIỆN KẾ HOẠCH" and not blocks[0].is_table_row
    assert blocks[-1].text.startswith("Các cơ quan chủ trì báo cáo") and not blocks[-1].is_table_row
    rows = blocks[1:-1]
    assert all(block.is_table_row and block.table == 1 for block in rows)
    assert [block.header_row for block in rows] == [True, False, False, False, False]
    assert rows[0].cells == [
        "STT",
        "Nội dung nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian hoàn thành",
    ]
    # Each row as given: the spanning title once, the vertically merged lead agency in both rows.
    assert [block.cells for block in rows[1:]] == TASK_ROWS
    assert rows[3].text == "NHIỆM VỤ KIỂM TRA, GIÁM SÁT"
    assert rows[1].text == " | ".join(TASK_ROWS[0])


def test_soft_line_breaks_become_spaces_and_style_fonts_count(tmp_path: Path) -> None:
    document = Document()
    document.styles["Normal"].font.name = ".VnTime"  # old files set the legacy font on the style
    run = document.add_paragraph().add_run("Ban Th\xadêng vô")
    run.add_break(WD_BREAK.LINE)
    run.add_text("TØnh ñy chñ tr×")
    document.save(str(tmp_path / "style-font.docx"))
    raw = read(tmp_path / "style-font.docx")
    assert [block.text for block in raw.blocks] == ["Ban Thường vụ Tỉnh ủy chủ trì"]
    assert raw.encoding == "tcvn3"


def test_automatic_numbers_are_written_into_the_text(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("Mục đích", style="List Number")
    document.add_paragraph("Yêu cầu", style="List Number")
    document.add_paragraph("Bộ Chính trị (b/c),", style="List Bullet")
    document.save(str(tmp_path / "numbers.docx"))
    blocks = read(tmp_path / "numbers.docx").blocks
    assert [(block.marker, block.text) for block in blocks] == [
        ("", "1. Mục đích"),
        ("", "2. Yêu cầu"),
        ("-", "Bộ Chính trị (b/c),"),
    ]


def test_closing_table_is_read_as_recipients_then_signature(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("2. Giao Văn phòng Tỉnh ủy theo dõi, đôn đốc.")
    left, right = document.add_table(rows=1, cols=2).rows[0].cells
    left.paragraphs[0].add_run("Nơi nhận:").italic = True
    left.add_paragraph("- Bộ Chính trị (b/c),")
    left.add_paragraph("- Lưu Văn phòng Tỉnh ủy.")
    right.paragraphs[0].add_run("T/M BAN THƯỜNG VỤ").bold = True
    right.add_paragraph("PHÓ BÍ THƯ")
    document.save(str(tmp_path / "closing.docx"))
    blocks = read(tmp_path / "closing.docx").blocks
    assert [block.text for block in blocks] == [
        "2. Giao Văn phòng Tỉnh ủy theo dõi, đôn đốc.",
        "Nơi nhận:",
        "- Bộ Chính trị (b/c),",
        "- Lưu Văn phòng Tỉnh ủy.",
        "T/M BAN THƯỜNG VỤ",
        "PHÓ BÍ THƯ",
    ]
    assert not any(block.is_table_row or block.in_header for block in blocks)


def test_page_count_only_when_the_document_states_real_statistics(
    seed_docx: RawDocument, tmp_path: Path
) -> None:
    # python-docx keeps its template's "<Pages>1</Pages>" with zero words: not a real count.
    assert seed_docx.page_count is None
    source = make_seed_docx(SEED_TEXT, tmp_path / "seed.docx")
    stated = tmp_path / "stated.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(stated, "w") as target:
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "docProps/app.xml":
                text = content.decode("utf-8")
                text = re.sub("<Pages>1</Pages>", "<Pages>3</Pages>", text)
                text = re.sub("<Words>0</Words>", "<Words>2417</Words>", text)
                content = text.encode("utf-8")
            target.writestr(item, content)
    assert read(stated).page_count == 3


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("not_word_zip", "damaged Word file: the ZIP package holds no Word document part"),
        ("truncated", "damaged Word file: not a complete ZIP package (truncated or corrupt)"),
        ("mangled_xml", "damaged Word file: malformed XML"),
    ],
)
def test_broken_files_raise_read_error(kind: str, message: str, tmp_path: Path) -> None:
    path = make_broken_docx(tmp_path)[kind]
    with pytest.raises(ReadError, match=re.escape(message)):
        read(path)
    with pytest.raises(ReadError, match=re.escape(message)):
        read_file(path)


def test_ole_file_named_docx_is_refused(tmp_path: Path) -> None:
    # A password-protected .docx is an OLE compound file holding the encrypted package.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le")
    with pytest.raises(ReadError, match="password-protected Word file"):
        read_bytes(ole, "ke-hoach-mat-khau.docx")
    with pytest.raises(ReadError, match="password-protected"):
        read_docx(ole, "ke-hoach-mat-khau.docx", "0" * 64)


def test_spreadsheet_named_docx_is_refused() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with pytest.raises(ReadError, match="not a Word document but an Excel workbook"):
        read_bytes(buffer.getvalue(), "phu-luc.docx")
