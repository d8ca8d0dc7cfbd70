"""What the service refuses before it reads a request's body: writes without a valid key, bodies over the
size limit, and uploads beyond the number handled at once.

A pure ASGI middleware, because FastAPI reads a multipart body (spooling every byte of the file to disk)
before any dependency runs: an anonymous 1 GB upload must be a 401 and an oversized one a 413 without
the server reading it. The size is checked from `Content-Length` first, then counted while the body
streams in (a chunked request has no length). The endpoints keep their own checks; this layer only
refuses early, in the same error shape.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.ocr.settings import ocr_settings
from search_api import config
from search_api.access import Caller, caller_for, parse_api_keys
from search_api.http.errors import error_response

# What a multipart body adds around the file: boundaries, part headers, the access_level field.
MULTIPART_ALLOWANCE = 64 * 1024
# Any other body (the chat's JSON: a question of at most 1,000 characters) is far below this.
OTHER_BODY_LIMIT = 1024 * 1024
# How long a caller refused for too many uploads at once is asked to wait.
RETRY_AFTER_SECONDS = 10

INVALID_KEY = "the API key is not valid"
WRITE_NEEDS_KEY = "this endpoint changes the store: send an API key in the X-API-Key header"


@dataclass(frozen=True)
class HttpSettings:
    """The service's settings from the environment, read once when the app is built: a bad value is
    one clear error at start-up, not a traceback on the first request."""

    keys: dict[str, Caller]
    max_upload_bytes: int
    max_uploads: int
    reader_memory_bytes: int
    max_queued_uploads: int
    upload_wait_seconds: float

    @classmethod
    def from_env(cls) -> HttpSettings:
        config.limits()  # the work per document: read per upload, checked here so a bad value stops the start
        ocr_settings()  # likewise the OCR engine and its confidence threshold
        return cls(
            parse_api_keys(),
            config.max_file_bytes(),
            config.max_concurrent_uploads(),
            config.reader_memory_bytes(),
            config.max_queued_uploads(),
            config.upload_wait_seconds(),
        )

    @property
    def max_upload_request_bytes(self) -> int:
        return self.max_upload_bytes + MULTIPART_ALLOWANCE


def is_write(method: str, path: str) -> bool:
    """The requests that change the store: an upload, a deletion."""
    return method not in ("GET", "HEAD", "OPTIONS") and (
        path == "/documents" or path.startswith("/documents/")
    )


def is_upload(method: str, path: str) -> bool:
    return method == "POST" and path.rstrip("/") == "/documents"


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body streams in past its limit. An HTTPException, so that FastAPI
    passes it on untouched from its body parsing and the app's handler answers it in the error shape."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request is over the {limit / 1048576:.0f} MB limit")


class RequestLimits:
    def __init__(self, app: ASGIApp, settings: HttpSettings) -> None:
        self.app = app
        self.settings = settings
        self.uploads_in_progress = 0  # only touched on the event loop: no lock needed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        upload = is_upload(method, path)
        limit = self.settings.max_upload_request_bytes if upload else OTHER_BODY_LIMIT
        refusal = self._refusal(method, path, Headers(scope=scope), limit)
        if refusal is not None:
            await self._refuse(scope, receive, send, *refusal)
            return
        if upload and self.uploads_in_progress >= self.settings.max_uploads:
            message = f"{self.settings.max_uploads} uploads are already in progress: try again shortly"
            await self._refuse(scope, receive, send, 429, message, {"Retry-After": str(RETRY_AFTER_SECONDS)})
            return
        if upload:
            self.uploads_in_progress += 1
        try:
            await self._call_counting(scope, receive, send, limit)
        finally:
            if upload:
                self.uploads_in_progress -= 1

    def _refusal(self, method: str, path: str, headers: Headers, limit: int) -> tuple[int, str] | None:
        """A write without a valid key (401), a declared length over the limit (413), or None."""
        if is_write(method, path):
            caller = caller_for(headers.get("x-api-key"), self.settings.keys)
            if caller is None:
                return 401, INVALID_KEY
            if not caller.can_write:
                return 401, WRITE_NEEDS_KEY
        length = headers.get("content-length")
        if length is None:
            return None
        try:
            declared = int(length)
        except ValueError:
            return 400, "the Content-Length header is not a number"
        return (413, BodyTooLarge(limit).detail) if declared > limit else None

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        response = error_response(status, message)
        response.headers.update({"Connection": "close", **(headers or {})})
        await response(scope, receive, send)

    async def _call_counting(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as exc:  # raised where no exception handler caught it
            if started:
                raise
            await self._refuse(scope, receive, send, 413, str(exc.detail))
