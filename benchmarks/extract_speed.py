"""Extraction throughput on one core: citations, assignments, targets and time frames (nlp.analyze),
and, separately, underthesea word segmentation (used for search terms).

Documents are parsed once; only the analysis is timed, on the seed, on every document with gold
(the genre documents and, when ../shared/realdocs is here, the real directives), and on a
synthetic 200 KB single-line segment of garbage.
"""

from __future__ import annotations

import copy
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.pipeline import parse_file  # noqa: E402
from nlp.analyze import analyze  # noqa: E402
from nlp.tokenize import annotate_words  # noqa: E402

SOURCES = [ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"]
SOURCES += sorted((ROOT / "tests" / "data" / "genre").iterdir())
SOURCES += sorted(p for p in (ROOT.parent / "shared" / "realdocs").glob("*.md") if p.name != "README.md")


def timed(function, document, repeats: int) -> float:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(repeats):
        fresh = copy.deepcopy(document)
        start = time.perf_counter()
        function(fresh)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    print(f"{'document':<40}{'KB':>8}{'analysis KB/s':>16}{'words KB/s':>14}")
    total_bytes = 0
    total_analysis = 0.0
    total_words = 0.0
    for source in SOURCES:
        document = parse_file(source)
        size = len(document.body.encode("utf-8")) / 1024
        analysis = timed(analyze, document, 5)
        words = timed(annotate_words, document, 2)
        total_bytes += size
        total_analysis += analysis
        total_words += words
        print(f"{source.name[:39]:<40}{size:>8.0f}{size / analysis:>16.0f}{size / words:>14.0f}")
    print(
        f"{'all':<40}{total_bytes:>8.0f}{total_bytes / total_analysis:>16.0f}{total_bytes / total_words:>14.0f}"
    )
    garbage = "".join(random.Random(1).choice("abc đêm 1,5% - ; Số 72-KL/TW ") for _ in range(200_000))
    start = time.perf_counter()
    from nlp.analyze import analyze_text

    analyze_text(garbage)
    print(f"200 KB single-line garbage segment: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
