"""The OCR settings from the environment, kept apart from the engines so that checking them at start-up
(`vanban ingest`, `vanban serve`) loads nothing."""

from __future__ import annotations

import os

from ingest.model import ReadError

ENGINES = ("tesseract", "trueocr")
DEFAULT_ENGINE = "tesseract"  # chosen by measurement: see the README's OCR figures
DEFAULT_MIN_CONFIDENCE = 0.75


def ocr_settings() -> tuple[str, float]:
    """The engine (`VANBAN_OCR_ENGINE`) and the confidence below which a page is flagged
    (`VANBAN_OCR_MIN_CONFIDENCE`, 0 to 1)."""
    engine = os.environ.get("VANBAN_OCR_ENGINE", "").strip() or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ReadError(f"VANBAN_OCR_ENGINE must be one of {', '.join(ENGINES)}, not '{engine}'")
    raw = os.environ.get("VANBAN_OCR_MIN_CONFIDENCE", "").strip()
    try:
        threshold = float(raw) if raw else DEFAULT_MIN_CONFIDENCE
    except ValueError:
        threshold = -1.0
    if not 0 <= threshold <= 1:
        raise ReadError(f"VANBAN_OCR_MIN_CONFIDENCE must be a number from 0 to 1, not '{raw}'")
    return engine, threshold
