"""Scans: image-only PDF pages and image files, read by OCR into the PDF reader's page layout.

The OCR engine gives words with boxes; they become the words of a text layer (in points, upright,
no font styles) and go through the same geometry as a born-digital PDF: lines from words, page
numbers and running headers dropped, the two-column header split, paragraphs joined across page
breaks. Each page's confidence is kept; pages read with less than the threshold are listed in the
document's warnings, and a page that gives no text at all is an error naming it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from typing import Any

from ingest.limits import Budget
from ingest.model import RawDocument, ReadError
from ingest.ocr.engines import OcrWord, ocr_engine
from ingest.ocr.pages import (
    OcrPage,
    image_file_pages,
    low_confidence_pages,
    median_confidence,
    pdf_page_images,
    recognise,
)
from ingest.ocr.progress import report_page
from ingest.ocr.settings import ocr_settings
from ingest.readers.pdf import Page, RuledTable, Word, layout_document, pages_named

_MARGIN_SHARE = 0.1  # the top and bottom tenth of a page, where page numbers are printed
# A line of at most this many letters and digits, every word read with less confidence, is specks.
_SPECK_CHARACTERS = 4
_SPECK_CONFIDENCE = 0.3


def ocr_pdf_pages(data: bytes, numbers: list[int], budget: Budget) -> tuple[list[Page], list[str], str]:
    """Recognise the PDF pages `numbers`: their pages, the warnings about them, and how they were read."""
    return _recognised(pdf_page_images(data, numbers), len(numbers), budget)


def read_image(data: bytes, source_path: str, sha256: str, budget: Budget) -> RawDocument:
    """A PNG, JPEG or TIFF scan (a TIFF may hold many pages)."""
    count, frames = image_file_pages(data, budget.limits.pages)
    pages, warnings, method = _recognised(frames, count, budget)
    if not any(page.words or page.tables for page in pages):
        numbers = [page.number for page in pages]
        raise ReadError(f"OCR found no text on {pages_named(numbers)}: is the scan blank or upside down?")
    document = layout_document(pages, source_path, "image", sha256, budget, scanned=True)
    document.warnings[:0] = warnings
    document.encoding = method
    return document


def _recognised(
    images: Iterator[tuple[int, Any, float]], count: int, budget: Budget
) -> tuple[list[Page], list[str], str]:
    name, threshold = ocr_settings()
    engine = ocr_engine(name)
    budget.allow_ocr(count)
    started = time.monotonic()
    ocr_pages = recognise(engine, images, count, budget, report_page)
    budget.ocr_done(time.monotonic() - started)
    empty = [page.number for page in ocr_pages if not page.words and not page.tables]
    warnings = []
    if empty:
        warnings.append(f"OCR found no text on {pages_named(empty)}")
    weak = low_confidence_pages(ocr_pages, threshold)
    if weak:
        listed = ", ".join(f"{number} ({confidence:.0%})" for number, confidence in weak[:20])
        warnings.append(f"pages read by OCR with less than {threshold:.0%} confidence, check them: {listed}")
    median = median_confidence(ocr_pages)
    method = f"ocr {engine.name} {median:.0%}" if median is not None else f"ocr {engine.name}"
    return [_as_page(page) for page in ocr_pages], warnings, method


def _as_page(page: OcrPage) -> Page:
    """A recognised page as a text layer: one font size per page (the median word height; a scan's
    sizes are too noisy to tell headings by), upright, no styles; its ruled tables with their cells."""
    heights = [w.bottom - w.top for w in page.words]
    size = statistics.median(heights) if heights else 12.0
    words = [
        Word(w.text, w.x0, w.x1, w.top, w.bottom, size, italic=False, bold=False, confidence=w.confidence)
        for w in page.words
        if not _misread_page_number(w, page) and not _speck(w, page)
    ]
    tables = [
        RuledTable(
            page=page.number,
            top=table.top,
            rows=table.rows,
            row_bold=[False] * len(table.rows),
            row_italic=[False] * len(table.rows),
            columns=table.columns,
            row_confidence=[table.row_confidence(row) for row in range(len(table.rows))],
        )
        for table in page.tables
    ]
    return Page(number=page.number, height=page.height, words=words, tables=tables)


def _speck(word: OcrWord, page: OcrPage) -> bool:
    """A few characters OCR made of specks, a stamp's edge or a fold ("s.k", "SẤ |"): on a line of its
    own whose words it read with almost no confidence. As a paragraph it would cut a table running over
    the page break in two, and stand in the outline as a task."""
    line = [
        other
        for other in page.words
        if min(other.bottom, word.bottom) - max(other.top, word.top) > 0.5 * (word.bottom - word.top)
    ]
    letters = sum(ch.isalnum() for other in line for ch in other.text)
    return letters <= _SPECK_CHARACTERS and all(other.confidence < _SPECK_CONFIDENCE for other in line)


def _misread_page_number(word: OcrWord, page: OcrPage) -> bool:
    """A short token with a digit alone on its line in the page's top or bottom margin: a page number
    OCR read with a slip ("L5" for "15", "-1Z-"), which the layout's exact page-number rule misses and
    which would cut a paragraph or a table running over the page break."""
    middle = (word.top + word.bottom) / 2
    in_margin = middle < _MARGIN_SHARE * page.height or middle > (1 - _MARGIN_SHARE) * page.height
    if not in_margin or len(word.text.strip("-–—()[] ")) > 4 or not any(ch.isdigit() for ch in word.text):
        return False
    return not any(
        other is not word and min(other.bottom, word.bottom) - max(other.top, word.top) > 0
        for other in page.words
    )
