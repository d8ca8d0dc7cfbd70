"""The command line under hostile file names and bad settings (issue 12): what it prints from outside
is escaped, and `vanban serve` refuses a bad configuration in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "evil\u202etxt.exe" shows as "evilexe.txt"
HOSTILE = {
    "bidi": f"ke-hoach{RLO}txt.exe.txt",
    "escape": "ke-hoach\x1b[2J\x1b[31m.txt",
    "markup": "[bold]ke-hoach.txt",  # a "/" cannot be in a name, so no closing tag
}


def test_printable_escapes_controls_and_bidi_and_keeps_vietnamese() -> None:
    from search_api.cli.console import literal, printable

    assert printable(f"a{RLO}b") == "a\\u202eb"
    assert printable("\u2066x\u2069") == "\\u2066x\\u2069"
    assert printable("đỏ\x1b[31m") == "đỏ\\x1b[31m"
    assert printable("line\nbreak") == "line\\x0abreak"
    assert printable("line\nbreak", keep_newlines=True) == "line\nbreak"
    assert printable("Kế hoạch số 45-KH/HU ngày 16/6") == "Kế hoạch số 45-KH/HU ngày 16/6"
    assert printable("ả" * 100, limit=10) == "ả" * 9 + "…"
    assert literal("[bold]x[/]") == "\\[bold]x\\[/]"


def hostile_files(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = [folder / name for name in HOSTILE.values()]
    for path in paths:
        path.write_bytes(b"")  # empty: each fails, so each is in the summary and in an error line
    return paths


def test_ingest_prints_hostile_names_escaped(cli, home: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile_files(tmp_path / "in")
    result = cli("ingest", tmp_path / "in")  # a folder of several files: progress bar, table, errors
    assert result.code == 1
    assert "Traceback" not in result.err
    for text in (result.out, result.err):
        assert RLO not in text and "\x1b" not in text
    assert "ke-hoach\\u202etxt.exe.txt" in result.err and "ke-hoach\\x1b[2J\\x1b[31m.txt" in result.err
    assert "[bold]ke-hoach.txt" in result.out  # shown as written, not made bold
    assert "ke-hoach\\u202etxt.exe.txt" in result.out
    errors = [line for line in result.err.splitlines() if line.startswith("vanban: error:")]
    assert len(errors) == len(HOSTILE)


def test_parse_error_escapes_the_file_name(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / HOSTILE["bidi"]
    path.write_bytes(b"")
    result = cli("parse", path)
    assert result.code == 1
    lines = result.err.splitlines()
    assert len(lines) == 1 and RLO not in lines[0] and "\\u202e" in lines[0]


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """uvicorn.run replaced: a test must never start serving."""
    import uvicorn

    started: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: started.append(app))
    return started


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("VANBAN_API_KEYS", "short=internal", "VANBAN_API_KEYS: key 1 is 5 characters long"),
        ("VANBAN_API_KEYS", "long-enough-key=secret", "unknown access level 'secret'"),
        ("VANBAN_MAX_UPLOADS", "none", "VANBAN_MAX_UPLOADS must be a whole number"),
        ("VANBAN_MAX_FILE_MB", "lots", "VANBAN_MAX_FILE_MB must be a number"),
        ("VANBAN_READER_MEMORY_MB", "-5", "VANBAN_READER_MEMORY_MB must be a positive number of megabytes"),
        ("VANBAN_OCR_ENGINE", "paddle", "VANBAN_OCR_ENGINE must be one of tesseract, trueocr"),
    ],
)
def test_serve_with_a_bad_setting_says_so_in_one_line(  # type: ignore[no-untyped-def]
    cli,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_server: list[object],
    variable: str,
    value: str,
    words: str,
) -> None:
    monkeypatch.setenv(variable, value)
    result = cli("serve", "--port", "0")
    assert result.code == 2 and not no_server
    lines = result.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("vanban: error:") and words in lines[0], result.err
    assert "Traceback" not in result.err
    if variable == "VANBAN_API_KEYS":
        assert value.split("=")[0] not in lines[0]  # never the key itself


def test_serve_with_good_settings_starts(
    cli, home: Path, monkeypatch: pytest.MonkeyPatch, no_server: list[object]
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VANBAN_API_KEYS", "long-enough-key=internal")
    result = cli("serve", "--port", "0")
    assert result.code == 0 and len(no_server) == 1


def test_serve_on_an_index_another_process_holds_says_so_in_one_line(  # type: ignore[no-untyped-def]
    cli, home: Path, no_server: list[object]
) -> None:
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from search_api.index import open_store; from pathlib import Path;"
            " open_store(Path(sys.argv[1])).ensure_collection(4, 'x'); print('held', flush=True); time.sleep(120)",
            str(home),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = cli("serve", "--port", "0")
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert result.code == 2 and not no_server
    lines = result.err.splitlines()
    assert len(lines) == 1 and "in use by another process" in lines[0], result.err
