"""Deriving the search index from the system of record: one point per searchable segment."""

from __future__ import annotations

import logging
import multiprocessing
import os
import re
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from ingest.model import Document, Segment
from ingest.vocabulary import FILING_LINE_OPENINGS, RECIPIENTS_OPENINGS, SIGNATURE_OPENINGS
from nlp.embeddings import Embedder
from nlp.lexical import passage_terms, passage_vector
from nlp.passages import passage_parts
from search_api.index.vector_store import DenseVector, IndexPoint, IndexStoreError, SparseVector, VectorStore
from search_api.store import Record

# Segments nobody searches for: the recipients and the signature block; and headings, whose words
# are indexed with the content under them (a hit shows its headings as a breadcrumb anyway).
UNSEARCHED_KINDS = frozenset({"recipients", "heading"})
# Citations through which a segment carries out or changes a directive rather than mentions it.
ACTING_RELATIONS = frozenset({"implements", "amends", "replaces"})


# A retrieval unit says something a user can act on; fewer words than this is a fragment of the
# layout ("|", "Bưu điện.", "TT | Nội dung") that short-passage embeddings put near every query.
MIN_UNIT_WORDS = 4
_WORD = re.compile(r"\w*[^\W\d_]\w*")  # a word with at least one letter
_CLOSING_OPENINGS = RECIPIENTS_OPENINGS + FILING_LINE_OPENINGS + SIGNATURE_OPENINGS
_LONG_ROW = 1000  # a row this long is a page laid out in a table: content, whatever it ends with
_RECIPIENT_RUN = re.compile(r"(?:;\s*-\s*[^;]{2,80}){3}")  # "; - A; - B; - C"
_FILING = re.compile(r"-\s*(?:" + "|".join(re.escape(o) for o in FILING_LINE_OPENINGS) + ")")


log = logging.getLogger("vanban.index")


def is_searchable(segment: Segment) -> bool:
    if segment.kind in UNSEARCHED_KINDS or segment.path.startswith("Ký"):
        return False
    return bool(segment.text.strip()) and not is_layout_residue(segment)


def is_layout_residue(segment: Segment) -> bool:
    """Text that is not content: a fragment, a closing block (recipients and signature, often
    flattened into table cells or run-on lines by copied web text), a form line of dots, or a table
    row with no sentence in it ("1 | Bộ Công an | Tháng 12/2025" is the row's data, found through
    its task row)."""
    text = segment.text
    if len(_WORD.findall(text)) < MIN_UNIT_WORDS:
        return True
    pieces = [p.strip() for p in re.split(r"\n| \| ", text) if p.strip()]
    closing = [p for p in pieces if p.lstrip("-* ").startswith(_CLOSING_OPENINGS)]
    if sum(map(len, closing)) * 2 > sum(map(len, pieces)):
        return True
    if closing and segment.kind == "table_row" and len(text) < _LONG_ROW:
        return True  # a layout row that holds a signature ("| KT. CHỦ TỊCH ... | PHỤ LỤC ...")
    listed = sum(len(m.group()) for m in _RECIPIENT_RUN.finditer(text))
    if listed * 2 > len(text) and (closing or _FILING.search(text)):
        return True  # "Chính phủ; - Ban Tổ chức Trung ương; - ...; - Lưu: VT": a recipients list run on
    visible = re.sub(r"\s", "", text)
    if sum(c.isalpha() for c in visible) * 2 < len(visible):  # "Tên người bán: ............"
        return True
    cells = segment.cells or []
    return (
        segment.kind == "table_row"
        and bool(cells)
        and max(len(_WORD.findall(c)) for c in cells) < MIN_UNIT_WORDS
    )


def breadcrumb(document: Document, segment: Segment, by_path: dict[str, Segment] | None = None) -> list[str]:
    """Headings above a segment, outermost first: ["III. NHIỆM VỤ, GIẢI PHÁP", "3. Huy động ..."]."""
    by_path = by_path if by_path is not None else {s.path: s for s in document.segments}
    trail: list[str] = []
    path = segment.parent_path
    while path:
        parent = by_path.get(path)
        if parent is None:
            break
        trail.append(
            parent.text.split("\n")[0] if parent.kind == "heading" else (parent.label or parent.path)
        )
        path = parent.parent_path
    return list(reversed(trail))


def payload_for(document: Document, segment: Segment) -> dict[str, object]:
    """What the index keeps of a segment: the fields search filters on, and the segment id to read the
    hit back from the record. Empty lists and unknown years are left out: Qdrant Edge converts each
    payload value at about 3 µs, the largest cost of indexing, and a missing field matches no filter
    value just as an empty one does."""
    payload: dict[str, object] = {
        "segment_id": segment.id,
        "document_id": document.id,
        "kind": segment.kind,
        "doc_type": document.type or "",
        "issuer": document.issuer or "",
        "access_level": document.access_level,
    }
    if document.date:
        payload["year"] = int(document.date[:4])
    cited = {c.number for c in segment.citations if not c.named}
    if cited:
        payload["cited"] = sorted(cited)
        # Directives this segment carries out or changes, not merely mentions: the first answers when a
        # query names a directive.
        acting = {c.number for c in segment.citations if not c.named and c.relation in ACTING_RELATIONS}
        if acting:
            payload["acts_on"] = sorted(acting)
    if segment.assignments:
        payload["agencies"] = sorted({a.agency for a in segment.assignments})
        payload["agency_roles"] = sorted({f"{a.role}:{a.agency}" for a in segment.assignments})
    return payload


@dataclass
class IndexReport:
    documents: int = 0
    points: int = 0


@dataclass
class PointSource:
    """One segment on its way into the index: its dense vector is computed, its sparse one is not yet."""

    document: Document
    segment: Segment
    heading: str | None  # the nearest heading above it, whose words are indexed with it
    dense: DenseVector
    dense_parts: list[DenseVector] = field(default_factory=list)  # of a long segment (nlp.passages)


def sparse_vector(text: str, words: list[str] | None, heading: str | None, ocr: bool = False) -> SparseVector:
    """`ocr`: the text was read by OCR, and a symbol it misread ("72-KLITW") indexes as the symbol."""
    terms = passage_terms(text, words, ocr=ocr)
    if heading:
        # The heading's words, not its citations: a task does not cite what its heading cites.
        terms.update(passage_terms(heading, with_symbols=False))
    return SparseVector(*passage_vector(terms))


def _packed_sparse_vectors(
    items: list[tuple[str, list[str] | None, str | None, bool]],
) -> list[tuple[bytes, bytes]]:
    """Sparse vectors of a batch, in a worker process; packed as arrays, which cross the process
    boundary several times faster than lists of numbers."""
    packed = []
    for text, words, heading, ocr in items:
        vector = sparse_vector(text, words, heading, ocr)
        packed.append((array("q", vector.indices).tobytes(), array("d", vector.values).tobytes()))
    return packed


def _unpacked(packed: list[tuple[bytes, bytes]]) -> list[SparseVector]:
    vectors = []
    for indices, values in packed:
        index_array, value_array = array("q"), array("d")
        index_array.frombytes(indices)
        value_array.frombytes(values)
        vectors.append(SparseVector(index_array.tolist(), value_array.tolist()))
    return vectors


@dataclass
class WriteReport:
    points: int = 0
    workers: int = 0  # term-extraction processes used; 0 when all ran in this process


def write_points(
    store: VectorStore,
    sources: Iterable[PointSource],
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> WriteReport:
    """Upsert the points of `sources`.

    The store's writes hold the interpreter, and term extraction costs about as much again, so a large
    job computes the sparse vectors of the coming batches in worker processes while this process
    writes the current one. A job under PARALLEL_FROM segments (one document, a small corpus) runs in
    this process: starting the workers would cost more than they save. `workers=0` always runs here;
    None uses one worker per CPU but one.
    """
    batches = _batches(sources, WRITE_BATCH)
    head: list[list[PointSource]] = []
    for batch in batches:  # look ahead far enough to know whether the job is large
        head.append(batch)
        if len(head) * WRITE_BATCH >= PARALLEL_FROM:
            break
    if workers is None:  # this process is busy writing: the other CPUs extract terms
        workers = max(1, (os.cpu_count() or 1) - 1)
    report = WriteReport()
    remaining: Iterator[list[PointSource]] = chain(head, batches)
    if (
        workers > 0
        and len(head) * WRITE_BATCH >= PARALLEL_FROM
        and "fork" in multiprocessing.get_all_start_methods()
    ):
        report.workers = workers
        remaining = _write_in_parallel(store, remaining, workers, report, progress)
    for batch in remaining:  # the whole of a small job; what is left if a worker died
        report.points += _write(store, batch, [sparse_vector(*_sparse_input(s)) for s in batch], progress)
    return report


def _write_in_parallel(
    store: VectorStore,
    batches: Iterator[list[PointSource]],
    workers: int,
    report: WriteReport,
    progress: Callable[[int], None] | None,
) -> Iterator[list[PointSource]]:
    """Write batches whose sparse vectors worker processes compute; returns the batches left unwritten
    when a worker dies (killed for memory, say), for this process to finish."""
    pending: deque[tuple[list[PointSource], Future[list[tuple[bytes, bytes]]]]] = deque()
    taken: list[PointSource] | None = None  # a batch out of `batches`, not yet in `pending`
    # Forked workers: a spawned one imports the whole command line's modules again (2 s each). The fork
    # copies the store's threads and locks too, but a worker only ever runs the term extraction.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        try:
            for taken in batches:
                pending.append(
                    (taken, pool.submit(_packed_sparse_vectors, [_sparse_input(s) for s in taken]))
                )
                taken = None
                if len(pending) > 2 * workers:  # keep the workers busy without holding every batch
                    report.points += _write(store, *_finished(pending), progress)
            while pending:
                report.points += _write(store, *_finished(pending), progress)
        except BrokenProcessPool:
            pass
    left = [batch for batch, _ in pending] + ([taken] if taken is not None else [])
    return chain(left, batches)


def _finished(
    pending: deque[tuple[list[PointSource], Future[list[tuple[bytes, bytes]]]]],
) -> tuple[list[PointSource], list[SparseVector]]:
    batch, vectors = pending[0]
    unpacked = _unpacked(vectors.result())
    pending.popleft()  # only once its vectors arrived: a broken pool leaves it for this process
    return batch, unpacked


WRITE_BATCH = 1024
PARALLEL_FROM = 8 * WRITE_BATCH


def _sparse_input(source: PointSource) -> tuple[str, list[str] | None, str | None, bool]:
    segment = source.segment
    return segment.text, segment.words, source.heading, segment.ocr_confidence is not None


def _batches(sources: Iterable[PointSource], size: int) -> Iterator[list[PointSource]]:
    batch: list[PointSource] = []
    for source in sources:
        batch.append(source)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write(
    store: VectorStore,
    batch: list[PointSource],
    vectors: list[SparseVector],
    progress: Callable[[int], None] | None,
) -> int:
    store.upsert(
        [
            IndexPoint(s.segment.id, s.dense, vector, payload_for(s.document, s.segment), s.dense_parts)
            for s, vector in zip(batch, vectors, strict=True)
        ]
    )
    if progress:
        progress(len(batch))
    return len(batch)


def document_sources(document: Document, embedder: Embedder | None) -> list[PointSource]:
    """The searchable segments of a document with their dense vectors: the segment's text and each
    part of a long one, each under its nearest heading, all embedded in one batch."""
    segments = [s for s in document.segments if is_searchable(s)]
    by_path = {s.path: s for s in document.segments}
    trails = [breadcrumb(document, s, by_path) for s in segments]
    # The nearest heading gives a short task its topic for the dense model; a segment without one
    # reads under the document's title.
    contexts = [(trail[-1] if trail else (document.title or ""))[:200] for trail in trails]
    wholes = [_with_context(context, s.text) for context, s in zip(contexts, segments, strict=True)]
    parts = [
        [_with_context(context, part) for part in passage_parts(s.text)]
        for context, s in zip(contexts, segments, strict=True)
    ]
    texts = wholes + [text for segment_parts in parts for text in segment_parts]
    dense = embedder.embed_passages(texts) if embedder and segments else None
    sources = []
    next_part = len(wholes)
    for i, segment in enumerate(segments):
        whole: DenseVector = dense[i] if dense is not None else []
        part_vectors: list[DenseVector] = (
            list(dense[next_part : next_part + len(parts[i])]) if dense is not None else []
        )
        next_part += len(parts[i])
        heading = trails[i][-1] if trails[i] else None
        sources.append(PointSource(document, segment, heading, whole, part_vectors))
    return sources


def _with_context(context: str, text: str) -> str:
    return f"{context}\n{text}" if context else text


def index_document(store: VectorStore, document: Document, embedder: Embedder) -> int:
    """Replace a document's points in the index."""
    store.delete_document(document.id)
    return write_points(store, document_sources(document, embedder), workers=0).points


def index_stored(record: Record, store: VectorStore, document: Document, embedder: Embedder) -> int:
    """Index a stored document and record that all its points are written; a process killed before
    the mark leaves the document for `finish_indexing`."""
    points = index_document(store, document, embedder)
    record.mark_indexed(document.id, document.sha256, document.access_level, points)
    return points


def finish_indexing(
    record: Record,
    store: VectorStore,
    embedder: Embedder,
    progress: Callable[[str], None] | None = None,
    stop: Callable[[], bool] | None = None,
    lock: AbstractContextManager[Any] | None = None,
) -> int:
    """Index the stored documents whose points are not all written, each under `lock` when given (the
    service's write lock: an upload waits for one document, not the backlog), until `stop()` says to
    stop; how many were indexed. A document that cannot be indexed is logged and left for the next
    run: it does not hold back the others."""
    finished = 0
    for document_id in record.unindexed():
        if stop is not None and stop():
            break
        with lock or nullcontext():
            document = record.document(document_id)
            if document is None or record.is_indexed(document_id):  # deleted or done meanwhile
                continue
            try:
                index_stored(record, store, document, embedder)
            except Exception as exc:  # noqa: BLE001 - one document's failure must not stop the rest
                # One line, no traceback: a command line shows it as it is.
                log.warning("cannot index %s (%s); it stays stored but not indexed", document_id, exc)
                continue
        finished += 1
        if progress:
            progress(document_id)
    return finished


def index_state(record: Record, store: VectorStore, embedder: Embedder) -> str:
    """ "current"; "unfinished" (documents stored but not indexed: `finish_indexing`); or "outdated"
    (another embedder or schema, or points missing or left over: `rebuild_index`)."""
    try:
        store.ensure_collection(embedder.dim, embedder.name)
    except IndexStoreError:
        return "outdated"
    unindexed = record.unindexed()
    if unindexed and len(unindexed) == len(record.document_ids()):
        return "outdated"  # nothing is marked (a killed rebuild, a store of schema 1): build it whole
    if unindexed:
        return "unfinished"
    return "current" if store.count() == record.indexed_points() else "outdated"


def rebuild_index(
    record: Record,
    store: VectorStore,
    embedder: Embedder,
    progress: Callable[[str], None] | None = None,
    document_ids: Iterable[str] | None = None,
) -> IndexReport:
    """Drop the collection and index every stored document again (`vanban reindex`)."""
    record.mark_all_unindexed()  # a rebuild killed halfway leaves nothing marked: the next one starts over
    store.drop()
    store.ensure_collection(embedder.dim, embedder.name)
    report = IndexReport()
    written: list[tuple[str, str, str, int]] = []

    def sources() -> Iterator[PointSource]:
        for document_id in document_ids or record.document_ids():
            document = record.document(document_id)
            if document is None:
                continue
            document_points = document_sources(document, embedder)
            written.append((document.id, document.sha256, document.access_level, len(document_points)))
            yield from document_points
            report.documents += 1
            if progress:
                progress(document_id)

    report.points = write_points(store, sources()).points
    store.optimize()
    for document_id, sha256, level, points in written:  # only now are all of them in the index
        record.mark_indexed(document_id, sha256, level, points)
    return report
