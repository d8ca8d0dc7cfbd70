"""Tools that measure vanban: the benchmark and the evaluations against hand-checked gold.

They read the repository's own folders (the bundled corpus, the evaluation sets, the test genre
documents) and, when present, the shared real corpus beside the checkout.
"""

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
EVALUATION_DIR = REPOSITORY / "evaluation"
QUERIES_FILE = EVALUATION_DIR / "queries.jsonl"
REALDOCS = REPOSITORY.parent / "shared" / "realdocs"
