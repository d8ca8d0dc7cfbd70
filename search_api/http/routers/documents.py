"""Documents and their segments: list, read, upload, delete."""

from __future__ import annotations

import tempfile
from dataclasses import fields
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile

from ingest.model import Document, Segment
from ingest.readers import SUPPORTED_EXTENSIONS
from search_api.access import Caller, check_level
from search_api.http.dependencies import AppState, CallerDep, StateDep, WriterDep
from search_api.http.errors import ApiError
from search_api.http.models import (
    Deleted,
    DocumentInfo,
    DocumentList,
    DocumentView,
    OutlineEntry,
    SegmentView,
    Upload,
)
from search_api.index.indexer import breadcrumb
from search_api.intake import ingest_file

router = APIRouter(tags=["văn bản"])

# How an upload that failed is answered, by why it failed; any other failure is 422.
_UPLOAD_FAILURE_STATUS = {"refused": 409, "unsupported": 415, "too_large": 413}
# What the outline lists besides top-level segments.
_OUTLINE_KINDS = ("heading", "preamble", "goal", "purpose", "requirement")


@router.get("/documents", summary="Danh sách văn bản")
def documents(state: StateDep, who: CallerDep) -> DocumentList:
    return DocumentList.model_validate({"documents": state.services.record.list_documents(who.levels)})


def segment_view(document: Document, segment: Segment) -> SegmentView:
    own = {f.name: getattr(segment, f.name) for f in fields(segment)}
    return SegmentView(**own, breadcrumb=breadcrumb(document, segment), document_symbol=document.number)


@router.get("/documents/{document_id}", summary="Một văn bản: thông tin, mục lục, các đoạn")
def document(document_id: str, state: StateDep, who: CallerDep) -> DocumentView:
    found = state.visible_document(document_id, who)
    outline = [
        OutlineEntry(path=s.path, kind=s.kind, text=s.text.split("\n")[0][:200], segment_id=s.id)
        for s in found.segments
        if s.kind in _OUTLINE_KINDS or s.parent_path is None
    ]
    info = found.metadata() | {"citations": found.citations}
    return DocumentView(
        document=DocumentInfo.model_validate(info),
        outline=outline,
        segments=[segment_view(found, s) for s in found.segments],
    )


@router.get("/segments/{segment_id}", summary="Một đoạn văn bản với các thông tin trích xuất")
def segment(segment_id: str, state: StateDep, who: CallerDep) -> SegmentView:
    document, found = state.visible_segment(segment_id, who)
    view = segment_view(document, found)
    view.document_title = document.title
    return view


@router.post("/documents", summary="Tải lên và nạp một văn bản", status_code=201)
def upload(
    state: StateDep,
    who: WriterDep,
    file: Annotated[UploadFile, File(description="Tệp .txt, .md, .pdf hoặc .docx")],
    access_level: Annotated[str, Form(description="public, internal hoặc confidential")] = "public",
) -> Upload:
    check_level(access_level)
    if not who.may_see(access_level):
        raise ApiError(403, f"this key may not store {access_level} documents")
    name = Path(file.filename or "upload").name
    if Path(name).suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise ApiError(
            415, f"unsupported file type '{Path(name).suffix}': send {', '.join(SUPPORTED_EXTENSIONS)}"
        )
    limit = state.max_upload_bytes
    data = file.file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, f"the file is over the {limit / 1048576:.0f} MB limit")
    with tempfile.TemporaryDirectory(prefix="vanban-upload-") as scratch, state.write_lock:
        path = Path(scratch) / name
        path.write_bytes(data)
        outcome = ingest_file(
            state.services,
            path,
            limit,
            access_level=access_level,
            may_replace=lambda document_id: _may_replace(state, document_id, who),
        )
    if outcome.status == "failed":
        raise ApiError(_UPLOAD_FAILURE_STATUS.get(outcome.failure or "", 422), f"{name}: {outcome.message}")
    if not outcome.indexed:  # stored, but search cannot find it until the index is repaired
        raise ApiError(503, f"{name}: {outcome.message}")
    return Upload(status=outcome.status, document_id=outcome.document_id, segments=outcome.segments)


def _may_replace(state: AppState, document_id: str, who: Caller) -> bool:
    """A key may replace what it can see; a document above its level must not be overwritten
    (nor revealed: the refusal says only that the number is taken)."""
    return not state.services.record.hides(document_id, who.levels)


@router.delete("/documents/{document_id}", summary="Xóa một văn bản")
def delete(document_id: str, state: StateDep, who: WriterDep) -> Deleted:
    state.visible_document(document_id, who)
    services = state.services
    with state.write_lock:
        services.store.delete_document(document_id)
        services.record.delete(document_id)
    return Deleted(deleted=document_id)
