"""Ingesting files into the system of record: one file at a time, failures collected, never fatal."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.model import Document, TooLarge, UnsupportedFormat, VanbanError
from ingest.pipeline import parse_bytes
from ingest.readers import SUPPORTED_EXTENSIONS, check_size
from search_api.store import Record

# Why a file failed, for callers that answer differently (the HTTP service's status codes).
FAILURES = ("unreadable", "too_large", "unsupported", "refused", "invalid", "internal")


@dataclass
class FileOutcome:
    path: str
    status: str  # added | replaced | unchanged | failed
    document_id: str | None = None
    segments: int = 0
    message: str = ""
    failure: str | None = None  # one of FAILURES when the status is "failed"


@dataclass
class IngestReport:
    outcomes: list[FileOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[FileOutcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Files named directly (any type: the reader says if it cannot read it) and supported files in folders."""
    files: list[Path] = []
    missing: list[FileOutcome] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS)
            )
        elif path.is_file():
            files.append(path)
        else:
            missing.append(FileOutcome(str(path), "failed", message="no such file or folder"))
    return files, missing


REFUSED = "a stored document with the same number exists and this key may not replace it"


def analyze_for_record(record: Record) -> Callable[[Document], None]:
    """The analysis stage as ingest runs it: facts, resolved against what the store already knows,
    and the words that search indexes."""
    from nlp.analyze import analyze
    from nlp.tokenize import annotate_words

    def run(document: Document) -> None:
        analyze(document, record.known_symbols())
        annotate_words(document)

    return run


def with_access_level(analyze: Callable[[Document], None], level: str) -> Callable[[Document], None]:
    """The analysis stage, then the access level chosen for the batch: it can raise a document's
    level, never lower it below what its own "MẬT" mark says."""
    from search_api.access import LEVELS, check_level

    check_level(level)

    def run(document: Document) -> None:
        analyze(document)
        if LEVELS.index(level) > LEVELS.index(document.access_level):
            document.access_level = level

    return run


class ReplaceRefused(VanbanError):
    """The file would replace a stored document that the caller may not replace."""


_FAILURE_KINDS: tuple[tuple[type[VanbanError], str], ...] = (
    (TooLarge, "too_large"),
    (UnsupportedFormat, "unsupported"),
    (ReplaceRefused, "refused"),
)


def _failed(path: Path, exc: Exception) -> FileOutcome:
    """The outcome of a file that could not be ingested, with why in words and as a kind."""
    if isinstance(exc, OSError):
        return FileOutcome(
            str(path), "failed", message=f"cannot read: {exc.strerror or exc}", failure="unreadable"
        )
    if not isinstance(exc, VanbanError):  # a bug must not stop a batch or lose stored data; report it plainly
        message = f"internal error ({type(exc).__name__}: {exc})"
        return FileOutcome(str(path), "failed", message=message, failure="internal")
    kind = next((kind for kind_of, kind in _FAILURE_KINDS if isinstance(exc, kind_of)), "invalid")
    return FileOutcome(str(path), "failed", message=str(exc), failure=kind)


def ingest_file(
    record: Record,
    path: Path,
    max_bytes: int,
    analyze: Callable[[Document], None] | None = None,
    may_replace: Callable[[str], bool] | None = None,
) -> FileOutcome:
    """Read, parse, analyze and store one file. `may_replace(document_id)` guards stored documents
    the caller may not touch (the HTTP service passes the caller's access level)."""
    try:
        check_size(path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except (OSError, VanbanError) as exc:
        return _failed(path, exc)
    known = record.unchanged(str(path), hashlib.sha256(data).hexdigest())
    if known and (may_replace is None or may_replace(known)):
        return FileOutcome(str(path), "unchanged", document_id=known)
    try:
        if known:
            raise ReplaceRefused(REFUSED)
        document = parse_bytes(data, str(path), max_bytes)
        if analyze is not None:
            analyze(document)
        if may_replace is not None and not may_replace(document.id):
            raise ReplaceRefused(REFUSED)
        status = record.save(document)
    except Exception as exc:
        return _failed(path, exc)
    return FileOutcome(str(path), status, document_id=document.id, segments=len(document.segments))
