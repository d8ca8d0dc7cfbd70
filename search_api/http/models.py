"""The shapes the HTTP service answers with, so that `/openapi.json` says what each endpoint returns.

Where the core already has a typed record (a segment, a hit, a chat answer, a matrix row) the model is
that dataclass itself; the models here only add what the service puts around it. Item models allow
extra keys: the graph's items carry a few more facts in some answers than in others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from ingest.model import Citation, Segment
from search_api.chat.answerer import ChatAnswer
from search_api.queries.matrix import MatrixRow
from search_api.queries.search import Hit


class Health(BaseModel):
    """The counts are of what the caller may see; `indexed` (the points in the search index, of every
    level) only for a caller who sees every level, null for the others. `not_indexed` documents are
    stored but not yet searchable: the service finishes them at start, `vanban reindex --if-outdated`
    from the command line."""

    status: str
    documents: int
    segments: int
    indexed: int | None
    not_indexed: int  # of the documents counted: stored, their points not yet all written
    embedder: str


class SearchResults(BaseModel):
    query: str
    hits: list[Hit]


class DocumentSummary(BaseModel):
    id: str
    number: str | None
    type: str | None
    issuer: str | None
    date: str | None
    place: str | None
    title: str | None
    implements: list[str]
    source_format: str
    access_level: str
    ingested_at: str | None
    segment_count: int


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


class DocumentInfo(BaseModel):
    """A document's metadata (`Document.metadata()`) with its citations."""

    id: str
    type: str | None
    number: str | None
    symbol: str | None
    issuer: str | None
    date: str | None
    place: str | None
    title: str | None
    implements: list[str]
    source_path: str | None  # the file it was read from: only for a key that may write, null otherwise
    sha256: str
    source_format: str
    page_count: int | None
    encoding: str | None
    access_level: str
    warnings: list[str]
    citations: list[Citation]


class OutlineEntry(BaseModel):
    path: str
    kind: str
    text: str
    segment_id: str


@dataclass
class SegmentView(Segment):
    """A segment as the page shows it: where it sits in its document, and which document that is."""

    breadcrumb: list[str] = field(default_factory=list)
    document_symbol: str | None = None
    document_title: str | None = None


class DocumentView(BaseModel):
    document: DocumentInfo
    outline: list[OutlineEntry]
    segments: list[SegmentView]
    # A scan's: the OCR confidence below which a segment is to be checked against the paper (the
    # service's VANBAN_OCR_MIN_CONFIDENCE); null for a document that was not OCR'd.
    ocr_min_confidence: float | None = None


class GraphItem(BaseModel):
    """A directive in the catalog, as a trace lists it."""

    model_config = ConfigDict(extra="allow")

    number: str | None
    key: str
    title: str | None
    type: str | None
    date: str | None
    level: str | None
    document: str | None
    relation: str | None = None
    depth: int | None = None


class Trace(BaseModel):
    """One directive's place in the catalog, or, for an ambiguous reference, the candidates."""

    model_config = ConfigDict(extra="allow")

    ambiguous: bool = False
    reference: str | None = None
    candidates: list[str] = []
    symbol: str | None = None
    document: str | None = None
    node: dict[str, Any] | None = None
    implements: list[GraphItem] = []
    implemented_by: list[GraphItem] = []
    cites: list[GraphItem] = []
    cited_by: list[GraphItem] = []
    chain_up: list[GraphItem] = []


class TracedSegment(BaseModel):
    id: str
    document_id: str
    path: str
    kind: str
    text: str


class SegmentTrace(BaseModel):
    segment: TracedSegment
    document: str
    chain: list[GraphItem]
    top_down: list[str | None]
    paths: list[list[str]]


class Named(BaseModel):
    id: str
    label: str


class Vocabulary(BaseModel):
    roles: list[Named]
    segment_kinds: list[Named]
    relations: list[Named]
    access_levels: list[Named]
    administrative_levels: list[Named]
    source_formats: list[Named]


class AgencyInfo(BaseModel):
    id: str
    name: str
    level: str | None
    kind: str | None
    aliases: list[str] = []


class AgencyList(BaseModel):
    agencies: list[AgencyInfo]


class Obligation(BaseModel):
    document_id: str
    document_number: str | None
    segment_id: str
    path: str
    kind: str
    text: str
    mention: str
    actions: list[str]
    frequency: str | None
    deadline: str | None
    deadline_start: str | None
    deadline_end: str | None
    recurrence: str | None
    tasks: list[dict[str, str]]
    chain: list[str | None]
    chain_paths: list[list[str]]


class Obligations(BaseModel):
    agency: AgencyInfo
    count: int
    roles: dict[str, list[Obligation]]


class GraphNode(BaseModel):
    key: str
    kind: str
    number: str | None
    type: str | None
    date: str | None
    issuer: str | None
    title: str | None
    level: str | None
    document_id: str | None


class GraphEdge(BaseModel):
    source: str
    target: str
    relation: str
    segments: list[str]


class Graph(BaseModel):
    nodes: list[GraphNode]
    edges: list[GraphEdge]


class Matrix(BaseModel):
    """The assignment matrix: the same rows, in the same order, as the Excel and CSV export."""

    columns: list[Named]
    rows: list[MatrixRow]


class Upload(BaseModel):
    status: str
    document_id: str | None
    segments: int


class UploadError(BaseModel):
    status: int  # the status the upload would have been answered with, had it waited
    message: str


class UploadState(BaseModel):
    """An upload read in the background (`GET /uploads/{id}`, or an upload's 202 answer)."""

    id: str
    file_name: str
    state: str  # queued | reading | analysing | indexing | done | failed
    waiting_before: int  # uploads to be read before this one (queued only)
    pages_read: int  # while reading a scan: pages OCR has read, of `pages`
    pages: int
    created_at: str
    started_at: str | None
    finished_at: str | None
    result: Upload | None  # done: what the upload would have answered
    error: UploadError | None  # failed: why


class Deleted(BaseModel):
    deleted: str


__all__ = ["ChatAnswer", "Hit", "MatrixRow"]
