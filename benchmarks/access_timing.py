"""Hidden and missing ids must answer alike, in time as in body: no existence oracle.

Builds a scratch store with the bundled seed (public) and a confidential copy of it, serves it
in-process, and times anonymous requests for the confidential document's ids (hidden) and for ids
that do not exist (missing), interleaved, on every endpoint that takes an id. Prints the medians and
their ratio per endpoint; a ratio within 1.5 is the target.

    python benchmarks/access_timing.py [--requests 200]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"


def _confidential_copy(folder: Path) -> Path:
    text = "TỈNH ỦY KON TUM\nSố 46-KH/TU\n" + SEED.read_text(encoding="utf-8")  # its own symbol, its own id
    target = folder / "46-kh-hu-mat.txt"
    target.write_text(text, encoding="utf-8")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=200, help="requests per endpoint and kind (default 200)"
    )
    args = parser.parse_args()
    from search_api.http.app import create_app
    from search_api.intake import ingest_file
    from search_api.services import open_services

    with tempfile.TemporaryDirectory(prefix="vanban-timing-") as scratch:
        home = Path(scratch) / "home"
        print("storing the seed (public) and a confidential copy ...", file=sys.stderr, flush=True)
        with open_services(home) as services:
            public = ingest_file(services, SEED, 10 * 1024 * 1024)
            hidden = ingest_file(
                services, _confidential_copy(Path(scratch)), 10 * 1024 * 1024, "confidential"
            )
        assert public.document_id and hidden.document_id and public.status == hidden.status == "added"
        with TestClient(create_app(home)) as client:
            hidden_segment = f"{hidden.document_id}:III.1.1"
            endpoints = {
                "/documents/{id}": (f"/documents/{hidden.document_id}", "/documents/khong-co-van-ban-nay"),
                "/segments/{id}": (f"/segments/{hidden_segment}", "/segments/khong-co:III.1.1"),
                "/segments/{id}/trace": (
                    f"/segments/{hidden_segment}/trace",
                    "/segments/khong-co:III.1.1/trace",
                ),
                "/export/matrix?document=": (
                    f"/export/matrix?format=json&document={hidden.document_id}",
                    "/export/matrix?format=json&document=khong-co-van-ban-nay",
                ),
            }
            print(f"{'endpoint':28} {'hidden ms':>10} {'missing ms':>11} {'ratio':>6}  body alike")
            worst = 0.0
            for name, (hidden_url, missing_url) in endpoints.items():
                timings: dict[str, list[float]] = {"hidden": [], "missing": []}
                bodies = {}
                for _ in range(args.requests):
                    for kind, url in (("hidden", hidden_url), ("missing", missing_url)):
                        start = time.perf_counter()
                        response = client.get(url)
                        timings[kind].append((time.perf_counter() - start) * 1000)
                        bodies[kind] = (response.status_code, response.json()["error"]["status"])
                medians = {kind: statistics.median(values) for kind, values in timings.items()}
                ratio = max(medians.values()) / min(medians.values())
                worst = max(worst, ratio)
                alike = bodies["hidden"] == bodies["missing"]
                print(
                    f"{name:28} {medians['hidden']:10.2f} {medians['missing']:11.2f} {ratio:6.2f}  {alike}",
                    flush=True,
                )
            print(f"worst ratio {worst:.2f} (target within 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
