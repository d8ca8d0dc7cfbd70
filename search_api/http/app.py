"""The HTTP service: the same store, index and answers as the CLI, for the web page and other systems.

`create_app` opens the services for the app's lifetime and includes one router per area of the API
(`routers/`); the answers' shapes are in `models.py`, errors in `errors.py`, what handlers share (the
opened services, who calls and at which access level) in `dependencies.py`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from search_api import config
from search_api.http.dependencies import AppState
from search_api.http.errors import add_error_handlers
from search_api.http.limits import HttpSettings, RequestLimits
from search_api.http.routers import catalog, chat, documents, search, system

WEB_DIR = Path(__file__).resolve().parents[1] / "web"
DESCRIPTION = (
    "Tìm nhiệm vụ theo chủ đề (có dấu hoặc không dấu, hoặc theo số hiệu như `KL 72`), xem văn bản "
    "và phân công, truy vết văn bản nào thực hiện văn bản nào, hỏi đáp ngắn có trích dẫn nguồn. "
    "Đọc không cần khóa (chỉ văn bản công khai); ghi và đọc văn bản nội bộ/mật cần khóa API "
    "trong tiêu đề `X-API-Key`."
)


def create_app(home: Path | None = None, embedder_spec: str | None = None) -> FastAPI:
    """The app, its settings read now: a bad `VANBAN_API_KEYS`, `VANBAN_MAX_FILE_MB` or
    `VANBAN_MAX_UPLOADS` raises one VanbanError here, before anything is served."""
    settings = HttpSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.vanban = AppState(home or config.home(), embedder_spec, settings)
        try:
            yield
        finally:
            app.state.vanban.close()

    app = FastAPI(
        title="vanban",
        version="0.1.0",
        summary="Tra cứu văn bản chỉ đạo của Đảng và Nhà nước: tìm kiếm, truy vết, hỏi đáp có trích dẫn",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    add_error_handlers(app)
    app.add_middleware(RequestLimits, settings=settings)  # refusals that must not read the body first
    for area in (system, search, documents, catalog, chat):
        app.include_router(area.router)
    if WEB_DIR.is_dir():
        _serve_page(app)
    return app


def _serve_page(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(WEB_DIR / "index.html", media_type="text/html; charset=utf-8")
