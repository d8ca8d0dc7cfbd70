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
from ingest.model import ReadError
from ingest.ocr.engines import OcrEngine, OcrWord
from ingest.ocr.progress import Progress

DPI = 300  # what tesseract is trained for; a page is about 2,480 × 3,508 pixels
POINTS_PER_INCH = 72
STAGE = "recognising the scan"
# Skew angles tried, in degrees: scanners and phones seldom tilt a page more than this.
_SKEW_RANGE = 3.0
_SKEW_STEP = 0.1
_SKEW_SIDE = 1000  # the reduced copy's longer side, in pixels

Image.MAX_IMAGE_PIXELS = 200_000_000  # a 600 dpi A3 page; larger is a decompression bomb


@dataclass
class OcrPage:
    """One recognised page: its words in the page's points (1/72 inch), as a text layer gives them."""

    number: int
    width: float
    height: float
    words: list[OcrWord] = field(default_factory=list)
    skew: float = 0.0

    @property
    def confidence(self) -> float | None:
        """The page's confidence: its words' confidences weighted by their length; None for no words."""
        total = sum(len(w.text) for w in self.words)
        if not total:
            return None
        return sum(w.confidence * len(w.text) for w in self.words) / total


def pdf_page_images(data: bytes, numbers: list[int]) -> Iterator[tuple[int, Any, float]]:
    """The PDF's pages `numbers` (from 1) as grey images at `DPI`, one at a time."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError(f"damaged PDF: {exc}") from None
    try:
        for number in numbers:
            page = document[number - 1]
            try:
                bitmap = page.render(scale=DPI / POINTS_PER_INCH, grayscale=True)
                yield number, bitmap.to_pil().convert("L"), float(DPI)
            finally:
                page.close()
    finally:
        document.close()


def image_file_pages(data: bytes, max_pages: int) -> Iterator[tuple[int, Any, float]]:
    """The frames of an image file (a TIFF may hold many) as grey images, with their resolution."""
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except Image.DecompressionBombError:
        raise ReadError(f"the image has more than {Image.MAX_IMAGE_PIXELS:,} pixels: is it a scan?") from None
    except (UnidentifiedImageError, OSError):
        raise ReadError("the image is damaged or not in a format vanban reads (PNG, JPEG, TIFF)") from None
    frames = getattr(image, "n_frames", 1)
    if frames > max_pages:
        raise ReadError(
            f"the image file has {frames} pages, over the {max_pages} limit (set VANBAN_MAX_PAGES)"
        )
    for index in range(frames):
        image.seek(index)
        frame = ImageOps.exif_transpose(image).convert("L")
        dpi = image.info.get("dpi", (DPI, DPI))[0] or DPI
        yield index + 1, frame, float(dpi)


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
        scale = POINTS_PER_INCH / dpi
        words = [
            OcrWord(w.text, w.x0 * scale, w.top * scale, w.x1 * scale, w.bottom * scale, w.confidence)
            for w in engine.words(image, timeout=_time_left(budget))
        ]
        recognised.append(OcrPage(number, image.width * scale, image.height * scale, words, skew))
        if progress is not None:
            progress(done, count)
    return recognised


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
