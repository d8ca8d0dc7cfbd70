"""Scans for the OCR tests and `benchmarks/ocr_engines.py`: a generated PDF printed and scanned again.

Not a test module. Each page of a born-digital PDF is rendered in grey at the scanner's resolution,
turned a little (a sheet never lies square on the glass), blurred (the scanner's optics) and saved as
JPEG (what scanners and phones send); the pages then become an image-only PDF or image files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image, ImageFilter


@dataclass(frozen=True)
class ScanQuality:
    dpi: int = 200
    angle: float = 0.6  # degrees, counter-clockwise
    blur: float = 0.6  # Gaussian radius in pixels
    jpeg_quality: int = 70


OFFICE_SCANNER = ScanQuality()


def scanned_pages(
    pdf: Path, quality: ScanQuality = OFFICE_SCANNER, pages: list[int] | None = None
) -> list[Image.Image]:
    """The pages (from 1; all by default) of `pdf` as a scanner would give them back."""
    document = pdfium.PdfDocument(pdf)
    images = []
    try:
        for number in pages or range(1, len(document) + 1):
            page = document[number - 1]
            image = page.render(scale=quality.dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            if quality.angle:
                image = image.rotate(quality.angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
            if quality.blur:
                image = image.filter(ImageFilter.GaussianBlur(quality.blur))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality.jpeg_quality)
            images.append(Image.open(io.BytesIO(buffer.getvalue())))
    finally:
        document.close()
    return images


def image_only_pdf(images: list[Image.Image], path: Path, dpi: int = OFFICE_SCANNER.dpi) -> Path:
    """An image-only PDF of the pages, as a scanner's "scan to PDF" writes it."""
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=dpi)
    return path


def image_file(images: list[Image.Image], path: Path, dpi: int = OFFICE_SCANNER.dpi) -> Path:
    """The pages as one image file, in the format of `path`'s suffix (a TIFF holds them all)."""
    if path.suffix.lower() in (".tif", ".tiff"):
        images[0].save(
            path, "TIFF", save_all=True, append_images=images[1:], dpi=(dpi, dpi), compression="tiff_lzw"
        )
    else:
        images[0].save(path, dpi=(dpi, dpi))
    return path


def blank_pdf(path: Path, pages: int = 1, dpi: int = OFFICE_SCANNER.dpi) -> Path:
    """A scan of empty sheets."""
    sheet = Image.new("L", (int(8.27 * dpi), int(11.69 * dpi)), 255)
    return image_only_pdf([sheet] * pages, path, dpi)


class DoubtfulBelow:
    """The real engine, unsure of the words below `share` of a page's height (a stain, faded toner):
    their confidence is cut to a third, their text kept. Damaging the image itself does not do it
    reliably: tesseract reads blur well, and noise turns a paragraph into garbage rather than doubt."""

    def __init__(self, engine: Any, share: float) -> None:
        self.engine, self.share, self.name = engine, share, engine.name

    def words(self, image: Any, timeout: float | None = None, layout: str = "page") -> list[Any]:
        found = self.engine.words(image, timeout, layout)
        cut = self.share * image.height
        return [replace(w, confidence=w.confidence / 3) if w.top > cut else w for w in found]


def doubtful_below(monkeypatch: Any, share: float) -> None:
    """Within the test, scans are read by `DoubtfulBelow(tesseract, share)`."""
    from ingest.ocr.engines import ocr_engine
    from ingest.readers import scan

    engine = ocr_engine("tesseract")
    monkeypatch.setattr(scan, "ocr_engine", lambda name: DoubtfulBelow(engine, share))
