"""The system of record: documents and segments in SQLite under `$VANBAN_HOME`.

Everything else (the search index, the citation graph) is derived from these tables and can
be rebuilt from them. Writes of one document happen in one transaction, so a failure while
storing a file leaves the previous version of that document intact.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from ingest.model import Citation, Document, Segment, VanbanError
from search_api.catalog import ensure_catalog_schema, remove_from_catalog, update_catalog

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    number TEXT,
    type TEXT,
    issuer TEXT,
    date TEXT,
    place TEXT,
    title TEXT,
    implements TEXT NOT NULL,
    source_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source_format TEXT NOT NULL,
    page_count INTEGER,
    encoding TEXT,
    access_level TEXT NOT NULL DEFAULT 'public',
    warnings TEXT NOT NULL,
    citations TEXT NOT NULL,
    body TEXT NOT NULL,
    ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX IF NOT EXISTS documents_number ON documents(number);
CREATE TABLE IF NOT EXISTS segments (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS segments_document ON segments(document_id, ordinal);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    document_id TEXT NOT NULL
);
"""


class StoreError(VanbanError):
    pass


F = TypeVar("F", bound=Callable[..., Any])


def _locked(method: F) -> F:
    """One connection, shared by the web server's threads: one statement sequence at a time."""

    @functools.wraps(method)
    def wrapper(self: Record, *args: Any, **kwargs: Any) -> Any:
        with self.lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Record:
    """SQLite-backed store of parsed documents. Use as a context manager or call `close()`."""

    def __init__(self, home: str | Path) -> None:
        self.home = Path(home)
        self.lock = threading.RLock()
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self.path = self.home / "vanban.sqlite3"
            self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store in {self.home}: {exc}") from None
        self.conn.row_factory = sqlite3.Row
        self._symbols_cache: tuple[tuple[int, int], list[str]] | None = None
        self._migrate()

    def _migrate(self) -> None:
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the store in {self.home} was written by a newer vanban (schema {version}); upgrade vanban"
                )
            with self.conn:
                self.conn.executescript(_SCHEMA)
                ensure_catalog_schema(self.conn)
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"the store {self.path} is damaged or not a vanban store: {exc}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Record:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------

    @_locked
    def unchanged(self, source_path: str, sha256: str) -> str | None:
        """The id of the stored document read from this exact content, if any."""
        row = self.conn.execute(
            "SELECT document_id FROM sources WHERE path = ? AND sha256 = ?", (source_path, sha256)
        ).fetchone()
        if row and self.conn.execute("SELECT 1 FROM documents WHERE id = ?", (row[0],)).fetchone():
            return str(row[0])
        row = self.conn.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return str(row[0]) if row else None

    @_locked
    def save(self, document: Document) -> str:
        """Store a document, replacing its previous version in one transaction.

        Returns "added", "replaced" or "unchanged".
        """
        existing = self.conn.execute("SELECT sha256 FROM documents WHERE id = ?", (document.id,)).fetchone()
        if existing and existing[0] == document.sha256:
            with self.conn:
                self._remember_source(document)
            return "unchanged"
        with self.conn:
            self.conn.execute("DELETE FROM documents WHERE id = ?", (document.id,))
            self.conn.execute(
                "INSERT INTO documents (id, number, type, issuer, date, place, title, implements, source_path,"
                " sha256, source_format, page_count, encoding, access_level, warnings, citations, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    document.id,
                    document.number,
                    document.type,
                    document.issuer,
                    document.date,
                    document.place,
                    document.title,
                    json.dumps(document.implements, ensure_ascii=False),
                    document.source_path,
                    document.sha256,
                    document.source_format,
                    document.page_count,
                    document.encoding,
                    document.access_level,
                    json.dumps(document.warnings, ensure_ascii=False),
                    json.dumps([asdict(c) for c in document.citations], ensure_ascii=False),
                    document.body,
                ),
            )
            self.conn.executemany(
                "INSERT INTO segments (id, document_id, ordinal, path, kind, text, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        s.id,
                        document.id,
                        ordinal,
                        s.path,
                        s.kind,
                        s.text,
                        json.dumps(s.to_dict(), ensure_ascii=False),
                    )
                    for ordinal, s in enumerate(document.segments)
                ],
            )
            self._remember_source(document)
            update_catalog(self.conn, document)  # the catalog changes with the document, atomically
        return "replaced" if existing else "added"

    def _remember_source(self, document: Document) -> None:
        self.conn.execute(
            "INSERT INTO sources (path, sha256, document_id) VALUES (?, ?, ?)"
            " ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256, document_id = excluded.document_id",
            (document.source_path, document.sha256, document.id),
        )

    @_locked
    def delete(self, document_id: str) -> bool:
        with self.conn:
            deleted = self.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,)).rowcount
            self.conn.execute("DELETE FROM sources WHERE document_id = ?", (document_id,))
            remove_from_catalog(self.conn, document_id)
        return bool(deleted)

    # -- reading -----------------------------------------------------------------------------

    @_locked
    def document_ids(self) -> list[str]:
        return [row[0] for row in self.conn.execute("SELECT id FROM documents ORDER BY id")]

    def documents(self) -> Iterator[Document]:
        for document_id in self.document_ids():
            document = self.document(document_id)
            if document is not None:
                yield document

    @_locked
    def document(self, document_id: str, with_segments: bool = True) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            return None
        document = _document_from_row(row)
        if with_segments:
            document.segments = self.segments(document_id)
        return document

    @_locked
    def segments(self, document_id: str) -> list[Segment]:
        rows = self.conn.execute(
            "SELECT data FROM segments WHERE document_id = ? ORDER BY ordinal", (document_id,)
        ).fetchall()
        return [segment_from_dict(json.loads(row[0])) for row in rows]

    @_locked
    def segment(self, segment_id: str) -> Segment | None:
        row = self.conn.execute("SELECT data FROM segments WHERE id = ?", (segment_id,)).fetchone()
        return segment_from_dict(json.loads(row[0])) if row else None

    @_locked
    def version(self) -> tuple[int, int]:
        """Changes when anything is written, by this connection or another: a key for derived caches."""
        return self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0]

    @_locked
    def segment_texts(self) -> list[str]:
        return [text for (text,) in self.conn.execute("SELECT text FROM segments")]

    @_locked
    def known_symbols(self) -> list[str]:
        """Every symbol the store knows: of stored documents and of the directives they cite."""
        version = self.version()
        if self._symbols_cache is not None and self._symbols_cache[0] == version:
            return self._symbols_cache[1]
        symbols: set[str] = set()
        for number, citations in self.conn.execute("SELECT number, citations FROM documents"):
            if number:
                symbols.add(number)
            symbols.update(c["number"] for c in json.loads(citations) if not c.get("named"))
        result = sorted(symbols)
        self._symbols_cache = (version, result)
        return result

    @_locked
    def list_documents(self, levels: tuple[str, ...] | list[str]) -> list[dict[str, Any]]:
        """Metadata of the documents a caller with these access levels may see, newest first."""
        marks = ",".join("?" * len(levels))
        rows = self.conn.execute(
            "SELECT d.id, d.number, d.type, d.issuer, d.date, d.place, d.title, d.implements, d.source_format,"
            " d.access_level, d.ingested_at, (SELECT count(*) FROM segments s WHERE s.document_id = d.id)"
            f" AS segment_count FROM documents d WHERE d.access_level IN ({marks})"
            " ORDER BY d.date DESC, d.id",
            tuple(levels),
        ).fetchall()
        return [dict(row) | {"implements": json.loads(row["implements"])} for row in rows]

    @_locked
    def counts(self) -> dict[str, int]:
        with closing(self.conn.cursor()) as cursor:
            documents = cursor.execute("SELECT count(*) FROM documents").fetchone()[0]
            segments = cursor.execute("SELECT count(*) FROM segments").fetchone()[0]
        return {"documents": documents, "segments": segments}


def _document_from_row(row: sqlite3.Row) -> Document:
    return Document(
        id=row["id"],
        type=row["type"],
        number=row["number"],
        issuer=row["issuer"],
        date=row["date"],
        place=row["place"],
        title=row["title"],
        implements=json.loads(row["implements"]),
        source_path=row["source_path"],
        sha256=row["sha256"],
        source_format=row["source_format"],
        page_count=row["page_count"],
        body=row["body"],
        encoding=row["encoding"],
        access_level=row["access_level"],
        warnings=json.loads(row["warnings"]),
        citations=[Citation(**_tuple_span(c)) for c in json.loads(row["citations"])],
    )


def _tuple_span(data: dict[str, Any]) -> dict[str, Any]:
    if data.get("span") is not None:
        data["span"] = tuple(data["span"])
    return data


def segment_from_dict(data: dict[str, Any]) -> Segment:
    from ingest.model import Assignment, Target, TimeFrame

    data = dict(data)
    data["citations"] = [Citation(**_tuple_span(c)) for c in data.get("citations", [])]
    data["assignments"] = [Assignment(**a) for a in data.get("assignments", [])]
    data["targets"] = [Target(**t) for t in data.get("targets", [])]
    data["time_frames"] = [TimeFrame(**t) for t in data.get("time_frames", [])]
    return Segment(**data)
