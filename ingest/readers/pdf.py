"""PDF reader: text layer → paragraphs, header lines and table rows, in reading order.

pdfplumber gives words with positions and font names; everything after that is geometry:
lines are grouped from words, page furniture (page numbers, running headers) is dropped,
the two-column header of page 1 is split into its columns, wrapped lines are merged into
paragraphs (also across a page break), and ruled tables become one block per row.

All library calls live in `_extract_pages`, so that only they are guarded against the
library's exceptions; the layout code after it works on plain dataclasses.
"""

from __future__ import annotations

import difflib
import io
import re
import statistics
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import (
    LITERALS_ASCII85_DECODE,
    LITERALS_ASCIIHEX_DECODE,
    LITERALS_FLATE_DECODE,
    PDFObjectNotFound,
    PDFStream,
    resolve1,
)
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from ingest.limits import Budget, megabytes, more_than
from ingest.model import Block, RawDocument, ReadError, SourceFormat, weighted_confidence

# A line that starts a list item or a numbered part: "- ", "+ ", "• ", "1.", "1.2.", "a)", "I.", "Điều 5."
_LABEL = re.compile(
    r"^(?:[-+•–—*]\s|(?:\d{1,3}(?:\.\d{1,3})*[.)]|[a-zđ][.)]|[IVXLC]{1,6}\.)\s"
    r"|(?:Điều|Chương|Mục|Phần)\s+[\dIVXLC]+\b)"
)
_TERMINAL = re.compile(r"[.;:!?…][”\"')\]]*$")
# "2", "- 2 -", "Trang 2", "Trang 2/10", "Page 2 of 10", "(2)"
_PAGE_NUMBER = re.compile(
    r"^[\s\-–—(\[]*(?:trang|page)?\s*\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?[\s\-–—)\]]*$", re.IGNORECASE
)
_ITALIC_FONT = re.compile(r"italic|oblique|-it$|,it$", re.IGNORECASE)
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demibold", re.IGNORECASE)

# Exceptions pdfminer raises on malformed input that pdfplumber does not wrap (object resolution,
# stream decoding, content-stream operands of the wrong type, reference cycles).
_LIBRARY_ERRORS = (
    PdfminerException,
    MalformedPDFException,
    PSException,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AssertionError,
    RecursionError,
    zlib.error,
)

ENCRYPTED = "encrypted PDF: remove the password and try again"
STAGE = "reading the PDF"
# A page mostly covered by an image with fewer characters of text than this is a scan.
_FEW_CHARACTERS = 200
# How alike two page-edge lines must be (difflib's ratio) to count as one running header or footer.
_RUNNING_ALIKE = 0.9
_INFLATE_STEP = 1024 * 1024


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    italic: bool
    bold: bool
    confidence: float | None = None  # a scan's: how sure OCR was of the word (0 to 1)


@dataclass
class _Line:
    page: int
    words: list[Word]

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return self.words[-1].x1

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        by_size: Counter[float] = Counter()
        for w in self.words:
            by_size[round(w.size, 1)] += len(w.text)
        return by_size.most_common(1)[0][0]

    @property
    def text(self) -> str:
        return _join_words(self.words)

    @property
    def bold_state(self) -> str:
        return _state(w.bold for w in self.words)

    @property
    def first_token_width(self) -> float:
        """Width of the first space-delimited token (words split at font changes are rejoined)."""
        end = self.words[0].x1
        for prev, word in zip(self.words, self.words[1:], strict=False):
            if word.x0 - prev.x1 > _space_gap(prev.size):
                break
            end = word.x1
        return end - self.x0


@dataclass
class RuledTable:
    page: int
    top: float
    rows: list[list[str]]
    row_bold: list[bool]
    row_italic: list[bool]
    columns: list[float]  # x positions of the column rulings
    row_confidence: list[float | None] | None = None  # a scan's: how sure OCR was of each row


@dataclass
class Page:
    number: int
    height: float
    words: list[Word]
    tables: list[RuledTable] = field(default_factory=list)
    image_share: float = 0.0  # of the page's area covered by images


@dataclass(frozen=True)
class _Layout:
    """Facts about the body text of the whole document that line-merging decisions need."""

    left: float
    right: float
    break_ratio: float  # line pitch (in font sizes) above which a gap separates paragraphs
    indent: float | None  # x of the first-line indent most paragraphs use, if they use one

    @property
    def uses_indent(self) -> bool:
        return self.indent is not None

    @property
    def mid(self) -> float:
        return (self.left + self.right) / 2

    @property
    def width(self) -> float:
        return self.right - self.left

    def at_left(self, line: _Line) -> bool:
        return abs(line.x0 - self.left) <= 3

    def centered(self, line: _Line) -> bool:
        """Whether the line is set centered (a full-width line is trivially centered too)."""
        if self.indent is not None and abs(line.x0 - self.indent) <= 2 and not self.at_left(line):
            return False  # an indented first line that happens to sit in the middle
        return abs((line.x0 + line.x1) / 2 - self.mid) <= 4


def read_pdf(data: bytes, source_path: str, sha256: str, budget: Budget | None = None) -> RawDocument:
    budget = budget or Budget()
    pages = _extract_pages(data, budget)
    if not pages:
        raise ReadError("damaged PDF: it has no pages")
    scanned = [page.number for page in pages if _is_scanned(page)]
    warnings: list[str] = []
    method = None
    if scanned:  # read by OCR; imported here so that a born-digital PDF never loads an engine
        from ingest.readers.scan import ocr_pdf_pages

        recognised, warnings, method = ocr_pdf_pages(data, scanned, budget)
        by_number = {page.number: page for page in recognised}
        pages = [by_number.get(page.number, page) for page in pages]
        if not any(page.words or page.tables for page in pages):
            raise ReadError(f"OCR found no text on {pages_named(scanned)}: is the scan blank or upside down?")
    blank = [
        page.number for page in pages if not page.words and not page.tables and page.number not in scanned
    ]
    if blank:
        warnings.append(f"pages without text: {_page_list(blank)}")
    document = layout_document(pages, source_path, "pdf", sha256, budget, scanned=bool(scanned))
    document.warnings[:0] = warnings
    document.encoding = method
    return document


def _is_scanned(page: Page) -> bool:
    """A page to read by OCR: one with an image and no text layer, or one that is mostly an image with
    only a few words of text over it (a stamp, a page number, a scanner's caption)."""
    characters = sum(len(word.text) for word in page.words)
    if page.image_share == 0:
        return False  # nothing to recognise: a page left blank on purpose, or drawn shapes only
    return (not page.words and not page.tables) or (page.image_share > 0.5 and characters < _FEW_CHARACTERS)


def layout_document(
    pages: list[Page], source_path: str, fmt: SourceFormat, sha256: str, budget: Budget, scanned: bool = False
) -> RawDocument:
    """Blocks in reading order from the words (and ruled tables) of each page: lines, page furniture
    dropped, the header's columns, paragraphs joined across lines and pages."""
    lines_by_page = {page.number: _group_lines(page.number, page.words) for page in pages}
    budget.tick(STAGE)
    _drop_page_furniture(lines_by_page, {page.number: page.height for page in pages}, scanned)
    layout = _measure_layout([line for lines in lines_by_page.values() for line in lines])
    header, lines_by_page[pages[0].number] = _split_header(
        lines_by_page[pages[0].number], layout, pages[0].height
    )
    budget.tick(STAGE)
    blocks = header + _assemble(pages, lines_by_page, layout)
    return RawDocument(
        blocks=blocks,
        source_path=source_path,
        source_format=fmt,
        sha256=sha256,
        page_count=len(pages),
    )


# --- extraction: the only place that calls pdfplumber ---------------------------------------------


def _extract_pages(data: bytes, budget: Budget) -> list[Page]:
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            _check_page_count(pdf.doc, budget)
            _check_unpacked_streams(pdf.doc, budget)
            pages = []
            for page in pdf.pages:
                budget.tick(STAGE)
                pages.append(_extract_page(page))
                page.close()  # its cached layout objects are not needed again: memory stays one page's
                extracted = pages[-1]
                budget.add_characters(sum(len(word.text) for word in extracted.words), STAGE)
                budget.add_cells(sum(len(row) for table in extracted.tables for row in table.rows), STAGE)
            return pages
    except _LIBRARY_ERRORS as exc:
        cause = exc.args[0] if isinstance(exc, PdfminerException) and exc.args else exc
        if isinstance(cause, PDFEncryptionError):
            raise ReadError(ENCRYPTED) from None
        detail = str(cause).strip() or type(cause).__name__
        raise ReadError(f"damaged PDF: {detail[:160]}") from None


def _check_page_count(document: Any, budget: Budget) -> None:
    """Refuse a PDF with more pages than the limit before any page is read.

    The page tree is walked (without reading the pages) up to the limit; the tree's own count, which
    can lie and is otherwise not used, gives the figure shown when it agrees.
    """
    for number, _ in enumerate(_pages(document), start=1):
        if number > budget.limits.pages:
            stated = _stated_page_count(document)
            if stated is not None and stated >= number:
                budget.check_pages(stated)
            budget.check_pages(number, exact=False)
        if number % 100 == 0:
            budget.tick(STAGE)


def _check_unpacked_streams(document: Any, budget: Budget) -> None:
    """Refuse a PDF whose compressed streams unpack past the limit, before pdfminer unpacks any: it
    holds a stream whole in memory, so a 256 KB file whose page content unpacks to 500 MB cost 547 MB.
    Each Flate stream is unpacked here 1 MB at a time and only counted. Images are left out: reading
    the text layer never unpacks them (a scan's pages may be large)."""
    limit = budget.limits.unpacked_bytes
    unpacked = 0
    contents = _content_stream_ids(document)
    for xref in document.xrefs:
        for objid in xref.get_objids():
            try:
                stream = document.getobj(objid)
            except PDFObjectNotFound:
                continue
            # A page's content is counted whatever its dictionary claims (a bomb labelled /Image).
            if not isinstance(stream, PDFStream) or (_is_image(stream) and objid not in contents):
                continue
            packed = _flate_data(stream)
            if packed is None:
                continue
            unpacked += _unpacked_size(packed, limit - unpacked)
            if unpacked > limit:
                raise more_than(
                    "the PDF's content unpacks to", megabytes(limit), "unpacked_mb", " (a compression bomb?)"
                )
            budget.tick(STAGE)


def _content_stream_ids(document: Any) -> set[int]:
    """The object numbers of the pages' content streams."""
    ids: set[int] = set()
    for page in _pages(document):
        attributes = page if isinstance(page, dict) else getattr(page, "attrs", {})
        contents = attributes.get("Contents")
        for reference in contents if isinstance(contents, list) else [contents]:
            objid = getattr(reference, "objid", None)
            if isinstance(objid, int):
                ids.add(objid)
    return ids


def _is_image(stream: Any) -> bool:
    subtype = resolve1(stream.attrs.get("Subtype"))
    return getattr(subtype, "name", None) == "Image"


def _flate_data(stream: Any) -> bytes | None:
    """The Flate-packed bytes of a stream, after the ASCII armour some writers put around them (which
    only shrinks); None for a stream with no Flate step."""
    data = stream.rawdata or b""
    for name, _ in stream.get_filters():
        if name in LITERALS_FLATE_DECODE:
            return data
        if name in LITERALS_ASCII85_DECODE:
            data = ascii85decode(data)
        elif name in LITERALS_ASCIIHEX_DECODE:
            data = asciihexdecode(data)
        else:
            return None
    return None


def _unpacked_size(data: bytes, most: int) -> int:
    """How many bytes `data` inflates to, stopping once past `most`; damaged data counts what it gave
    (pdfminer reports the damage when it reads the stream)."""
    inflater = zlib.decompressobj()
    size = 0
    pending = data
    try:
        while pending and size <= most:
            size += len(inflater.decompress(pending, _INFLATE_STEP))
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass
    return size


def _pages(document: Any) -> Iterator[Any]:
    """The page tree's pages, with errors wrapped as pdfplumber wraps them when it walks the tree."""
    pages = PDFPage.create_pages(document)
    while True:
        try:
            yield next(pages)
        except StopIteration:
            return
        except Exception as exc:  # malformed trees raise anything; pdfplumber's `pages` wraps them so
            raise PdfminerException(exc) from exc


def _stated_page_count(document: Any) -> int | None:
    catalog = document.catalog
    root = resolve1(catalog.get("Pages")) if isinstance(catalog, dict) else None
    stated = resolve1(root.get("Count")) if isinstance(root, dict) else None
    return stated if isinstance(stated, int) else None


def _extract_page(page: Any) -> Page:
    words = [
        Word(
            text=w["text"],
            x0=w["x0"],
            x1=w["x1"],
            top=w["top"],
            bottom=w["bottom"],
            size=w["size"],
            italic=bool(_ITALIC_FONT.search(w["fontname"])),
            bold=bool(_BOLD_FONT.search(w["fontname"])),
        )
        for w in page.extract_words(extra_attrs=["fontname", "size"])
        if w["upright"] and w["text"].strip()
    ]
    # The table finder costs more than the text itself; pages without rulings have no tables to find.
    found = page.find_tables() if page.edges else []
    tables: list[RuledTable] = []
    for table in found:
        rows = [[" ".join((cell or "").split()) for cell in row] for row in table.extract()]
        if max((len(row) for row in rows), default=0) < 2:
            continue  # a framed paragraph, not a table
        x0, top, x1, bottom = table.bbox
        inside = [
            w for w in words if x0 <= (w.x0 + w.x1) / 2 <= x1 and top <= (w.top + w.bottom) / 2 <= bottom
        ]
        inside_ids = {id(w) for w in inside}
        words = [w for w in words if id(w) not in inside_ids]
        row_words = [
            [w for w in inside if r.bbox[1] <= (w.top + w.bottom) / 2 <= r.bbox[3]] for r in table.rows
        ]
        tables.append(
            RuledTable(
                page=page.page_number,
                top=top,
                rows=rows,
                row_bold=[bool(ws) and all(w.bold for w in ws) for ws in row_words],
                row_italic=[bool(ws) and all(w.italic for w in ws) for ws in row_words],
                columns=sorted({round(c[0], 1) for c in table.cells} | {round(c[2], 1) for c in table.cells}),
            )
        )
    return Page(
        number=page.page_number,
        height=page.height,
        words=words,
        tables=tables,
        image_share=_image_share(page),
    )


def _image_share(page: Any) -> float:
    """How much of the page its images cover (overlaps counted twice, capped at all of it)."""
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for image in page.images:
        width = min(image["x1"], page.width) - max(image["x0"], 0)
        height = min(image["bottom"], page.height) - max(image["top"], 0)
        covered += max(width, 0) * max(height, 0)
    return min(covered / area, 1.0)


# --- lines and page furniture -------------------------------------------------------------------


def _space_gap(size: float) -> float:
    return 0.12 * size


def _join_words(words: Sequence[Word]) -> str:
    # Words are also split where the font changes ("(" upright, "thành" italic): no space there.
    parts = [words[0].text]
    for prev, word in zip(words, words[1:], strict=False):
        parts.append(" " + word.text if word.x0 - prev.x1 > _space_gap(prev.size) else word.text)
    return "".join(parts)


def _state(flags: Iterable[bool]) -> str:
    values = set(flags)
    return "mixed" if len(values) > 1 else ("all" if values == {True} else "none")


def _group_lines(page: int, words: list[Word]) -> list[_Line]:
    """Group words into lines: a word belongs to a line it overlaps vertically by half its height."""
    lines: list[_Line] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        height = word.bottom - word.top
        for line in reversed(lines[-3:]):
            overlap = min(line.bottom, word.bottom) - max(line.top, word.top)
            if overlap > 0.5 * min(height, line.bottom - line.top):
                line.words.append(word)
                break
        else:
            lines.append(_Line(page=page, words=[word]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return sorted(lines, key=lambda line: line.top)


def _drop_page_furniture(
    lines_by_page: dict[int, list[_Line]], heights: dict[int, float], scanned: bool = False
) -> None:
    """Remove page numbers and running headers/footers, in place (`scanned`: matched despite OCR's
    small differences between pages)."""
    running = _running_lines(lines_by_page, scanned)
    for number, lines in lines_by_page.items():
        kept = [line for line in lines if id(line) not in running]
        if kept and _is_page_number(kept[0], heights[number]):
            kept = kept[1:]
        if kept and _is_page_number(kept[-1], heights[number]):
            kept = kept[:-1]
        lines_by_page[number] = kept


def _is_page_number(line: _Line, page_height: float) -> bool:
    near_edge = line.bottom < 0.2 * page_height or line.top > 0.8 * page_height
    return near_edge and bool(_PAGE_NUMBER.match(line.text))


def _running_lines(lines_by_page: dict[int, list[_Line]], scanned: bool = False) -> set[int]:
    """Ids of lines repeated at the same place near the top or bottom of most pages."""
    pages_with_text = [lines for lines in lines_by_page.values() if lines]
    if len(pages_with_text) < 3:
        return set()
    # Lines alike but for their numbers and spacing are one candidate; in a scan, also those alike
    # but for a few characters (OCR reads the same header a little differently on each page; the
    # fuzzy comparison is kept to scans, whose pages OCR bounds, because it is quadratic).
    candidates: dict[str, list[_Line]] = {}
    for lines in pages_with_text:
        for line in {id(line): line for line in lines[:2] + lines[-2:]}.values():
            key = re.sub(r"\d+", "#", "".join(line.text.lower().split()))
            if key not in candidates and scanned:
                key = next((known for known in candidates if _alike(known, key)), key)
            candidates.setdefault(key, []).append(line)
    running: set[int] = set()
    needed = max(3, round(0.6 * len(pages_with_text)))
    for lines in candidates.values():
        usual_top = statistics.median(line.top for line in lines)
        same_place = [line for line in lines if abs(line.top - usual_top) <= 5]
        if len({line.page for line in same_place}) >= needed:
            running.update(id(line) for line in same_place)
    return running


def _alike(first: str, second: str) -> bool:
    if first == second:
        return True
    if abs(len(first) - len(second)) > 0.1 * max(len(first), len(second)):
        return False
    matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
    return matcher.quick_ratio() >= _RUNNING_ALIKE and matcher.ratio() >= _RUNNING_ALIKE


def _measure_layout(lines: list[_Line]) -> _Layout:
    if not lines:  # all the text is in tables
        return _Layout(left=0, right=0, break_ratio=1.5, indent=None)
    left = Counter(round(line.x0) for line in lines).most_common(1)[0][0]
    right_edges = sorted(line.x1 for line in lines)
    right = right_edges[int(0.98 * (len(right_edges) - 1))]
    pitches = [
        (b.top - a.top) / a.size
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and abs(a.size - b.size) < 0.5 and 0.9 < (b.top - a.top) / a.size < 3
    ]
    pitch = statistics.median(pitches) if pitches else 1.2
    # First lines of paragraphs: indented a little and running on to the next line.
    indents = Counter(
        round(a.x0 / 2) * 2
        for a, b in zip(lines, lines[1:], strict=False)
        if left + 5 < a.x0 < left + 0.2 * (right - left) and abs(b.x0 - left) <= 3 and b.top > a.top
    )
    indent, count = indents.most_common(1)[0] if indents else (0, 0)
    return _Layout(
        left=left, right=right, break_ratio=pitch * 1.2 + 0.05, indent=float(indent) if count >= 3 else None
    )


# --- the page-1 header ----------------------------------------------------------------------------


def _split_header(lines: list[_Line], layout: _Layout, page_height: float) -> tuple[list[Block], list[_Line]]:
    """Take the two-column header off the top of page 1: issuer left, motto and place/date right.

    The header is the run of top lines whose parts sit clearly left or right of the text's
    middle; it ends at the first line centered on the page (the document type) or spanning it.
    """
    left: list[list[Word]] = []
    right: list[list[Word]] = []
    taken = 0
    previous_bottom: float | None = None
    for line in lines:
        if line.top > 0.4 * page_height:
            break
        if previous_bottom is not None and line.top - previous_bottom > 3.5 * line.size:
            break
        sides = [_side(part, layout) for part in _parts(line)]
        if None in sides or len(sides) > 2 or (len(sides) == 2 and sides[0] == sides[1]):
            break
        for part, side in zip(_parts(line), sides, strict=True):
            (left if side == "left" else right).append(part)
        taken += 1
        previous_bottom = line.bottom
    if not left or not right:
        return [], lines
    blocks = [
        Block(
            text=_join_words(part),
            page=lines[0].page,
            italic=all(w.italic for w in part),
            bold=all(w.bold for w in part),
            in_header=True,
            ocr_confidence=_ocr_confidence(part),
        )
        for part in left + right
    ]
    return blocks, lines[taken:]


def _parts(line: _Line) -> list[list[Word]]:
    """Split a line where a gap of two font sizes or more separates its words (two columns)."""
    parts = [[line.words[0]]]
    for prev, word in zip(line.words, line.words[1:], strict=False):
        if word.x0 - prev.x1 >= 2 * prev.size:
            parts.append([word])
        else:
            parts[-1].append(word)
    return parts


def _side(part: list[Word], layout: _Layout) -> str | None:
    center = (part[0].x0 + part[-1].x1) / 2
    if abs(center - layout.mid) < 0.08 * layout.width:
        return None  # centered on the page: the title after the header
    return "left" if center < layout.mid else "right"


# --- paragraphs and tables ------------------------------------------------------------------------


def _assemble(pages: list[Page], lines_by_page: dict[int, list[_Line]], layout: _Layout) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[_Line] = []
    tables = _TableNumbering()

    def flush() -> None:
        if paragraph:
            blocks.append(_paragraph_block(paragraph))
            paragraph.clear()
            tables.interrupted()

    for page in pages:
        items: list[_Line | RuledTable] = [*lines_by_page[page.number], *page.tables]
        for item in sorted(items, key=lambda item: item.top):
            if isinstance(item, RuledTable):
                flush()
                blocks.extend(tables.rows(item))
                continue
            if paragraph and not _continues(paragraph, item, layout):
                flush()
            paragraph.append(item)
    flush()
    return blocks


def _continues(paragraph: list[_Line], line: _Line, layout: _Layout) -> bool:
    """Whether `line` wraps on from the paragraph so far rather than starting a new one."""
    prev = paragraph[-1]
    if abs(line.size - prev.size) > 0.8 or {prev.bold_state, line.bold_state} == {"all", "none"}:
        return False
    if line.page != prev.page:
        # A page break hides the vertical gap; an unindented, unlabelled first line after a
        # full last line continues the paragraph (if indents are not used, only mid-sentence).
        return (
            layout.at_left(line)
            and not _LABEL.match(line.text)
            and not _first_word_fits(prev, line, layout)
            and (layout.uses_indent or not _TERMINAL.search(prev.text))
        )
    if (line.top - prev.top) / prev.size > layout.break_ratio:
        return False
    if not _aligned_as_continuation(paragraph, line, layout):
        return False
    if _first_word_fits(prev, line, layout):
        return False  # the previous line ended early on purpose
    return not (_LABEL.match(line.text) and _TERMINAL.search(prev.text))


def _aligned_as_continuation(paragraph: list[_Line], line: _Line, layout: _Layout) -> bool:
    first = paragraph[0]
    truly_centered = layout.centered(first) and not layout.at_left(first)
    if layout.at_left(line):
        return not truly_centered or layout.centered(line)
    if layout.centered(line):
        return all(layout.centered(p) for p in paragraph)
    # A block-indented paragraph keeps the x position of its wrapped lines.
    return len(paragraph) > 1 and abs(line.x0 - paragraph[-1].x0) <= 3


def _first_word_fits(prev: _Line, line: _Line, layout: _Layout) -> bool:
    """Whether the first word of `line` would have fitted on `prev`: then `prev` ended a paragraph."""
    if layout.centered(prev) and not layout.at_left(prev):
        room = layout.width - (prev.x1 - prev.x0)
    else:
        room = layout.right - prev.x1
    return line.first_token_width + 0.25 * prev.size < room - 1


def _paragraph_block(lines: list[_Line]) -> Block:
    text = lines[0].text
    for line in lines[1:]:
        # "kinh tế-" / "xã hội": a line that ends in a hyphen glued to a word is a broken compound.
        text += line.text if re.search(r"\w-$", text) else " " + line.text
    words = [w for line in lines for w in line.words]
    return Block(
        text=text,
        page=lines[0].page,
        italic=all(w.italic for w in words),
        bold=all(w.bold for w in words),
        ocr_confidence=_ocr_confidence(words),
    )


def _ocr_confidence(words: list[Word]) -> float | None:
    """A scan's words' confidence; None for a text layer's."""
    return weighted_confidence((w.confidence, w.text) for w in words)


@dataclass(frozen=True)
class _OpenTable:
    """The last table emitted, which the next page may continue."""

    page: int
    columns: list[float]
    header: list[str]


class _TableNumbering:
    """Numbers tables; a table that goes on over a page break keeps its number and header row."""

    def __init__(self) -> None:
        self.count = 0
        self.open: _OpenTable | None = None

    def interrupted(self) -> None:
        self.open = None

    def rows(self, table: RuledTable) -> list[Block]:
        confidence = table.row_confidence or [None] * len(table.rows)
        rows = list(zip(table.rows, table.row_bold, table.row_italic, confidence, strict=True))
        continued = self.open if self.open is not None and self._continues(self.open, table) else None
        if continued is not None:
            if rows and _same_row(rows[0][0], continued.header):
                rows = rows[1:]  # the header row repeated on the new page
            header = continued.header
        else:
            self.count += 1
            header = table.rows[0]
        self.open = _OpenTable(page=table.page, columns=table.columns, header=header)
        return [
            Block(
                text=" | ".join(cells),
                page=table.page,
                bold=bold,
                italic=italic,
                cells=cells,
                table=self.count,
                header_row=continued is None and index == 0,
                ocr_confidence=row_confidence,
            )
            for index, (cells, bold, italic, row_confidence) in enumerate(rows)
            if any(cells)
        ]

    @staticmethod
    def _continues(previous: _OpenTable, table: RuledTable) -> bool:
        same_columns = len(previous.columns) == len(table.columns) and all(
            abs(a - b) <= 3 for a, b in zip(previous.columns, table.columns, strict=True)
        )
        return table.page == previous.page + 1 and same_columns


def _same_row(first: list[str], second: list[str]) -> bool:
    """The same cells, or nearly (a scan's OCR reads a repeated header "TT." once and "TT" again)."""
    if first == second:
        return True
    if len(first) != len(second):
        return False
    return _alike(
        *("".join(ch for ch in " ".join(row).casefold() if ch.isalnum()) for row in (first, second))
    )


def pages_named(numbers: list[int]) -> str:
    """ "page 4" or "pages 1, 2" in an error or warning."""
    return f"page {_page_list(numbers)}" if len(numbers) == 1 else f"pages {_page_list(numbers)}"


def _page_list(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" ..." if len(numbers) > 10 else "")
