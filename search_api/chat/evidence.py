"""Retrieval for the chat: segments searched at the caller's access levels, kept as evidence only
when they pass the relevance gate.

Relevance gate: a hit is evidence only when it covers at least `MIN_COVERAGE` of the question's
content words (folded syllables that are neither function words nor the intent's own words such
as "chủ trì" or "chỉ tiêu"), each word weighted by its inverse document frequency over the
segments the caller may see, a word the corpus never uses weighing most. The hybrid score alone
cannot tell "no evidence" apart: Qdrant's RRF fusion ranks whatever there is, so "Giá vàng hôm nay?"
gets a top hit with the same score as a good question. A question whose distinctive words are
not in the corpus ("xử phạt ... đường thủy", "giá vàng", "Bộ trưởng Bộ Y tế") falls below the gate.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ingest.model import Document, Segment
from nlp.citations import resolve_reference
from search_api.chat.intents import Question, word_key
from search_api.chat.phrasing import document_label, excerpt, section_label
from search_api.queries.search import Filters, Hit
from search_api.services import Services

MIN_COVERAGE = 0.6
# A pair of adjacent content words weighs half its two words: "tăng trưởng" written as in the question
# is better evidence than "tăng" and "trưởng" apart, but pairs that straddle two words ("truyền kết"
# in "tuyên truyền Kết luận") are rarely written anywhere.
PAIR_WEIGHT = 0.5
NEAR_BEST = 0.15  # evidence from several documents must cover nearly as much as the best
SEARCH_K = 12


@dataclass
class Source:
    """One piece of evidence: a segment of a document the caller may see."""

    document: Document
    segment: Segment

    @property
    def label(self) -> str:
        return f"{document_label(self.document)}, {section_label(self.segment)}"

    def citation(self) -> dict[str, Any]:
        return {
            "document_id": self.document.id,
            "document_symbol": document_label(self.document),
            "segment_id": self.segment.id,
            "path": self.segment.path,
            "text": excerpt(self.segment.text),
            "kind": self.segment.kind,
        }


# -- relevance ----------------------------------------------------------------------------------------


@dataclass
class _Counted:
    """One version of a document: its segments and in how many of them each syllable occurs."""

    stamp: tuple[str, str, int]  # (sha256, access level, row): `Record.document_versions`
    segments: int
    words: Counter[str]


@dataclass
class _Totals:
    """The sums over the documents a set of access levels may see."""

    segments: int = 0
    frequency: Counter[str] = field(default_factory=Counter)
    documents: set[str] = field(default_factory=set)

    def add(self, document_id: str, counted: _Counted) -> None:
        self.segments += counted.segments
        self.frequency.update(counted.words)
        self.documents.add(document_id)

    def remove(self, document_id: str, counted: _Counted) -> None:
        if document_id in self.documents:
            self.segments -= counted.segments
            self.frequency.subtract(counted.words)
            self.documents.discard(document_id)


class _Idf:
    """Inverse document frequency of syllables (with diacritics and folded) over the segments a set of
    access levels may see. Each document's syllables are counted once per version; when the record
    changes, only the documents added, changed or removed are added to or taken from the totals
    (counting every segment again after each upload slowed the answers beside uploads)."""

    def __init__(self, services: Services) -> None:
        self.record = services.record
        self._lock = threading.Lock()
        self._version: Any = None
        self._counted: dict[str, _Counted] = {}
        self._totals: dict[frozenset[str], _Totals] = {}

    def counts(self, levels: frozenset[str]) -> tuple[int, Counter[str]]:
        with self._lock:
            version = self.record.version()
            if version != self._version:
                self._catch_up()
                self._version = version
            totals = self._totals.get(levels)
            if totals is None:
                totals = self._totals[levels] = _Totals()
                self._fill(levels, totals)
            return totals.segments, totals.frequency

    def _catch_up(self) -> None:
        stored = self.record.document_versions()
        for document_id, counted in list(self._counted.items()):
            if stored.get(document_id) != counted.stamp:  # changed, relabelled or removed
                for totals in self._totals.values():
                    totals.remove(document_id, counted)
                del self._counted[document_id]
        for document_id, stamp in stored.items():
            if document_id not in self._counted:
                texts = self.record.texts_of(document_id)
                words: Counter[str] = Counter()
                for text in texts:
                    words.update(set(word_key(text, True)) | set(word_key(text, False)))
                self._counted[document_id] = _Counted(stamp, len(texts), words)
        for levels, totals in self._totals.items():
            self._fill(levels, totals)

    def _fill(self, levels: frozenset[str], totals: _Totals) -> None:
        for document_id, counted in self._counted.items():
            if counted.stamp[1] in levels and document_id not in totals.documents:
                totals.add(document_id, counted)

    def coverage(self, question: Question, text: str, levels: frozenset[str]) -> float:
        """The IDF-weighted share of the question's content words, and of its adjacent content word
        pairs (a pair weighs its two words), that `text` contains."""
        if not question.content:
            return 0.0
        total, frequency = self.counts(levels)
        words = word_key(text, question.accented)
        present, adjacent = set(words), set(zip(words, words[1:], strict=False))
        weight = {
            w: math.log(1 + (total - frequency[w] + 0.5) / (frequency[w] + 0.5)) for w in question.content
        }
        units = [(weight[w], w in present) for w in question.content] + [
            (PAIR_WEIGHT * (weight[a] + weight[b]), (a, b) in adjacent) for a, b in question.pairs
        ]
        whole = sum(w for w, _ in units)
        return sum(w for w, found in units if found) / whole if whole else 0.0


# -- retrieval ----------------------------------------------------------------------------------------


class Retriever:
    """Search, documents and the relevance gate, at one set of access levels."""

    def __init__(self, services: Services, levels: frozenset[str]) -> None:
        self.services = services
        self.record = services.record
        self.levels = levels
        self._idf = _Idf(services)

    def filters(self, **extra: Any) -> Filters:
        return Filters(access_levels=sorted(self.levels), **extra)

    def search(self, text: str, k: int = SEARCH_K, **filters: Any) -> list[Hit]:
        return self.services.searcher.search(text, k=k, filters=self.filters(**filters))

    def visible(self, document_id: str) -> Document | None:
        """The document when these levels may read it, from the search's cache (shared: not to change)."""
        loaded = self.services.searcher.documents.get(document_id, sorted(self.levels))
        return loaded.document if loaded is not None else None

    def evidence(self, question: Question, hits: list[Hit]) -> list[Source]:
        """Hits that pass the relevance gate, as sources, in search order: each covers at least
        MIN_COVERAGE of the question, and nearly as much as the best hit does."""
        covered = [
            (
                self._idf.coverage(
                    question, hit.text + " " + (hit.breadcrumb[-1] if hit.breadcrumb else ""), self.levels
                ),
                hit,
            )
            for hit in hits
        ]
        best = max((c for c, _ in covered), default=0.0)
        sources: list[Source] = []
        documents: dict[str, Document | None] = {}
        for coverage, hit in covered:
            # A question asking who someone is ("Ai là Chủ tịch nước?") wants a name next to every word
            # of the title: directives assign work to bodies and seldom name people.
            if coverage < (1.0 - 1e-9 if question.identity else max(MIN_COVERAGE, best - NEAR_BEST)):
                continue
            if hit.document_id not in documents:
                documents[hit.document_id] = self.visible(hit.document_id)
            document = documents[hit.document_id]
            segment = segment_of(document, hit.segment_id) if document else None
            if document is not None and segment is not None:
                sources.append(Source(document, segment))
        return sources

    def named_symbol(self, question: Question) -> str | None:
        named = resolve_reference(question.text, self.record.known_symbols())
        return named[0] if named else None

    def rank_documents(self, sources: list[Source], question: Question) -> list[Source]:
        """Documents that implement the directive the question names come first (a plan for
        Conclusion 72 before a district plan that implements the province's plan)."""
        symbol = self.named_symbol(question)
        if symbol is None:
            return sources
        return sorted(sources, key=lambda s: symbol not in s.document.implements)

    def ids_with_number(self, symbol: str) -> list[str]:
        return self.record.documents_numbered(symbol, self.levels)


# -- segments of a document ---------------------------------------------------------------------------


def segment_of(document: Document | None, segment_id: str) -> Segment | None:
    if document is None:
        return None
    return next((s for s in document.segments if s.id == segment_id), None)


def assignment_lines(source: Source) -> list[Segment]:
    """The segments that say who does what a hit is about: the hit itself when it carries
    assignments, the lines governing a task, the lines of a section."""
    segment = source.segment
    lines = [segment] if segment.assignments else []
    for other in source.document.segments:
        if other is segment or not other.assignments:
            continue
        if segment.id in other.governs or (segment.kind == "heading" and other.parent_path == segment.path):
            lines.append(other)
    return lines
