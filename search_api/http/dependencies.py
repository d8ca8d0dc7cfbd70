"""What the request handlers share: the opened services, the configured keys, the chat, and who calls.

Every read is bounded by the caller's access level (search_api.access); a document or segment above it
is answered exactly like a missing one.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, Request

from ingest.model import Document, Segment, VanbanError
from search_api.access import Caller, caller_for
from search_api.chat.answerer import Answerer
from search_api.chat.conversations import ConversationStore
from search_api.chat.generator import generator_from_env
from search_api.http.errors import ApiError
from search_api.http.limits import INVALID_KEY, WRITE_NEEDS_KEY, HttpSettings
from search_api.http.uploads import UploadQueue
from search_api.index.indexer import finish_indexing
from search_api.intake import ReaderProcess
from search_api.services import Services, open_services

log = logging.getLogger("vanban.http")


class AppState:
    def __init__(self, home: Path, embedder_spec: str | None, settings: HttpSettings | None = None) -> None:
        settings = settings or HttpSettings.from_env()
        self.home = home
        self.services: Services = open_services(home, embedder_spec)
        self.keys = settings.keys
        self.write_lock = threading.Lock()  # one ingest or delete at a time
        self.max_upload_bytes = settings.max_upload_bytes
        self.conversations = ConversationStore()
        self.generator = generator_from_env()
        # Uploads are read and analyzed in a process of their own: that work holds the interpreter for
        # long stretches (a search beside it takes 10 to 15 times longer: benchmarks/upload_stall.py),
        # and a file that needs more than the reader's memory fails alone.
        self.reader = ReaderProcess(settings.reader_memory_bytes)
        # Uploads are jobs, read in the order sent by one worker; a request waits for its job this long.
        self.uploads = UploadQueue(self.reader, settings.max_queued_uploads)
        self.upload_wait_seconds = settings.upload_wait_seconds
        self._answerers: dict[tuple[str, ...], Answerer] = {}
        self._answerers_lock = threading.Lock()
        # Documents stored but not indexed are indexed in the background: at start (those a stopped
        # process left), and after an upload (a hidden document it moved aside: its re-indexing must
        # not lengthen the answer to a caller who cannot see it). Search answers meanwhile, and
        # /health counts what is left.
        self._closing = threading.Event()
        self._more = threading.Event()
        self._more.set()
        self._finisher = threading.Thread(
            target=self._finish_indexing, name="vanban-finish-indexing", daemon=True
        )
        self._finisher.start()

    def finish_indexing_later(self) -> None:
        """Have the background finisher index whatever is stored but not indexed."""
        self._more.set()

    def _finish_indexing(self) -> None:
        services = self.services
        while not self._closing.is_set():
            self._more.wait()
            self._more.clear()
            if self._closing.is_set():
                return
            try:
                finish_indexing(
                    services.record,
                    services.store,
                    services.embedder,
                    stop=self._closing.is_set,
                    lock=self.write_lock,
                )
            except VanbanError as exc:  # the record keeps them: `vanban reindex --if-outdated` finishes them
                log.warning("documents stored but not indexed remain: %s", exc)

    def answerer(self, levels: tuple[str, ...]) -> Answerer:
        """One answerer per access level (they share the conversations, which remember the level)."""
        with self._answerers_lock:
            if levels not in self._answerers:
                self._answerers[levels] = Answerer(self.services, levels, self.generator, self.conversations)
            return self._answerers[levels]

    def visible_document(self, document_id: str, who: Caller) -> Document:
        document = self.services.record.visible_document(document_id, who.levels)
        if document is None:
            raise ApiError(404, f"no document '{document_id}'")
        return document

    def visible_segment(self, segment_id: str, who: Caller) -> tuple[Document, Segment]:
        record = self.services.record
        document_id = record.visible_segment_document(segment_id, who.levels)
        document = record.visible_document(document_id, who.levels) if document_id else None
        found = next((s for s in document.segments if s.id == segment_id), None) if document else None
        if document is None or found is None:
            raise ApiError(404, f"no segment '{segment_id}'")
        return document, found

    def close(self) -> None:
        self.uploads.close()
        self._closing.set()
        self._more.set()
        self._finisher.join(timeout=120)  # at most the document being indexed
        self.reader.shutdown(cancel_futures=True)
        self.services.close()


def app_state(request: Request) -> AppState:
    return request.app.state.vanban  # type: ignore[no-any-return]


def current_caller(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="Khóa API (tùy chọn khi chỉ đọc)")] = None,
) -> Caller:
    found = caller_for(x_api_key, app_state(request).keys)
    if found is None:
        raise ApiError(401, INVALID_KEY)
    return found


def current_writer(who: Annotated[Caller, Depends(current_caller)]) -> Caller:
    if not who.can_write:
        raise ApiError(401, WRITE_NEEDS_KEY)
    return who


StateDep = Annotated[AppState, Depends(app_state)]
CallerDep = Annotated[Caller, Depends(current_caller)]
WriterDep = Annotated[Caller, Depends(current_writer)]
