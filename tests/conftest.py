"""Shared fixtures: the seed, the real documents in ../shared/realdocs, a fresh store, the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from inputs import REALDOCS, REALDOCS_ABSENT, SEED, realdocs_absent


@pytest.fixture
def seed_path() -> Path:
    return SEED


@pytest.fixture
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture
def realdocs() -> Path:
    if not REALDOCS.is_dir():
        pytest.skip(realdocs_absent("../shared/realdocs"))
    return REALDOCS


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    store = tmp_path / "home"
    monkeypatch.setenv("VANBAN_HOME", str(store))
    return store


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    import search_api.cli.main as cli_module

    def run(*args: str) -> CliResult:
        code = cli_module.main([str(a) for a in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def ingest_with_cli(home: Path, *paths: Path | str, access: str | None = None) -> Path:
    """Ingest files into `home` through `vanban ingest`, as an office would; the store for a test."""
    from search_api.cli.main import main

    arguments = ["ingest", "-q", *(["--access", access] if access else []), *map(str, paths)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VANBAN_HOME", str(home))
        assert main(arguments) == 0
    return home


def non_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_lossless(document: object) -> None:
    """Every non-whitespace character of the body lies in exactly one segment, in order."""
    body: str = document.body  # type: ignore[attr-defined]
    segments = document.segments  # type: ignore[attr-defined]
    covered = [0] * len(body)
    for segment in segments:
        assert segment.text == body[segment.start : segment.end], segment.id
        for i in range(segment.start, segment.end):
            covered[i] += 1
    for i, char in enumerate(body):
        if not char.isspace():
            assert covered[i] == 1, (
                f"character {i} {body[max(0, i - 20) : i + 20]!r} covered {covered[i]} times"
            )
    ids = [s.id for s in segments]
    assert len(ids) == len(set(ids)), "segment ids must be unique"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many tests of the real corpus did not run, so a green run without it is not mistaken
    for one with it."""
    skipped = terminalreporter.stats.get("skipped", [])
    absent = [report for report in skipped if REALDOCS_ABSENT in str(report.longrepr)]
    if absent:
        terminalreporter.write_line(
            f"{len(absent)} tests of the real corpus skipped: {REALDOCS} is not here "
            "(they run where ../shared/realdocs sits beside the checkout)",
            yellow=True,
        )
    else:
        terminalreporter.write_line(f"no test of the real corpus was skipped ({REALDOCS})")
