"""The assignment matrix: one row per task of the seed with its agencies, written to XLSX and CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from graph_helpers import ALL, PROGRAM_60, SEED_ID, open_store
from inputs import SEED
from openpyxl import load_workbook

from search_api.cli.main import main
from search_api.queries.matrix import COLUMNS, MatrixRow, matrix_rows, write_matrix_csv, write_matrix_xlsx
from search_api.queries.trace import NotFoundError
from search_api.store import Record

# The seed's tasks: 1 + 4 + 8 + 2 under III, and the two items of IV that assign (IV.1, IV.2).
SEED_ROWS = (
    ["III.1.1"]
    + [f"III.2.{n}" for n in range(1, 5)]
    + [f"III.3.{n}" for n in range(1, 9)]
    + ["III.4.1", "III.4.2", "IV.1", "IV.2"]
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return open_store(tmp_path_factory.mktemp("matrix"), SEED, PROGRAM_60)


@pytest.fixture(scope="module")
def seed_rows(store: Record) -> list[MatrixRow]:
    return matrix_rows(store, ALL, SEED_ID)


def test_one_row_per_task_with_its_agencies(seed_rows: list[MatrixRow]) -> None:
    assert [row.path for row in seed_rows] == SEED_ROWS
    by_path = {row.path: row for row in seed_rows}
    first = by_path["III.1.1"]
    assert first.lead == ["Ban Tuyên giáo Tỉnh ủy"]
    assert first.coordinate == ["Ban cán sự đảng Ủy ban nhân dân tỉnh"]
    assert "Ban Thường vụ Tỉnh đoàn" in first.direct
    assert by_path["III.3.2"].direct[0] == "Ban cán sự đảng Ủy ban nhân dân tỉnh"
    assert by_path["III.3.2"].chain == [
        ["29-NQ/TW", "60-CTr/TU"],
        ["23-NQ/TW", "50-CTr/TU"],
        ["13-NQ/TW", "72-KL/TW"],
    ]
    assert by_path["IV.2"].lead == ["Ban cán sự đảng Ủy ban nhân dân tỉnh"]
    assert by_path["IV.1"].implement and not by_path["IV.1"].lead
    assert all(row.chain[-1] == ["13-NQ/TW", "72-KL/TW"] for row in seed_rows)


def test_xlsx_layout_and_cells(seed_rows: list[MatrixRow], tmp_path: Path) -> None:
    path = write_matrix_xlsx(seed_rows, tmp_path / "matrix.xlsx")
    sheet = load_workbook(path).active
    assert sheet.cell(1, 1).value == "BẢNG PHÂN CÔNG NHIỆM VỤ"
    headers = [sheet.cell(2, c).value for c in range(1, len(COLUMNS) + 1)]
    assert headers[:5] == ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Cơ quan chỉ đạo"]
    assert sheet.cell(2, 1).font.bold and sheet.cell(2, 1).fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.freeze_panes == "A3"
    assert sheet.column_dimensions["B"].width == 60
    assert sheet.max_row == 2 + len(SEED_ROWS)
    assert (sheet.cell(3, 1).value, sheet.cell(3, 3).value) == (1, "Ban Tuyên giáo Tỉnh ủy")
    assert sheet.cell(3, 2).value.startswith("Thường xuyên tuyên truyền")
    assert sheet.cell(3, 2).alignment.wrap_text
    column = {key: n for n, (key, _, _) in enumerate(COLUMNS, 1)}
    assert sheet.cell(3, column["source"]).value == f"{SEED_ID} III.1.1"
    assert sheet.cell(3, column["recurrence"]).value == "thường xuyên"
    row_332 = 3 + SEED_ROWS.index("III.3.2")
    assert sheet.cell(row_332, column["chain"]).value.splitlines() == [
        "29-NQ/TW → 60-CTr/TU",
        "23-NQ/TW → 50-CTr/TU",
        "13-NQ/TW → 72-KL/TW",
    ]


def test_csv_has_a_bom_and_the_same_rows(seed_rows: list[MatrixRow], tmp_path: Path) -> None:
    path = tmp_path / "matrix.csv"
    write_matrix_csv(seed_rows, path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "STT" and len(rows) == 1 + len(SEED_ROWS)
    assert rows[1][2] == "Ban Tuyên giáo Tỉnh ủy"


def test_whole_store_and_unknown_document(store: Record) -> None:
    rows = matrix_rows(store, ALL)
    program = [row for row in rows if row.document_id == "60-ctr-tu"]
    assert program and [r.stt for r in rows] == list(range(1, len(rows) + 1))
    assert all(row.document_number == "60-CTr/TU" for row in program)
    assert matrix_rows(store, ("internal",)) == []
    with pytest.raises(NotFoundError):
        matrix_rows(store, ALL, "nope")


def test_cli_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(tmp_path / "home", SEED).close()
    monkeypatch.setenv("VANBAN_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert main(["export", "matrix", "--document", SEED_ID, "--format", "xlsx"]) == 0
    written = tmp_path / f"bang-phan-cong-{SEED_ID}.xlsx"
    assert str(written.name) in capsys.readouterr().out
    assert load_workbook(written).active.max_row == 2 + len(SEED_ROWS)
    assert main(["export", "matrix", "--format", "csv", "-o", str(tmp_path / "all.csv")]) == 0 and (
        tmp_path / "all.csv"
    ).read_bytes().startswith(b"\xef\xbb\xbf")


_DATED_PLAN = """ỦY BAN NHÂN DÂN TỈNH KON TUM

Số: 77/KH-UBND

KẾ HOẠCH

Triển khai chuyển đổi số năm 2026

II. NHIỆM VỤ

| STT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |
| --- | --- | --- | --- | --- |
| 1 | Xây dựng kho dữ liệu dùng chung của tỉnh | Sở Khoa học và Công nghệ | Sở Tài chính | Quý IV/2026 |
| 2 | Rà soát, cập nhật danh mục dịch vụ công trực tuyến | Văn phòng UBND tỉnh | Các sở, ban, ngành | Hằng năm |
"""


def test_deadlines_are_dates_the_sheet_can_sort(tmp_path: Path) -> None:
    source = tmp_path / "ke-hoach-77.md"
    source.write_text(_DATED_PLAN, encoding="utf-8")
    record = open_store(tmp_path / "home", source)
    rows = [row for row in matrix_rows(record, ALL) if row.path.startswith("Bảng") or "Bảng" in row.path]
    assert [(row.due, row.recurrence) for row in rows] == [("2026-12-31", []), (None, ["hằng năm"])]
    sheet = load_workbook(write_matrix_xlsx(rows, tmp_path / "m.xlsx")).active
    due = [key for key, _, _ in COLUMNS].index("due") + 1
    assert sheet.cell(3, due).value.date().isoformat() == "2026-12-31"
    assert sheet.cell(3, due).number_format == "DD/MM/YYYY"
    assert sheet.cell(4, due).value is None


def test_a_due_date_that_is_no_day_stays_text(tmp_path: Path) -> None:
    row = MatrixRow(stt=1, task="Rà soát", due="2025-06-31")
    sheet = load_workbook(write_matrix_xlsx([row], tmp_path / "m.xlsx")).active
    due = [key for key, _, _ in COLUMNS].index("due") + 1
    assert sheet.cell(3, due).value == "2025-06-31"
