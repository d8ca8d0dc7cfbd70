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
from search_api.intake import read_document
from search_api.tools import EVALUATION_DIR, REALDOCS, REPOSITORY

GOLD_DIR = EVALUATION_DIR / "gold"
FACETS = ("citations", "assignments", "targets")


@dataclass
class Score:
    """Gold, found and correct facts of one facet (or, on the real corpus, one form) in one document."""

    facet: str
    document: str
    gold: int = 0
    found: int = 0
    correct: int = 0

    def add(self, other: Score) -> None:
        self.gold += other.gold
        self.found += other.found
        self.correct += other.correct

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
            analyzed[source] = read_document(source)
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


# ---------------------------------------------------------------------------
# The real corpus: gold built by reading real 2025 documents (evaluation/gold/real)
# ---------------------------------------------------------------------------
#
# A real document's gold does not name outline paths: it quotes the task ("task", a few words as
# written) and names each body as the document writes it, so it holds whatever the segmenter does.
# An assignment counts when a segment holding the quote carries the body (resolved through the
# registry, or by its normalised name when the registry does not know it) in the same role. Roles
# are compared coarsely: lead, coordinate, direct, request, and implement for every other duty
# (guide, monitor, report, advise), one role per body and task, the strongest.

REAL_GOLD_DIR = GOLD_DIR / "real"
PORTAL_META = REALDOCS / "portal" / "_meta.json"
FORMS = ("table", "heading", "inline", "line")
# Strongest first: the role a body keeps when a task gives it several.
COARSE_ROLES = ("lead", "request", "direct", "coordinate", "implement")


def coarse_role(role: str) -> str:
    return role if role in COARSE_ROLES else "implement"


def _quote_key(text: str) -> str:
    from ingest.normalize import match_key

    return " ".join(match_key(text.replace("*", "")).split())


def _agency_key(name: str, registry: Any) -> str:
    from ingest.normalize import match_key

    agency = registry.resolve(name)
    return agency.id if agency is not None else match_key(registry.unknown(name).name)


def _segment_facts(segment: Any, registry: Any) -> dict[str, str]:
    """agency key → coarse role, the strongest, for one segment's assignments."""
    from ingest.normalize import match_key

    roles: dict[str, str] = {}
    for item in segment.assignments:
        key = item.agency if item.known else match_key(item.agency)
        role = coarse_role(item.role)
        held = roles.get(key)
        if held is None or COARSE_ROLES.index(role) < COARSE_ROLES.index(held):
            roles[key] = role
    return roles


def _candidates(document: Document, quote: str, form: str) -> list[Any]:
    """Segments holding the quote; a table quote prefers table rows, other forms prefer text."""
    key = _quote_key(quote)
    holding = [s for s in document.segments if key in _quote_key(s.text)]
    preferred = [s for s in holding if (s.kind == "table_row") == (form == "table")]
    return preferred or holding


def score_real_document(document: Document, gold: dict[str, Any]) -> list[Score]:
    """Per-form assignment scores and the deadline score of one real document."""
    from nlp.agencies import AgencyRegistry

    registry = AgencyRegistry.default()
    name = Path(str(gold["source"])).stem
    scores = {form: Score(form, name) for form in FORMS}
    matched: set[tuple[str, str, str]] = set()  # (segment id, agency key, role) found in gold
    gold_segments: dict[str, str] = {}  # segment id → form of the gold quotes it holds
    for item in gold.get("assignments", []):
        form = item["form"]
        score = scores[form]
        score.gold += 1
        agency = _agency_key(item["agency"], registry)
        role = item["role"]
        hit = False
        for segment in _candidates(document, item["task"], form):
            gold_segments.setdefault(segment.id, form)
            if _segment_facts(segment, registry).get(agency) == role:
                matched.add((segment.id, agency, role))
                hit = True
        score.correct += hit
    # Found: the facts of every segment that holds a gold quote, counted under that quote's form.
    for segment in document.segments:
        form = gold_segments.get(segment.id)
        if form is not None:
            scores[form].found += len(_segment_facts(segment, registry))
    # A fact correct in several copies of a repeated quote counts once, as its gold item does.
    for score in scores.values():
        score.found = max(score.found, score.correct)
    deadlines = Score("deadline", name)
    for item in gold.get("deadlines", []):
        deadlines.gold += 1
        expected = (item.get("start"), item.get("end"), item.get("recurrence"))
        deadlines.correct += any(
            (a.deadline_start, a.deadline_end, a.recurrence) == expected
            for segment in _candidates(document, item["task"], item["form"])
            for a in segment.assignments
            if a.deadline or a.recurrence
        )
    deadlines.found = deadlines.correct
    return [*scores.values(), deadlines]


def _metadata_checks(document: Document, expected: dict[str, Any]) -> dict[str, bool]:
    def same(a: str | None, b: str | None) -> bool:
        return (a or "").replace("Đ", "D").strip() == (b or "").replace("Đ", "D").strip()

    return {
        field: same(getattr(document, field), expected.get(field))
        for field in ("type", "number", "date")
        if field in expected
    }


def evaluate_real() -> tuple[list[Score], dict[str, list[bool]], list[str]]:
    """Scores on the real-corpus gold, metadata right/wrong per field, and sources not here."""

    scores: list[Score] = []
    metadata: dict[str, list[bool]] = {"type": [], "number": [], "date": []}
    missing: list[str] = []
    for gold_path in sorted(REAL_GOLD_DIR.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        source = source_path(gold)
        if not source.is_file():
            missing.append(str(gold["source"]))
            continue
        document = read_document(source)
        scores.extend(score_real_document(document, gold))
        for field, right in _metadata_checks(document, gold.get("metadata", {})).items():
            metadata[field].append(right)
    return scores, metadata, missing


def evaluate_portal_metadata(meta_file: Path = PORTAL_META) -> dict[str, list[tuple[str, bool]]]:
    """Number, type and date of every portal document against the portal's own fields."""
    if not meta_file.is_file():
        return {}
    portal = json.loads(meta_file.read_text(encoding="utf-8"))
    results: dict[str, list[tuple[str, bool]]] = {"number": [], "type": [], "date": []}
    for name, fields in sorted(portal.items()):
        day, month, year = (int(part) for part in str(fields["date"]).split("/"))
        expected = {
            "number": fields["number"],
            "type": fields["type"],
            "date": f"{year:04d}-{month:02d}-{day:02d}",
        }
        document = parse_file(meta_file.parent / name)  # metadata is the reader's: no analysis needed
        for field, right in _metadata_checks(document, expected).items():
            results[field].append((name, right))
    return results
