"""Every error the service answers is JSON {"error": {"status", "message"}} with a message a caller can
act on: Starlette's own (an unknown path, a wrong method, a body it cannot parse) as well as the
service's; an unexpected failure is a 500 with a plain message, its traceback only in the server's log."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from ingest.model import VanbanError
from search_api.queries.search import QueryError
from search_api.queries.trace import NotFoundError

log = logging.getLogger("vanban.http")


class ApiError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}  # a 429's Retry-After


def error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"status": status, "message": message}})


def _validation_message(exc: RequestValidationError) -> str:
    problems = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            where = error.get("loc", ())[-1:]
            reason = (error.get("ctx") or {}).get("error") or error.get("msg")
            position = f" at character {where[0]}" if where and isinstance(where[0], int) else ""
            problems.append(f"the request body is not valid JSON ({reason}{position})")
            continue
        location = tuple(error.get("loc", ()))
        where = ".".join(str(part) for part in location if part not in ("body", "query"))
        where = where or ("body" if location == ("body",) else "")  # the body itself: missing, not an object
        problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
    return "; ".join(problems) or "invalid request"


def _http_message(exc: HTTPException) -> str:
    """Starlette's stock details ("Not Found", "Method Not Allowed") in the words the service's own
    errors use; any other detail as it is."""
    if exc.status_code == 404 and exc.detail == "Not Found":
        return "nothing at this address: /openapi.json lists the endpoints"
    if exc.status_code == 405:
        allowed = (exc.headers or {}).get("Allow")
        return f"this endpoint does not take this method; it takes {allowed}" if allowed else str(exc.detail)
    return str(exc.detail)


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


# The service's own errors, most specific first: their message is the answer.
_STATUS_OF_ERROR: tuple[tuple[type[VanbanError], int], ...] = (
    (NotFoundError, 404),
    (QueryError, 422),
    (VanbanError, 400),
)


def _answer_with(status: int) -> Callable[[Request, Exception], Awaitable[JSONResponse]]:
    async def answer(request: Request, exc: Exception) -> JSONResponse:
        return error_response(status, str(exc))

    return answer


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        response = error_response(exc.status, exc.message)
        response.headers.update(exc.headers)
        return response

    # Starlette's class, which FastAPI's extends: the router's 404 and 405 are Starlette's.
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError) and _is_json(request):
            # FastAPI's "error parsing the body": a JSON body that is not UTF-8 text
            return error_response(422, "the request body is not valid JSON (it is not UTF-8 text)")
        response = error_response(exc.status_code, _http_message(exc))
        response.headers.update(exc.headers or {})  # a 405's Allow, a 401's WWW-Authenticate
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, _validation_message(exc))

    for kind, status in _STATUS_OF_ERROR:
        app.add_exception_handler(kind, _answer_with(status))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error: the server log has the details")
