"""Word and PDF renditions of a real document read from its copied text.

Not a test module: tests call these to build fixtures in a temporary folder. The blocks the
copied-text reader found (header lines, paragraphs, table rows) are laid out again as an office
would print them: the header as a borderless two-column table (issuer and number on the left,
motto and place/date on the right), paragraphs with their bold and italics, bullets as "- ",
and each table as a ruled table whose first row holds the column titles.
"""

from __future__ import annotations

import re
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document as new_word_document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from reportlab.lib.colors import black
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from ingest.model import Block
from ingest.readers.markdown import markdown_to_blocks
from tests.docgen_docx import _remove_borders
from tests.docgen_pdf import FONT, TEXT_WIDTH, _document, _page_decorator, _styles, register_fonts

# Right-hand column of a header: the national motto (or the party's) and the place and date line.
_RIGHT_COLUMN = re.compile(
    r"CỘNG HÒA|CỘNG HOÀ|ĐẢNG CỘNG SẢN|Độc lập|, ngày \d|ngày \d{1,2} tháng", re.IGNORECASE
)


def header_columns(blocks: list[Block]) -> tuple[list[str], list[str]]:
    """Issuer and number lines (left), motto and date lines (right) of the header blocks."""
    left: list[str] = []
    right: list[str] = []
    for block in blocks:
        if block.in_header and block.text.strip():
            (right if _RIGHT_COLUMN.search(block.text) else left).append(block.text.strip())
    return left, right


def _body(blocks: list[Block]) -> list[list[Block]]:
    """Body blocks grouped: a run of rows of one table, or one paragraph."""
    body = [b for b in blocks if not b.in_header and b.text.strip()]
    groups: list[list[Block]] = []
    for key, run in groupby(body, key=lambda b: b.table if b.cells is not None else None):
        rows = list(run)
        if key is None:
            groups.extend([b] for b in rows)
        else:
            groups.append(rows)
    return groups


def _paragraph_text(block: Block) -> str:
    return f"{block.marker} {block.text}" if block.marker else block.text


def make_docx(blocks: list[Block], path: Path) -> Path:
    """The blocks as a Word file; returns `path`."""
    document = new_word_document()
    normal = document.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    left, right = header_columns(blocks)
    if left or right:
        table = document.add_table(rows=1, cols=2)
        _remove_borders(table)
        for cell, lines in zip(table.rows[0].cells, (left, right), strict=True):
            cell.width = Cm(8)
            for index, line in enumerate(lines or [""]):
                paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(line)
                run.bold = line.isupper()
                run.italic = ", ngày" in line
    for group in _body(blocks):
        if group[0].cells is None:
            block = group[0]
            paragraph = document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            run = paragraph.add_run(_paragraph_text(block))
            run.bold, run.italic = block.bold, block.italic
            continue
        columns = max(len(row.cells or []) for row in group)
        table = document.add_table(rows=len(group), cols=columns)
        table.style = "Table Grid"
        for row, block in zip(table.rows, group, strict=True):
            for cell, text in zip(row.cells, block.cells or [], strict=False):
                cell.paragraphs[0].add_run(text).bold = block.header_row
    document.save(str(path))
    return path


def make_pdf(blocks: list[Block], path: Path, title: str) -> Path:
    """The blocks as a printed PDF with a text layer; returns `path`."""
    register_fonts()
    styles = _styles()
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=10, leading=12)
    head = ParagraphStyle("head", parent=cell, fontName=f"{FONT}-Bold", alignment=TA_CENTER)
    left, right = header_columns(blocks)
    story: list[Flowable] = []
    if left or right:
        rows = max(len(left), len(right))
        cells = [
            [
                Paragraph(escape(line), styles["header"]) if line else Paragraph("", styles["header"])
                for line in column + [""] * (rows - len(column))
            ]
            for column in (left, right)
        ]
        header = Table(list(zip(*cells, strict=True)), colWidths=[0.45 * TEXT_WIDTH, 0.55 * TEXT_WIDTH])
        header.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        story += [header, Spacer(1, 6)]
    for group in _body(blocks):
        if group[0].cells is None:
            block = group[0]
            markup = escape(_paragraph_text(block))
            if block.bold:
                markup = f"<b>{markup}</b>"
            if block.italic:
                markup = f"<i>{markup}</i>"
            story.append(Paragraph(markup, styles["body"]))
            continue
        columns = max(len(row.cells or []) for row in group)
        data = [
            [Paragraph(escape(text), head if row.header_row else cell) for text in row.cells or []]
            + [Paragraph("", cell)] * (columns - len(row.cells or []))
            for row in group
        ]
        table = Table(
            data, repeatRows=1 if group[0].header_row else 0, colWidths=[TEXT_WIDTH / columns] * columns
        )
        table.setStyle(
            TableStyle([("GRID", (0, 0), (-1, -1), 0.5, black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
        )
        story += [Spacer(1, 6), table, Spacer(1, 6)]
    _document(path, title=title).build(
        story, onFirstPage=_page_decorator(False, None), onLaterPages=_page_decorator(True, None)
    )
    return path


def plan_blocks(source: Path) -> list[Block]:
    """The blocks of a real plan's copied text (`../shared/realdocs/plans/*.txt`), which the renditions
    lay out again."""
    return markdown_to_blocks(source.read_text(encoding="utf-8"))
