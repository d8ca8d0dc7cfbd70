"""Page images → recognised words: rasterising PDF pages, opening image files, straightening.

PDF pages are rasterised with pypdfium2 (pdfplumber's own dependency) in grey at `DPI`; PNG, JPEG and
TIFF files (a multi-page TIFF is a multi-page scan) are opened with Pillow. A scan is seldom square to
the page: the skew is measured on a reduced copy (the angle whose rows of ink are sharpest) and
the page turned back before recognition, so that the words of one line share one band of the page.
"""

from __future__ import annotations

import io
import math
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ingest.limits import Budget
from ingest.model import ReadError, TooLarge
from ingest.ocr.engines import OcrEngine, OcrWord, mean_confidence
from ingest.ocr.progress import Progress
from ingest.ocr.tables import OcrTable, fill_tables, find_tables

DPI = 300  # what tesseract is trained for; a page is about 2,480 × 3,508 pixels
POINTS_PER_INCH = 72
STAGE = "recognising the scan"
# Skew angles tried, in degrees: scanners and phones seldom tilt a page more than this.
_SKEW_RANGE = 3.0
_SKEW_STEP = 0.1
_SKEW_SIDE = 1000  # the reduced copy's longer side, in pixels
_CELL_MARGIN = 6  # pixels kept clear of a cell's rulings when it is read alone
_DOUBTFUL = 0.8  # a cell with a word read with less confidence is read again alone
_ONE_LINE = 1.8  # ink up to this many word heights high is one line
_SHORT_WORD = 3.0  # ink this many times as wide as high, or less, is one short word
_INK_PIXELS = 60  # dark pixels from which a cell holds something to read (a "1" at 300 dpi: about 120)

# A page image may have up to this many pixels (an A3 sheet at 600 dpi); larger is refused before it is
# drawn or decoded, and Pillow refuses larger images itself (it warns up to twice its limit).
MAX_PAGE_PIXELS = 70_000_000
Image.MAX_IMAGE_PIXELS = MAX_PAGE_PIXELS
_UNREADABLE_IMAGE = "the image is damaged or not in a format vanban reads (PNG, JPEG, TIFF)"


@dataclass
class OcrPage:
    """One recognised page: its words in the page's points (1/72 inch), as a text layer gives them."""

    number: int
    width: float
    height: float
    words: list[OcrWord] = field(default_factory=list)  # outside tables
    tables: list[OcrTable] = field(default_factory=list)
    skew: float = 0.0
    confidence: float | None = None  # of all its words, weighted by their length; None for no words


def pdf_page_images(data: bytes, numbers: list[int]) -> Iterator[tuple[int, Any, float]]:
    """The PDF's pages `numbers` (from 1) as grey images at `DPI`, one at a time; a page whose image
    would exceed `MAX_PAGE_PIXELS` (a huge media box) is refused before it is drawn."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError(f"damaged PDF: {exc}") from None
    try:
        for number in numbers:
            try:
                page = document[number - 1]
                width, height = page.get_size()
                pixels = (width * DPI / POINTS_PER_INCH) * (height * DPI / POINTS_PER_INCH)
                if pixels > MAX_PAGE_PIXELS:
                    raise TooLarge(
                        f"page {number} of the scan is {width / 72:.0f} × {height / 72:.0f} inches: too large to read"
                    )
                try:
                    bitmap = page.render(scale=DPI / POINTS_PER_INCH, grayscale=True)
                    image = bitmap.to_pil().convert("L")
                finally:
                    page.close()
            except pdfium.PdfiumError as exc:
                raise ReadError(f"damaged PDF: page {number} cannot be drawn ({exc})") from None
            yield number, image, float(DPI)
    finally:
        document.close()


def image_file_pages(data: bytes, max_pages: int) -> tuple[int, Iterator[tuple[int, Any, float]]]:
    """How many frames an image file holds (a TIFF may hold many), and the frames as grey images with
    their resolution, opened once; the frames are decoded one at a time as they are read."""
    try:
        image = Image.open(io.BytesIO(data))
        frames = getattr(image, "n_frames", 1)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ReadError(_UNREADABLE_IMAGE) from None
    if frames > max_pages:
        raise ReadError(
            f"the image file has {frames} pages, over the {max_pages} limit (set VANBAN_MAX_PAGES)"
        )
    return frames, _frames(image, frames)


def _frames(image: Any, frames: int) -> Iterator[tuple[int, Any, float]]:
    for index in range(frames):
        try:
            image.seek(index)
            if image.width * image.height > MAX_PAGE_PIXELS:
                raise TooLarge(
                    f"page {index + 1} of the image has more than {MAX_PAGE_PIXELS:,} pixels: is it a scan?"
                )
            frame = ImageOps.exif_transpose(image).convert("L")
            declared = image.info.get("dpi", (DPI, DPI))[0]
            dpi = (
                float(declared)
                if declared and math.isfinite(float(declared)) and float(declared) > 0
                else DPI
            )
        except (UnidentifiedImageError, OSError, ValueError, TypeError, Image.DecompressionBombError):
            raise ReadError(f"page {index + 1} of the image is damaged: {_UNREADABLE_IMAGE}") from None
        yield index + 1, frame, dpi


def recognise(
    engine: OcrEngine,
    pages: Iterator[tuple[int, Any, float]],
    count: int,
    budget: Budget,
    progress: Progress | None = None,
) -> list[OcrPage]:
    """Straighten and recognise each page; words come back in points, as on a text layer."""
    recognised = []
    for done, (number, image, dpi) in enumerate(pages, start=1):
        budget.tick(STAGE)
        skew = measure_skew(image)
        if abs(skew) >= _SKEW_STEP:
            image = image.rotate(skew, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        grids, rulings = find_tables(np.asarray(image))
        if grids:  # read the page with its tables' rulings erased
            clean = np.asarray(image).copy()
            clean[rulings] = 255
            image = Image.fromarray(clean)
        found = engine.words(image, timeout=_time_left(budget))
        tables, words = fill_tables(found, grids)
        line_height = statistics.median([w.bottom - w.top for w in found]) if found else 0.0
        for table in tables:
            _read_doubtful_cells(engine, image, table, line_height, budget)
        scale = POINTS_PER_INCH / dpi
        recognised.append(
            OcrPage(
                number,
                image.width * scale,
                image.height * scale,
                [_scaled(w, scale) for w in words],
                [
                    OcrTable(
                        t.top * scale,
                        t.bottom * scale,
                        [x * scale for x in t.columns],
                        t.rows,
                        [y * scale for y in t.row_rulings],
                        t.confidence,
                        t.mean_confidence,
                    )
                    for t in tables
                ],
                skew,
                mean_confidence(found),
            )
        )
        if progress is not None:
            progress(done, count)
    return recognised


def _read_doubtful_cells(
    engine: OcrEngine, image: Any, table: OcrTable, line_height: float, budget: Budget
) -> None:
    """Read again alone, cropped to their ink, the cells of `table` that came back empty (but hold
    ink) or doubtful and hold one line: a short one as a word ("2", "12", "a)"; read as a line, a lone
    "2" came back "lễ"), a longer one as a line. A doubtful cell keeps its first reading unless the
    second is more confident."""
    grey = np.asarray(image)
    for row, column, (x0, top, x1, bottom) in table.doubtful_cells(_DOUBTFUL):
        inner = grey[top + _CELL_MARGIN : bottom - _CELL_MARGIN, x0 + _CELL_MARGIN : x1 - _CELL_MARGIN]
        if inner.size == 0 or int((inner < 128).sum()) < _INK_PIXELS:
            continue  # blank, or specks
        ink = np.argwhere(inner < 160)
        (y0, left), (y1, right) = ink.min(axis=0), ink.max(axis=0)
        tight = inner[max(y0 - 4, 0) : y1 + 5, max(left - 4, 0) : right + 5]
        first = table.rows[row][column]
        if first and tight.shape[0] > _ONE_LINE * line_height:
            continue  # several lines: the page's reading stands
        budget.tick(STAGE)
        crop = ImageOps.expand(Image.fromarray(tight), border=20, fill=255)
        short = tight.shape[1] <= _SHORT_WORD * tight.shape[0]
        words = engine.words(crop, timeout=_time_left(budget), layout="word" if short else "line")
        read = [w for w in sorted(words, key=lambda w: w.x0) if any(ch.isalnum() for ch in w.text)]
        if not read or (first and min(w.confidence for w in read) <= table.confidence[row][column]):
            continue  # specks and stroke ends are not words; a less sure reading does not replace one
        table.rows[row][column] = " ".join(w.text for w in read)
        table.confidence[row][column] = min(w.confidence for w in read)
        table.mean_confidence[row][column] = mean_confidence(read)


def _scaled(word: OcrWord, scale: float) -> OcrWord:
    return OcrWord(
        word.text, word.x0 * scale, word.top * scale, word.x1 * scale, word.bottom * scale, word.confidence
    )


def _time_left(budget: Budget) -> float | None:
    """Seconds the document has left, at least one (the deadline is checked before each page)."""
    left = budget.deadline - time.monotonic()
    return max(left, 1.0) if math.isfinite(left) else None


def measure_skew(image: Any) -> float:
    """The angle (degrees, counter-clockwise) that makes the page's lines of text level: the one whose
    row profile of ink varies most (text rows dense, the gaps between them empty)."""
    small = image.copy()
    small.thumbnail((_SKEW_SIDE, _SKEW_SIDE))
    ink = 255 - np.asarray(small, dtype=np.float32)
    if ink.mean() < 1:
        return 0.0  # a blank page
    inked = Image.fromarray(np.where(ink > 96, 255, 0).astype(np.uint8))
    best, best_score = 0.0, -1.0
    steps = int(round(_SKEW_RANGE / _SKEW_STEP))
    for step in range(-steps, steps + 1):
        angle = step * _SKEW_STEP
        turned = inked.rotate(angle, resample=Image.Resampling.NEAREST, expand=False)
        rows = np.asarray(turned, dtype=np.float32).sum(axis=1)
        score = float(np.diff(rows).var())
        if score > best_score:
            best, best_score = angle, score
    return best


def low_confidence_pages(pages: list[OcrPage], threshold: float) -> list[tuple[int, float]]:
    """(page, confidence) of the pages read with less than `threshold` confidence."""
    return [
        (page.number, confidence)
        for page in pages
        if (confidence := page.confidence) is not None and confidence < threshold
    ]


def median_confidence(pages: list[OcrPage]) -> float | None:
    values = [c for page in pages if (c := page.confidence) is not None]
    return statistics.median(values) if values else None
