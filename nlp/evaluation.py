"""`vanban eval extraction`: precision, recall and F1 of the analyzers against hand-checked gold.

Gold lives in evaluation/gold/<facet>/<document>.json, one file per document and facet, with the
document's source path relative to the folder that holds the repository ("main/corpus/...",
"shared/realdocs/..."). A fact counts as found only when every field the gold gives is right:
- citations: number, relation, type, date, implements (and issuer where the gold names one);
- assignments: segment path, role and canonical agency;
- targets: segment path, comparator, value (and upper bound), unit and year.
A gold file with a "scope" annotates only some segments; facts elsewhere are not scored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ingest.model import Document, VanbanError
from ingest.normalize import fold_diacritics
from ingest.pipeline import parse_file

REPOSITORY = Path(__file__).resolve().parents[1]
GOLD_DIR = REPOSITORY / "evaluation" / "gold"
FACETS = ("citations", "assignments", "targets")


@dataclass
class Score:
    facet: str
    document: str
    gold: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.correct / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "facet": self.facet,
            "document": self.document,
            "gold": self.gold,
            "found": self.found,
            "correct": self.correct,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def source_path(gold: dict[str, Any]) -> Path:
    """Where the gold's document is: the repository itself ("main/...") or its neighbour ("shared/...")."""
    first, _, rest = str(gold["source"]).partition("/")
    return REPOSITORY / rest if first == "main" else REPOSITORY.parent / first / rest


def _citation_key(number: str, date: str | None, named: bool) -> tuple[str, str | None]:
    # Named references ("Luật Tổ chức Chính phủ") are told apart by their date as well.
    return fold_diacritics(number).upper(), date if named else None


def _citation_scores(document: Document, items: list[dict[str, Any]]) -> tuple[int, int, int]:
    """A gold citation counts with its number, type, date, relation, implements, resolution and
    (where the gold names one) issuer all right."""
    found = {_citation_key(c.number, c.date, c.named): c for c in document.citations}
    correct = 0
    for item in items:
        citation = found.get(
            _citation_key(str(item["number"]), item.get("date"), bool(item.get("named", False)))
        )
        correct += citation is not None and (
            citation.type == item.get("type")
            and citation.date == item.get("date")
            and citation.relation == item.get("relation")
            and sorted(citation.implements) == sorted(item.get("implements") or [])
            and ("issuer" not in item or citation.issuer == item["issuer"])
            and citation.resolved == item.get("resolved", True)
        )
    return len(items), len(document.citations), correct


def _in_scope(path: str, scope: set[str] | None) -> bool:
    return scope is None or path in scope


def _assignment_scores(
    document: Document, items: list[dict[str, Any]], scope: set[str] | None
) -> tuple[int, int, int]:
    expected = {(i["path"], i["role"], i["agency"]) for i in items}
    found = {
        (s.path, a.role, a.agency)
        for s in document.segments
        if _in_scope(s.path, scope)
        for a in s.assignments
    }
    return len(expected), len(found), len(expected & found)


def _target_key(path: str, item: dict[str, Any]) -> tuple[Any, ...]:
    value_max = item.get("value_max")
    return (
        path,
        item.get("comparator"),
        float(item["value"]),
        float(value_max) if value_max is not None else None,
        item.get("unit"),
        item.get("year"),
    )


def _target_scores(
    document: Document, items: list[dict[str, Any]], scope: set[str] | None
) -> tuple[int, int, int]:
    expected = [_target_key(i["path"], i) for i in items]
    found = [
        _target_key(s.path, t.__dict__)
        for s in document.segments
        if _in_scope(s.path, scope)
        for t in s.targets
    ]
    remaining = list(found)
    correct = 0
    for key in expected:
        if key in remaining:
            remaining.remove(key)
            correct += 1
    return len(expected), len(found), correct


def gold_files(facets: Iterable[str] = FACETS) -> list[tuple[str, Path]]:
    return [(facet, path) for facet in facets for path in sorted((GOLD_DIR / facet).glob("*.json"))]


def evaluate_extraction(facets: Iterable[str] = FACETS) -> tuple[list[Score], list[str]]:
    """Scores per facet and document; documents whose source is absent are listed, not scored."""
    from nlp.analyze import analyze

    scores: list[Score] = []
    missing: list[str] = []
    analyzed: dict[Path, Document] = {}
    for facet, gold_path in gold_files(facets):
        try:
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise VanbanError(f"{gold_path}: not a gold file ({exc})") from None
        source = source_path(gold)
        if not source.is_file():
            missing.append(str(gold["source"]))
            continue
        if source not in analyzed:
            analyzed[source] = analyze(parse_file(source))
        document = analyzed[source]
        items = list(gold["items"])
        scope = {i["path"] for i in items} if "scope" in gold else None
        if facet == "citations":
            counts = _citation_scores(document, items)
        elif facet == "assignments":
            counts = _assignment_scores(document, items, scope)
        else:
            counts = _target_scores(document, items, scope)
        scores.append(Score(facet, gold_path.stem, *counts))
    return scores, sorted(set(missing))
