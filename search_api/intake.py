"""The one ingest flow: a file becomes a parsed, analyzed document, stored in the record and indexed.

`read_document` is what every reader of files shares (`vanban parse`, the evaluations, the benchmark);
`store_file` adds the record (unchanged files skipped, replacements guarded, the access level applied);
`ingest_file` adds the index, and is what `vanban ingest`, the HTTP upload and the search evaluation
run. One file at a time: a failure is an outcome with a kind, never an exception, never fatal to a batch.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ingest.model import Document, TooLarge, UnsupportedFormat, VanbanError
from ingest.pipeline import parse_bytes
from ingest.readers import DEFAULT_MAX_BYTES, SUPPORTED_EXTENSIONS, check_size
from nlp.analyze import analyze
from nlp.tokenize import annotate_words
from search_api.access import LEVELS, check_level
from search_api.index.indexer import index_document
from search_api.services import Services
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
    indexed: bool = False  # stored and its points written; False with a message when indexing failed


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


def read_document(
    path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, known_symbols: Collection[str] = ()
) -> Document:
    """Parse a file and find its facts, resolving informal references against `known_symbols` (the
    symbols of the store it would go into: `vanban parse` shows what `vanban ingest` would store)."""
    path = Path(path)
    try:
        check_size(path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except OSError as exc:
        raise VanbanError(f"cannot read: {exc.strerror or exc}") from None
    return analyze(parse_bytes(data, str(path), max_bytes), known_symbols)


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


def _raise_level(document: Document, level: str | None) -> None:
    """The access level chosen for the file can raise a document's level, never lower it below what its
    own "MẬT" mark says."""
    if level is not None and LEVELS.index(level) > LEVELS.index(document.access_level):
        document.access_level = level


def store_file(
    record: Record,
    path: Path,
    max_bytes: int,
    access_level: str | None = None,
    may_replace: Callable[[str], bool] | None = None,
) -> FileOutcome:
    """Read, parse, analyze and store one file. `may_replace(document_id)` guards stored documents
    the caller may not touch (the HTTP service passes the caller's access level)."""
    if access_level is not None:
        check_level(access_level)
    try:
        check_size(path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except (OSError, VanbanError) as exc:
        return _failed(path, exc)
    known = record.unchanged(str(path), hashlib.sha256(data).hexdigest())
    if known and (may_replace is None or may_replace(known)):
        return FileOutcome(str(path), "unchanged", document_id=known, indexed=True)
    try:
        if known:
            raise ReplaceRefused(REFUSED)
        document = analyze(parse_bytes(data, str(path), max_bytes), record.known_symbols())
        annotate_words(document)  # the compounds search indexes as whole terms
        _raise_level(document, access_level)
        if may_replace is not None and not may_replace(document.id):
            raise ReplaceRefused(REFUSED)
        status = record.save(document)
    except Exception as exc:
        return _failed(path, exc)
    return FileOutcome(str(path), status, document_id=document.id, segments=len(document.segments))


def ingest_file(
    services: Services,
    path: Path,
    max_bytes: int,
    access_level: str | None = None,
    may_replace: Callable[[str], bool] | None = None,
) -> FileOutcome:
    """Store one file and index what was stored. The record stays the source of truth when indexing
    fails: the outcome says so, and `vanban reindex` finishes the work."""
    outcome = store_file(services.record, path, max_bytes, access_level, may_replace)
    if outcome.status not in ("added", "replaced") or outcome.document_id is None:
        return outcome
    document = services.record.document(outcome.document_id)
    if document is None:  # deleted by another writer in between: nothing to index
        return outcome
    try:
        index_document(services.store, document, services.embedder)
    except VanbanError as exc:
        outcome.message = f"stored, but not indexed ({exc}); run `vanban reindex`"
        return outcome
    outcome.indexed = True
    return outcome
