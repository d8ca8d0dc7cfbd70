"""The one ingest flow: a file becomes a parsed, analyzed document, stored in the record and indexed.

`read_document` is what every reader of files shares (`vanban parse`, the evaluations, the benchmark);
`store_file` adds the record (unchanged files skipped, replacements guarded, the access level applied);
`ingest_file` adds the index, and is what `vanban ingest`, the HTTP upload and the search evaluation
run. One file at a time: a failure is an outcome with a kind, never an exception, never fatal to a batch.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ingest.limits import Budget, Limits
from ingest.model import Document, TooLarge, UnsupportedFormat, VanbanError
from ingest.ocr.progress import report_pages_to
from ingest.pipeline import MOVED_ASIDE, keyed_by_content, parse_bytes, renamed
from ingest.readers import DEFAULT_MAX_BYTES, SUPPORTED_EXTENSIONS, check_size
from nlp.analyze import analyze
from nlp.tokenize import annotate_words
from search_api import config
from search_api.access import LEVELS, check_level
from search_api.index.indexer import finish_indexing, index_stored
from search_api.services import Services
from search_api.store import Record
from search_api.store.visibility import levels_up_to

Done = TypeVar("Done")

# Why a file failed, for callers that answer differently (the HTTP service's status codes).
FAILURES = (
    "unreadable",
    "too_large",
    "unsupported",
    "refused",
    "forbidden",
    "unavailable",
    "invalid",
    "internal",
)


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


def _file_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's content, refused by its size before it is read."""
    check_size(path.stat().st_size, max_bytes)
    return path.read_bytes()


def read_document(
    path: str | Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    symbols_at: Callable[[str], Collection[str]] | None = None,
) -> Document:
    """Parse a file and find its facts, resolving informal references against `symbols_at(level)`, the
    symbols a reader at the document's level sees in the store it would go into (`vanban parse` shows
    what `vanban ingest` would store)."""
    path = Path(path)
    try:
        data = _file_bytes(path, max_bytes)
    except OSError as exc:
        raise VanbanError(f"cannot read: {exc.strerror or exc}") from None
    document = parse_bytes(data, str(path), max_bytes, config.limits())
    return analyze(document, symbols_at(document.access_level) if symbols_at else ())


class AboveCaller(VanbanError):
    """The file is marked for a level above the caller's own ("MẬT" sent with an internal key)."""


class ServiceStopping(VanbanError):
    """The service is stopping: the file was not read (send it again once it is back)."""


class LevelRefused(VanbanError):
    """The file asks for a lower access level than its stored version has, without saying it means to."""


_FAILURE_KINDS: tuple[tuple[type[VanbanError], str], ...] = (
    (TooLarge, "too_large"),
    (UnsupportedFormat, "unsupported"),
    (LevelRefused, "refused"),
    (AboveCaller, "forbidden"),
    (ServiceStopping, "unavailable"),
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


def _anyone(document_id: str) -> bool:
    return True  # the command line runs for the owner of the store


def _decide_level(document: Document, stored: str | None, requested: str | None, allow_lower: bool) -> str:
    """The level to store: never below the document's own "MẬT" mark; a stored document (at level
    `stored`) keeps its level unless a level is asked for, and is lowered only when asked explicitly."""
    own = LEVELS.index(document.access_level)
    if requested is None:
        return LEVELS[max(own, LEVELS.index(stored or LEVELS[0]))]
    level = LEVELS[max(own, LEVELS.index(requested))]
    if stored and LEVELS.index(level) < LEVELS.index(stored) and not allow_lower:
        raise LevelRefused(
            f"the stored document is {stored}; to lower it to {level}, ask for it explicitly"
            " (vanban ingest --allow-lower-access; an upload: allow_lower_access=true)"
        )
    return level


def _in_own_slot(
    record: Record, document: Document, requested: str | None, may_replace: Callable[[str], bool]
) -> Document:
    """Where a document goes when copies of its number were moved aside (`Record.move_aside`): with a
    level asked for, to the copy of that level; without, to the most restricted copy the caller may
    replace, so that a revised confidential directive never lands in the public copy's slot (a write
    without a level keeps the level of the copy it replaces)."""
    levels = [requested] if requested is not None else list(reversed(LEVELS))
    for level in levels:
        aside = f"{document.id}{MOVED_ASIDE}{level}"
        if record.access_level(aside) is not None and may_replace(aside):
            return renamed(document, aside)
    return document


def reresolve_citers(record: Record, changed: Document) -> int:
    """After a document's level changed, read again the references of the documents that cite its
    symbol, or have a reference nothing resolved, each at its own level: a public plan must not keep a
    reference resolved to a directive that became confidential, and regains it when the directive is
    public again. How many documents were read again."""
    if not changed.number:
        return 0
    again = 0
    for document in list(record.documents()):
        if document.id == changed.id or all(
            c.number != changed.number and c.resolved for c in document.citations
        ):
            continue
        analyze(document, record.known_symbols(levels_up_to(document.access_level)))
        annotate_words(document)
        record.save(document, force=True)
        again += 1
    return again


def _parsed(
    data: bytes, source: str, max_bytes: int, limits: Limits, key_by_content: bool
) -> tuple[Document, float]:
    """Reading: the first half of the work that may run in a reader process. The document, and the
    seconds OCR took (not counted against the rest of the work's time)."""
    budget = Budget(limits)
    document = parse_bytes(data, source, max_bytes, budget=budget)
    return (keyed_by_content(document) if key_by_content else document), budget.ocr_seconds


def _analyzed(document: Document, symbols: list[str], limits: Limits, started: float) -> Document:
    """Analysis and the words search indexes: the second half that may run in a reader process, in
    what is left of the document's time (`started`: when its reading began)."""
    budget = Budget(limits, started)
    analyze(document, symbols, budget=budget)
    annotate_words(document, budget)  # the compounds search indexes as whole terms
    return document


def _start_reader(most_bytes: int | None, pages: Any) -> None:
    """The reader process yields the processor to the service's searches (reading is work that can
    wait), has an address space of `most_bytes` (a file that needs more fails alone, MemoryError), and
    reports the pages OCR has read into the shared array `pages` (done, in all)."""
    os.nice(READER_NICENESS)
    if most_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (most_bytes, most_bytes))

    def page_read(done: int, total: int) -> None:
        with pages.get_lock():  # both at once: a poll never sees a page of no pages
            pages[0], pages[1] = done, total

    report_pages_to(page_read)


# The reader's scheduling priority below the service's: searches beside 4 uploads keep their latency.
READER_NICENESS = 10


class ReaderProcess(Executor):
    """One process that reads and analyzes files, started on first use and started again when it has
    died (a file that exhausted its memory fails alone; the next one gets a fresh process). forkserver,
    because the service that uses it runs threads."""

    def __init__(self, memory_bytes: int | None = None) -> None:
        """`memory_bytes`: the most address space the process may take (`config.reader_memory_bytes`)."""
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self._closed = False
        self._memory = memory_bytes
        self._context = multiprocessing.get_context("forkserver")
        # The pages OCR has read of the file being read (done, in all), written by the process: one
        # file is read at a time, so the numbers are that file's.
        self._pages = self._context.Array("q", 2)

    def pages_read(self) -> tuple[int, int]:
        """(pages read, pages in all) of the scan being read; (0, 0) before OCR starts or for no scan."""
        with self._pages.get_lock():
            return int(self._pages[0]), int(self._pages[1])

    def forget_pages(self) -> None:
        """Before a new file: its count starts from nothing."""
        with self._pages.get_lock():
            self._pages[0] = self._pages[1] = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        for attempt in (1, 2):
            with self._lock:
                if self._closed:
                    raise ServiceStopping("the service is stopping: the file was not read")
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(
                        1,
                        mp_context=self._context,
                        initializer=_start_reader,
                        initargs=(self._memory, self._pages),
                    )
                pool = self._pool
            try:
                return pool.submit(fn, *args, **kwargs)
            except BrokenExecutor:  # it died with the previous file
                with self._lock:
                    if self._pool is pool:
                        self._pool = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            pool, self._pool, self._closed = self._pool, None, True
        if pool is not None:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def _run(offload: Executor | None, stage: Callable[..., Done], *args: object) -> Done:
    """A stage in this process, or in the reader process `offload` (the service: reading and analysis
    hold the interpreter for long stretches, which would stall every search thread)."""
    if offload is None:
        return stage(*args)
    try:
        return offload.submit(stage, *args).result()
    except BrokenExecutor:
        raise VanbanError(
            "the process reading the file stopped (out of memory?); the file was not stored"
        ) from None
    except MemoryError:
        raise TooLarge(
            "reading the file needed more memory than a reader may use"
            " (set VANBAN_READER_MEMORY_MB to raise it); the file was not stored"
        ) from None


Stage = Callable[[str], None]  # told "reading", "analysing", "indexing" as a file's work moves on


def _no_stage(name: str) -> None:
    pass


@dataclass
class _Read:
    """A file parsed, not yet stored: what reading (outside the write lock) hands to storing."""

    source: str
    document: Document
    limits: Limits
    spent: float  # seconds its reading took, OCR's apart: analysis has what is left of the rest


def _read_for_store(
    record: Record,
    path: Path,
    max_bytes: int,
    access_level: str | None,
    may_replace: Callable[[str], bool],
    source_name: str | None,
    key_by_content: bool,
    offload: Executor | None,
    stage: Stage,
) -> _Read | FileOutcome:
    """The file parsed, or the outcome without storing: unchanged, or failed. Reads the record only,
    so it runs outside the write lock: a long scan does not hold up deletions or other stores."""
    try:
        data = _file_bytes(path, max_bytes)
    except (OSError, VanbanError) as exc:
        return _failed(path, exc)
    source = source_name or str(path)
    stage("reading")
    # Only a copy the caller may replace answers "unchanged": one it may not see is never named.
    known = record.unchanged(source, hashlib.sha256(data).hexdigest(), may_replace)
    if known and access_level in (None, record.access_level(known)):
        return FileOutcome(source, "unchanged", document_id=known, indexed=record.is_indexed(known))
    try:
        limits, started = config.limits(), time.monotonic()
        document, ocr_seconds = _run(offload, _parsed, data, source, max_bytes, limits, key_by_content)
    except Exception as exc:
        return _failed(Path(source), exc)
    return _Read(source, document, limits, time.monotonic() - started - ocr_seconds)


def _store_read(
    record: Record,
    read: _Read,
    access_level: str | None,
    may_replace: Callable[[str], bool],
    allow_lower: bool,
    drop_points: Callable[[str], None] | None,
    offload: Executor | None,
    ceiling: str | None,
    stage: Stage,
    checked: bool,
) -> FileOutcome:
    """Store a parsed file (under the caller's write lock): its level decided, analyzed, saved.
    `checked`: whether the caller restricts what may be replaced (`may_replace` given)."""
    document = read.document
    try:
        if ceiling is not None and LEVELS.index(document.access_level) > LEVELS.index(ceiling):
            raise AboveCaller(
                f"the document is marked {document.access_level} (MẬT); a key cleared for {ceiling} may not store it"
            )
        document = _in_own_slot(record, document, access_level, may_replace)
        hidden = checked and not may_replace(document.id)
        stored_level = None if hidden else record.access_level(document.id)
        document.access_level = _decide_level(document, stored_level, access_level, allow_lower)
        # References resolve only against what a reader at this document's level may see.
        symbols = record.known_symbols(levels_up_to(document.access_level))
        stage("analysing")
        # Its time runs on from where reading left it, not from before the wait for the lock.
        started = time.monotonic() - read.spent
        document = _run(offload, _analyzed, document, symbols, read.limits, started)
        if hidden:  # it steps aside for the caller's copy, its points first (they carry its old id)
            record.mark_unindexed(document.id)
            if drop_points is not None:
                drop_points(document.id)
            record.move_aside(document.id)
        relabelled = stored_level not in (None, document.access_level)
        if relabelled and drop_points is not None:
            record.mark_unindexed(document.id)  # first: a failure after the drop leaves it to be finished
            drop_points(document.id)
        status = record.save(document)
        if relabelled:
            reresolve_citers(record, document)
    except Exception as exc:
        return _failed(Path(read.source), exc)
    message = f"access level {stored_level} → {document.access_level}" if relabelled else ""
    segments = len(document.segments)
    indexed = status == "unchanged" and record.is_indexed(document.id)
    return FileOutcome(read.source, status, document.id, segments, message, indexed=indexed)


def store_file(
    record: Record,
    path: Path,
    max_bytes: int,
    access_level: str | None = None,
    may_replace: Callable[[str], bool] | None = None,
    allow_lower: bool = False,
    source_name: str | None = None,
    drop_points: Callable[[str], None] | None = None,
    key_by_content: bool = False,
    offload: Executor | None = None,
    ceiling: str | None = None,
) -> FileOutcome:
    """Read, parse, analyze and store one file. `access_level` None keeps a stored document's level
    (public for a new one); `may_replace(document_id)` says which stored documents the caller may
    replace (the HTTP service: those its key may read); one it may not steps aside, to an id of its own
    level, so that the caller's answer never depends on what it cannot see; `source_name` is the name the file had
    before it was copied (an upload's scratch copy), which names the document instead of `path`;
    `drop_points(document_id)` removes a document's search points before its level changes, so that
    they never answer at the old level; `key_by_content` names a document without a symbol by its
    content as well as its name (uploads, whose names say little); `offload` reads and analyzes in
    another process; `ceiling`: the highest level the caller may store (a file marked "MẬT" sent by
    a key below confidential is refused, rather than stored where the key cannot see it). The
    service stores through `ingest_file`, which holds its write lock from storing to indexing."""
    if access_level is not None:
        check_level(access_level)
    replaceable = may_replace or _anyone
    read = _read_for_store(
        record, path, max_bytes, access_level, replaceable, source_name, key_by_content, offload, _no_stage
    )
    if isinstance(read, FileOutcome):
        return read
    checked = may_replace is not None
    return _store_read(
        record,
        read,
        access_level,
        replaceable,
        allow_lower,
        drop_points,
        offload,
        ceiling,
        _no_stage,
        checked,
    )


def ingest_file(
    services: Services,
    path: Path,
    max_bytes: int,
    access_level: str | None = None,
    may_replace: Callable[[str], bool] | None = None,
    allow_lower: bool = False,
    source_name: str | None = None,
    key_by_content: bool = False,
    offload: Executor | None = None,
    ceiling: str | None = None,
    finish_others: bool = True,
    lock: AbstractContextManager[Any] | None = None,
    stage: Stage = _no_stage,
) -> FileOutcome:
    """Store one file and index what was stored, with any document left unindexed before (by a process
    that was stopped, read again because a level changed, or moved aside) unless `finish_others` is
    false (the service leaves those to its background finisher). The record stays the source of truth
    when indexing fails: the outcome says so, and `vanban reindex --if-outdated` finishes the work.
    `lock` is held from storing to indexing, not while the file is read; `stage` is told "reading",
    "analysing" and "indexing". The other arguments are `store_file`'s."""
    record = services.record
    if access_level is not None:
        check_level(access_level)
    replaceable = may_replace or _anyone
    read = _read_for_store(
        record, path, max_bytes, access_level, replaceable, source_name, key_by_content, offload, stage
    )
    if isinstance(read, FileOutcome) and read.status == "failed":
        return read
    with lock or nullcontext():
        if isinstance(read, FileOutcome):
            # "Unchanged" was seen before the lock: a deletion or a level raised since then is seen now
            # (the file is read after all, or the copy the caller may no longer see is not named).
            read = _read_for_store(
                record,
                path,
                max_bytes,
                access_level,
                replaceable,
                source_name,
                key_by_content,
                offload,
                stage,
            )
        if isinstance(read, FileOutcome):
            outcome = read  # unchanged, or failed
        else:
            outcome = _store_read(
                record,
                read,
                access_level,
                replaceable,
                allow_lower,
                services.store.delete_document,
                offload,
                ceiling,
                stage,
                checked=may_replace is not None,
            )
        if outcome.status == "failed" or outcome.document_id is None:
            return outcome
        was_indexed = outcome.indexed
        document = record.document(outcome.document_id) if not was_indexed else None
        if document is not None:  # this file's document first: another's failure must not hold it back
            stage("indexing")
            try:
                index_stored(record, services.store, document, services.embedder)
            except Exception as exc:  # the record keeps it; never a traceback for one file
                cause = str(exc) if isinstance(exc, VanbanError) else f"{type(exc).__name__}: {exc}"
                outcome.message = f"stored, but not indexed ({cause}); run `vanban reindex --if-outdated`"
                return outcome
        if finish_others:  # others left by a stopped process, or moved aside (the service does it later)
            finish_indexing(record, services.store, services.embedder)
        outcome.indexed = record.is_indexed(outcome.document_id)
    if outcome.status == "unchanged" and not was_indexed:
        outcome.message = "stored earlier but not indexed: indexed now"
    return outcome
