"""The analysis stage: every segment of a document gets its citations, assignments, targets and time frames."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from ingest.limits import Budget
from ingest.model import Document, Segment
from nlp.agencies import AgencyRegistry
from nlp.assignments import extract_assignments
from nlp.citations import extract_citations, merge_citations
from nlp.ocr_reading import mended_symbols, reading_copy
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
    registry = registry or AgencyRegistry.default()
    with _ocr_slips_mended(document, registry):
        extract_citations(document, known_symbols)
        tick("finding citations")
        extract_assignments(document, registry)
        tick("finding assignments")
        annotate_targets(document)  # passes the year of "Đến năm 2030" headings down to their targets
        tick("finding targets")
        for segment in document.segments:
            segment.time_frames = extract_time_frames(segment.text)
    return document


@contextmanager
def _ocr_slips_mended(document: Document, registry: AgencyRegistry) -> Iterator[None]:
    """Within the block, the segments OCR read hold their reading copy (`nlp.ocr_reading`): the
    extractors find "72-KL/TW" in "72-KLITW" and "chủ trì" in "chú trì". After it they hold the text as
    read again (also when the block raised), and each citation its mention as written there: the copy
    has the text's spans, and a span that ends in a mended symbol's padding is taken to the symbol's
    end. What the extractors keep in their own words (an assignment's agency as named, a deadline) is
    the mended reading, the form a reader searches for."""
    read = [
        (segment, segment.text, segment.cells)
        for segment in document.segments
        if segment.ocr_confidence is not None
    ]
    try:
        for segment, text, cells in read:
            segment.text = reading_copy(text, registry)
            if cells is not None:  # a table row's roles are read from its cells
                segment.cells = [reading_copy(cell, registry) for cell in cells]
        yield
    finally:
        for segment, text, cells in read:
            segment.text, segment.cells = text, cells
            symbols = [(start, end) for _, start, end in mended_symbols(text)]
            for citation in segment.citations:
                if citation.span is not None:
                    citation.span = _spanning(citation.span, symbols)
                    citation.mention = text[citation.span[0] : citation.span[1]]
        if read:
            document.citations = merge_citations(
                c for segment in document.segments for c in segment.citations
            )


def _spanning(span: tuple[int, int], symbols: list[tuple[int, int]]) -> tuple[int, int]:
    """`span`, ending where a mended symbol it ends in ends."""
    start, end = span
    for first, last in symbols:
        if first < end < last:
            end = last
    return start, end


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
