"""Hostile files against the per-document limits: size on disk, time to rejection, peak memory.

Builds the files in a temporary folder (`tests/ingest/hostile_builders.py`: a 4 GiB zip bomb is
written in a fraction of a second) and parses each with `ingest.pipeline.parse_bytes` under the
default limits in a child process of its own, which reports the time the parse took and its own
peak RSS. Progress lines go to stderr, the table to stdout.

    .venv/bin/python benchmarks/hostile_files.py
    .venv/bin/python benchmarks/hostile_files.py --code /tmp/old   # another checkout's ingest/
    .venv/bin/python benchmarks/hostile_files.py --only zip,paragraphs --memory-cap-gb 14

`--code DIR` runs the children on the `ingest` package in DIR (say, `git archive HEAD ingest`
unpacked there) to measure the code before a change. `--memory-cap-gb` caps each child's address
space, so that a file the code under test cannot bound fails with MemoryError instead of taking the
machine down.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.ingest.hostile_builders import (  # noqa: E402
    GIB,
    docx_with_body,
    node_bomb_docx,
    paragraph_bomb_docx,
    pdf_bomb,
    zip_bomb_docx,
)

CHILD = """
import json, resource, sys, time
from ingest.model import ReadError
from ingest.pipeline import parse_bytes
path = sys.argv[1]
data = open(path, "rb").read()
started = time.perf_counter()
try:
    document = parse_bytes(data, path)
    outcome = f"parsed: {len(document.segments)} segments"
except ReadError as exc:
    outcome = f"{type(exc).__name__}: {exc}"
except MemoryError:
    outcome = "MemoryError (the address-space cap was reached)"
seconds = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "max_rss": rss}))
"""


def _cell_bomb(path: Path) -> Path:
    row = b"<w:tr>" + b"<w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>" * 10 + b"</w:tr>"
    return docx_with_body(path, b"<w:tbl>" + row * 30_000 + b"</w:tbl>")


# name -> (description, builder)
FILES: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "zip": (
        "zip bomb: document.xml of 4 GiB of spaces",
        lambda d: zip_bomb_docx(d / "zip-bomb.docx", 4 * GIB),
    ),
    "lying-zip": (
        "zip bomb whose ZIP directory says document.xml is 2,000 bytes",
        lambda d: zip_bomb_docx(d / "lying-zip-bomb.docx", 4 * GIB, declared=2000),
    ),
    "paragraphs": (
        "paragraph bomb: 344,064 numbered paragraphs",
        lambda d: paragraph_bomb_docx(d / "paragraph-bomb.docx", 344_064),
    ),
    "pdf": (
        "PDF whose page content unpacks to 512 MB of spaces",
        lambda d: pdf_bomb(d / "pdf-bomb.pdf", 512 * 1024 * 1024),
    ),
    "cells": ("table-cell bomb: 300,000 cells", lambda d: _cell_bomb(d / "cell-bomb.docx")),
    "dense-xml": (
        "densest XML just under the node limit (2.44 M nodes; admitted)",
        lambda d: node_bomb_docx(d / "dense-xml.docx", 2_440_000),
    ),
}


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parse_in_child(path: Path, code: Path, cap_bytes: int | None) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(code))

    def limit_memory() -> None:
        if cap_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)],
        cwd=code,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=limit_memory,
    )
    wall = time.perf_counter() - started
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return {
            "outcome": f"child failed (exit {result.returncode}): {last}",
            "seconds": wall,
            "max_rss": 0,
            "wall": wall,
        }
    report: dict[str, object] = json.loads(lines[-1])
    report["wall"] = wall
    return report


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--code", type=Path, default=ROOT, help="folder whose ingest/ the children run")
    parser.add_argument("--only", default=",".join(FILES), help=f"comma-separated, of: {', '.join(FILES)}")
    parser.add_argument(
        "--memory-cap-gb", type=float, default=16.0, help="address-space cap per child (0: none)"
    )
    args = parser.parse_args()
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in names if name not in FILES]
    if unknown:
        parser.error(f"unknown file kind(s): {', '.join(unknown)}")
    cap = int(args.memory_cap_gb * GIB) if args.memory_cap_gb > 0 else None
    _progress(
        f"code under test: {args.code.resolve()}/ingest; memory cap per child: {args.memory_cap_gb:g} GB"
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="vanban-hostile-") as folder:
        for number, name in enumerate(names, start=1):
            description, build = FILES[name]
            _progress(f"[{number}/{len(names)}] building {name}: {description} ...")
            started = time.perf_counter()
            path = build(Path(folder))
            _progress(
                f"[{number}/{len(names)}]   built {path.name}, {path.stat().st_size:,} bytes in {time.perf_counter() - started:.2f} s"
            )
            _progress(f"[{number}/{len(names)}]   parsing in a child process ...")
            report = _parse_in_child(path, args.code, cap)
            _progress(f"[{number}/{len(names)}]   {report['outcome']}")
            rows.append((name, path.stat().st_size, report))
            path.unlink()
    print()
    print(f"{'file':<12}{'on disk':>12}{'parse s':>10}{'child s':>10}{'peak RSS':>12}  outcome")
    for name, size, report in rows:
        rss = int(report["max_rss"])  # type: ignore[call-overload]
        print(
            f"{name:<12}{size / 1024:>10,.0f}KB{float(report['seconds']):>10.2f}{float(report['wall']):>10.2f}"  # type: ignore[arg-type]
            f"{rss / 1048576:>10,.0f}MB  {report['outcome']}"
        )


if __name__ == "__main__":
    main()
