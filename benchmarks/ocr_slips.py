"""OCR slips mended in what analysis reads (`nlp/ocr_reading.py`): what they are worth on scans.

Each document (the seed and the real plans named; `../shared/realdocs/plans/`) is printed to PDF,
scanned back as an office scanner would (`tests/docgen_scans.py`), and read with each engine. Its
citations and (role, agency) assignments are compared with those of the printed PDF, read without
OCR: F1 before (the scan analysed as typed text, every segment's OCR confidence cleared, so nothing
is mended) and after (as vanban analyses a scan). Progress goes to stderr, the table to stdout.

    .venv/bin/python benchmarks/ocr_slips.py [--engines tesseract,trueocr] [--plans bacninh-144-kh-ubnd.txt,...]
"""

from __future__ import annotations

import argparse
import copy
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.model import Document  # noqa: E402
from ingest.ocr.settings import ENGINES  # noqa: E402
from ingest.pipeline import parse_file  # noqa: E402
from nlp.analyze import analyze  # noqa: E402
from tests.docgen_pdf import make_seed_pdf  # noqa: E402
from tests.docgen_renditions import make_pdf, plan_blocks  # noqa: E402
from tests.docgen_scans import image_only_pdf, scanned_pages  # noqa: E402

SEED = ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"
PLANS = ROOT.parent / "shared" / "realdocs" / "plans"
DEFAULT_PLANS = "bacninh-144-kh-ubnd.txt,qd-2597-ttg.txt,kl-127-tw.txt,hanoi-308-kh-ubnd.txt"


def facts(document: Document) -> tuple[set[str], set[tuple[str, str]]]:
    citations = {c.number for s in document.segments for c in s.citations if not c.named}
    assignments = {(a.role, a.agency) for s in document.segments for a in s.assignments}
    return citations, assignments


def f1(expected: set[object], got: set[object]) -> float:
    right = len(expected & got)
    return 2 * right / (len(expected) + len(got)) if expected or got else 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--plans", default=DEFAULT_PLANS)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="vanban-slips-") as scratch:
        folder = Path(scratch)
        printed = {"seed": make_seed_pdf(SEED.read_text(encoding="utf-8"), folder / "seed.pdf")}
        for name in filter(None, (n.strip() for n in args.plans.split(","))):
            source = PLANS / name
            if not source.is_file():
                print(f"skipped {name}: not in {PLANS}", file=sys.stderr)
                continue
            printed[source.stem] = make_pdf(plan_blocks(source), folder / f"{source.stem}.pdf", name)
        for key, pdf in printed.items():
            typed = facts(analyze(parse_file(pdf)))
            scan = image_only_pdf(scanned_pages(pdf), folder / f"{key}-scan.pdf")
            for engine in filter(None, (e.strip() for e in args.engines.split(","))):
                os.environ["VANBAN_OCR_ENGINE"] = engine
                print(f"reading {key} with {engine}…", file=sys.stderr, flush=True)
                read = parse_file(scan)
                as_typed = copy.deepcopy(read)
                for segment in as_typed.segments:
                    segment.ocr_confidence = None
                before, after = facts(analyze(as_typed)), facts(analyze(read))
                rows.append(
                    (key, engine, len(typed[1]), f1(typed[1], before[1]), f1(typed[1], after[1]),
                     len(typed[0]), f1(typed[0], before[0]), f1(typed[0], after[0]))
                )  # fmt: skip
    print("| document | engine | assignments | F1 before | F1 after | citations | F1 before | F1 after |")
    print("|---|---|---|---|---|---|---|---|")
    for key, engine, n, b, a, c, cb, ca in rows:
        print(f"| {key} | {engine} | {n} | {b:.3f} | {a:.3f} | {c} | {cb:.3f} | {ca:.3f} |")


if __name__ == "__main__":
    main()
