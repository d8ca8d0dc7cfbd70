"""Parse throughput for text input on one core: read → normalize → segment → metadata.

Prints KB/s for the seed and for a large synthetic plan made of the seed's sections repeated
under new part numbers, so that the figure covers both small and large inputs.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.pipeline import parse_bytes  # noqa: E402

SEED = Path(__file__).resolve().parents[1] / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]


def large_plan(seed: str, copies: int) -> str:
    head, _, rest = seed.partition("I. MỤC ĐÍCH, YÊU CẦU")
    body, _, closing = rest.partition("Nơi nhận:")
    sections = "I. MỤC ĐÍCH, YÊU CẦU" + body
    parts = [head]
    for n in range(copies):
        renamed = sections
        for old, new in (("IV. ", "PART4. "), ("III. ", "PART3. "), ("II. ", "PART2. "), ("I. ", "PART1. ")):
            renamed = renamed.replace(old, new)
        for k in range(4):
            renamed = renamed.replace(f"PART{k + 1}. ", f"{ROMAN[(4 * n + k) % 10]}. ")
        parts.append(renamed)
    parts.append("Nơi nhận:" + closing)
    return "".join(parts)


def measure(data: bytes, repeats: int) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        parse_bytes(data, "bench.txt", max_bytes=1 << 31)
        timings.append(time.perf_counter() - start)
    return len(data) / 1024 / statistics.median(timings)


def main() -> None:
    seed = SEED.read_text(encoding="utf-8")
    parse_bytes(seed.encode(), "warmup.txt")
    print(f"{'input':<28}{'size':>10}{'KB/s (median)':>16}")
    for name, text, repeats in (
        ("seed plan", seed, 50),
        ("seed x 60 sections", large_plan(seed, 60), 5),
    ):
        data = text.encode("utf-8")
        print(f"{name:<28}{len(data) / 1024:>8.0f}KB{measure(data, repeats):>16.0f}")


if __name__ == "__main__":
    main()
