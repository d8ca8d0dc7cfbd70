"""Scans for the OCR tests and `benchmarks/ocr_engines.py`: a generated PDF printed and scanned again.

Not a test module. Each page of a born-digital PDF is rendered in grey at the scanner's resolution,
turned a little (a sheet never lies square on the glass), blurred (the scanner's optics) and saved as
JPEG (what scanners and phones send); the pages then become an image-only PDF or image files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

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
