"""A long scan uploaded to the running service: does it exhaust memory or stall searches?

Starts `vanban serve` on a free 127.0.0.1 port over a scratch store holding the bundled corpus, builds
an image-only PDF of N pages (the seed printed and scanned as an office scanner would, its pages
repeated), and measures search latency with C clients for 20 s idle; then uploads the scan with
`Prefer: respond-async`, follows `/uploads/{id}` (progress to stderr) while the same clients search,
and samples the resident memory of the service and of its reader process every second. Prints the
upload's time and pages per minute, the peak memory of each process, search p50/p95 idle and during
the OCR, and what the upload stored.

    .venv/bin/python benchmarks/long_scan.py [--pages 100] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from load import SEARCHES, UPLOAD_KEY, VANBAN, free_port, percentile, start_server  # noqa: E402

from tests.docgen_pdf import make_seed_pdf  # noqa: E402
from tests.docgen_scans import image_only_pdf, scanned_pages  # noqa: E402

SEED = ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"
IDLE_SECONDS = 20


def resident_mb(pid: int) -> float:
    """The process's resident memory (VmRSS), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                children = []
            found += children
            todo += children
    return found


def search_while(base: str, clients: int, running: threading.Event) -> list[float]:
    latencies: list[float] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as http:
            turn = number
            while running.is_set():
                started = time.perf_counter()
                answer = http.get("/search", params={"q": SEARCHES[turn % len(SEARCHES)], "k": 10})
                if answer.status_code == 200:
                    with lock:
                        latencies.append(time.perf_counter() - started)
                turn += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vanban-long-scan-") as scratch:
        folder = Path(scratch)
        print(f"scanning {args.pages} pages…", file=sys.stderr, flush=True)
        pages = scanned_pages(make_seed_pdf(SEED.read_text(encoding="utf-8"), folder / "seed.pdf"))
        scan = image_only_pdf([pages[i % len(pages)] for i in range(args.pages)], folder / "scan.pdf")
        print(f"{scan.stat().st_size / 1048576:.1f} MB; storing the corpus…", file=sys.stderr, flush=True)
        home = folder / "home"
        env = os.environ | {"VANBAN_HOME": str(home)}
        subprocess.run(
            [str(VANBAN), "ingest", "-q", str(ROOT / "corpus")],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(home, port)
        try:
            running = threading.Event()
            running.set()
            threading.Timer(IDLE_SECONDS, running.clear).start()
            print(f"searching idle for {IDLE_SECONDS} s…", file=sys.stderr, flush=True)
            idle = search_while(base, args.clients, running)
            running.set()
            during: list[float] = []
            searching = threading.Thread(
                target=lambda: during.extend(search_while(base, args.clients, running))
            )
            searching.start()
            peaks = {"service": 0.0, "reader": 0.0}
            started = time.monotonic()
            with httpx.Client(base_url=base, timeout=120, headers={"X-API-Key": UPLOAD_KEY}) as http:
                sent = http.post(
                    "/documents",
                    files={"file": ("ke-hoach-quet.pdf", scan.read_bytes(), "application/pdf")},
                    headers={"Prefer": "respond-async"},
                )
                if sent.status_code != 202:
                    raise SystemExit(f"the upload answered {sent.status_code}: {sent.text[:300]}")
                location = sent.headers["location"]
                state = sent.json()
                while state["state"] not in ("done", "failed"):
                    time.sleep(1)
                    peaks["service"] = max(peaks["service"], resident_mb(server.pid))
                    for child in descendants(server.pid):
                        peaks["reader"] = max(peaks["reader"], resident_mb(child))
                    state = http.get(location).json()
                    print(
                        f"\r{time.monotonic() - started:6.0f} s  {state['state']:<9} "
                        f"page {state['pages_read']}/{state['pages']}",
                        end="",
                        file=sys.stderr,
                        flush=True,
                    )
            took = time.monotonic() - started
            running.clear()
            searching.join()
            print(file=sys.stderr)
        finally:
            server.terminate()
            server.wait(timeout=30)
    result = state["result"] or state["error"]
    print(
        f"upload of {args.pages} scanned pages: {state['state']} in {took:.0f} s ({args.pages / took * 60:.1f} pages/min): {result}"
    )
    print(
        f"peak resident memory: service {peaks['service']:.0f} MB, largest child process (the reader) {peaks['reader']:.0f} MB"
    )
    print(
        f"search ({args.clients} clients): idle p50 {percentile(idle, 0.5) * 1000:.0f} ms, p95 {percentile(idle, 0.95) * 1000:.0f} ms "
        f"({len(idle)} requests); during the OCR p50 {percentile(during, 0.5) * 1000:.0f} ms, "
        f"p95 {percentile(during, 0.95) * 1000:.0f} ms ({len(during)} requests)"
    )


if __name__ == "__main__":
    main()
