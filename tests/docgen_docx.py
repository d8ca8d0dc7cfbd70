"""Word documents generated from the seed text, laid out the way provincial offices write them.

Not a test module: tests call these to build their fixtures in a temporary folder. The seed is
a plain-text export of a real plan; here it gets back its Word layout: a borderless two-column
header table, bold centered title, bold headings, "List Bullet" paragraphs for dash items,
italic assignment lines and italic inline emphasis. With `legacy="tcvn3"` every run is set in
`.VnTime` (capitals in `.VnTimeH`) with TCVN3 glyph codes instead of Unicode, as in old files.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from random import Random

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.encodings import convert_legacy, encode_legacy

SEED_PATH = Path(__file__).resolve().parent.parent / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"

HEADER_LEFT = ("TỈNH ỦY KON TUM", "*")
HEADER_RIGHT = ("ĐẢNG CỘNG SẢN VIỆT NAM", "Kon Tum, ngày 16 tháng 6 năm 2024")

# Paragraphs the seed's export cut at page breaks: (end of the first part, start of the second).
SEED_PAGE_BREAK_SPLITS = (("có liên", "quan đế"), ("(*thành*", "phố Kon Tum"))
SEED_TITLE_LINES = 3  # "KẾ HOẠCH", "CUA BAN THƯỜNG VỤ TỈNH ỦY", "thực hiện Kết luận số 72-KL/TW ..."

ROMAN_PART = re.compile(r"^[IVX]+\.\s")
NUMBERED = re.compile(r"^\d+\.\s")
LEAD_LABEL = re.compile(r"^(?:[IVX]+|\d+)\.\s[^:.]{0,40}:")  # "1. Mục đích:", "II. MỤC TIÊU:"
EMPHASIS = re.compile(r"\*([^*\n]+)\*")

LEGACY_FONTS = {"tcvn3": (".VnTime", ".VnTimeH"), "vni": ("VNI-Times", None)}

TASK_TABLE_COLUMNS = (
    "STT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
)
MERGEABLE_COLUMNS = (2, 3, 4)  # agencies and deadlines repeat down a task table; tasks never do


@dataclass
class SeedParagraph:
    kind: str  # title | body | part | section | numbered | bullet | assignment | recipients | recipient
    text: str  # as written, with `*emphasis*`, without the leading "- " or "* "


def seed_paragraphs(seed_text: str) -> list[SeedParagraph]:
    """The seed's paragraphs with its two page-break splits joined, each with its layout role."""
    lines = [line.strip() for line in seed_text.splitlines() if line.strip()]
    joined: list[str] = []
    for line in lines:
        if joined and any(
            joined[-1].endswith(end) and line.startswith(start) for end, start in SEED_PAGE_BREAK_SPLITS
        ):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    paragraphs = []
    in_recipients = False
    for index, line in enumerate(joined):
        if index < SEED_TITLE_LINES:
            paragraphs.append(SeedParagraph("title", line))
        elif line == "Nơi nhận:":
            in_recipients = True
            paragraphs.append(SeedParagraph("recipients", line))
        elif line.startswith("- "):
            paragraphs.append(SeedParagraph("recipient" if in_recipients else "bullet", line[2:]))
        elif line.startswith("* "):
            paragraphs.append(SeedParagraph("assignment", line[2:]))
        elif ROMAN_PART.match(line):
            paragraphs.append(SeedParagraph("part", line))
        elif NUMBERED.match(line):
            paragraphs.append(SeedParagraph("numbered" if line.endswith(".") else "section", line))
        else:
            paragraphs.append(SeedParagraph("body", line))
    return paragraphs


def make_seed_docx(seed_text: str, path: Path, legacy: str | None = None) -> Path:
    """Render the seed as a Word plan of a Tỉnh ủy; `legacy` = "tcvn3" or "vni" for old fonts."""
    writer = _RunWriter(legacy)
    document = Document()
    _set_page(document)
    _add_header_table(document, writer)
    for paragraph in seed_paragraphs(seed_text):
        _add_seed_paragraph(document, paragraph, writer)
    document.save(str(path))
    return path


def make_table_docx(rows: list[list[str]], path: Path) -> Path:
    """A heading, a task table with merged cells, a closing paragraph.

    `rows` are the data rows under the column titles. A row of one string is a group title
    spanning the whole width; equal neighbouring agency or deadline cells are merged vertically.
    """
    document = Document()
    _set_page(document)
    heading = document.add_paragraph(style="Normal")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run("DANH MỤC NHIỆM VỤ THỰC HIỆN KẾ HOẠCH").bold = True
    table = document.add_table(rows=1 + len(rows), cols=len(TASK_TABLE_COLUMNS))
    table.style = document.styles["Table Grid"]
    for cell, title in zip(table.rows[0].cells, TASK_TABLE_COLUMNS, strict=True):
        cell.paragraphs[0].add_run(title).bold = True
    for row_index, values in enumerate(rows, start=1):
        cells = table.rows[row_index].cells
        if len(values) == 1:
            merged = cells[0].merge(cells[-1])
            merged.paragraphs[0].add_run(values[0]).bold = True
            continue
        for column, value in enumerate(values):
            above = rows[row_index - 2] if row_index >= 2 else None
            if column in MERGEABLE_COLUMNS and above and len(above) > column and above[column] == value:
                continue  # merged below, once the rows are filled
            cells[column].paragraphs[0].add_run(value)
    _merge_repeated_cells(table, rows)
    document.add_paragraph(
        "Các cơ quan chủ trì báo cáo kết quả thực hiện về Ban Thường vụ Tỉnh ủy (qua Văn phòng Tỉnh ủy) "
        "trước ngày 15 tháng 12 hằng năm."
    )
    document.save(str(path))
    return path


def make_broken_docx(directory: Path) -> dict[str, Path]:
    """Files named .docx that are not readable Word documents, by kind of damage."""
    random = Random(72)
    files: dict[str, Path] = {}
    not_word = directory / "not-word.docx"
    with zipfile.ZipFile(not_word, "w") as archive:
        archive.writestr("notes.txt", "Danh sách đại biểu dự hội nghị")
        archive.writestr("data/blob.bin", bytes(random.randrange(256) for _ in range(2048)))
    files["not_word_zip"] = not_word

    whole = make_seed_docx(SEED_PATH.read_text(encoding="utf-8"), directory / "whole.docx")
    data = whole.read_bytes()
    truncated = directory / "truncated.docx"
    truncated.write_bytes(data[: len(data) // 2])
    files["truncated"] = truncated

    mangled = directory / "mangled-xml.docx"
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(mangled, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                content = content[: len(content) // 2]  # cut mid-element: no longer well-formed
            target.writestr(item, content)
    files["mangled_xml"] = mangled
    whole.unlink()
    return files


class _RunWriter:
    """Adds runs in Unicode, or in a legacy font with the text turned into its glyph codes."""

    def __init__(self, legacy: str | None) -> None:
        if legacy is not None and legacy not in LEGACY_FONTS:
            raise ValueError(f"unknown legacy encoding {legacy!r}: use one of {sorted(LEGACY_FONTS)}")
        self.legacy = legacy

    def add(self, paragraph: Paragraph, text: str, bold: bool = False, italic: bool = False) -> None:
        for piece, font in self._pieces(text):
            run = paragraph.add_run(piece)
            run.bold = bold or None
            run.italic = italic or None
            if font:
                run.font.name = font

    def add_marked(self, paragraph: Paragraph, text: str, bold: bool = False, italic: bool = False) -> None:
        """Add `text`, its `*...*` spans as italic runs."""
        position = 0
        for match in EMPHASIS.finditer(text):
            if match.start() > position:
                self.add(paragraph, text[position : match.start()], bold=bold, italic=italic)
            self.add(paragraph, match.group(1), bold=bold, italic=True)
            position = match.end()
        if position < len(text):
            self.add(paragraph, text[position:], bold=bold, italic=italic)

    def _pieces(self, text: str) -> list[tuple[str, str | None]]:
        if self.legacy is None:
            return [(text, None)]
        plain_font, capitals_font = LEGACY_FONTS[self.legacy]
        if capitals_font and text.upper() == text and text.lower().upper() == text and text.lower() != text:
            # A line in capitals is typed in lower case in the capitals font, as old files are.
            return [(self._glyphs(text.lower()), capitals_font)]
        pieces: list[tuple[str, str | None]] = []
        for char in text:
            font = plain_font
            if capitals_font and not self._round_trips(char) and self._round_trips(char.lower()):
                font, char = capitals_font, char.lower()  # a capital with a tone mark: no such glyph
            if pieces and pieces[-1][1] == font:
                pieces[-1] = (pieces[-1][0] + char, font)
            else:
                pieces.append((char, font))
        return [(self._glyphs(piece), font) for piece, font in pieces]

    def _glyphs(self, text: str) -> str:
        assert self.legacy is not None
        data = encode_legacy(text, self.legacy)
        # Word keeps the characters of a non-Unicode font as their Windows-1252 counterparts.
        return "".join(_windows_1252(data[i : i + 1]) for i in range(len(data)))

    def _round_trips(self, char: str) -> bool:
        assert self.legacy is not None
        try:
            return convert_legacy(self._glyphs(char), self.legacy) == char
        except (UnicodeError, ValueError, KeyError):
            return False


def _windows_1252(byte: bytes) -> str:
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return byte.decode("latin-1")  # the five bytes cp1252 leaves undefined


def _set_page(document: WordDocument) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(14)


def _add_header_table(document: WordDocument, writer: _RunWriter) -> None:
    table = document.add_table(rows=1, cols=2)
    _remove_borders(table)
    for cell, lines in zip(table.rows[0].cells, (HEADER_LEFT, HEADER_RIGHT), strict=True):
        cell.width = Cm(8)
        first = cell.paragraphs[0]
        for index, line in enumerate(lines):
            paragraph = first if index == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            is_date = line.startswith("Kon Tum, ngày")
            writer.add(paragraph, line, bold=not is_date and line != "*", italic=is_date)


def _remove_borders(table: Table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _add_seed_paragraph(document: WordDocument, seed: SeedParagraph, writer: _RunWriter) -> None:
    if seed.kind in ("bullet", "recipient"):
        paragraph = document.add_paragraph(style="List Bullet")
        writer.add_marked(paragraph, seed.text)
        return
    paragraph = document.add_paragraph()
    if seed.kind == "title":
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        writer.add_marked(paragraph, seed.text, bold=True)
        return
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if seed.kind == "recipients":
        writer.add(paragraph, seed.text, bold=True, italic=True)
    elif seed.kind == "assignment":
        writer.add_marked(paragraph, seed.text, italic=True)
    elif seed.kind == "section" or (seed.kind == "part" and not LEAD_LABEL.match(seed.text)):
        writer.add_marked(paragraph, seed.text, bold=True)
    elif seed.kind in ("part", "numbered"):
        # Only the label and its lead words are bold: "1. Mục đích:", "II. MỤC TIÊU:".
        lead = LEAD_LABEL.match(seed.text) or NUMBERED.match(seed.text)
        assert lead is not None
        writer.add(paragraph, lead.group(0), bold=True)
        writer.add_marked(paragraph, seed.text[lead.end() :])
    else:
        paragraph.paragraph_format.first_line_indent = Cm(1)
        writer.add_marked(paragraph, seed.text)


def _merge_repeated_cells(table: Table, rows: list[list[str]]) -> None:
    for column in MERGEABLE_COLUMNS:
        start = 0
        while start < len(rows):
            end = start
            while (
                end + 1 < len(rows)
                and len(rows[start]) > column
                and len(rows[end + 1]) > column
                and rows[end + 1][column] == rows[start][column]
            ):
                end += 1
            if end > start:
                table.cell(start + 1, column).merge(table.cell(end + 1, column))
            start = end + 1
