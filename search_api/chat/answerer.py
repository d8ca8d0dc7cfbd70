"""Chat answers: short Vietnamese sentences built from extracted facts and retrieved segments,
each citing the document (symbol, or title when it has none) and the section it comes from.

Flow: parse the question (`search_api.chat.intents`), retrieve segments at the caller's access levels,
keep only evidence that passes the relevance gate, build the answer from the segments' facts
(assignments, citations, targets, time frames), optionally let a language model rephrase it.

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
import re
import threading
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from ingest.model import Assignment, Document, Segment
from nlp.citations import resolve_reference
from search_api.access import LEVELS
from search_api.chat.conversations import ConversationState, ConversationStore
from search_api.chat.generator import Evidence, Generator, OpenAICompatibleGenerator, generator_from_env
from search_api.chat.intents import ROLE_NAMES_VI, Question, fold, parse_question, word_key
from search_api.queries.search import Filters, Hit
from search_api.services import Services

__all__ = [
    "Answerer",
    "ChatAnswer",
    "Generator",
    "OpenAICompatibleGenerator",
    "generator_from_env",
    "MIN_COVERAGE",
    "NOT_FOUND",
]

NOT_FOUND = "Không tìm thấy nội dung liên quan trong các văn bản hiện có."
MIN_COVERAGE = 0.6
# A pair of adjacent content words weighs half its two words: "tăng trưởng" written as in the question
# is better evidence than "tăng" and "trưởng" apart, but pairs that straddle two words ("truyền kết"
# in "tuyên truyền Kết luận") are rarely written anywhere.
PAIR_WEIGHT = 0.5
NEAR_BEST = 0.15  # evidence from several documents must cover nearly as much as the best
SEARCH_K = 12
MAX_DOCUMENTS = 3  # an answer speaks for at most this many documents
MAX_ITEMS = 5  # tasks or duties listed in one answer
EXCERPT_CHARS = 220
ALL_LEVELS = LEVELS


@dataclass
class ChatAnswer:
    answer: str
    citations: list[dict[str, Any]]
    found: bool
    conversation_id: str
    intent: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Source:
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


@dataclass
class _Draft:
    sentences: list[str] = field(default_factory=list)
    sources: list[_Source] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)  # what a follow-up needs

    def add(self, sentence: str, *sources: _Source) -> None:
        self.sentences.append(sentence)
        for source in sources:
            if all(s.segment.id != source.segment.id for s in self.sources):
                self.sources.append(source)


# -- labels and excerpts ----------------------------------------------------------------------------


def document_label(document: Document) -> str:
    """ "Chương trình số 60-CTr/TU"; a document without a symbol goes by its short title."""
    if document.number:
        return f"{document.type} số {document.number}" if document.type else document.number
    title = document.title or document.id
    # "thực hiện Kết luận số 72-KL/TW, ngày 23-02-2024 của ..." → up to the date, after the type.
    short = re.split(r",?\s+ngày\s+\d|\s+“|,\s+", title, maxsplit=1)[0]
    if document.type and not fold(short).startswith(fold(document.type)):
        short = f"{document.type} {short}"
    return short if len(short) <= 100 else short[:97].rsplit(" ", 1)[0] + "…"


def section_label(segment: Segment) -> str:
    if segment.kind == "preamble":
        return "phần mở đầu"
    path = section_path(segment)
    return path if path.startswith(("Điều", "Phụ lục", "Chương")) else f"mục {path}"


def section_path(segment: Segment) -> str:
    """An assignment line speaks for its section: it is cited as the section (III.1), not the line."""
    if segment.kind == "assignment" and segment.parent_path:
        return segment.parent_path
    return segment.path


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _strip_label(text: str) -> str:
    return re.sub(r"^\s*(?:[IVXLC]+|\d+|[a-zđ])[.)]\s+", "", text.strip())


def _lower_first(text: str) -> str:
    # "Công tác phổ biến" → "công tác phổ biến", but "GRDP bình quân" stays.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def _join(names: Iterable[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


# -- relevance ----------------------------------------------------------------------------------------


class _Idf:
    """Inverse document frequency of syllables (with diacritics and folded) over the segments a set of
    access levels may see; cached until the record changes."""

    def __init__(self, services: Services) -> None:
        self.record = services.record
        self._lock = threading.Lock()
        self._cache: dict[tuple[Any, frozenset[str]], tuple[int, Counter[str]]] = {}

    def counts(self, levels: frozenset[str]) -> tuple[int, Counter[str]]:
        key = (self.record.version(), levels)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        frequency: Counter[str] = Counter()
        total = 0
        for text in self.record.segment_texts(levels):
            frequency.update(set(word_key(text, True)) | set(word_key(text, False)))
            total += 1
        with self._lock:
            self._cache = {key: (total, frequency)}
        return total, frequency

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


# -- the answerer -------------------------------------------------------------------------------------


class Answerer:
    def __init__(
        self,
        services: Services,
        levels: Collection[str] = ALL_LEVELS,
        generator: Generator | None = None,
        conversations: ConversationStore | None = None,
    ) -> None:
        self.services = services
        self.record = services.record
        self.levels = frozenset(levels)
        self.generator = generator
        self.conversations = conversations or ConversationStore()
        self._idf = _Idf(services)

    # -- entry point --------------------------------------------------------------------------

    def answer(self, message: str, conversation_id: str | None = None) -> ChatAnswer:
        from search_api.queries.search import clean_query

        message = clean_query(message)  # raises QueryError for an empty or oversized message
        conversation_id, state = self.conversations.get(conversation_id, self.levels)
        question = parse_question(message, self.services.registry.expand)
        if question.follow_up and state.intent:
            draft, intent = self._follow_up(question, state), state.intent
        else:
            draft, intent = self._answer_new(question, state), question.intent
        if not draft.sentences:
            return ChatAnswer(NOT_FOUND, [], False, conversation_id, intent)
        state.intent = draft.state.get("intent", intent)
        for key in ("role", "document_id", "section", "segment_ids", "agency", "topic"):
            if key in draft.state:
                setattr(state, key, draft.state[key])
        self.conversations.put(conversation_id, state)
        text = " ".join(draft.sentences)
        text = self._rephrased(message, text, draft.sources) or text
        return ChatAnswer(text, [s.citation() for s in draft.sources], True, conversation_id, intent)

    def _rephrased(self, message: str, text: str, sources: list[_Source]) -> str | None:
        if self.generator is None:
            return None
        evidence = [Evidence(s.label, s.segment.text) for s in sources]
        rephrased = self.generator.rephrase(message, text, evidence)
        if rephrased is None:
            return None
        # The model must keep the sources; when it drops every one, they are added back.
        if not any(document_label(s.document) in rephrased for s in sources):
            rephrased += " (Nguồn: " + "; ".join(dict.fromkeys(s.label for s in sources)) + ")"
        return rephrased

    def _answer_new(self, question: Question, state: ConversationState) -> _Draft:
        handlers = {
            "responsible": self._responsible,
            "implements": self._implements,
            "implemented_by": self._implemented_by,
            "duties": self._duties,
            "schedule": self._schedule,
            "targets": self._targets,
            "topic_tasks": self._topic_tasks,
            "lookup": self._lookup,
        }
        draft = handlers[question.intent](question, state)
        if not draft.sentences and question.intent not in (
            "lookup",
            "implements",
            "implemented_by",
            "duties",
        ):
            draft = self._lookup(question, state)  # the facts say nothing: the best passage may
        return draft

    def _follow_up(self, question: Question, state: ConversationState) -> _Draft:
        """ "Còn cơ quan phối hợp?", "Còn mục III.3?", "Còn UBND tỉnh?": the previous question,
        with what this one names changed."""
        if state.intent == "responsible" and (question.role or question.section):
            return self._responsible_in(
                role=question.role or state.role or "lead",
                document_id=state.document_id,
                section=question.section or state.section,
                segment_ids=[] if question.section else state.segment_ids,
            )
        agencies = self.services.registry.search(question.text)
        if state.intent == "duties" and agencies:
            return self._duties_of(agencies[0].name, question)
        if question.section and state.document_id:
            return self._section(state.document_id, question.section)
        merged = parse_question(
            question.folded.split(" ", 1)[-1] + " " + (state.topic or ""), self.services.registry.expand
        )
        merged.intent = state.intent or merged.intent
        merged.role = question.role or state.role
        if question.content:
            merged.content = question.content
        return self._answer_new(merged, state)

    # -- retrieval ----------------------------------------------------------------------------

    def _filters(self, **extra: Any) -> Filters:
        return Filters(access_levels=sorted(self.levels), **extra)

    def _search(self, text: str, k: int = SEARCH_K, **filters: Any) -> list[Hit]:
        return self.services.searcher.search(text, k=k, filters=self._filters(**filters))

    def _visible(self, document_id: str) -> Document | None:
        return self.record.visible_document(document_id, self.levels)

    def _evidence(self, question: Question, hits: list[Hit]) -> list[_Source]:
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
        sources: list[_Source] = []
        documents: dict[str, Document | None] = {}
        for coverage, hit in covered:
            # A question asking who someone is ("Ai là Chủ tịch nước?") wants a name next to every word
            # of the title: directives assign work to bodies and seldom name people.
            if coverage < (1.0 - 1e-9 if question.identity else max(MIN_COVERAGE, best - NEAR_BEST)):
                continue
            if hit.document_id not in documents:
                documents[hit.document_id] = self._visible(hit.document_id)
            document = documents[hit.document_id]
            segment = _segment_of(document, hit.segment_id) if document else None
            if document is not None and segment is not None:
                sources.append(_Source(document, segment))
        return sources

    def _named_symbol(self, question: Question) -> str | None:
        named = resolve_reference(question.text, self.record.known_symbols())
        return named[0] if named else None

    def _rank_documents(self, sources: list[_Source], question: Question) -> list[_Source]:
        """Documents that implement the directive the question names come first (a plan for
        Conclusion 72 before a district plan that implements the province's plan)."""
        symbol = self._named_symbol(question)
        if symbol is None:
            return sources
        return sorted(sources, key=lambda s: symbol not in s.document.implements)

    # -- who leads, coordinates, directs ------------------------------------------------------

    def _responsible(self, question: Question, state: ConversationState) -> _Draft:
        role = question.role or "lead"
        sources = self._rank_documents(self._evidence(question, self._search(question.text)), question)
        draft = _Draft()
        seen_documents: list[str] = []
        for source in sources:
            if source.document.id in seen_documents:
                continue
            lines = _assignment_lines(source)
            if not lines:
                continue
            line = next((s for s in lines if any(a.role == role for a in s.assignments)), lines[0])
            sentence = describe_line(line, role)
            if sentence:
                draft.add(
                    f"{sentence} ({document_label(source.document)}, {section_label(line)}).",
                    _Source(source.document, line),
                )
                seen_documents.append(source.document.id)
                if len(seen_documents) == 1:
                    draft.state = {
                        "role": role,
                        "document_id": source.document.id,
                        "section": section_path(line),
                        "segment_ids": [line.id],
                        "topic": question.text,
                    }
            if len(seen_documents) >= MAX_DOCUMENTS:
                break
        return draft

    def _responsible_in(
        self, role: str, document_id: str | None, section: str | None, segment_ids: list[str]
    ) -> _Draft:
        document = self._visible(document_id) if document_id else None
        draft = _Draft()
        if document is None:
            return draft
        if segment_ids:
            lines = [s for s in document.segments if s.id in segment_ids]
        else:
            lines = [
                s
                for s in document.segments
                if s.assignments and section and (s.path == section or (s.parent_path or "") == section)
            ]
        for line in lines[:MAX_ITEMS]:
            sentence = describe_line(line, role)
            if sentence:
                draft.add(
                    f"{sentence} ({document_label(document)}, {section_label(line)}).",
                    _Source(document, line),
                )
        if draft.sentences:
            draft.state = {
                "role": role,
                "document_id": document.id,
                "section": section,
                "segment_ids": [s.segment.id for s in draft.sources],
            }
        return draft

    # -- which directive a plan implements -----------------------------------------------------

    def _implements(self, question: Question, state: ConversationState) -> _Draft:
        symbol = self._named_symbol(question)
        draft = _Draft()
        if symbol is not None:
            for stored in (self._visible(i) for i in self._ids_with_number(symbol)):
                if stored is not None:
                    self._document_implements(stored, draft)
            if not draft.sentences:
                self._cited_implements(symbol, draft)
        else:
            # "Kế hoạch này": the conversation's document, else the best hit's.
            subject = self._visible(state.document_id) if state.document_id else None
            if subject is None:
                hits = self._search(question.text, k=5)
                subject = self._visible(hits[0].document_id) if hits else None
            if subject is not None:
                self._document_implements(subject, draft)
        if draft.sources:
            draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
        return draft

    def _ids_with_number(self, symbol: str) -> list[str]:
        return self.record.documents_numbered(symbol, self.levels)

    def _document_implements(self, document: Document, draft: _Draft) -> None:
        if not document.implements:
            return
        subject = document_label(document)
        for segment in document.segments:
            targets = [
                c for c in segment.citations if c.relation == "implements" and c.number in document.implements
            ]
            if targets:
                verb = _implements_verb(segment.text, targets[0].mention)
                names = _join(_cited_name(c) for c in targets)
                draft.add(
                    f"{subject} {verb} {names} ({subject}, {section_label(segment)}).",
                    _Source(document, segment),
                )
                return
        draft.add(
            f"{subject} thực hiện {_join(document.implements)} ({subject}, phần mở đầu).",
            _Source(document, document.segments[0]),
        )

    def _cited_implements(self, symbol: str, draft: _Draft) -> None:
        """What a directive the store only cites implements, read from the segments citing it."""
        sentence: str | None = None
        for hit in self._search(symbol, k=SEARCH_K, cited=[symbol]):
            if any(s.document.id == hit.document_id for s in draft.sources):
                continue
            document = self._visible(hit.document_id)
            segment = _segment_of(document, hit.segment_id) if document else None
            if document is None or segment is None:
                continue
            for citation in segment.citations:
                if citation.number != symbol or not citation.implements:
                    continue
                if sentence is None:
                    targets = [
                        next((c for c in segment.citations if c.number == t), None)
                        for t in citation.implements
                    ]
                    names = _join(
                        _cited_name(c) if c else t for c, t in zip(targets, citation.implements, strict=True)
                    )
                    subject = f"{citation.type} số {symbol}" if citation.type else symbol
                    sentence = f"{subject} {_implements_verb(segment.text, targets[0].mention if targets[0] else '')} {names}"
                draft.sources.append(_Source(document, segment))
                break
            if len({s.document.id for s in draft.sources}) >= MAX_DOCUMENTS:
                break
        if sentence is not None:
            labels = "; ".join(dict.fromkeys(s.label for s in draft.sources))
            draft.sentences.append(f"{sentence} ({labels}).")

    def _implemented_by(self, question: Question, state: ConversationState) -> _Draft:
        """Documents that implement a directive, from the catalog: stored ones, and ones the stored
        documents cite as implementing it ("Kế hoạch số 123-KH/TU ... thực hiện Kết luận số 72-KL/TW")."""
        from search_api.queries.trace import NotFoundError, trace

        symbol = self._named_symbol(question)
        draft = _Draft()
        if symbol is None:
            return draft
        try:
            found = trace(self.record, symbol, self.levels)
        except NotFoundError:
            return draft
        items: list[str] = []
        for item in found.get("implemented_by", []):
            sources = item.get("sources") or [item]
            # The opening paragraph ("Thực hiện Kết luận số ...") says it better than the header block.
            where = next((src for src in sources if src.get("path") != "0"), sources[0])
            document = self._visible(str(where.get("document_id")))
            segment = _segment_of(document, str(where.get("segment_id")))
            if document is None or segment is None:
                continue
            source = _Source(document, segment)
            if item.get("document"):
                name = document_label(document) if item["document"] == document.id else str(item["number"])
            else:
                name = " ".join(filter(None, (item.get("type"), "số", str(item["number"]))))
            items.append(f"{name} ({source.label})")
            draft.sources.append(source)
        if items:
            draft.sentences.append(f"Các văn bản thực hiện {symbol}: " + "; ".join(items) + ".")
            draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
        return draft

    # -- figures and targets ------------------------------------------------------------------

    def _targets(self, question: Question, state: ConversationState) -> _Draft:
        sources = self._evidence(question, self._search(question.text))
        draft = _Draft()
        documents: list[str] = []
        for source in sources:
            targets = source.segment.targets
            if not targets or source.document.id in documents:
                continue
            asked = set(question.content)
            wanted = [t for t in targets if set(word_key(t.indicator, question.accented)) & asked] or targets
            phrases = [_target_phrase(t) for t in wanted]
            draft.add(f"{_upper_first('; '.join(phrases))} ({source.label}).", source)
            documents.append(source.document.id)
            if len(documents) >= MAX_DOCUMENTS:
                break
        if draft.sources:
            draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
        return draft

    # -- deadlines and frequency --------------------------------------------------------------

    def _schedule(self, question: Question, state: ConversationState) -> _Draft:
        sources = self._evidence(question, self._search(question.text))
        draft = _Draft()
        for source in sources:
            sentence = describe_schedule(source.segment, question.role)
            if sentence is None:
                lines = [s for s in _assignment_lines(source) if s.id != source.segment.id]
                sentence = next((x for x in (describe_schedule(s, question.role) for s in lines) if x), None)
            if sentence:
                draft.add(f"{sentence} ({source.label}).", source)
            if len(draft.sentences) >= MAX_DOCUMENTS:
                break
        if draft.sources:
            draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
        return draft

    # -- what an agency must do ---------------------------------------------------------------

    def _duties(self, question: Question, state: ConversationState) -> _Draft:
        agencies = self.services.registry.search(question.text)
        if not agencies:
            return _Draft()
        # The longest name is the most specific ("Ban Tuyên giáo Tỉnh ủy", not "Tỉnh ủy").
        agency = max(agencies, key=lambda a: len(a.name))
        return self._duties_of(agency.name, question)

    def _duties_of(self, agency_name: str, question: Question) -> _Draft:
        agency = self.services.registry.resolve(agency_name)
        draft = _Draft()
        if agency is None:
            return draft
        hits = self._search(question.text, k=SEARCH_K * 2, agency=agency.name)
        for hit in hits:
            document = self._visible(hit.document_id)
            segment = _segment_of(document, hit.segment_id) if document else None
            if document is None or segment is None:
                continue
            sentence = describe_line(segment, None, focus=agency.id)
            if sentence:
                draft.add(
                    f"{sentence} ({document_label(document)}, {section_label(segment)}).",
                    _Source(document, segment),
                )
            if len(draft.sentences) >= MAX_ITEMS:
                break
        if draft.sources:
            draft.state = {
                "agency": agency.name,
                "document_id": draft.sources[0].document.id,
                "topic": question.text,
            }
        return draft

    # -- tasks about a topic ------------------------------------------------------------------

    def _topic_tasks(self, question: Question, state: ConversationState) -> _Draft:
        hits = self._search(question.text, kind=["task", "table_row", "organization"])
        draft = _Draft()
        items: list[str] = []
        for source in self._evidence(question, hits):
            task = _task_text(source.segment)
            who = ""
            lines = [s for s in _assignment_lines(source) if s.id != source.segment.id]
            if lines:
                who = describe_line(lines[0], None) or ""
            items.append(f"“{excerpt(task, 160)}” ({source.label}{'; ' + who if who else ''})")
            draft.sources.append(source)
            if len(items) >= MAX_ITEMS:
                break
        if items:
            about = _TOPIC.search(question.text)
            topic = f" {about.group(1)} “{about.group(2).strip()}”" if about else ""
            draft.sentences.append(
                f"Các nhiệm vụ{topic}: " + "; ".join(f"{n}) {t}" for n, t in enumerate(items, 1)) + "."
            )
            draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
        return draft

    # -- a section, and anything else ---------------------------------------------------------

    def _section(self, document_id: str, section: str) -> _Draft:
        document = self._visible(document_id)
        draft = _Draft()
        segment = next((s for s in document.segments if s.path == section), None) if document else None
        if document is not None and segment is not None:
            body = [s for s in document.segments if s.parent_path == section] or [segment]
            text = " ".join(s.text for s in [segment, *body][:3])
            draft.add(
                f"{document_label(document)}, {section_label(segment)}: “{excerpt(text)}”.",
                _Source(document, segment),
            )
            draft.state = {"document_id": document.id, "section": section}
        return draft

    def _lookup(self, question: Question, state: ConversationState) -> _Draft:
        draft = _Draft()
        for source in self._evidence(question, self._search(question.text, k=5))[:2]:
            draft.add(f"Theo {source.label}: “{excerpt(source.segment.text)}”.", source)
        if draft.sources:
            draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
        return draft


# -- describing facts -----------------------------------------------------------------------------------


def _segment_of(document: Document | None, segment_id: str) -> Segment | None:
    if document is None:
        return None
    return next((s for s in document.segments if s.id == segment_id), None)


def _assignment_lines(source: _Source) -> list[Segment]:
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


def _mentions(assignments: list[Assignment]) -> list[str]:
    return list(dict.fromkeys(a.mention for a in assignments))


def _actions(assignments: list[Assignment]) -> str:
    words = [w for a in assignments for w in (a.actions or [ROLE_NAMES_VI.get(a.role, a.role)])]
    timing = [t for a in assignments for t in (a.frequency, a.deadline) if t]
    return ", ".join(dict.fromkeys(words)) + (" " + ", ".join(dict.fromkeys(timing)) if timing else "")


def describe_line(segment: Segment, role: str | None, focus: str | None = None) -> str | None:
    """One sentence from an assignment line's facts, about `role` (or about agency `focus`)."""
    by_role: dict[str, list[Assignment]] = {}
    for assignment in segment.assignments:
        by_role.setdefault(assignment.role, []).append(assignment)
    if not by_role:
        return None
    leads, coordinators = by_role.get("lead", []), by_role.get("coordinate", [])
    topic = _topic_of(segment)
    if focus is not None:
        mine = [a for a in segment.assignments if a.agency == focus]
        if not mine:
            return None
        return _upper_first(_agency_sentence(mine[0].mention, mine, leads, coordinators) + topic)
    if role == "coordinate" and coordinators:
        lead_names = _join(_mentions(leads))
        with_lead = f" với {lead_names} (cơ quan chủ trì)" if leads else ""
        return _upper_first(f"Cơ quan phối hợp: {_join(_mentions(coordinators))} phối hợp{with_lead}{topic}")
    if role in (None, "lead", "coordinate") and leads:
        names = _mentions(leads)
        own = [a for a in segment.assignments if a.mention in names and a.role not in ("lead", "coordinate")]
        return _upper_first(_lead_sentence(names, coordinators, own) + topic)
    if role in by_role:
        chosen = by_role[role]
        if leads and {a.agency for a in chosen} <= {a.agency for a in leads}:
            own = [
                a
                for a in segment.assignments
                if a.mention in _mentions(leads) and a.role not in ("lead", "coordinate")
            ]
            return _upper_first(_lead_sentence(_mentions(leads), coordinators, own) + topic)
        return _upper_first(f"{_join(_mentions(chosen))} {_actions(chosen)}{topic}")
    # The asked role is not in this line: say who the line names, in the order it names them.
    parts = [f"{_join(_mentions(group))} {_actions(group)}" for group in by_role.values()]
    missing = f"Mục này không nêu cơ quan {ROLE_NAMES_VI[role]}; " if role in ROLE_NAMES_VI else ""
    return _upper_first(missing + "; ".join(parts) + topic)


def _lead_sentence(names: list[str], coordinators: list[Assignment], own: list[Assignment]) -> str:
    sentence = f"{_join(names)} chủ trì"
    if coordinators:
        sentence += f", phối hợp với {_join(_mentions(coordinators))}"
    if own:
        sentence += " " + _actions(own)
    return sentence


def _agency_sentence(
    mention: str, mine: list[Assignment], leads: list[Assignment], coordinators: list[Assignment]
) -> str:
    roles = {a.role for a in mine}
    if "lead" in roles:
        own = [a for a in mine if a.role not in ("lead", "coordinate")]
        return _lead_sentence([mention], coordinators, own)
    if "coordinate" in roles and leads:
        return f"{mention} phối hợp với {_join(_mentions(leads))}"
    return f"{mention} {_actions(mine)}"


def _topic_of(segment: Segment) -> str:
    """What the line's work is about, as a short tail: the section heading for an assignment line,
    the task column of a table row, the line's own words for an organization paragraph."""
    if segment.kind == "table_row":
        task = _task_text(segment)
        return f" đối với nhiệm vụ “{excerpt(task, 140)}”" if task else ""
    if segment.kind == "assignment":
        return ""  # the section heading is given through the citation (mục III.1)
    # The first clause says what the work is ("... giúp Ban Thường vụ Tỉnh ủy theo dõi ...").
    clause = re.split(r";|\.\s", _strip_label(segment.text), maxsplit=1)[0]
    text = excerpt(clause, 200)
    return f": “{text}”" if text else ""


def _task_text(segment: Segment) -> str:
    if segment.cells and segment.columns:
        for title, cell in zip(segment.columns, segment.cells, strict=False):
            if "nhiem vu" in fold(title) or "noi dung" in fold(title):
                return cell
    return _strip_label(segment.text)


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _implements_verb(text: str, mention: str) -> str:
    position = text.find(mention) if mention else -1
    window = fold(text[max(0, position - 40) : position] if position >= 0 else text)
    return "tiếp tục thực hiện" if "tiep tuc thuc hien" in window else "thực hiện"


def _cited_name(citation: Any) -> str:
    name = f"{citation.type} số {citation.number}" if citation.type else citation.number
    details = [f"ngày {_vietnamese_date(citation.date)}" if citation.date else "", citation.issuer or ""]
    details = [d for d in details if d]
    if citation.date and citation.issuer:
        return f"{name}, ngày {_vietnamese_date(citation.date)} của {citation.issuer}"
    return f"{name}{', ' + details[0] if details else ''}"


def _vietnamese_date(iso: str) -> str:
    parts = iso.split("-")
    return "-".join(reversed(parts)) if len(parts) == 3 else iso


def _target_phrase(target: Any) -> str:
    mention = target.mention or f"{target.comparator or ''} {target.value:g} {target.unit}".strip()
    phrase = f"{_lower_first(target.indicator)} {mention}" if target.indicator not in mention else mention
    if target.year and str(target.year) not in phrase:
        phrase += f" đến năm {target.year}"
    return phrase


_TOPIC = re.compile(r"(về|ve|liên quan đến|lien quan den)\s+([^?.!]+)", re.IGNORECASE)


def describe_schedule(segment: Segment, role: str | None) -> str | None:
    """Deadlines and frequency a segment states: its assignments' first, then its time frames."""
    timed = [a for a in segment.assignments if a.frequency or a.deadline]
    if role is not None and any(a.role == role for a in timed):
        timed = [a for a in timed if a.role == role]
    if timed:
        groups: dict[str, list[Assignment]] = {}
        for assignment in timed:
            groups.setdefault(assignment.mention, []).append(assignment)
        return _upper_first("; ".join(f"{mention} {_actions(items)}" for mention, items in groups.items()))
    if segment.time_frames:
        frames = ", ".join(dict.fromkeys(t.text for t in segment.time_frames))
        return f"{_upper_first(excerpt(_strip_label(segment.text), 160))} (thời gian: {frames})"
    return None
