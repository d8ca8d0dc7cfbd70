"""Chat conversations kept in memory: bounded in number and in age, safe across threads.

A conversation remembers what the last answer was about (its intent, role, document, section,
the assignment lines it used), so that "Còn cơ quan phối hợp?" can continue it. Ids are random;
an id that is unknown or expired simply starts a new conversation.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_TTL_S = 30 * 60
DEFAULT_MAX_CONVERSATIONS = 1000


@dataclass
class ConversationState:
    levels: frozenset[str]  # the caller's access levels: a conversation never crosses them
    intent: str | None = None
    role: str | None = None
    document_id: str | None = None
    section: str | None = None
    segment_ids: list[str] = field(default_factory=list)  # the evidence the last answer used
    agency: str | None = None
    topic: str | None = None  # the last question's text, for follow-ups that change only the role


class ConversationStore:
    def __init__(
        self,
        ttl_s: float = DEFAULT_TTL_S,
        max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl_s = ttl_s
        self.max_conversations = max_conversations
        self._clock = clock
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[float, ConversationState]] = OrderedDict()

    def get(self, conversation_id: str | None, levels: frozenset[str]) -> tuple[str, ConversationState]:
        """The conversation under this id, or a new one (with a new id) when it is unknown, expired,
        or was held at other access levels."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            if conversation_id is not None and conversation_id in self._items:
                _, state = self._items[conversation_id]
                if state.levels == levels:
                    self._items.move_to_end(conversation_id)
                    return conversation_id, state
            new_id = secrets.token_urlsafe(16)
            state = ConversationState(levels=levels)
            self._store(new_id, state, now)
            return new_id, state

    def put(self, conversation_id: str, state: ConversationState) -> None:
        with self._lock:
            self._store(conversation_id, state, self._clock())

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._items)

    def _store(self, conversation_id: str, state: ConversationState, now: float) -> None:
        self._items[conversation_id] = (now + self.ttl_s, state)
        self._items.move_to_end(conversation_id)
        while len(self._items) > self.max_conversations:
            self._items.popitem(last=False)

    def _expire(self, now: float) -> None:
        # Entries are in order of last use, so the expired ones are at the front.
        while self._items:
            first = next(iter(self._items))
            if self._items[first][0] > now:
                break
            del self._items[first]
