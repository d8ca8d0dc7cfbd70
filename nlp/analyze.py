"""The analysis stage: every segment of a document gets its citations, assignments, targets and time frames."""

from __future__ import annotations

from collections.abc import Collection

from ingest.limits import Budget
from ingest.model import Document, Segment
from nlp.agencies import AgencyRegistry
from nlp.assignments import extract_assignments
from nlp.citations import extract_citations
from nlp.targets import annotate_targets
from nlp.timeframes import extract_time_frames


def analyze(
    document: Document,
    known_symbols: Collection[str] = (),
    registry: AgencyRegistry | None = None,
    budget: Budget | None = None,
) -> Document:
    """Fill the facts of `document` in place and return it.

    `known_symbols` are symbols the corpus already knows, used to resolve informal references
    ("KL 72") that the document alone leaves ambiguous. `budget`: the document's time, checked
    between the steps.
    """
    tick = budget.tick if budget is not None else _no_deadline
    extract_citations(document, known_symbols)
    tick("finding citations")
    extract_assignments(document, registry or AgencyRegistry.default())
    tick("finding assignments")
    annotate_targets(document)  # passes the year of "Đến năm 2030" headings down to their targets
    tick("finding targets")
    for segment in document.segments:
        segment.time_frames = extract_time_frames(segment.text)
    return document


def _no_deadline(stage: str) -> None:
    pass


def analyze_text(text: str) -> Segment:
    """Analyze one free-standing text as a single task segment (benchmarks, quick checks)."""
    segment = Segment(
        id="text:1", document_id="text", path="1", kind="task", text=text, start=0, end=len(text)
    )
    document = Document(
        id="text",
        type=None,
        number=None,
        issuer=None,
        date=None,
        place=None,
        title=None,
        implements=[],
        source_path="-",
        sha256="",
        source_format="txt",
        page_count=None,
        body=text,
        segments=[segment],
    )
    analyze(document)
    return segment
