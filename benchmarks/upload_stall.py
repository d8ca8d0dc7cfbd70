"""What an upload's work does to a search running beside it, in one process.

Stores the seed in a scratch store, then times searches for a few seconds while another thread
repeats one stage of ingesting a 240 KB plan (the seed's text eight times): parsing and analysis,
word segmentation, embedding (cached) and Qdrant Edge writes. Prints median and p95 per stage: a
stage that holds the interpreter stalls every search thread of the service, which is why uploads are
read and analyzed in a process of their own.

    python benchmarks/upload_stall.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"


def search_latency(search: Callable[[], object], seconds: float, work: Callable[[], object] | None) -> str:
    stop = threading.Event()

    def repeat() -> None:
        while not stop.is_set() and work is not None:
            work()

    beside = threading.Thread(target=repeat)
    beside.start()
    timings = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        search()
        timings.append((time.perf_counter() - start) * 1000)
    stop.set()
    beside.join()
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    return f"p50 {statistics.median(timings):7.1f} ms  p95 {p95:7.1f} ms  ({len(timings)} searches)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8, help="seconds per stage (default 8)")
    args = parser.parse_args()
    from nlp.tokenize import annotate_words
    from search_api.index.indexer import document_sources, write_points
    from search_api.intake import ingest_file, read_document
    from search_api.services import open_services

    with (
        tempfile.TemporaryDirectory(prefix="vanban-stall-") as scratch,
        open_services(Path(scratch)) as services,
    ):
        print("storing the seed ...", file=sys.stderr, flush=True)
        ingest_file(services, SEED, 10 * 1024 * 1024)
        plan = Path(scratch) / "plan.txt"
        plan.write_text("Số 9999-KH/TU\n" + SEED.read_text(encoding="utf-8") * 8, encoding="utf-8")
        document = read_document(plan)
        points = document_sources(document, services.embedder)

        def upsert() -> None:
            services.store.delete_document(document.id)
            write_points(services.store, points, workers=0)

        stages: dict[str, Callable[[], object] | None] = {
            "idle": None,
            "parse and analysis": lambda: read_document(plan),
            "word segmentation": lambda: annotate_words(document),
            "embedding (cached)": lambda: document_sources(document, services.embedder),
            "Qdrant Edge writes": upsert,
        }
        for name, work in stages.items():
            print(f"{name:20} ...", file=sys.stderr, flush=True)
            line = search_latency(
                lambda: services.searcher.search("hạ tầng giao thông", k=10), args.seconds, work
            )
            print(f"{name:20} {line}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
