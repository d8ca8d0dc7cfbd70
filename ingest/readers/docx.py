"""Word .docx reader: body paragraphs and tables as blocks, in document order.

The body is walked element by element (`w:p`, `w:tbl`) so that a table lands between the
paragraphs around it. Layout that plain text loses is kept as flags: italics (assignment
lines), bold, bullet markers, the two-column header table. Runs set in legacy Vietnamese
fonts (TCVN3 `.VnTime`, VNI `VNI-Times`) hold glyph codes, not Unicode, and are converted.
Running page headers and footers are ignored: they repeat on every page and carry no content.
"""

from __future__ import annotations

import io
import itertools
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from docx import Document as open_document
from docx.document import Document as DocxDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.styles.style import BaseStyle
from lxml import etree

from ingest.encodings import convert_legacy
from ingest.limits import Budget
from ingest.model import Block, RawDocument, ReadError
from ingest.readers.package import check_word_package

W_P = qn("w:p")
W_R = qn("w:r")
W_TBL = qn("w:tbl")
W_TC = qn("w:tc")
W_SDT = qn("w:sdt")
W_SDT_CONTENT = qn("w:sdtContent")
W_TXBX_CONTENT = qn("w:txbxContent")
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Runs under these are not displayed: deleted or moved-away revisions, and the VML copy of a
# drawing that Word stores next to its modern form.
HIDDEN_CONTAINERS = {qn("w:del"), qn("w:moveFrom"), MC_FALLBACK}

RUN_TEXT_CHARACTERS = {
    qn("w:t"): None,  # its own text
    qn("w:tab"): " ",
    qn("w:ptab"): " ",
    qn("w:br"): " ",  # a soft line break is layout, not a paragraph end
    qn("w:cr"): " ",
    qn("w:noBreakHyphen"): "-",
    qn("w:softHyphen"): "",
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0"
OTHER_PACKAGES = {"spreadsheetml": "an Excel workbook", "presentationml": "a PowerPoint presentation"}
MOTTO_PHRASES = ("CỘNG SẢN VIỆT NAM", "XÃ HỘI CHỦ NGHĨA VIỆT NAM")
RECIPIENTS_LABEL = "nơi nhận"
BULLET_MARKER = "-"
WHITESPACE = re.compile(r"\s+")
ROMAN_NUMERALS = (
    (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
    (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
)  # fmt: skip


STAGE = "reading the Word file"


def read_docx(data: bytes, source_path: str, sha256: str, budget: Budget | None = None) -> RawDocument:
    """Read a .docx file's body into blocks; raise `ReadError` for anything that is not one.

    The package is checked against the limits (`ingest.readers.package`) before python-docx reads
    it, and the body walk counts paragraphs, table cells and text against them as it goes.
    """
    budget = budget or Budget()
    document = _open(data, budget)
    try:
        walker = _BodyWalker(document, budget)
        blocks = walker.blocks()
        page_count = _stated_page_count(document)
    except ReadError:
        raise
    except Exception as exc:  # python-docx and lxml raise many kinds on malformed parts
        raise ReadError(f"damaged Word file: {_describe(exc)}") from None
    encoding = "+".join(sorted(walker.legacy_encodings)) or None
    return RawDocument(
        blocks=blocks,
        source_path=source_path,
        source_format="docx",
        sha256=sha256,
        page_count=page_count,
        encoding=encoding,
    )


def _open(data: bytes, budget: Budget) -> DocxDocument:
    if data.startswith(OLE_MAGIC):
        raise ReadError(
            "an OLE compound file, not a .docx package: a password-protected document or an old "
            "binary .doc; remove the password or save it as .docx"
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("damaged Word file: not a complete ZIP package (truncated or corrupt)")
    check_word_package(data, budget)
    budget.tick(STAGE)
    try:
        return open_document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError):
        raise ReadError("damaged Word file: the ZIP package holds no Word document part") from None
    except ValueError as exc:
        # python-docx says "file '...' is not a Word file, content type is '...'" for .xlsx/.pptx
        content_type = str(exc).rpartition("content type is ")[2].strip("'")
        kind = next((name for key, name in OTHER_PACKAGES.items() if key in content_type), None)
        if kind:
            raise ReadError(f"not a Word document but {kind} named .docx") from None
        raise ReadError(f"damaged Word file: {_describe(exc)}") from None
    except Exception as exc:
        raise ReadError(f"damaged Word file: {_describe(exc)}") from None


def _describe(exc: Exception) -> str:
    if isinstance(exc, zipfile.BadZipFile | zlib.error | EOFError | OSError | NotImplementedError):
        # NotImplementedError: a ZIP compression method Python cannot read ("zip file version")
        return f"corrupt ZIP archive ({exc})"
    if isinstance(exc, etree.XMLSyntaxError):
        return f"malformed XML ({exc})"
    return f"unexpected document structure ({exc or type(exc).__name__})"


def _stated_page_count(document: DocxDocument) -> int | None:
    """The page count Word stored in docProps/app.xml, when its statistics are real.

    Generators that copy a template (python-docx among them) keep the template's stale
    `<Pages>1</Pages>` with `<Words>0</Words>`; a count next to zero words is not trusted.
    """
    for part in document.part.package.iter_parts():
        if part.partname == "/docProps/app.xml":
            root = etree.fromstring(part.blob)
            values = {etree.QName(child).localname: (child.text or "").strip() for child in root}
            pages, words = values.get("Pages", ""), values.get("Words", "")
            if pages.isdigit() and words.isdigit() and int(pages) > 0 and int(words) > 0:
                return int(pages)
    return None


@dataclass
class _Run:
    text: str  # as stored: glyph codes for a legacy font
    italic: bool
    bold: bool
    legacy: tuple[str, bool] | None = None  # (encoding, capitals font) for a legacy-font run


@dataclass
class _Paragraph:
    text: str
    italic: bool = False
    bold: bool = False
    marker: str = ""


def _legacy_key(run: _Run) -> tuple[str, bool] | None:
    return run.legacy


def _convert(runs: list[_Run], legacy: tuple[str, bool] | None) -> str:
    text = "".join(run.text for run in runs)
    if legacy is None:
        return text
    encoding, capitals = legacy
    converted = convert_legacy(text, encoding)
    return converted.upper() if capitals else converted


def _legacy_encoding(font_name: str | None) -> str | None:
    if not font_name:
        return None
    name = font_name.strip().lower()
    if name.startswith(".vn"):
        return "tcvn3"
    if name.startswith("vni-"):
        return "vni"
    return None


def _is_capitals_font(font_name: str) -> bool:
    # ".VnTimeH", ".VnArialH": the TCVN3 capitals fonts draw lower-case codes as capitals.
    return font_name.strip().endswith("H")


def _font_name(rpr: etree._Element | None) -> str | None:
    """The font of the run properties' rFonts, or "" when it names a theme font (never legacy)."""
    if rpr is None:
        return None
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        return None
    # Characters above 0x7F (where TCVN3 and VNI put their glyphs) are drawn in the hAnsi font.
    for attribute in ("w:hAnsi", "w:ascii"):
        value = fonts.get(qn(attribute))
        if value:
            return value
    if fonts.get(qn("w:hAnsiTheme")) or fonts.get(qn("w:asciiTheme")):
        return ""
    return None


def _style_chain(style: BaseStyle | None) -> Iterator[BaseStyle]:
    seen: set[str] = set()
    while style is not None and style.style_id not in seen:
        seen.add(style.style_id)
        yield style
        style = getattr(style, "base_style", None)  # paragraph and character styles have one


def _first_set(values: Iterator[bool | None]) -> bool:
    for value in values:
        if value is not None:
            return value
    return False


class _Numbering:
    """Bullets and automatic numbers ("1.", "a)") from numbering.xml, counted as Word does."""

    def __init__(self, document: DocxDocument) -> None:
        self.abstract_of: dict[str, str] = {}
        self.start_overrides: dict[str, dict[int, int]] = {}
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # fmt, lvlText, start
        self.counters: dict[str, list[int]] = {}
        self.started: set[str] = set()
        try:
            root = document.part.numbering_part.element
        except (NotImplementedError, KeyError):
            return
        for num in root.findall(qn("w:num")):
            num_id = num.get(qn("w:numId"), "")
            abstract = num.find(qn("w:abstractNumId"))
            if abstract is None:
                continue
            self.abstract_of[num_id] = abstract.get(qn("w:val"), "")
            for override in num.findall(qn("w:lvlOverride")):
                start = override.find(qn("w:startOverride"))
                if start is not None:
                    level = int(override.get(qn("w:ilvl"), "0"))
                    self.start_overrides.setdefault(num_id, {})[level] = int(start.get(qn("w:val"), "1"))
        for abstract in root.findall(qn("w:abstractNum")):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in abstract.findall(qn("w:lvl")):
                fmt = _child_val(lvl, "w:numFmt") or "decimal"
                text = _child_val(lvl, "w:lvlText") or ""
                start = _child_val(lvl, "w:start") or "1"
                levels[int(lvl.get(qn("w:ilvl"), "0"))] = (fmt, text, int(start) if start.isdigit() else 1)
            self.levels[abstract.get(qn("w:abstractNumId"), "")] = levels

    def label(self, num_id: str, level: int) -> tuple[str, str]:
        """Return (marker, label) for the next paragraph of list `num_id` at `level`."""
        abstract_id = self.abstract_of.get(num_id)
        levels = self.levels.get(abstract_id or "")
        if not levels or level not in levels:
            return "", ""
        fmt, _, _ = levels[level]
        if fmt == "bullet":
            return BULLET_MARKER, ""
        if fmt == "none":
            return "", ""
        counters = self.counters.setdefault(
            abstract_id or "", [levels[i][2] - 1 if i in levels else 0 for i in range(9)]
        )
        if num_id not in self.started:
            self.started.add(num_id)
            for overridden, start in self.start_overrides.get(num_id, {}).items():
                counters[overridden] = start - 1
        counters[level] += 1
        for deeper in range(level + 1, 9):
            counters[deeper] = levels[deeper][2] - 1 if deeper in levels else 0

        def render(match: re.Match[str]) -> str:
            index = int(match.group(1)) - 1
            level_fmt = levels[index][0] if index in levels else "decimal"
            return _format_number(counters[index], level_fmt)

        return "", re.sub(r"%([1-9])", render, levels[level][1]).strip()


def _child_val(element: etree._Element, tag: str) -> str | None:
    child = element.find(qn(tag))
    return None if child is None else child.get(qn("w:val"))


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter") and value > 0:
        letters = ""
        while value > 0:
            value, remainder = divmod(value - 1, 26)
            letters = chr(ord("a") + remainder) + letters
        return letters if fmt == "lowerLetter" else letters.upper()
    if fmt in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        roman = _roman(value)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    result = ""
    for amount, numeral in ROMAN_NUMERALS:
        count, value = divmod(value, amount)
        result += numeral * count
    return result


@dataclass
class _BodyWalker:
    document: DocxDocument
    budget: Budget = field(default_factory=Budget)
    legacy_encodings: set[str] = field(default_factory=set)
    table_count: int = 0

    def __post_init__(self) -> None:
        self.styles = self.document.styles
        self.styles_by_id = {
            (style.element.get(qn("w:type")), style.style_id): style for style in self.styles
        }
        self.numbering = _Numbering(self.document)
        self.default_paragraph_style = self._default_style("paragraph")
        self.default_character_style = self._default_style("character")
        self.default_font = _font_name(self._doc_defaults_rpr())

    def blocks(self) -> list[Block]:
        blocks: list[Block] = []
        seen_content = False
        for element in _body_elements(self.document.element.body):
            if element.tag == W_TBL:
                table_blocks = self._table_blocks(element, at_start=not seen_content)
                blocks.extend(table_blocks)
                self.budget.add_characters(sum(len(block.text) for block in table_blocks), STAGE)
                seen_content = True
            else:
                paragraph_blocks = self._paragraph_blocks(element)
                blocks.extend(paragraph_blocks)
                self.budget.add_characters(sum(len(block.text) for block in paragraph_blocks), STAGE)
                seen_content = seen_content or bool(paragraph_blocks)
        return blocks

    # -- paragraphs ------------------------------------------------------------------------

    def _paragraph_blocks(self, p: etree._Element) -> list[Block]:
        """The paragraph's block, then blocks for the text boxes anchored in it."""
        blocks = []
        self.budget.add_paragraphs(1, STAGE)  # empty paragraphs cost work too: every one counts
        paragraph = self._paragraph(p)
        if paragraph.text:
            blocks.append(self._block(paragraph))
        for box in p.iter(W_TXBX_CONTENT):
            if not _under(box, p, {MC_FALLBACK}):
                for inner in box.iter(W_P):
                    self.budget.add_paragraphs(1, STAGE)
                    inner_paragraph = self._paragraph(inner)
                    if inner_paragraph.text:
                        blocks.append(self._block(inner_paragraph))
        return blocks

    @staticmethod
    def _block(paragraph: _Paragraph, in_header: bool = False) -> Block:
        return Block(
            text=paragraph.text,
            italic=paragraph.italic,
            bold=paragraph.bold,
            marker=paragraph.marker,
            in_header=in_header,
        )

    def _paragraph(self, p: etree._Element) -> _Paragraph:
        style = self._paragraph_style(p)
        runs = [self._run(r, style) for r in p.iter(W_R) if _own_run(r, p)]
        for previous, run in itertools.pairwise(runs):
            if not run.text.strip():
                run.legacy = previous.legacy  # a space between legacy runs does not split them
        # Neighbouring runs of one legacy font are converted together: TCVN3 capitals are
        # recognised from whole words, which formatting changes may cut into several runs.
        text = "".join(
            _convert(list(group), legacy) for legacy, group in itertools.groupby(runs, _legacy_key)
        )
        text = WHITESPACE.sub(" ", text).strip()
        marker, label = self._list_label(p, style)  # counted even when empty, as Word does
        if not text:
            return _Paragraph("")
        visible = [run for run in runs if run.text.strip()]
        if label:
            text = f"{label} {text}"
        return _Paragraph(
            text=text,
            italic=all(run.italic for run in visible),
            bold=all(run.bold for run in visible),
            marker=marker,
        )

    def _run(self, r: etree._Element, paragraph_style: BaseStyle | None) -> _Run:
        pieces = []
        for child in r:
            if child.tag in RUN_TEXT_CHARACTERS:
                replacement = RUN_TEXT_CHARACTERS[child.tag]
                pieces.append(child.text or "" if replacement is None else replacement)
        text = "".join(pieces)
        rpr = r.find(qn("w:rPr"))
        character_style = self._character_style(rpr)
        chains = (*_style_chain(character_style), *_style_chain(paragraph_style))
        legacy = None
        if text.strip():
            font = self._run_font(rpr, chains)
            encoding = _legacy_encoding(font)
            if encoding and font:
                self.legacy_encodings.add(encoding)
                legacy = (encoding, encoding == "tcvn3" and _is_capitals_font(font))
        return _Run(
            text=text,
            italic=_first_set(self._toggle(rpr, chains, "italic")),
            bold=_first_set(self._toggle(rpr, chains, "bold")),
            legacy=legacy,
        )

    @staticmethod
    def _toggle(
        rpr: etree._Element | None, chains: tuple[BaseStyle, ...], name: str
    ) -> Iterator[bool | None]:
        tag = qn("w:i") if name == "italic" else qn("w:b")
        yield _on_off(None if rpr is None else rpr.find(tag))
        for style in chains:
            yield getattr(style.font, name)  # type: ignore[attr-defined]

    def _run_font(self, rpr: etree._Element | None, chains: tuple[BaseStyle, ...]) -> str | None:
        for candidate in (rpr, *(style.element.rPr for style in chains)):
            font = _font_name(candidate)
            if font is not None:
                return font
        return self.default_font

    def _list_label(self, p: etree._Element, style: BaseStyle | None) -> tuple[str, str]:
        """(marker, label) of a list paragraph: "-" for bullets, the rendered number otherwise."""
        num_pr = _num_pr(p.find(qn("w:pPr")))
        for chained in _style_chain(style):
            if num_pr is not None:
                break
            num_pr = _num_pr(chained.element.pPr)
        if num_pr is not None:
            num_id, level = num_pr
            if num_id != "0":
                return self.numbering.label(num_id, level)
        name = style.name if style is not None else ""
        if name and name.startswith("List") and "Bullet" in name:
            return BULLET_MARKER, ""
        return "", ""

    # -- styles ----------------------------------------------------------------------------

    def _default_style(self, kind: str) -> BaseStyle | None:
        for style in self.styles:
            element = style.element
            if element.get(qn("w:type")) == kind and element.get(qn("w:default")) in ("1", "true", "on"):
                return style
        return None

    def _doc_defaults_rpr(self) -> etree._Element | None:
        defaults = self.styles.element.find(qn("w:docDefaults"))
        if defaults is None:
            return None
        return defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")

    def _style_by_id(self, style_id: str | None, kind: str) -> BaseStyle | None:
        return self.styles_by_id.get((kind, style_id)) if style_id else None

    def _paragraph_style(self, p: etree._Element) -> BaseStyle | None:
        ppr = p.find(qn("w:pPr"))
        style_id = None if ppr is None else _child_val(ppr, "w:pStyle")
        return self._style_by_id(style_id, "paragraph") or self.default_paragraph_style

    def _character_style(self, rpr: etree._Element | None) -> BaseStyle | None:
        style_id = None if rpr is None else _child_val(rpr, "w:rStyle")
        return self._style_by_id(style_id, "character") or self.default_character_style

    # -- tables ----------------------------------------------------------------------------

    def _table_blocks(self, tbl: etree._Element, at_start: bool) -> list[Block]:
        cell_cache: dict[etree._Element, list[_Paragraph]] = {}
        rows = [self._row_cells(tr, cell_cache) for tr in tbl.findall(qn("w:tr"))]
        rows = [row for row in rows if any(cell for cell in row)]
        if not rows:
            return []
        if len(rows) == 1 and len(rows[0]) == 1:
            # A one-cell table is a frame drawn around text, not data.
            return [self._block(paragraph) for paragraph in rows[0][0]]
        columns = max(len(row) for row in rows)
        right_column = " ".join(p.text for row in rows for p in row[-1]).upper()
        motto = unicodedata.normalize("NFC", right_column)
        if at_start and columns <= 3 and any(phrase in motto for phrase in MOTTO_PHRASES):
            return self._column_blocks(rows, columns, in_header=True)
        first_cell = " ".join(p.text for p in rows[0][0]).lower()
        if columns <= 3 and first_cell.startswith(RECIPIENTS_LABEL):
            # The closing table: recipients on the left, signature on the right.
            return self._column_blocks(rows, columns, in_header=False)
        self.table_count += 1
        blocks = []
        for index, row in enumerate(rows):
            paragraphs = [paragraph for cell in row for paragraph in cell]
            cells = [" ".join(paragraph.text for paragraph in cell) for cell in row]
            blocks.append(
                Block(
                    text=" | ".join(cells),
                    italic=bool(paragraphs) and all(paragraph.italic for paragraph in paragraphs),
                    bold=bool(paragraphs) and all(paragraph.bold for paragraph in paragraphs),
                    cells=cells,
                    table=self.table_count,
                    header_row=index == 0,
                )
            )
        return blocks

    def _column_blocks(
        self, rows: list[list[list[_Paragraph]]], columns: int, in_header: bool
    ) -> list[Block]:
        """Layout tables read column by column: the left column first, then the right."""
        blocks: list[Block] = []
        for column in range(columns):
            for row in rows:
                if column < len(row):
                    blocks.extend(self._block(paragraph, in_header=in_header) for paragraph in row[column])
        return blocks

    def _row_cells(
        self, tr: etree._Element, cell_cache: dict[etree._Element, list[_Paragraph]]
    ) -> list[list[_Paragraph]]:
        """The non-empty paragraphs of each cell of a row, each merged cell once.

        A vertically merged cell's continuation shows the text of the cell it continues, so
        every row of a task table keeps its lead agency.
        """
        cells: list[list[_Paragraph]] = []
        for tc in tr.iter(W_TC):
            self.budget.add_cells(1, STAGE)  # nested cells and merged tails are walked too
            if _nearest(tc, {W_TBL}) is not tr.getparent() or _continues_horizontally(tc):
                continue  # a cell of a table nested in this row, or the tail of an old-style merge
            source = _merge_origin(tc)
            if source not in cell_cache:
                # Read each cell once, so that automatic numbers are not counted twice.
                paragraphs = [
                    self._cell_paragraph(p) for p in source.iter(W_P) if not _under(p, source, {MC_FALLBACK})
                ]
                cell_cache[source] = [paragraph for paragraph in paragraphs if paragraph.text]
            cells.append(cell_cache[source])
        return cells

    def _cell_paragraph(self, p: etree._Element) -> _Paragraph:
        self.budget.tick(STAGE)  # a cell's paragraphs count as the cell; only the clock is checked
        return self._paragraph(p)


def _merge_origin(tc: etree._Element) -> etree._Element:
    """The cell holding the content of a vertically merged cell (itself if not merged)."""
    seen = 0
    while seen < 1000:
        tc_pr = tc.find(qn("w:tcPr"))
        merge = None if tc_pr is None else tc_pr.find(qn("w:vMerge"))
        if merge is None or merge.get(qn("w:val"), "continue") != "continue":
            return tc
        above = _cell_above(tc)
        if above is None:
            return tc
        tc, seen = above, seen + 1
    return tc


def _continues_horizontally(tc: etree._Element) -> bool:
    tc_pr = tc.find(qn("w:tcPr"))
    merge = None if tc_pr is None else tc_pr.find(qn("w:hMerge"))
    return merge is not None and merge.get(qn("w:val"), "continue") == "continue"


def _cell_above(tc: etree._Element) -> etree._Element | None:
    tr = tc.getparent()
    previous = tr.getprevious() if tr is not None else None
    while previous is not None and previous.tag != qn("w:tr"):
        previous = previous.getprevious()
    if previous is None:
        return None
    offset = _grid_offset(tc)
    for candidate in previous.findall(W_TC):
        if _grid_offset(candidate) == offset:
            return candidate
    return None


def _grid_offset(tc: etree._Element) -> int:
    tr = tc.getparent()
    offset = 0
    if tr is None:
        return offset
    tr_pr = tr.find(qn("w:trPr"))
    before = None if tr_pr is None else _child_val(tr_pr, "w:gridBefore")
    offset = int(before) if before and before.isdigit() else 0
    for sibling in tr.findall(W_TC):
        if sibling is tc:
            return offset
        tc_pr = sibling.find(qn("w:tcPr"))
        span = None if tc_pr is None else _child_val(tc_pr, "w:gridSpan")
        offset += int(span) if span and span.isdigit() else 1
    return offset


def _body_elements(container: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables of the body in order, looking inside content controls."""
    for child in container:
        if child.tag in (W_P, W_TBL):
            yield child
        elif child.tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                yield from _body_elements(content)


def _own_run(r: etree._Element, p: etree._Element) -> bool:
    """A displayed run of paragraph `p` itself (not of a text box inside it)."""
    return _nearest(r, {W_P}) is p and not _under(r, p, HIDDEN_CONTAINERS)


def _nearest(element: etree._Element, tags: set[str]) -> etree._Element | None:
    for ancestor in element.iterancestors():
        if ancestor.tag in tags:
            return ancestor
    return None


def _under(element: etree._Element, stop: etree._Element, tags: set[str]) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return False
        if ancestor.tag in tags:
            return True
    return False


def _on_off(element: etree._Element | None) -> bool | None:
    if element is None:
        return None
    return element.get(qn("w:val"), "true") not in ("0", "false", "off")


def _num_pr(ppr: etree._Element | None) -> tuple[str, int] | None:
    num_pr = None if ppr is None else ppr.find(qn("w:numPr"))
    if num_pr is None:
        return None
    num_id = _child_val(num_pr, "w:numId")
    if num_id is None:
        return None
    level = _child_val(num_pr, "w:ilvl") or "0"
    return num_id, int(level) if level.isdigit() else 0
