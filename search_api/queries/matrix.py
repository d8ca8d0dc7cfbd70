"""The assignment matrix ("Bảng phân công nhiệm vụ"): one row per task, with who leads, coordinates, directs.

A row is a task segment, a table row that assigns, or an item of "Tổ chức thực hiện" that assigns (the
seed's IV.1 and IV.2 are tasks of their own: "Giao Ban cán sự đảng ... chủ trì ... tham mưu"); headings,
goals and assignment lines are not rows. A task's agencies come from the assignment lines that govern it
(`segment.governs`) and from its own text; the directive chain is `trace_segment`'s, top-down per branch.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from ingest.model import Assignment, Segment, VanbanError
from nlp.agencies import AgencyRegistry
from nlp.timeframes import RECURRENCE_LABELS
from search_api.queries.trace import NotFoundError, trace_segment
from search_api.store import Record

COLUMNS = (
    ("stt", "STT", 6),
    ("task", "Nhiệm vụ", 60),
    ("lead", "Cơ quan chủ trì", 28),
    ("coordinate", "Cơ quan phối hợp", 28),
    ("direct", "Cơ quan chỉ đạo", 28),
    ("implement", "Cơ quan thực hiện", 28),
    ("timing", "Thời hạn / tần suất", 18),
    ("due", "Hạn hoàn thành", 14),
    ("recurrence", "Lặp lại", 14),
    ("source", "Nguồn (văn bản, mục)", 22),
    ("chain", "Chuỗi văn bản chỉ đạo", 34),
)
ROW_KINDS = ("task", "table_row", "organization")
_TIMING_FRAMES = ("deadline", "frequency", "immediate", "date")


@dataclass
class MatrixRow:
    stt: int
    task: str
    lead: list[str] = field(default_factory=list)
    coordinate: list[str] = field(default_factory=list)
    direct: list[str] = field(default_factory=list)
    implement: list[str] = field(default_factory=list)
    timing: list[str] = field(default_factory=list)
    due: str | None = None  # ISO date the task must be done by: the last end of its deadlines
    recurrence: list[str] = field(default_factory=list)  # how often it recurs, as the table reads it
    document_id: str = ""
    document_number: str | None = None
    path: str = ""
    segment_id: str = ""
    chain: list[list[str]] = field(default_factory=list)

    @property
    def source(self) -> str:
        return f"{self.document_number or self.document_id} {self.path}"

    def cells(self) -> list[Any]:
        return [
            self.stt,
            self.task,
            "\n".join(self.lead),
            "\n".join(self.coordinate),
            "\n".join(self.direct),
            "\n".join(self.implement),
            "; ".join(self.timing),
            self.due or "",
            "; ".join(self.recurrence),
            self.source,
            "\n".join(" → ".join(branch) for branch in self.chain),
        ]


def matrix_rows(
    record: Record,
    levels: Collection[str],
    document_id: str | None = None,
    registry: AgencyRegistry | None = None,
) -> list[MatrixRow]:
    """The matrix of one document, or of every document `levels` may read (in id order)."""
    registry = registry or AgencyRegistry.default()
    levels = list(levels)
    visible = dict(record.visible_documents(levels))
    if document_id is not None:
        if document_id not in visible:
            raise NotFoundError(f"no document '{document_id}' is known")
        visible = {document_id: visible[document_id]}
    rows: list[MatrixRow] = []
    for doc_id, number in visible.items():
        segments = record.segments(doc_id)
        governing: dict[str, list[Segment]] = {}
        for segment in segments:
            for task_id in segment.governs:
                governing.setdefault(task_id, []).append(segment)
        for segment in segments:
            if not _is_row(segment):
                continue
            lines = [*governing.get(segment.id, []), segment]
            assignments = [a for line in lines for a in line.assignments]
            chain = trace_segment(record, segment.id, levels)["paths"]
            rows.append(
                MatrixRow(
                    stt=len(rows) + 1,
                    task=segment.text,
                    lead=_agencies(assignments, "lead", registry),
                    coordinate=_agencies(assignments, "coordinate", registry),
                    direct=_agencies(assignments, "direct", registry),
                    # Bodies a plan asks ("Đề nghị X ...") carry the task out too; the matrix says so.
                    implement=_agencies(assignments, "implement", registry)
                    + [f"{name} (đề nghị)" for name in _agencies(assignments, "request", registry)],
                    timing=_timing(lines, assignments),
                    due=max((a.deadline_end for a in assignments if a.deadline_end), default=None),
                    recurrence=list(
                        dict.fromkeys(RECURRENCE_LABELS[a.recurrence] for a in assignments if a.recurrence)
                    ),
                    document_id=doc_id,
                    document_number=number,
                    path=segment.path,
                    segment_id=segment.id,
                    chain=chain,
                )
            )
    return rows


def _is_row(segment: Segment) -> bool:
    if segment.kind == "task":
        return True
    # Table rows and "Tổ chức thực hiện" items are tasks when they give someone something to do.
    return segment.kind in ("table_row", "organization") and bool(segment.assignments)


def _agencies(assignments: list[Assignment], role: str, registry: AgencyRegistry) -> list[str]:
    names: dict[str, str] = {}
    for assignment in assignments:
        if assignment.role == role:
            agency = registry.get(assignment.agency)
            names.setdefault(assignment.agency, agency.name if agency else assignment.mention)
    return list(names.values())


def _timing(lines: list[Segment], assignments: list[Assignment]) -> list[str]:
    found = [a.deadline for a in assignments if a.deadline] + [
        a.frequency for a in assignments if a.frequency
    ]
    if not found:
        found = [frame.text for line in lines for frame in line.time_frames if frame.kind in _TIMING_FRAMES]
    return list(dict.fromkeys(found))


# -- writers ---------------------------------------------------------------------------------------


def write_matrix_xlsx(
    rows: list[MatrixRow], path: str | Path, title: str = "BẢNG PHÂN CÔNG NHIỆM VỤ"
) -> Path:
    """An XLSX officials can print: a title row, a bold shaded header, wrapped cells, frozen header."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Phân công nhiệm vụ"
    sheet.cell(row=1, column=1, value=title).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, (_, header, width) in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=2, column=column, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = border
        sheet.column_dimensions[get_column_letter(column)].width = width
    due_column = [key for key, _, _ in COLUMNS].index("due") + 1
    for offset, row in enumerate(rows):
        for column, value in enumerate(row.cells(), 1):
            if column == due_column and value:
                value = _as_date(value)  # a real date: the sheet sorts and filters by it
            cell = sheet.cell(row=3 + offset, column=column, value=value)
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
            if column == due_column:
                cell.number_format = "DD/MM/YYYY"
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    target = Path(path)
    try:
        workbook.save(target)
    except OSError as exc:
        raise VanbanError(f"cannot write {target}: {exc.strerror or exc}") from None
    return target


def _as_date(iso: str) -> date | str:
    try:
        return date.fromisoformat(iso)
    except ValueError:  # not a day of the calendar: the text stays as it was
        return iso


def write_matrix_csv(rows: list[MatrixRow], path_or_stream: str | Path | IO[str]) -> None:
    """UTF-8 with a byte-order mark, so Excel opens the Vietnamese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for _, header, _ in COLUMNS])
    for row in rows:
        writer.writerow(row.cells())
    text = "\ufeff" + buffer.getvalue()
    if isinstance(path_or_stream, (str, Path)):
        try:
            Path(path_or_stream).write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise VanbanError(f"cannot write {path_or_stream}: {exc.strerror or exc}") from None
    else:
        path_or_stream.write(text)
