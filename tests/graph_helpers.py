"""Stores for the graph tests: real ingests of the seed and the genre documents, catalog updated."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from inputs import GENRE

from ingest.model import Citation, Document, Segment
from search_api.intake import store_file
from search_api.store import Record
from search_api.store.catalog import update_catalog

PROGRAM_60 = GENRE / "chuong-trinh-60-ctr-tu.md"
DISTRICT_PLAN = GENRE / "ke-hoach-huyen-uy-ngoc-hoi.txt"
SEED_ID = "ke-hoach-thuc-hien-ket-luan-72-kl-tw"
ALL = ("public", "internal", "confidential")


def open_store(home: Path, *paths: Path) -> Record:
    record = Record(home)
    for path in paths:
        ingest(record, path)
    return record


def ingest(record: Record, path: Path, access_level: str | None = None) -> str:
    outcome = store_file(record, path, 50 * 1024 * 1024)
    assert outcome.status in ("added", "replaced"), outcome
    document = record.document(outcome.document_id or "")
    assert document is not None
    if access_level is not None:
        document.access_level = access_level
        document.sha256 += "-" + access_level  # a new version, so `save` replaces it
        record.save(document)
    update_catalog(record.conn, document)
    return document.id


def synthetic(record: Record, number: str, cites: list[tuple[str, str]], access_level: str = "public") -> str:
    """A one-segment document `number` citing each (symbol, relation) of `cites`, stored and cataloged."""
    document_id = number.lower().replace("/", "-")
    text = "Thực hiện " + ", ".join(symbol for symbol, _ in cites)
    segment = Segment(
        id=f"{document_id}:1",
        document_id=document_id,
        path="1",
        kind="task",
        text=text,
        start=0,
        end=len(text),
        citations=[Citation(number=symbol, relation=relation) for symbol, relation in cites],
    )
    document = Document(
        id=document_id,
        type="Kế hoạch",
        number=number,
        issuer="Ban Thường vụ Tỉnh ủy",
        date="2024-01-01",
        place=None,
        title=f"Văn bản thử {number}",
        implements=[s for s, relation in cites if relation == "implements"],
        source_path=f"/synthetic/{document_id}",
        sha256=document_id,
        source_format="txt",
        page_count=None,
        body=text,
        access_level=access_level,
        segments=[replace(segment)],
    )
    record.save(document)
    update_catalog(record.conn, document)
    return document_id
