"""How much work one document may cost: sizes, counts and a time budget, each a setting.

A file within the file-size limit can still unpack or expand into far more work than a real
directive needs: a 4 MB Word file can hold a 4 GB `document.xml` (a zip bomb), a 64 KB one
hundreds of thousands of empty paragraphs. `Limits` says how much a document may hold; a
`Budget` follows one document through the readers and the pipeline stages, counts what they
produce and checks the clock, and raises `TooLarge` naming the limit, the value found and the
setting (`VANBAN_MAX_…`, read by `search_api.config.limits`) that raises it.

The defaults admit every real document here many times over (the largest real directives have
under 700 paragraphs, 1,700 table cells and 93,000 characters, and read in under 2 s). Within them
a Word or text file is read in well under 1 GB of memory (the densest XML the node limit admits
peaks near 560 MB; `benchmarks/hostile_files.py`). A PDF's compressed streams are counted against the
same unpacked limit before pdfminer unpacks any (it holds each one whole), then its pages, text and cells.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import TypeVar

from ingest.model import Block, TooLarge

MB = 1024 * 1024
N = TypeVar("N", int, float)


def _limit(default: N, setting: str, unit: str) -> N:
    return field(default=default, metadata={"setting": setting, "unit": unit})


@dataclass(frozen=True)
class Limits:
    """The most a document may hold or cost; each field is read from the setting in its metadata."""

    # Word files: all parts unpacked (PDF files: all compressed streams but images), the parts, how
    # many times an XML part over 1 MB unpacks its packed size, and the XML elements, attributes and
    # texts (what lxml builds nodes for).
    unpacked_mb: float = _limit(64.0, "VANBAN_MAX_UNPACKED_MB", "megabytes")
    word_parts: int = _limit(200, "VANBAN_MAX_WORD_PARTS", "parts")
    zip_ratio: float = _limit(500.0, "VANBAN_MAX_ZIP_RATIO", "times")
    xml_nodes: int = _limit(2_500_000, "VANBAN_MAX_XML_NODES", "XML nodes")
    # Every format: what the reader finds, and the time from reading to the last pipeline stage.
    paragraphs: int = _limit(50_000, "VANBAN_MAX_PARAGRAPHS", "paragraphs")
    table_cells: int = _limit(200_000, "VANBAN_MAX_TABLE_CELLS", "table cells")
    pages: int = _limit(2_000, "VANBAN_MAX_PAGES", "pages")
    characters: int = _limit(10_000_000, "VANBAN_MAX_CHARACTERS", "characters")
    seconds: float = _limit(120.0, "VANBAN_MAX_SECONDS", "seconds")
    # Scans: the pages OCR may read and the time a scanned document may take in all (OCR reads a page
    # in 3 to 5 s on two cores: 100 pages in about 8 minutes).
    ocr_pages: int = _limit(200, "VANBAN_MAX_OCR_PAGES", "pages")
    ocr_seconds: float = _limit(1200.0, "VANBAN_MAX_OCR_SECONDS", "seconds")

    @property
    def unpacked_bytes(self) -> int:
        return int(self.unpacked_mb * MB)


def setting(name: str) -> str:
    """The environment variable of the limit `name` ("paragraphs" → "VANBAN_MAX_PARAGRAPHS")."""
    return next(str(f.metadata["setting"]) for f in fields(Limits) if f.name == name)


def over(found: str, limit: str, name: str) -> TooLarge:
    """The one error for a limit exceeded: what was found, the limit, and the setting that raises it."""
    return TooLarge(f"{found}, over the {limit} limit (set {setting(name)} to raise it)")


def more_than(subject: str, limit: str, name: str, detail: str = "") -> TooLarge:
    """The error for a count stopped as soon as it passed the limit: "the document has more than the
    50,000 paragraphs allowed (set VANBAN_MAX_PARAGRAPHS to raise it)"."""
    return TooLarge(f"{subject} more than the {limit} allowed{detail} (set {setting(name)} to raise it)")


def count(value: float) -> str:
    return f"{value:,.0f}"


def megabytes(size: float) -> str:
    """A size as people read it: "4,096 MB", "1.5 MB", "2,000 bytes"."""
    value = size / MB
    if value >= 10:
        return f"{value:,.0f} MB"
    return f"{value:.1f} MB" if value >= 0.1 else f"{size:,.0f} bytes"


class Budget:
    """One document's work so far, checked against `Limits` as readers and stages go.

    The counters are the readers' running totals, raised as soon as they pass a limit, so that a
    hostile file is refused before it has cost much; `check_blocks` gives the exact figures of a
    finished reading. `tick` is the deadline, checked in the readers' loops and between stages.
    """

    def __init__(self, limits: Limits | None = None, started: float | None = None) -> None:
        """`started`: a `time.monotonic()` reading when the document's work began earlier (in another
        process of this machine: the clock is the system's)."""
        self.limits = limits or Limits()
        self.started = time.monotonic() if started is None else started
        self.deadline = self.started + self.limits.seconds
        self.ocr_seconds = 0.0  # spent recognising pages: OCR has its own time (`ocr_seconds`)
        self.paragraphs = 0
        self.cells = 0
        self.characters = 0

    def tick(self, stage: str) -> None:
        """Raise `TooLarge` once the document has had its time; `stage` says what was running."""
        now = time.monotonic()
        if now >= self.deadline:
            raise over(
                f"the document was still being read after {now - self.started:.1f} s ({stage})",
                f"{self.limits.seconds:g} s",
                "seconds",
            )

    def allow_ocr(self, pages: int) -> None:
        """A scan of `pages` pages is about to be read by OCR: refused over the OCR page limit, else
        given the OCR time budget from the start of the document."""
        if pages > self.limits.ocr_pages:
            raise over(
                f"the scan has {count(pages)} pages to recognise", count(self.limits.ocr_pages), "ocr_pages"
            )
        self.deadline = max(self.deadline, self.started + self.limits.ocr_seconds)

    def ocr_done(self, seconds: float) -> None:
        """OCR took `seconds`: the rest of the document's work still has its own `seconds` beyond them
        (a 100-page scan read in 5 minutes must not fail the 2 minutes its analysis may take)."""
        self.ocr_seconds += seconds
        self.deadline = max(self.deadline, self.started + self.ocr_seconds + self.limits.seconds)

    def add_paragraphs(self, n: int, stage: str) -> None:
        self.paragraphs += n
        if self.paragraphs > self.limits.paragraphs:
            raise more_than("the document has", f"{count(self.limits.paragraphs)} paragraphs", "paragraphs")
        self.tick(stage)

    def add_cells(self, n: int, stage: str) -> None:
        self.cells += n
        if self.cells > self.limits.table_cells:
            raise more_than(
                "the document's tables have", f"{count(self.limits.table_cells)} cells", "table_cells"
            )
        self.tick(stage)

    def add_characters(self, n: int, stage: str) -> None:
        self.characters += n
        if self.characters > self.limits.characters:
            raise more_than(
                "the document's text has", f"{count(self.limits.characters)} characters", "characters"
            )
        self.tick(stage)

    def check_text(self, text: str) -> None:
        """A decoded text file's length, before any work is done on it."""
        if len(text) > self.limits.characters:
            raise over(
                f"the document's text has {count(len(text))} characters",
                count(self.limits.characters),
                "characters",
            )

    def check_pages(self, pages: int, exact: bool = True) -> None:
        """`pages` found; not `exact` when counting stopped at the first page past the limit."""
        if pages > self.limits.pages:
            if not exact:
                raise more_than("the PDF has", f"{count(self.limits.pages)} pages", "pages")
            raise over(f"the PDF has {count(pages)} pages", count(self.limits.pages), "pages")

    def check_blocks(self, blocks: Iterable[Block]) -> None:
        """The exact paragraphs, table cells and characters of a reader's blocks."""
        paragraphs = cells = characters = 0
        for block in blocks:
            characters += len(block.text)
            if block.cells is None:
                paragraphs += 1
            else:
                cells += len(block.cells)
        for found, limit, what, name in (
            (paragraphs, self.limits.paragraphs, "paragraphs", "paragraphs"),
            (cells, self.limits.table_cells, "table cells", "table_cells"),
            (characters, self.limits.characters, "characters of text", "characters"),
        ):
            if found > limit:
                raise over(f"the document has {count(found)} {what}", count(limit), name)
