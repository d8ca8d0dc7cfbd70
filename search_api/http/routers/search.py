"""Hybrid search over the segments the caller may read."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ingest.vocabulary import ROLE_IDS
from search_api.http.dependencies import CallerDep, StateDep
from search_api.http.models import SearchResults
from search_api.queries.search import MAX_QUERY_CHARS, Filters

router = APIRouter()

EXAMPLE_QUERIES = {
    "chủ đề": {"summary": "Tìm theo chủ đề", "value": "đầu tư hạ tầng giao thông"},
    "không dấu": {"summary": "Gõ không dấu", "value": "ha tang giao thong"},
    "số hiệu": {"summary": "Theo số hiệu văn bản", "value": "KL 72"},
}
Texts = Annotated[list[str] | None, Query()]


@router.get("/search", tags=["tìm kiếm"], summary="Tìm đoạn văn bản (lai: ngữ nghĩa + từ khóa)")
def search(
    state: StateDep,
    who: CallerDep,
    q: Annotated[
        str,
        Query(
            min_length=1, max_length=MAX_QUERY_CHARS, description="Câu tìm", openapi_examples=EXAMPLE_QUERIES
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
    cited: Annotated[list[str] | None, Query(description='Đoạn trích dẫn văn bản này, ví dụ "KL 72"')] = None,
    mode: Annotated[
        str, Query(pattern="^(hybrid|dense|sparse)$", description="hybrid, dense hoặc sparse")
    ] = "hybrid",
) -> SearchResults:
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
    hits = state.services.searcher.search(q, k=k, filters=filters, mode=mode)  # type: ignore[arg-type]
    return SearchResults(query=q, hits=hits)
