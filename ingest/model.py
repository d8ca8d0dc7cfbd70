"""The document model every stage reads and enriches.

Imports nothing of the project: readers fill `RawDocument`, the segmenter turns it into a
`Document` with `Segment`s, analyzers add facts to segments, the store persists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

SegmentKind = Literal[
    "preamble",
    "heading",
    "purpose",
    "requirement",
    "goal",
    "task",
    "assignment",
    "organization",
    "recipients",
    "table_row",
    "other",
]
SEGMENT_KINDS: tuple[str, ...] = SegmentKind.__args__  # type: ignore[attr-defined]

SourceFormat = Literal["txt", "md", "pdf", "docx", "image"]


class VanbanError(Exception):
    """An error a user can act on; its message is shown as is, without a traceback."""


class ReadError(VanbanError):
    """A file that cannot be read into text (empty, corrupt, encrypted, unsupported...)."""


class UnsupportedFormat(ReadError):
    """A file of a type vanban does not read."""


class TooLarge(ReadError):
    """A file over the size limit."""


@dataclass
class Block:
    """One paragraph or one table row as a reader found it, before segmentation.

    `text` is the display text of the block (a table row joins its cells with " | ").
    Layout hints that the plain text loses are kept as flags: a paragraph set entirely
    in italics or starting with the `*` marker is a likely assignment line.
    """

    text: str
    page: int | None = None
    italic: bool = False
    bold: bool = False
    marker: str = ""  # leading list/assignment marker the reader saw: "-", "+", "*", "•"
    cells: list[str] | None = None  # set for table rows
    table: int | None = None  # table number within the document, for table rows
    header_row: bool = False  # first row of a table, with column titles
    in_header: bool = False  # part of the document's header block (issuer, motto, place and date)
    ocr_confidence: float | None = None  # a scan's: how sure OCR was of the text (0 to 1)

    @property
    def is_table_row(self) -> bool:
        return self.cells is not None


def weighted_confidence(parts: Iterable[tuple[float | None, str]]) -> float | None:
    """The OCR confidence of text made of `parts` (confidence, text): each part's by its length, so a
    misread "đ" weighs less than a misread word; None when no part was OCR'd or all are empty."""
    weighted = [(confidence, len(text)) for confidence, text in parts if confidence is not None]
    total = sum(length for _, length in weighted)
    return sum(c * length for c, length in weighted) / total if total else None


def ocr_confidence_of(blocks: list[Block]) -> float | None:
    """The OCR confidence of text made of `blocks`; None when none was OCR'd."""
    return weighted_confidence((b.ocr_confidence, b.text) for b in blocks)


@dataclass
class RawDocument:
    """What a reader produces: blocks in reading order plus facts about the source file."""

    blocks: list[Block]
    source_path: str
    source_format: SourceFormat
    sha256: str
    page_count: int | None = None
    encoding: str | None = None  # text files: detected encoding ("utf-8", "tcvn3", "vni", ...)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Citation:
    """A reference to another directive, as written in a segment."""

    number: str  # canonical symbol ("72-KL/TW") or, for a named reference, its name
    type: str | None = None  # document type word ("Kết luận")
    date: str | None = None  # ISO date
    issuer: str | None = None
    title: str | None = None
    relation: str = "cites"  # implements | linked | based_on | amends | replaces | cites
    implements: list[str] = field(default_factory=list)  # what the cited document itself implements
    mention: str = ""  # the text as written
    span: tuple[int, int] | None = None  # within the segment text
    named: bool = False  # a named reference without a symbol ("Quy hoạch tỉnh Kon Tum ...")
    resolved: bool = True  # False for an informal reference ("KL 72") no known symbol settles


@dataclass
class Assignment:
    role: str  # lead | coordinate | direct | implement | request | guide | monitor | report | advise
    agency: str  # canonical agency id, or the mention itself when unknown
    mention: str
    actions: list[str] = field(default_factory=list)
    frequency: str | None = None
    deadline: str | None = None  # the time as written ("Quý IV/2025", "Thường xuyên")
    known: bool = True
    deadline_start: str | None = None  # ISO date the period opens, when the text gives one
    deadline_end: str | None = None  # ISO date the period closes ("Quý IV/2025" → 2025-12-31)
    recurrence: str | None = None  # continuous | annual | semiannual | quarterly | monthly
    province: str | None = None  # a local body's province, from the issuer ("Sở Y tế" of a Bắc Ninh plan)


@dataclass
class Target:
    indicator: str
    comparator: str | None
    value: float
    unit: str
    year: int | None = None
    mention: str = ""
    value_max: float | None = None  # upper bound of a range ("16 - 18%/năm"); `value` is the lower


@dataclass
class TimeFrame:
    kind: str  # deadline | horizon | vision | period | frequency | immediate | date
    text: str
    year: int | None = None
    start_year: int | None = None
    end_year: int | None = None
    date: str | None = None
    span: tuple[int, int] | None = None  # within the segment text


@dataclass
class Segment:
    id: str
    document_id: str
    path: str  # position in the document's outline, e.g. "III.3.2"
    kind: SegmentKind
    text: str  # display text, exactly `Document.body[start:end]`
    start: int
    end: int
    pages: list[int] = field(default_factory=list)
    heading: str | None = None  # for headings: the title without its label
    label: str | None = None  # the label as written: "III.", "3.", "a)", "Điều 5."
    parent_path: str | None = None
    cells: list[str] | None = None  # table rows: the cells of the row
    columns: list[str] | None = None  # table rows: the column titles of their table
    governs: list[str] = field(default_factory=list)  # assignment lines: ids of the tasks they govern
    citations: list[Citation] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    time_frames: list[TimeFrame] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # multi-syllable words of the text (word segmentation)
    ocr_confidence: float | None = None  # a scan's: how sure OCR was of the text (0 to 1), else None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Document:
    id: str
    type: str | None  # "Kế hoạch", "Nghị quyết", ...
    number: str | None  # the symbol: "72-KL/TW", "03/NQ-CP"
    issuer: str | None
    date: str | None  # ISO yyyy-mm-dd
    place: str | None
    title: str | None
    implements: list[str]
    source_path: str
    sha256: str
    source_format: SourceFormat
    page_count: int | None
    body: str  # normalized text; segments are spans of it
    encoding: str | None = None
    access_level: str = "public"
    warnings: list[str] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)  # deduplicated over segments

    @property
    def symbol(self) -> str | None:
        return self.number

    def metadata(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("segments", "citations", "body"):
            data.pop(key)
        data["symbol"] = self.number
        return data

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.metadata(),
            "segments": [s.to_dict() for s in self.segments],
            "citations": [asdict(c) for c in self.citations],
        }
