"""OCR engines compared on scans made from documents whose text is known: character error rate and
pages per minute on this machine.

Each document is printed to PDF (the seed, as `tests/docgen_pdf.py` lays it out), scanned back at
two qualities (`tests/docgen_scans.py`: an office scanner at 200 dpi, and a phone-like copy at
150 dpi, turned 1.5°, blurrier, more compressed) and read by vanban with each engine. The character
error rate is the edit distance between the body vanban reads from the scan and the body it reads
from the born-digital PDF, over the latter's length, whitespace runs counted as one space. Pages
per minute is the whole reading (rasterising, straightening, OCR and layout) of the scan. Progress
goes to stderr, the table to stdout.

    .venv/bin/python benchmarks/ocr_engines.py [--engines tesseract,trueocr]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from ingest.ocr.engines import ENGINES  # noqa: E402
from ingest.pipeline import parse_file  # noqa: E402
from tests.docgen_pdf import make_seed_pdf  # noqa: E402
from tests.docgen_scans import OFFICE_SCANNER, ScanQuality, image_only_pdf, scanned_pages  # noqa: E402

PHONE = ScanQuality(dpi=150, angle=1.5, blur=1.0, jpeg_quality=50)
QUALITIES = {"office scanner, 200 dpi": OFFICE_SCANNER, "phone-like, 150 dpi": PHONE}
SEED = ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def character_error_rate(reference: str, read: str) -> float:
    reference, read = _plain(reference), _plain(read)
    return Levenshtein.distance(reference, read) / max(len(reference), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    args = parser.parse_args()
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="vanban-ocr-") as scratch:
        folder = Path(scratch)
        printed = make_seed_pdf(SEED.read_text(encoding="utf-8"), folder / "ke-hoach.pdf")
        reference = parse_file(printed).body
        for label, quality in QUALITIES.items():
            scan = image_only_pdf(scanned_pages(printed, quality), folder / "scan.pdf", quality.dpi)
            for engine in engines:
                os.environ["VANBAN_OCR_ENGINE"] = engine
                print(f"{engine} on the seed, {label} ...", file=sys.stderr, flush=True)
                started = time.perf_counter()
                document = parse_file(scan)
                seconds = time.perf_counter() - started
                pages = document.page_count or 0
                rate = character_error_rate(reference, document.body)
                print(f"  {pages} pages in {seconds:.1f} s, CER {rate:.2%}", file=sys.stderr, flush=True)
                rows.append((engine, label, pages, seconds, rate, document.encoding or ""))
    print()
    print(f"{'engine':<11}{'scan':<26}{'pages':>6}{'seconds':>9}{'pages/min':>11}{'CER':>8}  read as")
    for engine, label, pages, seconds, rate, method in rows:
        print(
            f"{engine:<11}{label:<26}{pages:>6}{seconds:>9.1f}{60 * pages / seconds:>11.1f}{rate:>8.2%}  {method}"
        )


if __name__ == "__main__":
    main()
