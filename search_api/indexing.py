"""Deriving the search index from the system of record: one point per searchable segment."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ingest.model import Document, Segment
from nlp.embeddings import Embedder
from nlp.lexical import passage_vector, segment_terms
from search_api.index.store import IndexPoint, SparseVector, VectorStore
from search_api.record import Record

# Segments nobody searches for: the recipients and the signature block; and headings, whose words
# are indexed with the content under them (a hit shows its headings as a breadcrumb anyway).
UNSEARCHED_KINDS = frozenset({"recipients", "heading"})
# Citations through which a segment carries out or changes a directive rather than mentions it.
ACTING_RELATIONS = frozenset({"implements", "amends", "replaces"})


def is_searchable(segment: Segment) -> bool:
    if segment.kind in UNSEARCHED_KINDS or segment.path.startswith("Ký"):
        return False
    return bool(segment.text.strip())


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


def passage_text(document: Document, segment: Segment, by_path: dict[str, Segment] | None = None) -> str:
    """What the dense model reads: the section's headings give a short task its topic."""
    trail = breadcrumb(document, segment, by_path)
    context = trail[-1] if trail else (document.title or "")
    return f"{context[:200]}\n{segment.text}" if context else segment.text


def payload_for(document: Document, segment: Segment) -> dict[str, object]:
    cited = sorted({c.number for c in segment.citations if not c.named})
    # Directives this segment carries out or changes, not merely mentions: the first answers when a
    # query names a directive.
    acts_on = sorted({c.number for c in segment.citations if not c.named and c.relation in ACTING_RELATIONS})
    agencies = sorted({a.agency for a in segment.assignments})
    roles = sorted({f"{a.role}:{a.agency}" for a in segment.assignments})
    year = int(document.date[:4]) if document.date else None
    return {
        "segment_id": segment.id,
        "document_id": document.id,
        "path": segment.path,
        "kind": segment.kind,
        "doc_type": document.type or "",
        "issuer": document.issuer or "",
        "year": year,
        "cited": cited,
        "acts_on": acts_on,
        "agencies": agencies,
        "agency_roles": roles,
        "access_level": document.access_level,
    }


@dataclass
class IndexReport:
    documents: int = 0
    points: int = 0


def document_points(document: Document, embedder: Embedder | None) -> list[IndexPoint]:
    segments = [s for s in document.segments if is_searchable(s)]
    by_path = {s.path: s for s in document.segments}
    texts = [passage_text(document, s, by_path) for s in segments]
    dense = embedder.embed_passages(texts) if embedder and segments else None
    points = []
    for i, segment in enumerate(segments):
        trail = breadcrumb(document, segment, by_path)
        # The heading's words, not its citations: a task does not cite what its heading cites.
        heading_terms = segment_terms(trail[-1], with_symbols=False) if trail else []
        indices, values = passage_vector(segment_terms(segment.text, segment.words) + heading_terms)
        points.append(
            IndexPoint(
                segment_id=segment.id,
                dense=list(dense[i]) if dense is not None else [],
                sparse=SparseVector(indices=indices, values=values),
                payload=payload_for(document, segment),
            )
        )
    return points


def index_document(store: VectorStore, document: Document, embedder: Embedder) -> int:
    """Replace a document's points in the index."""
    store.delete_document(document.id)
    points = document_points(document, embedder)
    for start in range(0, len(points), 256):
        store.upsert(points[start : start + 256])
    return len(points)


def rebuild_index(
    record: Record,
    store: VectorStore,
    embedder: Embedder,
    progress: Callable[[str], None] | None = None,
    document_ids: Iterable[str] | None = None,
) -> IndexReport:
    """Drop the collection and index every stored document again (`vanban reindex`)."""
    store.drop()
    store.ensure_collection(embedder.dim, embedder.name)
    report = IndexReport()
    for document_id in document_ids or record.document_ids():
        document = record.document(document_id)
        if document is None:
            continue
        report.points += index_document(store, document, embedder)
        report.documents += 1
        if progress:
            progress(document_id)
    store.optimize()
    return report
