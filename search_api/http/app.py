"""The HTTP service: the same store, index and answers as the CLI, for the web page and other systems.

Errors are JSON {"error": {"status", "message"}} with a message a caller can act on; an
unexpected failure is a 500 with a plain message, its traceback only in the server's log.
Every read is bounded by the caller's access level (search_api.access).
"""

from __future__ import annotations

import io
import logging
import tempfile
import threading
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Header, HTTPException, Query, Request, UploadFile
from fastapi import Path as FastApiPath
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from ingest.model import Segment, VanbanError
from ingest.readers import SUPPORTED_EXTENSIONS
from ingest.vocabulary import ADMINISTRATIVE_LEVELS, RELATION_LABELS, ROLE_IDS, ROLES, SEGMENT_KIND_LABELS
from search_api import config
from search_api.access import LEVEL_LABELS, Caller, caller_for, check_level, parse_api_keys
from search_api.chat.answerer import Answerer
from search_api.chat.conversations import ConversationStore
from search_api.chat.generator import generator_from_env
from search_api.index.indexer import breadcrumb, index_document
from search_api.intake import analyze_for_record, ingest_file, with_access_level
from search_api.queries.graph import graph, graph_data
from search_api.queries.matrix import matrix_rows, write_matrix_csv, write_matrix_xlsx
from search_api.queries.obligations import known_agencies, obligations
from search_api.queries.search import MAX_QUERY_CHARS, Filters, QueryError
from search_api.queries.trace import NotFoundError, trace, trace_segment
from search_api.services import Services, open_services

log = logging.getLogger("vanban.http")
STATIC_DIR = Path(__file__).resolve().parents[1] / "web"

EXAMPLE_QUERIES = {
    "chủ đề": {"summary": "Tìm theo chủ đề", "value": "đầu tư hạ tầng giao thông"},
    "không dấu": {"summary": "Gõ không dấu", "value": "ha tang giao thong"},
    "số hiệu": {"summary": "Theo số hiệu văn bản", "value": "KL 72"},
}


class ChatRequest(BaseModel):
    message: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="Câu hỏi bằng tiếng Việt",
        examples=["Ai chủ trì tuyên truyền Kết luận 72?"],
    )
    conversation_id: str | None = Field(
        default=None, description="Mã hội thoại trả về ở câu trả lời trước, để hỏi tiếp", examples=[None]
    )


# How an upload that failed is answered, by why it failed; any other failure is 422.
_UPLOAD_FAILURE_STATUS = {"refused": 409, "unsupported": 415, "too_large": 413}


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error_response(status: int, message: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"status": status, "message": message}})


class AppState:
    """What the request handlers share: the opened services, the configured keys, the chat."""

    def __init__(self, home: Path, embedder_spec: str | None) -> None:
        self.home = home
        self.services: Services = open_services(home, embedder_spec)
        self.keys = parse_api_keys()
        self.write_lock = threading.Lock()  # one ingest or delete at a time
        self.max_upload_bytes = config.max_file_bytes()
        self.conversations = ConversationStore()
        self.generator = generator_from_env()
        self._answerers: dict[tuple[str, ...], Answerer] = {}
        self._answerers_lock = threading.Lock()

    def answerer(self, levels: tuple[str, ...]) -> Answerer:
        """One answerer per access level (they share the conversations, which remember the level)."""
        with self._answerers_lock:
            if levels not in self._answerers:
                self._answerers[levels] = Answerer(self.services, levels, self.generator, self.conversations)
            return self._answerers[levels]

    def close(self) -> None:
        self.services.close()


def app_state(request: Request) -> AppState:
    return request.app.state.vanban  # type: ignore[no-any-return]


def current_caller(
    request: Request,
    x_api_key: Annotated[str | None, Header(description="Khóa API (tùy chọn khi chỉ đọc)")] = None,
) -> Caller:
    found = caller_for(x_api_key, app_state(request).keys)
    if found is None:
        raise ApiError(401, "the API key is not valid")
    return found


def current_writer(who: Annotated[Caller, Depends(current_caller)]) -> Caller:
    if not who.can_write:
        raise ApiError(401, "this endpoint changes the store: send an API key in the X-API-Key header")
    return who


CallerDep = Annotated[Caller, Depends(current_caller)]
WriterDep = Annotated[Caller, Depends(current_writer)]


def create_app(home: Path | None = None, embedder_spec: str | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        app.state.vanban = AppState(home or config.home(), embedder_spec)
        try:
            yield
        finally:
            app.state.vanban.close()

    app = FastAPI(
        title="vanban",
        version="0.1.0",
        summary="Tra cứu văn bản chỉ đạo của Đảng và Nhà nước: tìm kiếm, truy vết, hỏi đáp có trích dẫn",
        description=(
            "Tìm nhiệm vụ theo chủ đề (có dấu hoặc không dấu, hoặc theo số hiệu như `KL 72`), xem văn bản "
            "và phân công, truy vết văn bản nào thực hiện văn bản nào, hỏi đáp ngắn có trích dẫn nguồn. "
            "Đọc không cần khóa (chỉ văn bản công khai); ghi và đọc văn bản nội bộ/mật cần khóa API "
            "trong tiêu đề `X-API-Key`."
        ),
        lifespan=lifespan,
    )

    def state() -> AppState:
        return app.state.vanban  # type: ignore[no-any-return]

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc.status, exc.message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return _error_response(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query"))
            problems.append(f"{where}: {error.get('msg')}" if where else str(error.get("msg")))
        return _error_response(422, "; ".join(problems) or "invalid request")

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> JSONResponse:
        return _error_response(404, str(exc))

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> JSONResponse:
        return _error_response(422, str(exc))

    @app.exception_handler(VanbanError)
    async def vanban_error(request: Request, exc: VanbanError) -> JSONResponse:
        return _error_response(400, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _error_response(500, "internal error: the server log has the details")

    # -- reading -------------------------------------------------------------------------------

    @app.get("/health", tags=["hệ thống"], summary="Tình trạng dịch vụ")
    def health() -> dict[str, Any]:
        services = state().services
        counts = services.record.counts()
        return {
            "status": "ok",
            **counts,
            "indexed": services.store.count(),
            "embedder": services.embedder.name,
        }

    @app.get("/search", tags=["tìm kiếm"], summary="Tìm đoạn văn bản (lai: ngữ nghĩa + từ khóa)")
    def search(
        who: CallerDep,
        q: Annotated[
            str,
            Query(
                min_length=1,
                max_length=MAX_QUERY_CHARS,
                description="Câu tìm",
                openapi_examples=EXAMPLE_QUERIES,
            ),
        ],
        k: Annotated[int, Query(ge=1, le=100, description="Số kết quả")] = 10,
        document: Annotated[list[str] | None, Query(description="Chỉ trong văn bản (mã)")] = None,
        type: Annotated[list[str] | None, Query(description='Loại văn bản, ví dụ "Kế hoạch"')] = None,
        issuer: Annotated[list[str] | None, Query(description="Cơ quan ban hành")] = None,
        year_from: Annotated[int | None, Query(ge=1945, le=2100, description="Từ năm")] = None,
        year_to: Annotated[int | None, Query(ge=1945, le=2100, description="Đến năm")] = None,
        kind: Annotated[list[str] | None, Query(description="Loại đoạn: task, assignment, goal ...")] = None,
        agency: Annotated[str | None, Query(description="Cơ quan được phân công (tên, tên tắt)")] = None,
        role: Annotated[str | None, Query(description=f"Vai trò của cơ quan: {', '.join(ROLE_IDS)}")] = None,
        cited: Annotated[
            list[str] | None, Query(description='Đoạn trích dẫn văn bản này, ví dụ "KL 72"')
        ] = None,
        mode: Annotated[
            str, Query(pattern="^(hybrid|dense|sparse)$", description="hybrid, dense hoặc sparse")
        ] = "hybrid",
    ) -> dict[str, Any]:
        filters = Filters(
            document=document or [],
            type=type or [],
            issuer=issuer or [],
            year_from=year_from,
            year_to=year_to,
            kind=kind or [],
            agency=agency,
            role=role,
            cited=cited or [],
            access_levels=list(who.levels),
        )
        hits = state().services.searcher.search(q, k=k, filters=filters, mode=mode)  # type: ignore[arg-type]
        return {"query": q, "hits": [hit.to_dict() for hit in hits]}

    @app.get("/documents", tags=["văn bản"], summary="Danh sách văn bản")
    def documents(who: CallerDep) -> dict[str, Any]:
        return {"documents": state().services.record.list_documents(who.levels)}

    def visible_document(document_id: str, who: Caller) -> Any:
        document = state().services.record.visible_document(document_id, who.levels)
        # A document above the caller's level is reported exactly like one that does not exist.
        if document is None:
            raise ApiError(404, f"no document '{document_id}'")
        return document

    @app.get(
        "/documents/{document_id}", tags=["văn bản"], summary="Một văn bản: thông tin, mục lục, các đoạn"
    )
    def document(document_id: str, who: CallerDep) -> dict[str, Any]:
        found = visible_document(document_id, who)
        outline = [
            {"path": s.path, "kind": s.kind, "text": s.text.split("\n")[0][:200], "segment_id": s.id}
            for s in found.segments
            if s.kind in ("heading", "preamble", "goal", "purpose", "requirement") or s.parent_path is None
        ]
        return {
            "document": found.metadata() | {"citations": [c.__dict__ for c in found.citations]},
            "outline": outline,
            "segments": [segment_view(found, s) for s in found.segments],
        }

    def segment_view(document: Any, segment: Segment) -> dict[str, Any]:
        return segment.to_dict() | {
            "breadcrumb": breadcrumb(document, segment),
            "document_symbol": document.number,
        }

    @app.get(
        "/segments/{segment_id}", tags=["văn bản"], summary="Một đoạn văn bản với các thông tin trích xuất"
    )
    def segment(segment_id: str, who: CallerDep) -> dict[str, Any]:
        record = state().services.record
        document_id = record.visible_segment_document(segment_id, who.levels)
        document = record.visible_document(document_id, who.levels) if document_id else None
        found = next((s for s in document.segments if s.id == segment_id), None) if document else None
        # A segment of a document above the caller's level is reported exactly like a missing one.
        if document is None or found is None:
            raise ApiError(404, f"no segment '{segment_id}'")
        return segment_view(document, found) | {"document_title": document.title}

    # -- the graph: trace, agencies, export ------------------------------------------------------

    @app.get("/trace/{reference:path}", tags=["truy vết"], summary="Chuỗi văn bản chỉ đạo của một văn bản")
    def trace_reference(
        who: CallerDep,
        reference: Annotated[
            str,
            FastApiPath(
                description='Số hiệu hoặc cách gọi tắt, ví dụ "72-KL/TW", "KL 72"', examples=["KL 72"]
            ),
        ],
    ) -> dict[str, Any]:
        record = state().services.record
        return trace(record, reference, who.levels)

    @app.get(
        "/segments/{segment_id}/trace", tags=["truy vết"], summary="Các văn bản cấp trên của một nhiệm vụ"
    )
    def trace_of_segment(segment_id: str, who: CallerDep) -> dict[str, Any]:
        segment(segment_id, who)  # 404 for a missing or hidden segment, before anything else
        record = state().services.record
        return trace_segment(record, segment_id, who.levels)

    @app.get(
        "/vocabulary", tags=["văn bản"], summary="Vai trò, loại đoạn, quan hệ, mức truy cập và cấp hành chính"
    )
    def vocabulary() -> dict[str, list[dict[str, str]]]:
        """The ids the other endpoints use and how to name them, in display order: one source for the page."""

        def named(labels: dict[str, str]) -> list[dict[str, str]]:
            return [{"id": key, "label": label} for key, label in labels.items()]

        return {
            "roles": named({role.id: role.label for role in ROLES}),
            "segment_kinds": named(SEGMENT_KIND_LABELS),
            "relations": named(RELATION_LABELS),
            "access_levels": named(LEVEL_LABELS),
            "administrative_levels": named({level: level for level in ADMINISTRATIVE_LEVELS}),
        }

    @app.get("/agencies", tags=["cơ quan"], summary="Danh sách cơ quan đã biết")
    def agencies() -> dict[str, Any]:
        return {
            "agencies": [
                {"id": a.id, "name": a.name, "level": a.level, "kind": a.kind, "aliases": list(a.aliases)}
                for a in known_agencies(state().services.registry)
            ]
        }

    @app.get(
        "/agencies/{agency}/obligations", tags=["cơ quan"], summary="Mọi nhiệm vụ được giao cho một cơ quan"
    )
    def agency_obligations(
        who: CallerDep,
        agency: Annotated[
            str, FastApiPath(description="Mã, tên, tên khác hoặc tên tắt", examples=["BCS đảng UBND tỉnh"])
        ],
    ) -> dict[str, Any]:
        record = state().services.record
        return obligations(record, agency, who.levels, state().services.registry)

    @app.get("/graph", tags=["truy vết"], summary="Đồ thị trích dẫn (JSON, DOT hoặc Mermaid)")
    def graph_view(
        who: CallerDep,
        document: Annotated[str | None, Query(description="Chỉ các văn bản quanh văn bản này")] = None,
        format: Annotated[str, Query(pattern="^(json|dot|mermaid)$")] = "json",
    ) -> Response:
        record = state().services.record
        if format == "json":
            return JSONResponse(graph_data(record, who.levels, document))
        text = graph(record, who.levels, document, format)
        return PlainTextResponse(text, media_type="text/vnd.graphviz" if format == "dot" else "text/plain")

    @app.get("/export/matrix", tags=["truy vết"], summary="Bảng phân công nhiệm vụ (Excel hoặc CSV)")
    def export_matrix(
        who: CallerDep,
        document: Annotated[str | None, Query(description="Chỉ văn bản này")] = None,
        format: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx",
    ) -> Response:
        if document is not None:
            visible_document(document, who)
        record = state().services.record
        rows = matrix_rows(record, who.levels, document, state().services.registry)
        name = f"bang-phan-cong-{document or 'tat-ca'}.{format}"
        if format == "csv":
            stream = io.StringIO()
            write_matrix_csv(rows, stream)
            return Response(
                stream.getvalue().encode("utf-8"),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        with tempfile.TemporaryDirectory(prefix="vanban-export-") as scratch:
            path = Path(scratch) / name
            write_matrix_xlsx(rows, path)
            data = path.read_bytes()
        return Response(
            data,
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # -- chat ------------------------------------------------------------------------------------

    @app.post("/chat", tags=["hỏi đáp"], summary="Hỏi đáp ngắn, có trích dẫn nguồn")
    def chat(request: ChatRequest, who: CallerDep) -> dict[str, Any]:
        answer = state().answerer(who.levels).answer(request.message, request.conversation_id)
        return answer.to_dict()

    # -- writing -------------------------------------------------------------------------------

    @app.post("/documents", tags=["văn bản"], summary="Tải lên và nạp một văn bản", status_code=201)
    def upload(
        who: WriterDep,
        file: Annotated[UploadFile, File(description="Tệp .txt, .md, .pdf hoặc .docx")],
        access_level: Annotated[str, Form(description="public, internal hoặc confidential")] = "public",
    ) -> dict[str, Any]:
        check_level(access_level)
        if not who.may_see(access_level):
            raise ApiError(403, f"this key may not store {access_level} documents")
        name = Path(file.filename or "upload").name
        if Path(name).suffix.lower() not in SUPPORTED_EXTENSIONS:
            raise ApiError(
                415, f"unsupported file type '{Path(name).suffix}': send {', '.join(SUPPORTED_EXTENSIONS)}"
            )
        limit = state().max_upload_bytes
        data = file.file.read(limit + 1)
        if len(data) > limit:
            raise ApiError(413, f"the file is over the {limit / 1048576:.0f} MB limit")
        services = state().services
        with tempfile.TemporaryDirectory(prefix="vanban-upload-") as scratch, state().write_lock:
            path = Path(scratch) / name
            path.write_bytes(data)
            outcome = ingest_file(
                services.record,
                path,
                limit,
                with_access_level(analyze_for_record(services.record), access_level),
                may_replace=lambda document_id: may_replace(document_id, who),
            )
            if outcome.status == "failed":
                status = _UPLOAD_FAILURE_STATUS.get(outcome.failure or "", 422)
                raise ApiError(status, f"{name}: {outcome.message}")
            stored = services.record.document(outcome.document_id or "")
            if stored is not None and outcome.status != "unchanged":
                index_document(services.store, stored, services.embedder)
        return {"status": outcome.status, "document_id": outcome.document_id, "segments": outcome.segments}

    def may_replace(document_id: str, who: Caller) -> bool:
        """A key may replace what it can see; a document above its level must not be overwritten
        (nor revealed: the refusal says only that the number is taken)."""
        return not state().services.record.hides(document_id, who.levels)

    @app.delete("/documents/{document_id}", tags=["văn bản"], summary="Xóa một văn bản")
    def delete(document_id: str, who: WriterDep) -> dict[str, Any]:
        visible_document(document_id, who)
        services = state().services
        with state().write_lock:
            services.store.delete_document(document_id)
            services.record.delete(document_id)
        return {"deleted": document_id}

    # -- the page ------------------------------------------------------------------------------

    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

        @app.get("/", include_in_schema=False)
        def page() -> FileResponse:
            return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")

    return app
