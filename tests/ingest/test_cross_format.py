"""The same directive read from .txt, .pdf, .docx and legacy encodings gives the same outline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from inputs import SEED

from ingest.encodings import encode_legacy
from ingest.model import Document
from ingest.pipeline import parse_file
from tests.conftest import assert_lossless
from tests.docgen_docx import make_seed_docx
from tests.docgen_pdf import make_broken_pdfs, make_seed_pdf


def outline(document: Document) -> list[tuple[str, str, str]]:
    """Kinds, paths and texts up to whitespace, for everything after the header block."""
    return [(s.kind, s.path, re.sub(r"\s+", " ", s.text)) for s in document.segments if s.path != "0"]


@pytest.fixture(scope="module")
def seed_txt() -> Document:
    return parse_file(SEED)


@pytest.fixture(scope="module")
def formats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    seed = SEED.read_text(encoding="utf-8")
    return {
        "pdf": make_seed_pdf(seed, folder / "ke-hoach.pdf"),
        "docx": make_seed_docx(seed, folder / "ke-hoach.docx"),
        "docx-tcvn3": make_seed_docx(seed, folder / "ke-hoach-vntime.docx", legacy="tcvn3"),
    }


@pytest.mark.parametrize("form", ["pdf", "docx", "docx-tcvn3"])
def test_same_segments_as_the_text(seed_txt: Document, formats: dict[str, Path], form: str) -> None:
    document = parse_file(formats[form])
    assert_lossless(document)
    got, expected = outline(document), outline(seed_txt)
    if form == "docx-tcvn3":  # TCVN3 has no toned capitals: "Ủy" may come back "ủy" (documented)
        got = [(k, p, t.lower()) for k, p, t in got]
        expected = [(k, p, t.lower()) for k, p, t in expected]
    assert got == expected
    assert (document.type, document.date, document.implements) == ("Kế hoạch", "2024-06-16", ["72-KL/TW"])


def test_pdf_header_gives_place_and_issuer(formats: dict[str, Path]) -> None:
    document = parse_file(formats["pdf"])
    assert document.place == "Kon Tum"
    assert document.page_count and document.page_count >= 3
    assert document.source_format == "pdf"
    task = next(s for s in document.segments if s.path == "III.1.1")
    assert len(task.pages) >= 1


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258", "utf-16"])
def test_legacy_encoded_text_gives_the_same_segments(
    seed_txt: Document, tmp_path: Path, encoding: str
) -> None:
    seed = SEED.read_text(encoding="utf-8")
    path = tmp_path / f"ke-hoach-{encoding}.txt"
    path.write_bytes(seed.encode("utf-16") if encoding == "utf-16" else encode_legacy(seed, encoding))
    document = parse_file(path)
    assert document.encoding == encoding
    got, expected = outline(document), outline(seed_txt)
    if encoding == "tcvn3":
        got = [(k, p, t.lower()) for k, p, t in got]
        expected = [(k, p, t.lower()) for k, p, t in expected]
    assert got == expected


BROKEN_PDF_MESSAGES = {
    "truncated": "damaged PDF",
    "encrypted": "encrypted PDF",
    "image_only": "no text found in the file",  # shapes only: no text layer, no image to recognise
}


@pytest.mark.parametrize("kind", sorted(BROKEN_PDF_MESSAGES))
def test_broken_pdfs_fail_clearly_and_keep_the_store(cli, home: Path, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("ingest", "-q", SEED).code == 0
    broken = make_broken_pdfs(tmp_path)[kind]
    result = cli("ingest", "--json", broken)
    assert result.code == 1
    assert "Traceback" not in result.err
    error_lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(error_lines) == 1 and broken.name in error_lines[0]
    assert BROKEN_PDF_MESSAGES[kind] in error_lines[0]
    listing = cli("ingest", "--json", SEED)
    assert '"unchanged"' in listing.out


def facts(document: Document) -> list[tuple[str, object]]:
    """Every extracted fact by segment path, in a comparable form."""
    from nlp.analyze import analyze

    analyze(document)
    rows: list[tuple[str, object]] = []
    for segment in document.segments:
        if segment.path == "0":
            continue
        rows += [(segment.path, (a.role, a.agency, a.frequency)) for a in segment.assignments]
        rows += [
            (segment.path, (c.number, c.relation, c.date, tuple(c.implements))) for c in segment.citations
        ]
        rows += [(segment.path, (t.comparator, t.value, t.unit, t.year)) for t in segment.targets]
    return rows


@pytest.mark.parametrize("form", ["pdf", "docx"])
def test_same_facts_from_pdf_and_docx(seed_txt: Document, formats: dict[str, Path], form: str) -> None:
    expected = facts(parse_file(SEED))
    assert len(expected) > 50
    assert facts(parse_file(formats[form])) == expected
