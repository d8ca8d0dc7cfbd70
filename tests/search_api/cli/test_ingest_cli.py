"""`vanban ingest` and `vanban parse` from the command line: storing, skipping, replacing, bad input."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from inputs import SEED


def stored(home: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(home / "vanban.sqlite3") as conn:
        return conn.execute("SELECT id, text FROM segments ORDER BY id").fetchall()


def test_parse_json_has_document_segments_citations(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("parse", SEED, "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert set(data) == {"document", "segments", "citations"}
    assert data["document"]["type"] == "Kế hoạch"
    assert data["document"]["date"] == "2024-06-16"
    first_task = next(s for s in data["segments"] if s["kind"] == "task")
    assert {"id", "document_id", "path", "kind", "text", "start", "end", "pages"} <= set(first_task)


def test_parse_without_json_prints_an_outline(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("parse", SEED)
    assert result.code == 0
    assert "Kế hoạch" in result.out and "III.3.2" in result.out


def test_ingest_then_reingest_unchanged_does_nothing(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    first = cli("ingest", "--json", SEED.parent)
    assert first.code == 0, first.err
    assert [o["status"] for o in json.loads(first.out)] == ["added"]
    before = stored(home)
    assert len(before) == 34
    again = cli("ingest", "--json", SEED.parent)
    assert [o["status"] for o in json.loads(again.out)] == ["unchanged"]
    assert stored(home) == before


def test_changed_file_replaces_its_segments(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    copy = tmp_path / "plan.txt"
    shutil.copy(SEED, copy)
    assert cli("ingest", "-q", copy).code == 0
    copy.write_text(SEED.read_text(encoding="utf-8").replace("phò biển", "phổ biến"), encoding="utf-8")
    result = cli("ingest", "--json", copy)
    assert [o["status"] for o in json.loads(result.out)] == ["replaced"]
    texts = " ".join(text for _, text in stored(home))
    assert "phò biển" not in texts and "phổ biến, quán triệt, cụ thể hóa" in texts
    assert len(stored(home)) == 34


BAD_INPUTS = {
    "empty.txt": (b"", "file is empty"),
    "blank.txt": (b"  \n\n \t\n", "file is empty"),
    "garbage.txt": (random.Random(7).randbytes(4096), "binary"),
    "broken.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer garbage", "PDF"),
    "broken.docx": (b"PK\x03\x04" + random.Random(3).randbytes(300), "Word"),
    "picture.png": (b"\x89PNG\r\n\x1a\n" + bytes(64), "the image is damaged"),
    "photo.jpg": (b"%PDF-1.4 not an image", "damaged PDF"),  # what the bytes are, not the name, decides
    "scan.tif": (b"plain text named .tif", "not a TIF image"),
    "old.doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ".docx"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_file_gives_one_clear_line(cli, home: Path, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    data, expected = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("parse", path)
    assert result.code == 1
    assert "Traceback" not in result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert name in lines[0] and expected in lines[0], lines[0]


def test_batch_goes_on_reports_failures_and_keeps_what_was_stored(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", "-q", SEED).code == 0
    before = stored(home)
    batch = tmp_path / "batch"
    batch.mkdir()
    for name, (data, _) in BAD_INPUTS.items():
        if name.endswith((".txt", ".pdf", ".docx")):
            (batch / name).write_bytes(data)
    shutil.copy(SEED, batch / "zz-good.txt")
    result = cli("ingest", "--json", batch, tmp_path / "missing-folder")
    assert result.code == 1
    outcomes = {Path(o["path"]).name: o for o in json.loads(result.out)}
    assert outcomes["zz-good.txt"]["status"] == "unchanged"  # same content as the stored seed
    assert outcomes["missing-folder"]["message"] == "no such file or folder"
    failed = [name for name, o in outcomes.items() if o["status"] == "failed"]
    assert sorted(failed) == sorted(
        ["broken.docx", "broken.pdf", "empty.txt", "blank.txt", "garbage.txt", "missing-folder"]
    )
    assert "Traceback" not in result.err
    assert all(name in result.err for name in failed)
    assert stored(home) == before


def test_file_over_the_size_limit(cli, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VANBAN_MAX_FILE_MB", "0.01")
    result = cli("ingest", SEED)
    assert result.code == 1
    assert "over the 0 MB limit" in result.err or "MB limit" in result.err
    assert "VANBAN_MAX_FILE_MB" in result.err
    monkeypatch.setenv("VANBAN_MAX_FILE_MB", "lots")
    result = cli("ingest", SEED)
    assert result.code == 1 and "VANBAN_MAX_FILE_MB must be a number" in result.err


def test_damaged_store_is_reported_not_overwritten(cli, home: Path) -> None:  # type: ignore[no-untyped-def]
    home.mkdir(parents=True)
    (home / "vanban.sqlite3").write_bytes(b"this is not a database" * 100)
    result = cli("ingest", SEED)
    assert result.code == 1
    assert "damaged or not a vanban store" in result.err
    assert (home / "vanban.sqlite3").read_bytes() == b"this is not a database" * 100


def test_a_failed_file_says_why_in_words_and_as_a_kind(tmp_path: Path) -> None:
    from search_api.intake import FAILURES, store_file
    from search_api.store import Record

    record = Record(tmp_path / "home")
    (tmp_path / "bang.xyz").write_bytes(b"ke hoach")
    (tmp_path / "trong.txt").write_bytes(b"")
    (tmp_path / "lon.txt").write_bytes(b"x" * 2048)
    cases = {
        "bang.xyz": "unsupported",
        "trong.txt": "invalid",
        "lon.txt": "too_large",
        "khong-co.txt": "unreadable",
    }
    for name, kind in cases.items():
        outcome = store_file(record, tmp_path / name, 1024)
        assert (outcome.status, outcome.failure) == ("failed", kind), (name, outcome)
        assert outcome.message and kind in FAILURES
    stored = store_file(record, SEED, 10 * 1024 * 1024)
    assert stored.status == "added" and stored.failure is None
    record.close()
