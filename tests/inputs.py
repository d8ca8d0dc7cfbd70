"""Where the tests find their inputs: the seed, the genre documents, the gold, and ../shared/realdocs.

Tests of the real corpus skip when ../shared/realdocs is not beside the checkout; each skips with a
reason that starts with REALDOCS_ABSENT, so the summary of `make test` can count them (conftest.py).
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "ke-hoach-thuc-hien-ket-luan-72-kl-tw.txt"
GENRE = ROOT / "tests" / "data" / "genre"
GOLD = ROOT / "evaluation" / "gold"
REALDOCS = ROOT.parent / "shared" / "realdocs"
REALDOC_FILES = ("nq60-tw.md", "nq57-tw.md", "nq03-cp.md", "kh252-bcdqg1237.md")
REALDOC_PLANS = REALDOCS / "plans"
PORTAL_META = REALDOCS / "portal" / "_meta.json"
REALDOCS_ABSENT = "realdocs absent:"


def realdocs_absent(what: object) -> str:
    """The skip reason of a test whose real document is not here."""
    return f"{REALDOCS_ABSENT} {what} is not here"
