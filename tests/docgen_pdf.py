"""PDF fixtures for the reader tests, laid out the way Vietnamese administrative documents are.

Not a test module: tests import these generators and write their PDFs into a temporary folder.
The layout follows Nghị định 30/2020/NĐ-CP (A4, 13 pt text, left margin 30 mm, right 20 mm,
top and bottom 20 mm, justified paragraphs with a first-line indent), so that the reader meets
wrapped lines, paragraphs broken across pages, page numbers and a two-column header.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.colors import black, grey
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSans-Oblique": "DejaVuSans-Oblique.ttf",
    "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf",
}
FONT = "DejaVuSans"
BODY_SIZE = 13
LEADING = 17
FIRST_LINE_INDENT = 10 * mm
MARGINS = {"leftMargin": 30 * mm, "rightMargin": 20 * mm, "topMargin": 20 * mm, "bottomMargin": 20 * mm}
TEXT_WIDTH = A4[0] - MARGINS["leftMargin"] - MARGINS["rightMargin"]

SEED_ISSUER = ["TỈNH ỦY KON TUM", "*"]
SEED_MOTTO = "ĐẢNG CỘNG SẢN VIỆT NAM"
SEED_PLACE_DATE = "Kon Tum, ngày 16 tháng 6 năm 2024"

_TERMINAL = re.compile(r"[.;:!?…”\")]$")
_EMPHASIS = re.compile(r"\*([^*\n]+)\*")


def register_fonts() -> None:
    """Register the DejaVu family (Vietnamese glyphs, with bold and oblique faces) once."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    missing = [name for name in FONT_FILES.values() if not (FONT_DIR / name).is_file()]
    if missing:
        raise RuntimeError(
            f"DejaVu fonts not found in {FONT_DIR} ({', '.join(missing)}): "
            "install the Debian package fonts-dejavu-core"
        )
    for name, filename in FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Oblique", boldItalic=f"{FONT}-BoldOblique"
    )


def seed_paragraphs(seed_text: str) -> list[str]:
    """The seed's non-empty lines, with the two paragraphs its own conversion cut at a page break joined.

    A long line that ends mid-sentence and is followed by a line starting in lower case is
    the first half of such a paragraph ("... có liên" / "quan đế ...", "(*thành*" / "phố Kon Tum ...").
    """
    paragraphs: list[str] = []
    for line in (raw.strip() for raw in seed_text.splitlines()):
        if not line:
            continue
        if paragraphs and _cut_at_page_break(paragraphs[-1], line):
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
    return paragraphs


def _cut_at_page_break(previous: str, line: str) -> bool:
    plain = previous.replace("*", "")
    return len(plain) > 100 and not _TERMINAL.search(plain) and line[0].islower()


def _styles(paragraph_spacing: float = 6, justified: bool = True) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body",
        fontName=FONT,
        fontSize=BODY_SIZE,
        leading=LEADING,
        alignment=TA_JUSTIFY if justified else TA_LEFT,
        firstLineIndent=FIRST_LINE_INDENT,
        spaceBefore=paragraph_spacing,
    )
    centered = ParagraphStyle("centered", parent=body, alignment=TA_CENTER, firstLineIndent=0)
    return {
        "body": body,
        "heading": ParagraphStyle("heading", parent=body, fontName=f"{FONT}-Bold"),
        "assignment": ParagraphStyle("assignment", parent=body, fontName=f"{FONT}-Oblique"),
        "type": ParagraphStyle(
            "type", parent=centered, fontName=f"{FONT}-Bold", fontSize=14, leading=18, spaceBefore=14
        ),
        "title": ParagraphStyle("title", parent=centered, fontName=f"{FONT}-Bold"),
        "centered": centered,
        "header": ParagraphStyle("header", parent=centered, spaceBefore=0),
        "recipients_title": ParagraphStyle(
            "recipients_title",
            parent=body,
            fontName=f"{FONT}-BoldOblique",
            fontSize=12,
            alignment=TA_LEFT,
            firstLineIndent=0,
            spaceBefore=18,
        ),
        "recipient": ParagraphStyle(
            "recipient",
            parent=body,
            fontSize=11,
            leading=13,
            alignment=TA_LEFT,
            firstLineIndent=0,
            spaceBefore=0,
        ),
    }


def _markup(text: str) -> str:
    """Escape the text for reportlab and turn the seed's `*...*` emphasis into italics."""
    return _EMPHASIS.sub(r"<i>\1</i>", escape(text))


def _bold_label(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph whose leading label ("II. MỤC TIÊU:", "1. Mục đích:") is bold, the rest upright."""
    label, _, rest = text.partition(":")
    return Paragraph(f"<b>{_markup(label)}:</b>{_markup(rest)}", style)


def _seed_flowables(paragraphs: list[str], styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    flowables: list[Flowable] = []
    in_title = True
    in_recipients = False
    for index, text in enumerate(paragraphs):
        if in_title and (text.isupper() or text[0].islower()):
            flowables.append(Paragraph(_markup(text), styles["type" if index == 0 else "title"]))
            continue
        in_title = False
        if text == "Nơi nhận:":
            in_recipients = True
            flowables.append(Paragraph(_markup(text), styles["recipients_title"]))
        elif in_recipients:
            flowables.append(Paragraph(_markup(text), styles["recipient"]))
        elif re.fullmatch(r"Ngày \d{1,2}/\d{1,2}/\d{4}", text):
            flowables.append(Paragraph(_markup(text), styles["centered"]))
        elif text.startswith("* "):
            flowables.append(Paragraph(_markup(text[2:]), styles["assignment"]))
        elif re.match(r"(?:[IVX]+|\d+)\. ", text):
            head = text.split(":", 1)[0]
            if ":" in text and len(head) < 40:
                flowables.append(_bold_label(text, styles["body"]))
            elif not _TERMINAL.search(text):
                flowables.append(Paragraph(_markup(text), styles["heading"]))
            else:
                flowables.append(Paragraph(_markup(text), styles["body"]))
        else:
            flowables.append(Paragraph(_markup(text), styles["body"]))
    return flowables


def _header_table(
    issuer: list[str], motto: list[str], place_date: str, styles: dict[str, ParagraphStyle]
) -> Table:
    """The two-column header: issuer on the left, motto and place/date on the right, no rules."""
    left = [Paragraph(f"<b>{escape(line)}</b>", styles["header"]) for line in issuer]
    right = [Paragraph(f"<b>{escape(line)}</b>", styles["header"]) for line in motto]
    right.append(Paragraph(f"<i>{escape(place_date)}</i>", styles["header"]))
    rows = max(len(left), len(right))
    left += [Paragraph("", styles["header"])] * (rows - len(left))
    right += [Paragraph("", styles["header"])] * (rows - len(right))
    table = Table(list(zip(left, right, strict=True)), colWidths=[0.4 * TEXT_WIDTH, 0.6 * TEXT_WIDTH])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _page_decorator(numbered: bool, footer: str | None) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def decorate(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        if numbered:
            # Pages 2 and on carry their number centered in the top margin, as Nghị định 30 prescribes.
            canvas.setFont(FONT, BODY_SIZE)
            canvas.drawCentredString(MARGINS["leftMargin"] + TEXT_WIDTH / 2, A4[1] - 12 * mm, str(doc.page))
        if footer:
            canvas.setFont(f"{FONT}-Oblique", 9)
            canvas.drawString(MARGINS["leftMargin"], 10 * mm, footer)
        canvas.restoreState()

    return decorate


def _document(path: Path, **kwargs: object) -> SimpleDocTemplate:
    return SimpleDocTemplate(str(path), pagesize=A4, **MARGINS, **kwargs)  # type: ignore[arg-type]


def make_seed_pdf(
    seed_text: str,
    path: Path,
    paragraph_spacing: float = 6,
    running_footer: str | None = None,
    justified: bool = True,
) -> Path:
    """Render the seed as its issuer would have printed it; returns `path`.

    `paragraph_spacing` is the space before each paragraph in points; 0 leaves the first-line
    indent as the only sign of a new paragraph, as in many Word files. `running_footer` is
    printed at the bottom of every page; `justified=False` sets the body ragged-right.
    """
    register_fonts()
    styles = _styles(paragraph_spacing, justified)
    story: list[Flowable] = [
        _header_table(SEED_ISSUER, [SEED_MOTTO], SEED_PLACE_DATE, styles),
        Spacer(1, 6),
        *_seed_flowables(seed_paragraphs(seed_text), styles),
    ]
    doc = _document(path, title="Kế hoạch thực hiện Kết luận 72-KL/TW")
    doc.build(
        story,
        onFirstPage=_page_decorator(False, running_footer),
        onLaterPages=_page_decorator(True, running_footer),
    )
    return path


def make_table_pdf(rows: list[list[str]], path: Path, title: str, repeat_header: bool = True) -> Path:
    """An appendix task table with ruling lines; `rows[0]` holds the column titles.

    With `repeat_header` the header row repeats on every page, as Word does with "Repeat as
    header row"; pass enough rows for the table to run over a page break.
    """
    register_fonts()
    styles = _styles()
    cell_style = ParagraphStyle("cell", fontName=FONT, fontSize=11, leading=13)
    head_style = ParagraphStyle("head", parent=cell_style, fontName=f"{FONT}-Bold", alignment=TA_CENTER)
    data = [[Paragraph(escape(cell), head_style) for cell in rows[0]]]
    data += [[Paragraph(escape(cell), cell_style) for cell in row] for row in rows[1:]]
    table = Table(data, repeatRows=1 if repeat_header else 0, colWidths=_column_widths(len(rows[0])))
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, black),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), grey.clone(alpha=0.15)),
            ]
        )
    )
    story: list[Flowable] = [Paragraph(f"<b>{escape(title)}</b>", styles["centered"]), Spacer(1, 8), table]
    _document(path, title=title).build(story, onLaterPages=_page_decorator(True, None))
    return path


def _column_widths(count: int) -> list[float]:
    # STT narrow, the task column wide, the rest shared: the usual shape of a "Phụ lục nhiệm vụ".
    if count < 3:
        return [TEXT_WIDTH / count] * count
    stt = 15 * mm
    task = 0.38 * TEXT_WIDTH
    rest = (TEXT_WIDTH - stt - task) / (count - 2)
    return [stt, task] + [rest] * (count - 2)


def make_broken_pdfs(directory: Path) -> dict[str, Path]:
    """PDFs a reader must refuse with a clear message: "truncated", "encrypted", "image_only"."""
    register_fonts()
    directory.mkdir(parents=True, exist_ok=True)
    whole = directory / "whole.pdf"
    _one_page_text_pdf(whole, encrypt=None)
    data = whole.read_bytes()
    truncated = directory / "truncated.pdf"
    truncated.write_bytes(data[: len(data) // 3])
    encrypted = directory / "encrypted.pdf"
    _one_page_text_pdf(
        encrypted, encrypt=StandardEncryption("mat-khau", ownerPassword="chu-so-huu", strength=128)
    )
    image_only = directory / "image_only.pdf"
    canvas = Canvas(str(image_only), pagesize=A4)
    for page in range(2):
        # Grey bars where a scanner would have put lines of text: shapes only, no text layer.
        for row in range(30):
            canvas.setFillColor(grey)
            canvas.rect(
                30 * mm,
                A4[1] - (30 + 8 * row) * mm,
                TEXT_WIDTH * (0.6 + 0.4 * ((row + page) % 3) / 2),
                4 * mm,
                stroke=0,
                fill=1,
            )
        canvas.showPage()
    canvas.save()
    return {"truncated": truncated, "encrypted": encrypted, "image_only": image_only}


def _one_page_text_pdf(path: Path, encrypt: StandardEncryption | None) -> None:
    canvas = Canvas(str(path), pagesize=A4, encrypt=encrypt)
    canvas.setFont(FONT, BODY_SIZE)
    canvas.drawString(30 * mm, A4[1] - 30 * mm, "Ban Thường vụ Tỉnh ủy xây dựng Kế hoạch thực hiện như sau:")
    canvas.showPage()
    canvas.save()
