"""OCR engines: a page image in, words with their boxes and confidence out.

Two engines, chosen by measurement (`benchmarks/ocr_engines.py`, figures in the README):
- `tesseract`: Debian's `tesseract-ocr` with its Vietnamese model (`tesseract-ocr-vie`); word boxes
  and a confidence per word.
- `trueocr`: an ONNX model for printed Vietnamese that ships inside its wheel; line boxes with a
  confidence per line, which are cut into words here in proportion to their characters.

Each engine is loaded once per process and reused. A missing engine is one clear `ReadError`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ingest.model import ReadError, TooLarge, weighted_confidence
from ingest.ocr.settings import ENGINES

Layout = Literal["page", "line", "word"]
# Tesseract's page segmentation modes: automatic, a single line, a single word.
_PAGE_SEGMENTATION: dict[str, str] = {"page": "3", "line": "7", "word": "8"}
TESSERACT_MISSING = (
    "reading a scan needs Debian's tesseract OCR with its Vietnamese model: "
    "apt-get install tesseract-ocr tesseract-ocr-vie (or set VANBAN_OCR_ENGINE=trueocr)"
)


@dataclass(frozen=True)
class OcrWord:
    """A recognised word, its box in the page image's pixels, and the engine's confidence (0 to 1)."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    confidence: float


def mean_confidence(words: list[OcrWord]) -> float | None:
    """The words' confidence, weighted by their length (`weighted_confidence`)."""
    return weighted_confidence((w.confidence, w.text) for w in words)


class OcrEngine(Protocol):
    name: str

    def words(self, image: Any, timeout: float | None = None, layout: Layout = "page") -> list[OcrWord]:
        """The words of one page image (a grey PIL image), in no particular order, within `timeout`
        seconds when the engine can be stopped; `layout` says what the image holds: a page, one line
        of text or one short word (a table cell)."""
        ...


class TesseractEngine:
    """Debian's tesseract, run as a command per page (its TSV output: one row per word with its box
    and confidence). Called directly rather than through pytesseract, because the command needs an
    environment of its own: with one OpenMP thread it read the seed's 6 pages in 14.8 s, with its
    default threads on these two cores in 24.8 s."""

    name = "tesseract"

    def __init__(self) -> None:
        command = shutil.which("tesseract")
        if command is None:
            raise ReadError(TESSERACT_MISSING)
        self._command = command
        self._environment = dict(os.environ, OMP_THREAD_LIMIT="1")
        try:
            listed = subprocess.run(
                [command, "--list-langs"], capture_output=True, text=True, timeout=60, env=self._environment
            )
        except (OSError, subprocess.SubprocessError):
            raise ReadError(TESSERACT_MISSING) from None
        if "vie" not in listed.stdout.split():
            raise ReadError(TESSERACT_MISSING)

    def words(self, image: Any, timeout: float | None = None, layout: Layout = "page") -> list[OcrWord]:
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        try:
            done = subprocess.run(
                [self._command, "stdin", "stdout", "-l", "vie", "--psm", _PAGE_SEGMENTATION[layout], "tsv"],
                input=buffer.getvalue(),
                capture_output=True,
                timeout=timeout,
                env=self._environment,
            )
        except subprocess.TimeoutExpired:
            raise TooLarge(
                "OCR of one page ran past the document's time (set VANBAN_MAX_OCR_SECONDS)"
            ) from None
        if done.returncode != 0:
            detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no message"]
            raise ReadError(f"tesseract could not read the page: {detail[0][:200]}")
        return _tsv_words(done.stdout.decode("utf-8", errors="replace"))


def _tsv_words(tsv: str) -> list[OcrWord]:
    """The word rows (level 5) of tesseract's TSV, with a confidence from 0 to 1."""
    words = []
    rows = csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in rows:
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        confidence = float(row["conf"])
        if confidence < 0:
            continue
        left, top = float(row["left"]), float(row["top"])
        words.append(
            OcrWord(text, left, top, left + float(row["width"]), top + float(row["height"]), confidence / 100)
        )
    return words


TRUEOCR_OUT_OF_MEMORY = (
    "the trueocr engine ran out of memory reading a page; the service's reader needs"
    " VANBAN_READER_MEMORY_MB=4096 or more for it, or use tesseract (VANBAN_OCR_ENGINE)"
)


class TrueOcrEngine:
    name = "trueocr"

    def __init__(self) -> None:
        try:
            from trueocr import load_model
        except ImportError:
            raise ReadError("the trueocr engine is not installed: pip install trueocr") from None
        self._model = load_model(threads=max(1, min(2, os.cpu_count() or 1)), auto_rotate=False)

    def words(self, image: Any, timeout: float | None = None, layout: Layout = "page") -> list[OcrWord]:
        try:
            result = self._model.predict(image.convert("RGB"), mode="page" if layout == "page" else "line")
        except MemoryError:
            raise
        except Exception as exc:  # onnxruntime's own errors: one line, never a traceback
            if "bad_alloc" in str(exc):  # its allocator ran out of memory (the reader's address space)
                raise TooLarge(TRUEOCR_OUT_OF_MEMORY) from None
            raise ReadError(f"trueocr could not read the page: {str(exc)[:200]}") from None
        words: list[OcrWord] = []
        for found in result.lines:
            words.extend(_split_line(str(found["text"]), found["bbox"], float(found["confidence"])))
        return words


def _split_line(text: str, box: list[int], confidence: float) -> list[OcrWord]:
    """A line's words, each given the share of the line's width its characters take (the engine boxes
    lines only; the layout needs where a line's first word ends)."""
    tokens = text.split()
    if not tokens:
        return []
    x0, top, x1, bottom = (float(v) for v in box)
    units = sum(len(t) for t in tokens) + len(tokens) - 1
    step = (x1 - x0) / max(units, 1)
    words, at = [], x0
    for token in tokens:
        end = at + step * len(token)
        words.append(OcrWord(token, at, top, end, bottom, confidence))
        at = end + step
    return words


_BUILDERS: dict[str, Callable[[], OcrEngine]] = {"tesseract": TesseractEngine, "trueocr": TrueOcrEngine}
_loaded: dict[str, OcrEngine] = {}
_loading = threading.Lock()


def ocr_engine(name: str) -> OcrEngine:
    """The engine `name` (one of `ENGINES`), loaded once per process."""
    if name not in _BUILDERS:
        raise ReadError(f"unknown OCR engine '{name}': one of {', '.join(ENGINES)}")
    with _loading:
        if name not in _loaded:
            _loaded[name] = _BUILDERS[name]()
        return _loaded[name]
