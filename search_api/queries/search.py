"""Hybrid search: dense (embeddings) and sparse (BM25-style terms) fused by Qdrant's RRF,
plus a boost for segments that cite the directive a query names."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from ingest.model import Document, Segment, VanbanError
from ingest.normalize import fold_diacritics, match_key
from ingest.symbols import SYMBOL_PATTERN
from ingest.vocabulary import DOCUMENT_TYPES, ROLE_IDS
from nlp.agencies import AgencyRegistry
from nlp.citations import resolve_reference
from nlp.diacritics import DiacriticRestorer, WordCounts
from nlp.embeddings import Embedder
from nlp.lexical import query_terms, query_vector, syllables
from search_api.index.indexer import breadcrumb, is_searchable
from search_api.index.vector_store import SearchFilter, SparseVector, VectorStore
from search_api.store import Record
from search_api.store.visibility import may_read

MAX_QUERY_CHARS = 1000
MAX_K = 100
SearchMode = Literal["hybrid", "dense", "sparse"]


class QueryError(VanbanError):
    """A query that cannot be searched; the message says why."""


@dataclass
class Filters:
    """What a user may narrow a search by; names as in the CLI and the HTTP API."""

    document: list[str] = field(default_factory=list)
    type: list[str] = field(default_factory=list)
    issuer: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    kind: list[str] = field(default_factory=list)
    agency: str | None = None  # a name, alias or abbreviation
    role: str | None = None  # with agency: only assignments in that role
    cited: list[str] = field(default_factory=list)  # symbols, formal or informal
    access_levels: list[str] = field(default_factory=list)


@dataclass
class Hit:
    segment_id: str
    document_id: str
    path: str
    kind: str
    text: str
    score: float
    document_symbol: str | None = None
    document_title: str | None = None
    document_type: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clean_query(query: str) -> str:
    """Reject what cannot be a query; remove control characters from what can."""
    if query is None or not query.strip():
        raise QueryError("the query is empty: type some words or a directive symbol")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(query)} characters long; at most {MAX_QUERY_CHARS} are searched")
    cleaned = "".join(" " if unicodedata.category(c).startswith("C") else c for c in query)
    cleaned = unicodedata.normalize("NFC", " ".join(cleaned.split()))
    if not re.search(r"\w", cleaned):
        raise QueryError("the query has no letters or digits to search for")
    return cleaned


# Words that may stand around a symbol in a query that is only a reference: "Nghị quyết số 13".
_REFERENCE_WORDS = frozenset(
    fold_diacritics(word).lower()
    for doc_type in DOCUMENT_TYPES
    for word in (*doc_type.name.split(), *doc_type.abbreviations)
) | {"so"}


def is_pure_reference(query: str) -> bool:
    """True when the query names a directive and says nothing else ("KL 72", "nghị quyết số 13")."""
    rest = SYMBOL_PATTERN.sub(" ", query)
    words = [fold_diacritics(w).lower() for w in re.findall(r"[^\W\d_]+|\d+", rest)]
    return all(w.isdigit() or w in _REFERENCE_WORDS for w in words)


def highlight_spans(text: str, query: str) -> list[tuple[int, int]]:
    """Character spans of the text's words that match a query word, with or without diacritics."""
    wanted = (
        {fold_diacritics(w) for w in syllables(query)} if not _has_marks(query) else set(syllables(query))
    )
    if not wanted:
        return []
    spans = []
    folded_mode = not _has_marks(query)
    for found in re.finditer(r"\w+", text):
        word = match_key(found.group(0))
        if (fold_diacritics(word) if folded_mode else word) in wanted:
            spans.append((found.start(), found.end()))
    return spans


# Consecutive paragraphs that say the same thing: a plan's title block and the preamble repeating the
# title's reference ("thực hiện Kết luận số 72-KL/TW ... "). Showing both spends a result on nothing new.
SHINGLE_WORDS = 3
REPEAT_CONTAINMENT = 0.8
MIN_SHINGLES = 10


def word_shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = syllables(text)
    return frozenset(tuple(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1))


def repeats_text(first: frozenset[tuple[str, ...]], second: frozenset[tuple[str, ...]]) -> bool:
    """True when most of the shorter text's word triples occur in the other (both long enough to judge)."""
    smaller = min(len(first), len(second))
    return smaller >= MIN_SHINGLES and len(first & second) >= REPEAT_CONTAINMENT * smaller


def reading_positions(document: Document) -> dict[str, int]:
    """Each searchable segment's place in reading order: segments one apart are adjacent."""
    return {s.id: position for position, s in enumerate(s for s in document.segments if is_searchable(s))}


@dataclass(frozen=True)
class LoadedDocument:
    """A stored document as hits need it, read once per version: its segments by id and their places."""

    document: Document
    segments: dict[str, Segment]
    positions: dict[str, int]


class DocumentCache:
    """The documents hits were last read from, with their segments by id and reading positions, read
    whole only when their version (content hash and level) changed. Each document's version is read
    once per version of the record (one short row); reading every hit's document with all its
    segments for every search took most of the time of searches beside uploads."""

    def __init__(self, record: Record, size: int = 256) -> None:
        self.record = record
        self.size = size
        self._entries: OrderedDict[str, tuple[tuple[str, str, int], LoadedDocument]] = OrderedDict()
        self._stamps: dict[str, tuple[str, str, int] | None] = {}
        self._stamps_of: Any = None  # the record version the stamps were read at
        self._lock = threading.Lock()

    def get(self, document_id: str, levels: list[str] | None) -> LoadedDocument | None:
        """The document when `levels` may read it (any, for None), else None alike for hidden and gone."""
        stamp = self._stamp(document_id)
        if stamp is None or not may_read(levels, stamp[1]):
            return None
        with self._lock:
            entry = self._entries.get(document_id)
            if entry is not None and entry[0] == stamp:
                self._entries.move_to_end(document_id)
                return entry[1]
        document = self.record.document(document_id)
        if document is None or (document.sha256, document.access_level) != stamp[:2]:
            return None  # replaced between the two reads: this search does without it
        loaded = LoadedDocument(document, {s.id: s for s in document.segments}, reading_positions(document))
        with self._lock:
            self._entries[document_id] = (stamp, loaded)
            self._entries.move_to_end(document_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return loaded

    def _stamp(self, document_id: str) -> tuple[str, str, int] | None:
        version = self.record.version()
        with self._lock:
            if version != self._stamps_of:
                self._stamps, self._stamps_of = {}, version
            if document_id in self._stamps:
                return self._stamps[document_id]
        stamp = self.record.document_stamp(document_id, None)
        with self._lock:
            if self._stamps_of == version:
                self._stamps[document_id] = stamp
        return stamp


def _adjacent(positions: dict[str, int], first: str, second: str) -> bool:
    return first in positions and second in positions and abs(positions[first] - positions[second]) == 1


def _has_marks(text: str) -> bool:
    return fold_diacritics(text) != text


class Searcher:
    """Search over the index, with documents and segments read back from the system of record."""

    def __init__(
        self, record: Record, store: VectorStore, embedder: Embedder, registry: AgencyRegistry
    ) -> None:
        self.record = record
        self.store = store
        self.embedder = embedder
        self.registry = registry
        self.documents = DocumentCache(record)
        self._restorer = DiacriticRestorer()
        self._restorer_version: tuple[int, int] | None = None
        self._learnt: dict[
            str, tuple[tuple[str, str, int], WordCounts]
        ] = {}  # id → (version, what it taught)
        self._learning = threading.Lock()

    def restorer(self) -> DiacriticRestorer:
        """Diacritic restoration learnt from the stored segments. When the record changes, only the
        documents added, replaced or deleted are learnt or forgotten: relearning every text after each
        upload took most of the time of the searches beside four uploads."""
        version = self.record.version()
        if self._restorer_version != version:
            with self._learning:
                if self._restorer_version != version:
                    self._catch_up()
                    self._restorer_version = version
        return self._restorer

    def _catch_up(self) -> None:
        stored = self.record.document_versions()
        for document_id, (version, counts) in list(self._learnt.items()):
            if stored.get(document_id) != version:
                self._restorer.forget(counts)
                del self._learnt[document_id]
        for document_id, version in stored.items():
            if document_id not in self._learnt:
                counts = WordCounts.of(self.record.texts_of(document_id))
                self._restorer.learn(counts)
                self._learnt[document_id] = (version, counts)

    def store_filter(self, filters: Filters) -> SearchFilter:
        agencies: list[str] = []
        roles: list[str] = []
        if filters.agency:
            agency = self.registry.resolve(filters.agency)
            if agency is None:
                raise QueryError(f"unknown agency '{filters.agency}': see `vanban obligations --list`")
            if filters.role:
                if filters.role not in ROLE_IDS:
                    raise QueryError(f"unknown role '{filters.role}': one of {', '.join(ROLE_IDS)}")
                roles = [f"{filters.role}:{agency.id}"]
            else:
                agencies = [agency.id]
        cited: list[str] = []
        known = self.record.known_symbols() if filters.cited else []
        for reference in filters.cited:
            candidates = resolve_reference(reference, known)
            cited.extend(candidates or [reference])
        return SearchFilter(
            document_ids=list(filters.document),
            doc_types=list(filters.type),
            issuers=list(filters.issuer),
            year_from=filters.year_from,
            year_to=filters.year_to,
            kinds=list(filters.kind),
            agencies=agencies,
            agency_roles=roles,
            cited=cited,
            access_levels=list(filters.access_levels),
        )

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Filters | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[Hit]:
        query = clean_query(query)
        k = max(1, min(int(k), MAX_K))
        store_filter = self.store_filter(filters or Filters())
        named = resolve_reference(query, self.record.known_symbols())
        restored = self.restorer().restore(query)
        terms = query_terms(query, named) + (query_terms(restored) if restored else [])
        sparse = SparseVector(*query_vector(terms))
        prefetch = max(50, 5 * k)
        if mode == "sparse":
            scored = self.store.search_sparse(sparse, store_filter, prefetch)
        else:
            dense = self.embedder.embed_queries([restored or query])[0]
            if mode == "dense":
                scored = self.store.search_dense(dense, store_filter, prefetch)
            else:
                scored = self.store.search_hybrid(dense, sparse, store_filter, prefetch, prefetch)
        if named and mode == "hybrid":
            # A query that names a directive wants the segments citing it first. When the query is
            # nothing but that reference ("KL 72"), the segments that carry the directive out come
            # before those that only mention it; each tier is lifted by the top fused score, so the
            # fused order holds within a tier.
            top = max((p.score for p in scored), default=0.0)
            wanted = set(named)
            acting_first = is_pure_reference(query)

            def tier(payload: dict[str, Any]) -> int:
                if acting_first and wanted & set(payload.get("acts_on", [])):
                    return 2
                return 1 if wanted & set(payload.get("cited", [])) else 0

            scored = [replace(p, score=p.score + top * tier(p.payload)) for p in scored]
        # RRF gives equal scores to many pairs (ranks 1 and 3 against 3 and 1), which Qdrant returns in
        # any order; ties go by segment id, as trec_eval breaks them, so a search repeats exactly.
        scored.sort(key=lambda p: (-p.score, p.segment_id))
        levels = (filters or Filters()).access_levels
        return self._hits(scored, query, k, levels)

    def _hits(self, scored: list[Any], query: str, k: int, levels: list[str]) -> list[Hit]:
        """The first k hits read back from the record, from documents `levels` may read (all when
        empty: the owner's command line). The index filters by level too; this check holds while a
        document whose level was raised still has points of its old level. A hit that repeats the
        paragraph next to a better hit goes after the others: it is shown only when they do not fill
        the k places."""
        hits: list[Hit] = []
        repeats: list[Hit] = []
        documents: dict[str, LoadedDocument | None] = {}
        shingles: dict[str, frozenset[tuple[str, ...]]] = {}
        for point in scored:
            if len(hits) == k:
                break
            document_id = (
                point.payload.get("document_id") or point.segment_id.split(":", 1)[0]
            )  # "<id>:<path>"
            if document_id not in documents:
                documents[document_id] = self.documents.get(document_id, levels or None)
            loaded = documents[document_id]
            if loaded is None:
                continue  # above the caller's level (or deleted meanwhile)
            document, place = loaded.document, loaded.positions
            segment = loaded.segments.get(point.segment_id)
            if segment is None or segment.id not in place:  # the places are those of searchable segments
                continue  # gone from the record, or residue an index built before this rule still holds
            hit = Hit(
                segment_id=segment.id,
                document_id=segment.document_id,
                path=segment.path,
                kind=segment.kind,
                text=segment.text,
                score=round(float(point.score), 6),
                document_symbol=document.number if document else None,
                document_title=document.title if document else None,
                document_type=document.type if document else None,
                breadcrumb=breadcrumb(document, segment) if document else [],
                highlights=highlight_spans(segment.text, query),
            )
            shingles[segment.id] = word_shingles(segment.text)
            if any(
                _adjacent(place, segment.id, other.segment_id)
                and repeats_text(shingles[segment.id], shingles[other.segment_id])
                for other in hits
            ):
                repeats.append(hit)
            else:
                hits.append(hit)
        return (hits + repeats)[:k]
