"""The catalog of directives: traces, agencies and what they must do, the graph, the assignment matrix."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi import Path as FastApiPath
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from search_api.http.dependencies import CallerDep, StateDep
from search_api.http.models import AgencyInfo, AgencyList, Matrix, Named, Obligations, SegmentTrace, Trace
from search_api.queries.graph import graph, graph_data
from search_api.queries.matrix import COLUMNS, matrix_rows, write_matrix_csv, write_matrix_xlsx
from search_api.queries.obligations import known_agencies, obligations
from search_api.queries.trace import trace, trace_segment

router = APIRouter()
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/trace/{reference:path}", tags=["truy vết"], summary="Chuỗi văn bản chỉ đạo của một văn bản")
def trace_reference(
    state: StateDep,
    who: CallerDep,
    reference: Annotated[
        str,
        FastApiPath(description='Số hiệu hoặc cách gọi tắt, ví dụ "72-KL/TW", "KL 72"', examples=["KL 72"]),
    ],
) -> Trace:
    return Trace.model_validate(trace(state.services.record, reference, who.levels))


@router.get(
    "/segments/{segment_id}/trace", tags=["truy vết"], summary="Các văn bản cấp trên của một nhiệm vụ"
)
def trace_of_segment(segment_id: str, state: StateDep, who: CallerDep) -> SegmentTrace:
    state.visible_segment(segment_id, who)  # 404 for a missing or hidden segment, before anything else
    return SegmentTrace.model_validate(trace_segment(state.services.record, segment_id, who.levels))


@router.get("/agencies", tags=["cơ quan"], summary="Danh sách cơ quan đã biết")
def agencies(state: StateDep) -> AgencyList:
    return AgencyList(
        agencies=[
            AgencyInfo(id=a.id, name=a.name, level=a.level, kind=a.kind, aliases=list(a.aliases))
            for a in known_agencies(state.services.registry)
        ]
    )


@router.get(
    "/agencies/{agency}/obligations", tags=["cơ quan"], summary="Mọi nhiệm vụ được giao cho một cơ quan"
)
def agency_obligations(
    state: StateDep,
    who: CallerDep,
    agency: Annotated[
        str, FastApiPath(description="Mã, tên, tên khác hoặc tên tắt", examples=["BCS đảng UBND tỉnh"])
    ],
) -> Obligations:
    return Obligations.model_validate(
        obligations(state.services.record, agency, who.levels, state.services.registry)
    )


@router.get("/graph", tags=["truy vết"], summary="Đồ thị trích dẫn (JSON, DOT hoặc Mermaid)")
def graph_view(
    state: StateDep,
    who: CallerDep,
    document: Annotated[str | None, Query(description="Chỉ các văn bản quanh văn bản này")] = None,
    format: Annotated[str, Query(pattern="^(json|dot|mermaid)$")] = "json",
) -> Response:
    record = state.services.record
    if format == "json":
        return JSONResponse(graph_data(record, who.levels, document))
    text = graph(record, who.levels, document, format)
    return PlainTextResponse(text, media_type="text/vnd.graphviz" if format == "dot" else "text/plain")


@router.get(
    "/export/matrix",
    tags=["truy vết"],
    summary="Bảng phân công nhiệm vụ (JSON cho trang, Excel hoặc CSV)",
    response_model=Matrix,
    responses={200: {"content": {_XLSX: {}, "text/csv": {}}}},
)
def export_matrix(
    state: StateDep,
    who: CallerDep,
    document: Annotated[str | None, Query(description="Chỉ văn bản này")] = None,
    format: Annotated[str, Query(pattern="^(json|xlsx|csv)$")] = "xlsx",
) -> Response | Matrix:
    """The same rows in every format: the page shows the JSON, an office prints the Excel file."""
    if document is not None:
        state.visible_document(document, who)
    rows = matrix_rows(state.services.record, who.levels, document, state.services.registry)
    if format == "json":
        return Matrix(columns=[Named(id=key, label=label) for key, label, _ in COLUMNS], rows=rows)
    name = f"bang-phan-cong-{document or 'tat-ca'}.{format}"
    disposition = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "csv":
        stream = io.StringIO()
        write_matrix_csv(rows, stream)
        return Response(
            stream.getvalue().encode("utf-8"), media_type="text/csv; charset=utf-8", headers=disposition
        )
    with tempfile.TemporaryDirectory(prefix="vanban-export-") as scratch:
        path = write_matrix_xlsx(rows, Path(scratch) / name)
        data = path.read_bytes()
    return Response(data, media_type=_XLSX, headers=disposition)
