"""Bounded work per file: hostile files are refused with `TooLarge` naming the limit and its setting.

The files are built here (`tests/ingest/hostile_builders.py`): a 4 GiB zip bomb is a 4 MB file
written in a fraction of a second. Nothing here asserts a time; the bombs are parsed in a child
process whose own peak memory is checked.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from ingest.limits import Budget, Limits
from ingest.model import Block, ReadError, TooLarge, VanbanError
from ingest.pipeline import build_document, parse_bytes, parse_file
from ingest.readers import read_bytes, read_file
from ingest.readers.docx import read_docx
from search_api import config
from tests.docgen_docx import SEED_PATH, make_seed_docx
from tests.ingest.hostile_builders import (
    GIB,
    docx_parts,
    docx_with_body,
    mark_encrypted,
    node_bomb_docx,
    paragraph_bomb_docx,
    pdf_bomb,
    repack,
    zip_bomb_docx,
)

ROOT = Path(__file__).resolve().parents[2]
ONE_GB = 1024**3


def refused(path: Path, limits: Limits | None = None) -> str:
    with pytest.raises(TooLarge) as caught:
        read_file(path, limits=limits)
    return str(caught.value)


# --- Word packages: the ZIP directory, then a capped streaming read --------------------------------


def test_zip_bomb_is_refused_from_the_zip_directory(tmp_path: Path) -> None:
    bomb = zip_bomb_docx(tmp_path / "bomb.docx", unpacked=4 * GIB)
    assert bomb.stat().st_size < 8 * 1024 * 1024
    message = refused(bomb)
    assert re.fullmatch(
        r"the Word file unpacks to 4,09\d MB, over the 64 MB limit \(set VANBAN_MAX_UNPACKED_MB to raise it\)",
        message,
    ), message


def test_a_directory_that_understates_a_part_is_caught_by_the_ratio_guard(tmp_path: Path) -> None:
    liar = zip_bomb_docx(tmp_path / "liar.docx", unpacked=4 * GIB, declared=2000)
    assert refused(liar) == (
        "the Word file's part word/document.xml expands 943-fold when unpacked, over the 500-fold limit "
        "(set VANBAN_MAX_ZIP_RATIO to raise it)"
    )


def test_a_directory_that_understates_a_part_is_caught_by_the_unpacked_size(tmp_path: Path) -> None:
    liar = zip_bomb_docx(tmp_path / "liar.docx", unpacked=4 * GIB, declared=2000)
    assert refused(liar, Limits(zip_ratio=10_000)) == (
        "the Word file unpacks to more than the 64 MB allowed, though its ZIP directory says 2,000 bytes "
        "(set VANBAN_MAX_UNPACKED_MB to raise it)"
    )


def test_a_highly_compressed_part_within_the_size_limit_is_refused(tmp_path: Path) -> None:
    small_bomb = zip_bomb_docx(tmp_path / "small-bomb.docx", unpacked=32 * 1024 * 1024)
    message = refused(small_bomb)
    assert re.fullmatch(
        r"the Word file's part word/document.xml expands [\d,]+-fold when unpacked, over the 500-fold limit "
        r"\(set VANBAN_MAX_ZIP_RATIO to raise it\)",
        message,
    ), message


def test_too_many_parts(tmp_path: Path) -> None:
    parts = len(docx_parts())
    path = docx_with_body(tmp_path / "parts.docx", "<w:p><w:r><w:t>Nội dung</w:t></w:r></w:p>".encode())
    assert refused(path, Limits(word_parts=parts - 1)) == (
        f"the Word file has {parts} parts, over the {parts - 1} limit (set VANBAN_MAX_WORD_PARTS to raise it)"
    )


def test_too_many_xml_nodes(tmp_path: Path) -> None:
    path = node_bomb_docx(tmp_path / "nodes.docx", nodes=200_000)
    message = refused(path, Limits(xml_nodes=100_000))
    assert re.fullmatch(
        r"the Word file's XML holds about 2\d\d,\d{3} elements, attributes and texts, over the 100,000 limit "
        r"\(set VANBAN_MAX_XML_NODES to raise it\)",
        message,
    ), message


def test_paragraph_bomb_is_refused_before_python_docx_reads_it(tmp_path: Path) -> None:
    bomb = paragraph_bomb_docx(tmp_path / "paragraphs.docx", paragraphs=344_064)
    assert bomb.stat().st_size < 1024 * 1024
    assert refused(bomb) == (
        "the document has more than the 50,000 paragraphs allowed (set VANBAN_MAX_PARAGRAPHS to raise it)"
    )


def test_table_cell_bomb(tmp_path: Path) -> None:
    row = b"<w:tr>" + b"<w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc>" * 10 + b"</w:tr>"
    path = docx_with_body(tmp_path / "cells.docx", b"<w:tbl>" + row * 5_000 + b"</w:tbl>")
    assert refused(path, Limits(table_cells=20_000)) == (
        "the document's tables have more than the 20,000 cells allowed (set VANBAN_MAX_TABLE_CELLS to raise it)"
    )


def test_the_word_reader_counts_too_when_called_on_its_own(tmp_path: Path) -> None:
    # The body walk keeps its own counts, whatever the package check let through.
    path = make_seed_docx(SEED_PATH.read_text(encoding="utf-8"), tmp_path / "seed.docx")
    data = path.read_bytes()
    with pytest.raises(TooLarge, match=re.escape("more than the 10 paragraphs allowed")):
        read_docx(data, str(path), hashlib.sha256(data).hexdigest(), Budget(Limits(paragraphs=10)))
    with pytest.raises(TooLarge, match=re.escape("text has more than the 100 characters allowed")):
        read_docx(data, str(path), hashlib.sha256(data).hexdigest(), Budget(Limits(characters=100)))


def test_parts_packed_with_bzip2_are_unpacked_with_a_cap_and_lzma_is_refused(tmp_path: Path) -> None:
    seed = make_seed_docx(SEED_PATH.read_text(encoding="utf-8"), tmp_path / "seed.docx")
    bzip2 = repack(seed, tmp_path / "bzip2.docx", zipfile.ZIP_BZIP2)
    assert read_file(bzip2).blocks == read_file(seed).blocks
    lzma = repack(seed, tmp_path / "lzma.docx", zipfile.ZIP_LZMA)
    with pytest.raises(ReadError, match="packs its part .* with LZMA, which Word never uses") as caught:
        read_file(lzma)
    assert not isinstance(caught.value, TooLarge)


def test_an_encrypted_part_is_left_to_the_word_reader(tmp_path: Path) -> None:
    path = mark_encrypted(docx_with_body(tmp_path / "encrypted.docx", b"<w:p><w:r><w:t>x</w:t></w:r></w:p>"))
    with pytest.raises(ReadError, match="damaged Word file") as caught:
        read_file(path)
    assert not isinstance(caught.value, TooLarge)


def test_a_normal_word_file_is_read_as_before(tmp_path: Path) -> None:
    path = make_seed_docx(SEED_PATH.read_text(encoding="utf-8"), tmp_path / "seed.docx")
    generous = Limits(seconds=3600, paragraphs=10**9, characters=10**12)
    assert read_file(path).blocks == read_file(path, limits=generous).blocks


# --- PDF pages, text, the time budget ----------------------------------------------------------------


WORDS = [
    "ke",
    "hoach",
    "trien",
    "khai",
    "nhiem",
    "vu",
    "giai",
    "phap",
    "phat",
    "trien",
    "kinh",
    "te",
    "xa",
    "hoi",
    "tinh",
    "huyen",
    "nam",
]


def _pdf(path: Path, pages: int) -> Path:
    """A PDF of `pages` pages, each with lines of its own (lines repeated on every page are dropped)."""
    canvas = Canvas(str(path))
    for number in range(1, pages + 1):
        for line in range(1, 4):
            text = " ".join(WORDS[(number * 5 + line * 3 + k * k) % len(WORDS)] for k in range(10))
            canvas.drawString(72, 720 - 20 * line, text.capitalize() + ".")
        canvas.showPage()
    canvas.save()
    return path


def test_pdf_with_more_pages_than_the_limit(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "pages.pdf", pages=12)
    assert refused(path, Limits(pages=5)) == (
        "the PDF has 12 pages, over the 5 limit (set VANBAN_MAX_PAGES to raise it)"
    )
    assert read_file(path, limits=Limits(pages=12)).page_count == 12


@pytest.mark.parametrize(("armoured", "labelled_image"), [(False, False), (True, False), (False, True)])
def test_pdf_whose_content_unpacks_past_the_limit(
    armoured: bool, labelled_image: bool, tmp_path: Path
) -> None:
    path = pdf_bomb(
        tmp_path / "bomb.pdf", unpacked=80 * 1024 * 1024, armoured=armoured, labelled_image=labelled_image
    )
    assert path.stat().st_size < 200_000
    assert refused(path) == (
        "the PDF's content unpacks to more than the 64 MB allowed (a compression bomb?)"
        " (set VANBAN_MAX_UNPACKED_MB to raise it)"
    )
    # Within the limit the same page is read.
    small = pdf_bomb(tmp_path / "small.pdf", unpacked=2 * 1024 * 1024, armoured=armoured)
    assert parse_file(small).body.startswith("Ke hoach")


def test_images_do_not_count_against_the_pdfs_unpacked_content(tmp_path: Path) -> None:
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    path = tmp_path / "scan-and-text.pdf"
    canvas = Canvas(str(path))
    canvas.drawString(72, 760, "Ke hoach trien khai nhiem vu nam 2025.")
    # A grey page image of 4 MB unpacked (a scan's page is larger), Flate-compressed by reportlab.
    canvas.drawImage(ImageReader(Image.new("L", (2000, 2000), 200)), 72, 72, width=400, height=400)
    canvas.save()
    document = parse_file(path, limits=Limits(unpacked_mb=1))
    assert "Ke hoach trien khai" in document.body


def test_text_over_the_character_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Nội dung văn bản. " * 1_000, encoding="utf-8")
    assert refused(path, Limits(characters=5_000)) == (
        "the document's text has 18,000 characters, over the 5,000 limit (set VANBAN_MAX_CHARACTERS to raise it)"
    )


@pytest.mark.parametrize("suffix", [".txt", ".md"])
def test_text_with_too_many_paragraphs(suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"paragraphs{suffix}"
    path.write_text("Đoạn văn bản.\n\n" * 2_000, encoding="utf-8")
    assert refused(path, Limits(paragraphs=500)) == (
        "the document has more than the 500 paragraphs allowed (set VANBAN_MAX_PARAGRAPHS to raise it)"
    )


def test_markdown_table_cells_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "table.md"
    path.write_text("| a | b |\n|---|---|\n" + "| x | y |\n" * 1_000, encoding="utf-8")
    assert refused(path, Limits(table_cells=100)) == (
        "the document's tables have more than the 100 cells allowed (set VANBAN_MAX_TABLE_CELLS to raise it)"
    )


@pytest.mark.parametrize("kind", ["txt", "docx", "pdf"])
def test_time_budget_exceeded(kind: str, tmp_path: Path) -> None:
    if kind == "txt":
        path = SEED_PATH
    elif kind == "docx":
        path = make_seed_docx(SEED_PATH.read_text(encoding="utf-8"), tmp_path / "seed.docx")
    else:
        path = _pdf(tmp_path / "seed.pdf", pages=2)
    message = refused(path, Limits(seconds=0))
    assert re.fullmatch(
        r"the document was still being read after \d+\.\d s \((reading the text|unpacking the Word file|reading the PDF)\), "
        r"over the 0 s limit \(set VANBAN_MAX_SECONDS to raise it\)",
        message,
    ), message


def test_the_deadline_is_checked_between_pipeline_stages() -> None:
    raw = read_file(SEED_PATH)
    budget = Budget(Limits(seconds=0))
    with pytest.raises(TooLarge, match=re.escape("(before normalizing), over the 0 s limit")):
        build_document(raw, budget)


def test_limits_reach_the_readers_through_the_pipeline() -> None:
    data = SEED_PATH.read_bytes()
    with pytest.raises(TooLarge, match="VANBAN_MAX_CHARACTERS"):
        parse_bytes(data, "seed.txt", limits=Limits(characters=1_000))
    with pytest.raises(TooLarge, match="VANBAN_MAX_PARAGRAPHS"):
        parse_file(SEED_PATH, limits=Limits(paragraphs=5))
    assert parse_bytes(data, "seed.txt").segments


def test_budget_checks_the_exact_figures_of_a_reading() -> None:
    blocks = [Block(text="abc"), Block(text="x | y", cells=["x", "y"]), Block(text="de")]
    Budget(Limits(paragraphs=2, table_cells=2, characters=10)).check_blocks(blocks)
    with pytest.raises(TooLarge, match=re.escape("the document has 3 table cells, over the 2 limit")):
        Budget(Limits(table_cells=2)).check_blocks([*blocks, Block(text="z", cells=["z"])])


# --- real documents sit far inside the defaults ---------------------------------------------------------


def test_real_documents_read_within_a_tenth_of_the_default_limits(realdocs: Path) -> None:
    defaults = Limits()
    tenth = Limits(
        paragraphs=defaults.paragraphs // 10,
        table_cells=defaults.table_cells // 10,
        characters=defaults.characters // 10,
        pages=defaults.pages // 10,
        seconds=defaults.seconds / 10,
    )
    files = sorted(p for p in realdocs.rglob("*") if p.suffix in (".md", ".txt"))
    assert len(files) > 150
    for path in files:
        read_bytes(path.read_bytes(), str(path), limits=tenth)


# --- memory: bombs parsed in a child process ----------------------------------------------------------

CHILD = """
import json, resource, sys
from ingest.model import ReadError
from ingest.pipeline import parse_bytes
path = sys.argv[1]
try:
    parse_bytes(open(path, "rb").read(), path)
    outcome = "parsed"
except ReadError as exc:
    outcome = f"{type(exc).__name__}: {exc}"
print(json.dumps({"outcome": outcome, "max_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def _parse_in_child(path: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


@pytest.mark.parametrize("bomb", ["zip", "lying zip", "paragraphs", "pdf"])
def test_bombs_are_refused_in_bounded_memory(bomb: str, tmp_path: Path) -> None:
    if bomb == "zip":
        path = zip_bomb_docx(tmp_path / "bomb.docx", unpacked=4 * GIB)
    elif bomb == "lying zip":
        path = zip_bomb_docx(tmp_path / "liar.docx", unpacked=4 * GIB, declared=2000)
    elif bomb == "pdf":
        path = pdf_bomb(tmp_path / "bomb.pdf", unpacked=512 * 1024 * 1024)
    else:
        path = paragraph_bomb_docx(tmp_path / "paragraphs.docx", paragraphs=344_064)
    report = _parse_in_child(path)
    assert str(report["outcome"]).startswith("TooLarge: "), report
    assert isinstance(report["max_rss"], int) and report["max_rss"] < ONE_GB, report


# --- settings from the environment ---------------------------------------------------------------------


def test_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VANBAN_MAX_PARAGRAPHS", "1234")
    monkeypatch.setenv("VANBAN_MAX_UNPACKED_MB", "0.5")
    monkeypatch.setenv("VANBAN_MAX_SECONDS", "7.5")
    monkeypatch.setenv("VANBAN_MAX_PAGES", " ")  # set but empty: the default
    limits = config.limits()
    assert limits.paragraphs == 1234 and isinstance(limits.paragraphs, int)
    assert limits.unpacked_bytes == 512 * 1024
    assert limits.seconds == 7.5
    assert limits.pages == Limits().pages
    assert limits.table_cells == Limits().table_cells


def test_no_limit_settings_give_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "VANBAN_MAX_UNPACKED_MB",
        "VANBAN_MAX_WORD_PARTS",
        "VANBAN_MAX_ZIP_RATIO",
        "VANBAN_MAX_XML_NODES",
        "VANBAN_MAX_PARAGRAPHS",
        "VANBAN_MAX_TABLE_CELLS",
        "VANBAN_MAX_PAGES",
        "VANBAN_MAX_CHARACTERS",
        "VANBAN_MAX_SECONDS",
    ):
        monkeypatch.delenv(name, raising=False)
    assert config.limits() == Limits()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "VANBAN_MAX_PARAGRAPHS",
            "abc",
            "VANBAN_MAX_PARAGRAPHS must be a positive whole number of paragraphs, not 'abc'",
        ),
        (
            "VANBAN_MAX_PARAGRAPHS",
            "-1",
            "VANBAN_MAX_PARAGRAPHS must be a positive whole number of paragraphs, not '-1'",
        ),
        (
            "VANBAN_MAX_TABLE_CELLS",
            "2.5",
            "VANBAN_MAX_TABLE_CELLS must be a positive whole number of table cells, not '2.5'",
        ),
        (
            "VANBAN_MAX_UNPACKED_MB",
            "-1",
            "VANBAN_MAX_UNPACKED_MB must be a positive number of megabytes, not '-1'",
        ),
        ("VANBAN_MAX_SECONDS", "abc", "VANBAN_MAX_SECONDS must be a positive number of seconds, not 'abc'"),
        ("VANBAN_MAX_SECONDS", "0", "VANBAN_MAX_SECONDS must be a positive number of seconds, not '0'"),
        ("VANBAN_MAX_PAGES", "inf", "VANBAN_MAX_PAGES must be a positive whole number of pages, not 'inf'"),
    ],
)
def test_a_bad_setting_is_one_clear_error(
    name: str, value: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(VanbanError) as caught:
        config.limits()
    assert str(caught.value) == message
