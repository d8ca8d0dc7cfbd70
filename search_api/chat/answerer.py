"""Chat answers: short Vietnamese sentences built from extracted facts and retrieved segments,
each citing the document (symbol, or title when it has none) and the section it comes from.

Flow: parse the question (`search_api.chat.intents`), retrieve segments at the caller's access levels,
keep only evidence that passes the relevance gate (`search_api.chat.evidence`), build the answer from
the segments' facts (assignments, citations, targets, time frames) with the intent's handler
(`search_api.chat.handlers`, phrased by `search_api.chat.phrasing`), optionally let a language model
rephrase it (`search_api.chat.generator`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from search_api.access import LEVELS
from search_api.chat.conversations import ConversationStore
from search_api.chat.evidence import MIN_COVERAGE, Retriever, Source
from search_api.chat.generator import Evidence, Generator, OpenAICompatibleGenerator, generator_from_env
from search_api.chat.handlers import dispatch, follow_up
from search_api.chat.intents import parse_question
from search_api.chat.phrasing import document_label
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
        self.retriever = Retriever(services, self.levels)

    # -- entry point --------------------------------------------------------------------------

    def answer(self, message: str, conversation_id: str | None = None) -> ChatAnswer:
        from search_api.queries.search import clean_query

        message = clean_query(message)  # raises QueryError for an empty or oversized message
        conversation_id, state = self.conversations.get(conversation_id, self.levels)
        question = parse_question(message, self.services.registry.expand)
        if question.follow_up and state.intent:
            draft, intent = follow_up(self.retriever, question, state), state.intent
        else:
            draft, intent = dispatch(self.retriever, question, state), question.intent
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

    def _rephrased(self, message: str, text: str, sources: list[Source]) -> str | None:
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
