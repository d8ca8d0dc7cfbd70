"""Documents and their segments: list, read, upload, delete."""

from __future__ import annotations

import hashlib
import math
import shutil
import tempfile
import unicodedata
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Header, UploadFile
from fastapi.responses import JSONResponse

from ingest.model import Document, Segment
from ingest.ocr.settings import ocr_settings
from ingest.readers import SUPPORTED_EXTENSIONS
from search_api.access import LEVELS, Caller, check_level
from search_api.http.dependencies import AppState, CallerDep, StateDep, WriterDep
from search_api.http.errors import ApiError
from search_api.http.limits import RETRY_AFTER_SECONDS
from search_api.http.models import (
    Deleted,
    DocumentInfo,
    DocumentList,
    DocumentView,
    OutlineEntry,
    SegmentView,
    Upload,
    UploadError,
    UploadState,
)
from search_api.http.uploads import QueueFull, UploadJob, key_owner
from search_api.index.indexer import breadcrumb
from search_api.intake import FileOutcome, ingest_file
from search_api.untrusted import printable

router = APIRouter(tags=["văn bản"])

# How an upload that failed is answered, by why it failed; any other failure is 422.
_UPLOAD_FAILURE_STATUS = {
    "refused": 409,
    "forbidden": 403,
    "unsupported": 415,
    "too_large": 413,
    "unavailable": 503,
}
# What the outline lists besides top-level segments.
_OUTLINE_KINDS = ("heading", "preamble", "goal", "purpose", "requirement")
# An uploaded file is parsed from a scratch copy named after it when its name is this short and plain
# (the document keeps it as its source name, and a document without a number takes its id from it);
# any other name is cut and given a hash, so that no name is too long or strange for the file system.
_SCRATCH_NAME_BYTES = 120
_SHOWN_NAME_CHARS = 80  # how much of a name an error message quotes


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
    if not who.can_write:  # where the server keeps its files is for those who manage it
        info["source_path"] = None
    scanned = any(s.ocr_confidence is not None for s in found.segments)
    return DocumentView(
        document=DocumentInfo.model_validate(info),
        outline=outline,
        segments=[segment_view(found, s) for s in found.segments],
        ocr_min_confidence=ocr_settings()[1] if scanned else None,
    )


@router.get("/segments/{segment_id}", summary="Một đoạn văn bản với các thông tin trích xuất")
def segment(segment_id: str, state: StateDep, who: CallerDep) -> SegmentView:
    document, found = state.visible_segment(segment_id, who)
    view = segment_view(document, found)
    view.document_title = document.title
    return view


@router.post(
    "/documents",
    summary="Tải lên và nạp một văn bản",
    status_code=201,
    response_model=Upload,  # the 202's body, a Response of its own, is UploadState
    responses={202: {"model": UploadState, "description": "Đang đọc (bản quét dài): hỏi lại ở Location"}},
)
def upload(
    state: StateDep,
    who: WriterDep,
    file: Annotated[
        UploadFile, File(description="Tệp .txt, .md, .pdf, .docx hoặc ảnh quét .png, .jpg, .tif")
    ],
    access_level: Annotated[
        str | None,
        Form(
            description="public, internal hoặc confidential; bỏ trống: văn bản mới là public, văn bản đã có giữ mức cũ"
        ),
    ] = None,
    allow_lower_access: Annotated[
        bool, Form(description="cho phép hạ mức truy cập của văn bản đã lưu (không thấp hơn dấu MẬT của nó)")
    ] = False,
    prefer: Annotated[
        str | None,
        Header(description="respond-async: trả lời 202 ngay; wait=N: chờ tối đa N giây (RFC 7240)"),
    ] = None,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Upload | JSONResponse:
    """The file is read in the background, in the order uploads arrive; the request waits for it up
    to VANBAN_UPLOAD_WAIT_SECONDS (or what `Prefer` asks, no longer) and answers its outcome, or 202
    with `Location: /uploads/{id}` where its progress and outcome can be asked for."""
    if access_level is not None:
        check_level(access_level)
        if not who.may_see(access_level):
            raise ApiError(403, f"this key may not store {access_level} documents")
    name = Path((file.filename or "upload").replace("\\", "/")).name or "upload"
    shown = printable(name, _SHOWN_NAME_CHARS)
    suffix = Path(name).suffix
    if suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise ApiError(
            415,
            f"unsupported file type '{printable(suffix, 20)}': send {', '.join(SUPPORTED_EXTENSIONS)}",
        )
    wait = _wait_seconds(prefer, state.upload_wait_seconds)
    limit = state.max_upload_bytes
    scratch = Path(tempfile.mkdtemp(prefix="vanban-upload-"))
    try:
        path = scratch / scratch_name(name)
        with path.open("wb") as copy:
            shutil.copyfileobj(file.file, copy, 1024 * 1024)
            if copy.tell() > limit:
                raise ApiError(413, f"{shown}: the file is over the {limit / 1048576:.0f} MB limit")

        def work(job: UploadJob) -> FileOutcome:
            outcome = ingest_file(
                state.services,
                path,
                limit,
                access_level=access_level,
                may_replace=lambda document_id: _may_replace(state, document_id, who),
                allow_lower=allow_lower_access,
                source_name=name,  # the name as sent, not the scratch copy's
                key_by_content=True,  # two different "bao-cao.txt" without a symbol are two documents
                offload=state.reader,  # reading and analysis in their own process: searches go on
                ceiling=max(who.levels, key=LEVELS.index),
                finish_others=False,  # in the background: a moved-aside document's time is not the caller's
                lock=state.write_lock,  # taken once the file is read: a long scan holds up no deletion
                stage=job.stage,
            )
            state.finish_indexing_later()
            return outcome

        job = state.uploads.submit(name, key_owner(x_api_key), scratch, work)
    except QueueFull as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise ApiError(429, str(exc), {"Retry-After": str(RETRY_AFTER_SECONDS)}) from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    if job.done.wait(wait):
        return _answer(job)
    headers = {"Location": f"/uploads/{job.id}"}
    if "respond-async" in (prefer or "").lower():
        headers["Preference-Applied"] = "respond-async"  # RFC 7240: what was asked for was done
    return JSONResponse(status_code=202, content=upload_state(state, job).model_dump(), headers=headers)


def _wait_seconds(prefer: str | None, most: float) -> float:
    """How long the request waits for its upload: the service's setting, or less when the caller's
    `Prefer` header asks for `respond-async` (not at all) or `wait=N` (RFC 7240)."""
    for preference in (prefer or "").split(","):
        token, _, value = preference.strip().partition("=")
        if token.strip().lower() == "respond-async":
            return 0.0
        if token.strip().lower() == "wait":
            try:
                seconds = float(value.strip().strip('"'))
            except ValueError:
                continue  # a preference the server cannot honour is ignored (RFC 7240)
            if math.isnan(seconds):
                continue
            return min(max(seconds, 0.0), most)
    return most


def _answer(job: UploadJob) -> Upload:
    """A finished upload's answer: what it stored, or its failure as the error it is."""
    outcome = job.outcome
    assert outcome is not None  # a finished job has one
    failure = _failure(job.file_name, outcome)
    if failure is not None:
        raise ApiError(failure.status, failure.message)
    return Upload(status=outcome.status, document_id=outcome.document_id, segments=outcome.segments)


def _failure(file_name: str, outcome: FileOutcome) -> UploadError | None:
    shown = printable(file_name, _SHOWN_NAME_CHARS)
    if outcome.status == "failed":
        status = _UPLOAD_FAILURE_STATUS.get(outcome.failure or "", 422)
        return UploadError(status=status, message=f"{shown}: {outcome.message}")
    if not outcome.indexed:  # stored, but search cannot find it until the index is repaired
        return UploadError(status=503, message=f"{shown}: {outcome.message}")
    return None


def _moment(seconds: float | None) -> str | None:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds") if seconds else None


def upload_state(state: AppState, job: UploadJob) -> UploadState:
    """The job as it stands: its outcome is read once, so that its state, result and error agree
    (the worker may finish it meanwhile)."""
    outcome = job.outcome
    failure = _failure(job.file_name, outcome) if outcome is not None else None
    if outcome is None:
        stage, result = job.state, None
    elif failure is None:
        stage = "done"
        result = Upload(status=outcome.status, document_id=outcome.document_id, segments=outcome.segments)
    else:
        stage, result = "failed", None
    read, pages = job.pages_read()
    return UploadState(
        id=job.id,
        file_name=job.file_name,
        state=stage,
        waiting_before=state.uploads.position(job),
        pages_read=read,
        pages=pages,
        created_at=_moment(job.created) or "",
        started_at=_moment(job.started),
        finished_at=_moment(job.finished),
        result=result,
        error=failure,
    )


@router.get("/uploads/{upload_id}", summary="Tình trạng một tệp đang được đọc")
def upload_progress(
    upload_id: str,
    state: StateDep,
    who: WriterDep,
    x_api_key: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> UploadState:
    """Where an upload answered 202 stands: waiting, reading (a scan: pages read of pages), analysing,
    indexing; then done with what it stored, or failed with why. Only for the key that sent it."""
    job = state.uploads.job(upload_id, key_owner(x_api_key))
    if job is None:
        raise ApiError(404, f"no upload '{printable(upload_id, 40)}'")
    return upload_state(state, job)


def scratch_name(name: str) -> str:
    """The name of an upload's scratch copy: the name itself when it is short and plain, else its
    first words with control and format characters replaced, a hash of the whole name, and its suffix
    (a 300-character name, or one with a right-to-left override, is stored safely and still apart)."""
    path = Path(name)
    plain = all(unicodedata.category(c)[0] not in "CZ" or c == " " for c in name)
    if plain and len(name.encode()) <= _SCRATCH_NAME_BYTES and not name.startswith((".", "-")):
        return name
    stem = "".join(c if unicodedata.category(c)[0] not in "CZ" else "_" for c in path.stem).lstrip(".-")
    cut = stem.encode()[: _SCRATCH_NAME_BYTES // 2].decode(errors="ignore")
    digest = hashlib.sha256(name.encode(errors="surrogatepass")).hexdigest()[:12]
    return f"{cut}-{digest}{path.suffix.lower()}" if cut else f"upload-{digest}{path.suffix.lower()}"


def _may_replace(state: AppState, document_id: str, who: Caller) -> bool:
    """A key may replace what it can see; a document above its level is neither overwritten nor revealed
    (it steps aside for the key's copy: `Record.move_aside`)."""
    return not state.services.record.hides(document_id, who.levels)


@router.delete("/documents/{document_id}", summary="Xóa một văn bản")
def delete(document_id: str, state: StateDep, who: WriterDep) -> Deleted:
    services = state.services
    with state.write_lock:  # checked under the lock: a level raised meanwhile hides it from this key
        state.visible_document(document_id, who)
        # The record first: points left by a failure in between belong to no document (search skips
        # them, `reindex --if-outdated` drops them), never a listed document without its points.
        services.record.delete(document_id)
        services.store.delete_document(document_id)
    return Deleted(deleted=document_id)
