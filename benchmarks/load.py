"""Load test of the HTTP service on loopback: concurrent clients mixing /search and /chat.

Starts `vanban serve` on a free 127.0.0.1 port over a scratch store holding the bundled corpus
(or over $VANBAN_HOME with --home), then runs N client threads for a fixed time, each request
bounded by a timeout and the whole run by a request budget. Prints throughput, p50/p95 latency
per endpoint and the errors. Only loopback is ever contacted.

    python benchmarks/load.py [--clients 20] [--seconds 60] [--max-requests 20000] [--chat-share 0.3]
    python benchmarks/load.py --uploads 4 [--clients 10] [--seconds 30]

With --uploads N the same load runs twice: without uploads, then while N clients upload documents
(each a copy of the seed under a new symbol) one after another; it prints search p95 in both runs and
their ratio, and how many uploads were stored or turned away (429).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
VANBAN = Path(sys.executable).parent / "vanban"

SEARCHES = [
    "hạ tầng giao thông",
    "ha tang giao thong",
    "KL 72",
    "tuyên truyền Kết luận 72",
    "du lịch Măng Đen",
    "nguồn vốn ODA",
    "giải phóng mặt bằng",
    "kiểm tra giám sát",
    "thuy loi ho chua",
    "đô thị hóa",
]
QUESTIONS = [
    "Ai chủ trì tuyên truyền Kết luận 72?",
    "Chỉ tiêu tăng trưởng GRDP là bao nhiêu?",
    "Kết luận 72 tiếp tục thực hiện nghị quyết nào?",
    "Cơ quan nào giúp Ban Thường vụ Tỉnh ủy theo dõi việc thực hiện kế hoạch?",
    "Giá vàng hôm nay?",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


UPLOAD_KEY = "load-benchmark-writer"


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"VANBAN_HOME": str(home), "VANBAN_API_KEYS": f"{UPLOAD_KEY}=internal"}
    server = subprocess.Popen(
        [str(VANBAN), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise SystemExit("the server exited: " + (server.stderr.read() or b"").decode()[-2000:])
    server.terminate()
    raise SystemExit("the server did not answer /health within 60 s")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run_load(
    base: str, clients: int, seconds: float, max_requests: int, chat_share: float
) -> dict[str, object]:
    latencies: dict[str, list[float]] = {"search": [], "chat": []}
    errors: list[str] = []
    budget = itertools.count()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(number: int) -> None:
        rng = random.Random(number)
        with httpx.Client(base_url=base, timeout=30) as http:
            while time.monotonic() < stop_at and next(budget) < max_requests:
                kind = "chat" if rng.random() < chat_share else "search"
                start = time.perf_counter()
                try:
                    if kind == "chat":
                        response = http.post("/chat", json={"message": rng.choice(QUESTIONS)})
                    else:
                        response = http.get("/search", params={"q": rng.choice(SEARCHES), "k": 10})
                    elapsed = time.perf_counter() - start
                    with lock:
                        if response.status_code == 200:
                            latencies[kind].append(elapsed)
                        else:
                            errors.append(f"{kind} {response.status_code}: {response.text[:120]}")
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(f"{kind}: {type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - began
    total = sum(len(v) for v in latencies.values())
    report: dict[str, object] = {
        "clients": clients,
        "seconds": round(wall, 1),
        "requests_ok": total,
        "errors": len(errors),
        "error_samples": errors[:5],
        "throughput_rps": round(total / wall, 1),
    }
    for kind, values in latencies.items():
        report[kind] = {
            "n": len(values),
            "p50_ms": round(1000 * statistics.median(values), 1) if values else None,
            "p95_ms": round(1000 * percentile(values, 0.95), 1) if values else None,
        }
    return report


def run_uploads(base: str, uploaders: int, stop: threading.Event, copies: int = 1) -> dict[str, object]:
    """Uploaders that send seed copies (the seed's text `copies` times) under new symbols until `stop`;
    what became of them."""
    seed = (ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt").read_text(encoding="utf-8") * copies
    outcomes: dict[str, int] = {}
    numbers = itertools.count(5000)
    lock = threading.Lock()

    def uploader() -> None:
        with httpx.Client(base_url=base, timeout=600, headers={"X-API-Key": UPLOAD_KEY}) as http:
            while not stop.is_set():
                text = f"Số {next(numbers)}-KH/TU\n" + seed
                try:
                    response = http.post(
                        "/documents", files={"file": ("ke-hoach.txt", text.encode(), "text/plain")}
                    )
                    outcome = str(response.status_code)
                except httpx.HTTPError as exc:
                    outcome = type(exc).__name__
                with lock:
                    outcomes[outcome] = outcomes.get(outcome, 0) + 1
                if outcome == "429":
                    time.sleep(1)

    threads = [threading.Thread(target=uploader) for _ in range(uploaders)]
    for thread in threads:
        thread.start()
    return {"threads": threads, "outcomes": outcomes}


def single_client_search(base: str, rounds: int = 100) -> dict[str, float]:
    """Latency of /search with one client and nothing else running: the issue's p50 target."""
    timings = []
    with httpx.Client(base_url=base, timeout=30) as http:
        for query in itertools.islice(itertools.cycle(SEARCHES), rounds):
            start = time.perf_counter()
            http.get("/search", params={"q": query, "k": 10}).raise_for_status()
            timings.append(time.perf_counter() - start)
    return {
        "p50_ms": round(1000 * statistics.median(timings), 1),
        "p95_ms": round(1000 * percentile(timings, 0.95), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--chat-share", type=float, default=0.3, help="share of requests that are /chat")
    parser.add_argument("--home", type=Path, help="serve this store instead of a scratch one with corpus/")
    parser.add_argument("--uploads", type=int, default=0, help="also run the load while N clients upload")
    parser.add_argument(
        "--upload-copies", type=int, default=1, help="each upload holds the seed's text K times"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vanban-load-") as scratch:
        home = args.home or Path(scratch) / "home"
        if args.home is None:
            print("ingesting corpus/ into a scratch store ...", file=sys.stderr)
            subprocess.run(
                [str(VANBAN), "ingest", "-q", str(ROOT / "corpus")],
                env=os.environ | {"VANBAN_HOME": str(home)},
                check=True,
                stdout=subprocess.DEVNULL,
            )
        port = free_port()
        server = start_server(home, port)
        base = f"http://127.0.0.1:{port}"
        try:
            print("warming up and measuring one client ...", file=sys.stderr)
            single = single_client_search(base)
            print(f"running {args.clients} clients for {args.seconds:.0f} s ...", file=sys.stderr)
            report = run_load(base, args.clients, args.seconds, args.max_requests, args.chat_share)
            if args.uploads:
                print(f"running the same load while {args.uploads} clients upload ...", file=sys.stderr)
                stop = threading.Event()
                uploads = run_uploads(base, args.uploads, stop, args.upload_copies)
                busy = run_load(base, args.clients, args.seconds, args.max_requests, args.chat_share)
                stop.set()
                for thread in uploads["threads"]:  # type: ignore[attr-defined]
                    thread.join()
                idle_p95 = report["search"]["p95_ms"]  # type: ignore[index]
                busy_p95 = busy["search"]["p95_ms"]  # type: ignore[index]
                report["with_uploads"] = busy | {"uploads": uploads["outcomes"]}
                report["search_p95_ratio_uploads_to_idle"] = round(busy_p95 / idle_p95, 2)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report["single_client_search"] = single
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
