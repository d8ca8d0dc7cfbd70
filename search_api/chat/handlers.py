"""One handler per intent: each turns a parsed question into a draft answer (sentences, their
sources, and what a follow-up needs), from the segments' facts and the evidence that passes the
relevance gate. `HANDLERS` maps an intent to its handler; `dispatch` answers a new question and
`follow_up` one that continues the conversation ("Còn cơ quan phối hợp?")."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ingest.model import Document
from search_api.chat.conversations import ConversationState
from search_api.chat.evidence import SEARCH_K, Retriever, Source, assignment_lines, segment_of
from search_api.chat.intents import Question, parse_question, word_key
from search_api.chat.phrasing import (
    cited_name,
    describe_line,
    describe_schedule,
    document_label,
    excerpt,
    implements_verb,
    join_names,
    section_label,
    section_path,
    target_phrase,
    task_text,
    upper_first,
)

MAX_DOCUMENTS = 3  # an answer speaks for at most this many documents
MAX_ITEMS = 5  # tasks or duties listed in one answer

_TOPIC = re.compile(r"(về|ve|liên quan đến|lien quan den)\s+([^?.!]+)", re.IGNORECASE)


@dataclass
class Draft:
    sentences: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)  # what a follow-up needs

    def add(self, sentence: str, *sources: Source) -> None:
        self.sentences.append(sentence)
        for source in sources:
            if all(s.segment.id != source.segment.id for s in self.sources):
                self.sources.append(source)


Handler = Callable[[Retriever, Question, ConversationState], Draft]


# -- dispatch -------------------------------------------------------------------------------------------


def dispatch(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    draft = HANDLERS[question.intent](retriever, question, state)
    if not draft.sentences and question.intent not in (
        "lookup",
        "implements",
        "implemented_by",
        "duties",
    ):
        draft = _lookup(retriever, question, state)  # the facts say nothing: the best passage may
    return draft


def follow_up(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    """ "Còn cơ quan phối hợp?", "Còn mục III.3?", "Còn UBND tỉnh?": the previous question,
    with what this one names changed."""
    if state.intent == "responsible" and (question.role or question.section):
        return _responsible_in(
            retriever,
            role=question.role or state.role or "lead",
            document_id=state.document_id,
            section=question.section or state.section,
            segment_ids=[] if question.section else state.segment_ids,
        )
    agencies = retriever.services.registry.search(question.text)
    if state.intent == "duties" and agencies:
        return _duties_of(retriever, agencies[0].name, question)
    if question.section and state.document_id:
        return _section(retriever, state.document_id, question.section)
    merged = parse_question(
        question.folded.split(" ", 1)[-1] + " " + (state.topic or ""), retriever.services.registry.expand
    )
    merged.intent = state.intent or merged.intent
    merged.role = question.role or state.role
    if question.content:  # the new topic's words replace the old ones, with the pairs they form
        merged.content, merged.pairs = question.content, question.pairs
    return dispatch(retriever, merged, state)


# -- who leads, coordinates, directs --------------------------------------------------------------------


def _responsible(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    role = question.role or "lead"
    sources = retriever.rank_documents(
        retriever.evidence(question, retriever.search(question.text)), question
    )
    draft = Draft()
    seen_documents: list[str] = []
    for source in sources:
        if source.document.id in seen_documents:
            continue
        lines = assignment_lines(source)
        if not lines:
            continue
        line = next((s for s in lines if any(a.role == role for a in s.assignments)), lines[0])
        sentence = describe_line(line, role)
        if sentence:
            draft.add(
                f"{sentence} ({document_label(source.document)}, {section_label(line)}).",
                Source(source.document, line),
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
    retriever: Retriever, role: str, document_id: str | None, section: str | None, segment_ids: list[str]
) -> Draft:
    document = retriever.visible(document_id) if document_id else None
    draft = Draft()
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
                Source(document, line),
            )
    if draft.sentences:
        draft.state = {
            "role": role,
            "document_id": document.id,
            "section": section,
            "segment_ids": [s.segment.id for s in draft.sources],
        }
    return draft


# -- which directive a plan implements ------------------------------------------------------------------


def _implements(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    symbol = retriever.named_symbol(question)
    draft = Draft()
    if symbol is not None:
        for stored in (retriever.visible(i) for i in retriever.ids_with_number(symbol)):
            if stored is not None:
                _document_implements(stored, draft)
        if not draft.sentences:
            _cited_implements(retriever, symbol, draft)
    else:
        # "Kế hoạch này": the conversation's document, else the best hit's.
        subject = retriever.visible(state.document_id) if state.document_id else None
        if subject is None:
            hits = retriever.search(question.text, k=5)
            subject = retriever.visible(hits[0].document_id) if hits else None
        if subject is not None:
            _document_implements(subject, draft)
    if draft.sources:
        draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
    return draft


def _document_implements(document: Document, draft: Draft) -> None:
    if not document.implements:
        return
    subject = document_label(document)
    for segment in document.segments:
        targets = [
            c for c in segment.citations if c.relation == "implements" and c.number in document.implements
        ]
        if targets:
            verb = implements_verb(segment.text, targets[0].mention)
            names = join_names(cited_name(c) for c in targets)
            draft.add(
                f"{subject} {verb} {names} ({subject}, {section_label(segment)}).",
                Source(document, segment),
            )
            return
    draft.add(
        f"{subject} thực hiện {join_names(document.implements)} ({subject}, phần mở đầu).",
        Source(document, document.segments[0]),
    )


def _cited_implements(retriever: Retriever, symbol: str, draft: Draft) -> None:
    """What a directive the store only cites implements, read from the segments citing it."""
    sentence: str | None = None
    for hit in retriever.search(symbol, k=SEARCH_K, cited=[symbol]):
        if any(s.document.id == hit.document_id for s in draft.sources):
            continue
        document = retriever.visible(hit.document_id)
        segment = segment_of(document, hit.segment_id) if document else None
        if document is None or segment is None:
            continue
        for citation in segment.citations:
            if citation.number != symbol or not citation.implements:
                continue
            if sentence is None:
                targets = [
                    next((c for c in segment.citations if c.number == t), None) for t in citation.implements
                ]
                names = join_names(
                    cited_name(c) if c else t for c, t in zip(targets, citation.implements, strict=True)
                )
                subject = f"{citation.type} số {symbol}" if citation.type else symbol
                sentence = f"{subject} {implements_verb(segment.text, targets[0].mention if targets[0] else '')} {names}"
            draft.sources.append(Source(document, segment))
            break
        if len({s.document.id for s in draft.sources}) >= MAX_DOCUMENTS:
            break
    if sentence is not None:
        labels = "; ".join(dict.fromkeys(s.label for s in draft.sources))
        draft.sentences.append(f"{sentence} ({labels}).")


def _implemented_by(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    """Documents that implement a directive, from the catalog: stored ones, and ones the stored
    documents cite as implementing it ("Kế hoạch số 123-KH/TU ... thực hiện Kết luận số 72-KL/TW")."""
    from search_api.queries.trace import NotFoundError, trace

    symbol = retriever.named_symbol(question)
    draft = Draft()
    if symbol is None:
        return draft
    try:
        found = trace(retriever.record, symbol, retriever.levels)
    except NotFoundError:
        return draft
    items: list[str] = []
    for item in found.get("implemented_by", []):
        sources = item.get("sources") or [item]
        # The opening paragraph ("Thực hiện Kết luận số ...") says it better than the header block.
        where = next((src for src in sources if src.get("path") != "0"), sources[0])
        document = retriever.visible(str(where.get("document_id")))
        segment = segment_of(document, str(where.get("segment_id")))
        if document is None or segment is None:
            continue
        source = Source(document, segment)
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


# -- figures and targets --------------------------------------------------------------------------------


def _targets(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    sources = retriever.evidence(question, retriever.search(question.text))
    draft = Draft()
    documents: list[str] = []
    for source in sources:
        targets = source.segment.targets
        if not targets or source.document.id in documents:
            continue
        asked = set(question.content)
        wanted = [t for t in targets if set(word_key(t.indicator, question.accented)) & asked] or targets
        phrases = [target_phrase(t) for t in wanted]
        draft.add(f"{upper_first('; '.join(phrases))} ({source.label}).", source)
        documents.append(source.document.id)
        if len(documents) >= MAX_DOCUMENTS:
            break
    if draft.sources:
        draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
    return draft


# -- deadlines and frequency ----------------------------------------------------------------------------


def _schedule(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    sources = retriever.evidence(question, retriever.search(question.text))
    draft = Draft()
    for source in sources:
        sentence = describe_schedule(source.segment, question.role)
        if sentence is None:
            lines = [s for s in assignment_lines(source) if s.id != source.segment.id]
            sentence = next((x for x in (describe_schedule(s, question.role) for s in lines) if x), None)
        if sentence:
            draft.add(f"{sentence} ({source.label}).", source)
        if len(draft.sentences) >= MAX_DOCUMENTS:
            break
    if draft.sources:
        draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
    return draft


# -- what an agency must do -----------------------------------------------------------------------------


def _duties(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    agencies = retriever.services.registry.search(question.text)
    if not agencies:
        return Draft()
    # The longest name is the most specific ("Ban Tuyên giáo Tỉnh ủy", not "Tỉnh ủy").
    agency = max(agencies, key=lambda a: len(a.name))
    return _duties_of(retriever, agency.name, question)


def _duties_of(retriever: Retriever, agency_name: str, question: Question) -> Draft:
    agency = retriever.services.registry.resolve(agency_name)
    draft = Draft()
    if agency is None:
        return draft
    hits = retriever.search(question.text, k=SEARCH_K * 2, agency=agency.name)
    for hit in hits:
        document = retriever.visible(hit.document_id)
        segment = segment_of(document, hit.segment_id) if document else None
        if document is None or segment is None:
            continue
        sentence = describe_line(segment, None, focus=agency.id)
        if sentence:
            draft.add(
                f"{sentence} ({document_label(document)}, {section_label(segment)}).",
                Source(document, segment),
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


# -- tasks about a topic --------------------------------------------------------------------------------


def _topic_tasks(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    hits = retriever.search(question.text, kind=["task", "table_row", "organization"])
    draft = Draft()
    items: list[str] = []
    for source in retriever.evidence(question, hits):
        task = task_text(source.segment)
        who = ""
        lines = [s for s in assignment_lines(source) if s.id != source.segment.id]
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


# -- a section, and anything else -----------------------------------------------------------------------


def _section(retriever: Retriever, document_id: str, section: str) -> Draft:
    document = retriever.visible(document_id)
    draft = Draft()
    segment = next((s for s in document.segments if s.path == section), None) if document else None
    if document is not None and segment is not None:
        body = [s for s in document.segments if s.parent_path == section] or [segment]
        text = " ".join(s.text for s in [segment, *body][:3])
        draft.add(
            f"{document_label(document)}, {section_label(segment)}: “{excerpt(text)}”.",
            Source(document, segment),
        )
        draft.state = {"document_id": document.id, "section": section}
    return draft


def _lookup(retriever: Retriever, question: Question, state: ConversationState) -> Draft:
    draft = Draft()
    for source in retriever.evidence(question, retriever.search(question.text, k=5))[:2]:
        draft.add(f"Theo {source.label}: “{excerpt(source.segment.text)}”.", source)
    if draft.sources:
        draft.state = {"document_id": draft.sources[0].document.id, "topic": question.text}
    return draft


HANDLERS: dict[str, Handler] = {
    "responsible": _responsible,
    "implements": _implements,
    "implemented_by": _implemented_by,
    "duties": _duties,
    "schedule": _schedule,
    "targets": _targets,
    "topic_tasks": _topic_tasks,
    "lookup": _lookup,
}
