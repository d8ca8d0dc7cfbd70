"""The ingest pipeline: read → normalize → segment → metadata, giving a `Document`.

One `Budget` (`ingest.limits`) follows a document from its reader through every stage: the
deadline is checked in the readers' loops, between stages and in the segmenter's loop.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.limits import Budget, Limits
from ingest.metadata import extract_metadata
from ingest.model import Document, RawDocument, Segment
from ingest.normalize import fold_diacritics, normalize_blocks
from ingest.ocr.settings import ocr_settings
from ingest.readers import DEFAULT_MAX_BYTES, read_bytes, read_file
from ingest.segment import segment_blocks

# Joins a document id and an access level for a document moved aside (`Record.move_aside`); never in a
# slug, whose runs of other characters collapse to one "-".
MOVED_ASIDE = "--"


def document_id_for(symbol: str | None, source_path: str) -> str:
    """A stable id: the symbol when the document has one, else the file name, as an ASCII slug.

    The same directive read from .txt, .pdf or .docx gets the same id, so ingesting
    another format of it replaces it instead of storing it twice.
    """
    base = symbol or Path(source_path).stem
    slug = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(base).lower()).strip("-")
    return slug or "document"


def renamed(document: Document, new_id: str) -> Document:
    """The document under another id: segment ids and the ids they govern are the document id plus a
    path, so they follow it."""
    old_id = document.id
    if new_id != old_id:
        for segment in document.segments:
            segment.document_id = new_id
            segment.id = new_id + segment.id[len(old_id) :]
            segment.governs = [new_id + g[len(old_id) :] for g in segment.governs]
        document.id = new_id
    return document


def keyed_by_content(document: Document) -> Document:
    """A document without a symbol named by its file name and its content, for sources whose names say
    nothing (two uploads called "bao-cao.txt" are two documents); one with a symbol keeps its id."""
    if document.number is None:
        return renamed(document, f"{document.id}-{document.sha256[:10]}")
    return document


def build_document(raw: RawDocument, budget: Budget | None = None) -> Document:
    budget = budget or Budget()
    budget.tick("before normalizing")
    blocks = normalize_blocks(raw.blocks)
    budget.tick("normalizing")
    # Metadata needs the segments and the id needs the symbol: segment once with a provisional id.
    provisional = document_id_for(None, raw.source_path)
    body, segments = segment_blocks(blocks, provisional, budget)
    budget.tick("segmenting")
    meta = extract_metadata(segments, body)
    budget.tick("finding the metadata")
    document = Document(
        id=provisional,
        type=meta.type,
        number=meta.number,
        issuer=meta.issuer,
        date=meta.date,
        place=meta.place,
        title=meta.title,
        implements=meta.implements,
        source_path=raw.source_path,
        sha256=raw.sha256,
        source_format=raw.source_format,
        page_count=raw.page_count,
        body=body,
        encoding=raw.encoding,
        access_level="confidential" if meta.classified else "public",
        warnings=list(raw.warnings) + _weakly_read(segments),
        segments=segments,
    )
    return renamed(document, document_id_for(meta.number, raw.source_path))


def _weakly_read(segments: list[Segment]) -> list[str]:
    """A warning naming the parts of a scan OCR read with less than the threshold's confidence (a page
    read well overall can hold one smudged paragraph: the one whose assignment may be wrong)."""
    if all(s.ocr_confidence is None for s in segments):
        return []
    _, threshold = ocr_settings()
    weak = [s for s in segments if s.ocr_confidence is not None and s.ocr_confidence < threshold]
    if not weak:
        return []
    listed = ", ".join(f"{s.path} ({s.ocr_confidence:.0%})" for s in weak[:_WEAK_LISTED])
    more = f" and {len(weak) - _WEAK_LISTED} more" if len(weak) > _WEAK_LISTED else ""
    return [f"parts read by OCR with less than {threshold:.0%} confidence, check them: {listed}{more}"]


_WEAK_LISTED = 20  # parts named in the warning; the document page marks every one


def parse_file(
    path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits | None = None
) -> Document:
    """Parse a file within `limits` (default `Limits()`); `TooLarge` names the limit exceeded."""
    budget = Budget(limits)
    return build_document(read_file(path, max_bytes, budget=budget), budget)


def parse_bytes(
    data: bytes,
    source_path: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits | None = None,
    budget: Budget | None = None,
) -> Document:
    """Parse a file's content within `limits` (default `Limits()`), or within `budget`, which then
    says what the reading cost (its OCR time); `TooLarge` names the limit exceeded."""
    budget = budget or Budget(limits)
    return build_document(read_bytes(data, source_path, max_bytes, budget=budget), budget)
