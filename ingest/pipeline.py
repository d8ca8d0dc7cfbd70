"""The ingest pipeline: read → normalize → segment → metadata, giving a `Document`."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.metadata import extract_metadata
from ingest.model import Document, RawDocument
from ingest.normalize import fold_diacritics, normalize_blocks
from ingest.readers import DEFAULT_MAX_BYTES, read_bytes, read_file
from ingest.segment import segment_blocks


def document_id_for(symbol: str | None, source_path: str) -> str:
    """A stable id: the symbol when the document has one, else the file name, as an ASCII slug.

    The same directive read from .txt, .pdf or .docx gets the same id, so ingesting
    another format of it replaces it instead of storing it twice.
    """
    base = symbol or Path(source_path).stem
    slug = re.sub(r"[^a-z0-9]+", "-", fold_diacritics(base).lower()).strip("-")
    return slug or "document"


def build_document(raw: RawDocument) -> Document:
    blocks = normalize_blocks(raw.blocks)
    # Metadata needs the segments and the id needs the symbol: segment once with a provisional id.
    provisional = document_id_for(None, raw.source_path)
    body, segments = segment_blocks(blocks, provisional)
    meta = extract_metadata(segments, body)
    doc_id = document_id_for(meta.number, raw.source_path)
    if doc_id != provisional:
        for segment in segments:
            segment.document_id = doc_id
            segment.id = doc_id + segment.id[len(provisional) :]
            segment.governs = [doc_id + g[len(provisional) :] for g in segment.governs]
    return Document(
        id=doc_id,
        type=meta.type,
        number=meta.number,
        issuer=meta.issuer,
        date=meta.date,
        place=meta.place,
        title=meta.title,
        implements=meta.implements,
        source_path=raw.source_path,
        sha256=raw.sha256,
        source_format=raw.source_format,
        page_count=raw.page_count,
        body=body,
        encoding=raw.encoding,
        access_level="confidential" if meta.classified else "public",
        warnings=list(raw.warnings),
        segments=segments,
    )


def parse_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    return build_document(read_file(path, max_bytes))


def parse_bytes(data: bytes, source_path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    return build_document(read_bytes(data, source_path, max_bytes))
