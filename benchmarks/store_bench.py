"""Vector store benchmark: upsert, optimize and hybrid query latency on synthetic segments.

    python benchmarks/store_bench.py [N]     (default 20000)

N points with 384-dim random unit vectors, sparse vectors of Zipf-distributed term ids (so a few terms
are common and most are rare, as in text), and payloads spread over 20 documents, kinds and years.
Qdrant Edge always runs; qdrant-client local mode only up to 20,000 points (it warns beyond that and
takes minutes). Peak RSS is the whole process's, so the second engine's figure includes the first's.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.model import SEGMENT_KINDS  # noqa: E402
from search_api.index.edge import EdgeStore  # noqa: E402
from search_api.index.server import ServerStore  # noqa: E402
from search_api.index.vector_store import IndexPoint, SearchFilter, SparseVector, VectorStore  # noqa: E402

DIM = 384
VOCABULARY = 50_000
TERMS_PER_POINT = 24
QUERIES = 200
LOCAL_MODE_LIMIT = 20_000
DOCUMENTS = 20


def sparse_vector(rng: np.random.Generator, terms: int) -> SparseVector:
    ids = np.unique(np.minimum(rng.zipf(1.3, terms), VOCABULARY))
    weights = rng.uniform(0.5, 2.0, len(ids))
    return SparseVector([int(i) for i in ids], [float(w) for w in weights])


def unit_vectors(rng: np.random.Generator, count: int) -> np.ndarray:
    vectors = rng.standard_normal((count, DIM)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def make_points(count: int, seed: int = 11) -> list[IndexPoint]:
    rng = np.random.default_rng(seed)
    dense = unit_vectors(rng, count)
    points = []
    for i in range(count):
        document = i % DOCUMENTS
        payload = {
            "document_id": f"doc-{document}",
            "doc_type": ("nghi-quyet", "ket-luan", "ke-hoach")[document % 3],
            "issuer": f"issuer-{document % 5}",
            "year": 2015 + document % 10,
            "kind": SEGMENT_KINDS[i % len(SEGMENT_KINDS)],
            "agencies": [f"agency-{i % 40}"],
            "agency_roles": [f"lead:agency-{i % 40}"],
            "cited": [f"{document}-NQ/TW"],
            "access_level": "public",
        }
        points.append(IndexPoint(f"seg-{i}", dense[i], sparse_vector(rng, TERMS_PER_POINT), payload))
    return points


def percentiles(samples: list[float]) -> tuple[float, float]:
    return float(np.percentile(samples, 50)), float(np.percentile(samples, 95))


def time_queries(run: Callable[[int], object], count: int) -> tuple[float, float]:
    samples = []
    for i in range(count):
        started = time.perf_counter()
        run(i)
        samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def bench(name: str, store: VectorStore, points: list[IndexPoint]) -> dict[str, str]:
    store.ensure_collection(DIM, "bench-random")
    started = time.perf_counter()
    store.upsert(points)
    upsert_s = time.perf_counter() - started
    started = time.perf_counter()
    store.optimize()
    optimize_s = time.perf_counter() - started
    assert store.count() == len(points)

    rng = np.random.default_rng(5)
    dense_queries = unit_vectors(rng, QUERIES)
    sparse_queries = [sparse_vector(rng, 4) for _ in range(QUERIES)]
    filters = [
        SearchFilter(
            kinds=[SEGMENT_KINDS[i % len(SEGMENT_KINDS)]], year_from=2017 + i % 4, year_to=2020 + i % 4
        )
        for i in range(QUERIES)
    ]
    hybrid = time_queries(
        lambda i: store.search_hybrid(dense_queries[i], sparse_queries[i], limit=10), QUERIES
    )
    filtered = time_queries(
        lambda i: store.search_hybrid(dense_queries[i], sparse_queries[i], filters[i], limit=10), QUERIES
    )
    size = store.size_on_disk()
    store.close()
    return {
        "engine": name,
        "points": f"{len(points):,}",
        "upsert pts/s": f"{len(points) / upsert_s:,.0f}",
        "optimize s": f"{optimize_s:.1f}",
        "hybrid p50/p95 ms": f"{hybrid[0]:.1f} / {hybrid[1]:.1f}",
        "filtered p50/p95 ms": f"{filtered[0]:.1f} / {filtered[1]:.1f}",
        "disk MB": "-" if size is None else f"{size / 1e6:.0f}",
        "peak RSS MB": f"{peak_rss_mb():.0f}",
    }


def print_table(rows: list[dict[str, str]]) -> None:
    columns = list(rows[0])
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(row[c].ljust(widths[c]) for c in columns))


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    started = time.perf_counter()
    points = make_points(count)
    print(f"{count:,} synthetic points built in {time.perf_counter() - started:.1f} s", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="vanban-bench-") as scratch:
        rows.append(bench("qdrant-edge", EdgeStore(Path(scratch) / "edge"), points))
        if count <= LOCAL_MODE_LIMIT:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rows.append(bench("qdrant-client local", ServerStore.local(Path(scratch) / "local"), points))
        else:
            print(f"qdrant-client local mode skipped above {LOCAL_MODE_LIMIT:,} points")
    print_table(rows)


if __name__ == "__main__":
    main()
