"""The system of record: documents and segments in SQLite under `$VANBAN_HOME`.

Everything else (the search index, the citation graph) is derived from these tables and can
be rebuilt from them. Writes of one document happen in one transaction, so a failure while
storing a file leaves the previous version of that document intact.

This package is the only code that speaks SQL. Writes go through one connection, one at a time;
reads go through a connection of the reading thread's own (SQLite's write-ahead log lets readers run
beside the writer), so the web server's threads do not queue behind each other. Every read of what
callers may see takes their access levels and applies `visibility.visible`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sqlite3
import threading
import weakref
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

from ingest.model import Citation, Document, Segment, VanbanError
from ingest.pipeline import MOVED_ASIDE, renamed
from search_api.store import schema
from search_api.store.catalog import fill_if_empty, remove_from_catalog, update_catalog
from search_api.store.visibility import visible


class StoreError(VanbanError):
    pass


F = TypeVar("F", bound=Callable[..., Any])
STORE_FILE = "vanban.sqlite3"


def _writing(method: F) -> F:
    """Writes share one connection: one statement sequence at a time. The version after it is kept
    for readers that ask while the next write holds the connection."""

    @functools.wraps(method)
    def wrapper(self: Record, *args: Any, **kwargs: Any) -> Any:
        with self._write_lock:
            try:
                return method(self, *args, **kwargs)
            finally:
                with contextlib.suppress(sqlite3.Error):  # never in place of the write's own error
                    self._last_version = self._version_now()

    return wrapper  # type: ignore[return-value]


class Record:
    """SQLite-backed store of parsed documents. Use as a context manager or call `close()`."""

    def __init__(self, home: str | Path) -> None:
        self.home = Path(home)
        self._write_lock = threading.RLock()
        self._local = threading.local()
        # Each reading thread's connection, with the thread: when a thread has ended (a web server
        # replaces idle workers) its connection is closed the next time another thread opens one.
        self._readers: list[tuple[weakref.ref[threading.Thread], sqlite3.Connection]] = []
        self._readers_lock = threading.Lock()  # not the write lock: opening a reader never waits for a write
        try:
            self.home.mkdir(parents=True, exist_ok=True)
            self.path = self.home / STORE_FILE
            self.conn = self._connect()  # the writer
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the store in {self.home}: {exc}") from None
        self._symbols_cache: tuple[tuple[tuple[int, int], tuple[str, ...] | None], list[str]] | None = None
        self._last_version = (-1, -1)
        self._migrate()

    @classmethod
    def symbols_in(cls, home: str | Path, levels: Collection[str]) -> list[str]:
        """The symbols stored under `home` that `levels` may see, or none when no store is there (nothing
        is created)."""
        if not (Path(home) / STORE_FILE).is_file():
            return []
        with cls(home) as record:
            return record.known_symbols(levels)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn

    def _migrate(self) -> None:
        """Create or upgrade the tables, once, when the store is opened."""
        try:
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > schema.SCHEMA_VERSION:
                raise StoreError(
                    f"the store in {self.home} was written by a newer vanban (schema {version}); upgrade vanban"
                )
            with self.conn:
                schema.create(self.conn)
                self.conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
            fill_if_empty(self.conn, self.documents)  # a store written before the catalog existed
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"the store {self.path} is damaged or not a vanban store: {exc}") from None

    def reader(self) -> sqlite3.Connection:
        """This thread's connection for reading (opened on its first read)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = self._connect()
                conn.execute("PRAGMA query_only = ON")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot read the store {self.path}: {exc}") from None
            self._local.conn = conn
            with self._readers_lock:
                live = []
                for thread, other in self._readers:
                    owner = thread()
                    if owner is not None and owner.is_alive():
                        live.append((thread, other))
                    else:
                        other.close()
                live.append((weakref.ref(threading.current_thread()), conn))
                self._readers = live
        return conn

    def close(self) -> None:
        with self._readers_lock:
            for _, conn in self._readers:
                conn.close()
            self._readers.clear()
        with self._write_lock:
            self.conn.close()

    def __enter__(self) -> Record:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing -----------------------------------------------------------------------------

    @_writing
    def unchanged(self, source_path: str, sha256: str, acceptable: Callable[[str], bool]) -> str | None:
        """The id of a stored document read from this exact content that `acceptable(id)` allows (the
        caller may replace it), if any: first the one this source path gave, then any other."""
        rows = self.conn.execute(
            "SELECT document_id FROM sources WHERE path = ? AND sha256 = ?"
            " AND document_id IN (SELECT id FROM documents)",
            (source_path, sha256),
        ).fetchall()
        rows += self.conn.execute(
            "SELECT id FROM documents WHERE sha256 = ? ORDER BY id", (sha256,)
        ).fetchall()
        return next((str(row[0]) for row in rows if acceptable(str(row[0]))), None)

    @_writing
    def save(self, document: Document, force: bool = False) -> str:
        """Store a document, replacing its previous version in one transaction. The same content at
        the same level is kept as it is, unless `force` (its facts were read again).

        Returns "added", "replaced" or "unchanged".
        """
        existing = self.conn.execute(
            "SELECT sha256, access_level FROM documents WHERE id = ?", (document.id,)
        ).fetchone()
        if existing and tuple(existing) == (document.sha256, document.access_level) and not force:
            with self.conn:
                self._remember_source(document)
            return "unchanged"
        with self.conn:
            self.conn.execute("DELETE FROM documents WHERE id = ?", (document.id,))
            self._insert(document)
        return "replaced" if existing else "added"

    def _insert(self, document: Document) -> None:
        """The document's rows, inside the caller's transaction."""
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

    @_writing
    def move_aside(self, document_id: str) -> str:
        """Move a document to a free id of its level ("46-kh-hu--confidential"), in one transaction, and
        return that id. A writer who may not see it stores a document with the same id: the hidden one
        steps aside, so that the writer's answer is the same whether it exists or not, and nothing is
        lost. The moved document is left unindexed: its points go with its old id."""
        document = self.document(document_id)
        if document is None:
            raise StoreError(f"no document {document_id} to move")
        stem = f"{document_id}{MOVED_ASIDE}{document.access_level}"
        taken = {row[0] for row in self._read("SELECT id FROM documents WHERE id LIKE ?", (stem + "%",))}
        new_id = next(
            candidate
            for candidate in (stem, *(f"{stem}-{n}" for n in range(2, len(taken) + 3)))
            if candidate not in taken
        )
        renamed(document, new_id)
        with self.conn:
            self.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
            remove_from_catalog(self.conn, document_id)
            self._insert(document)
            self.conn.execute(
                "UPDATE sources SET document_id = ? WHERE document_id = ?", (new_id, document_id)
            )
        return new_id

    @_writing
    def mark_indexed(self, document_id: str, sha256: str, access_level: str, points: int) -> None:
        """All points of this version of the document, at this level, are in the index (a newer version
        or a changed level stays unmarked)."""
        with self.conn:
            self.conn.execute(
                "UPDATE documents SET indexed_points = ? WHERE id = ? AND sha256 = ? AND access_level = ?",
                (points, document_id, sha256, access_level),
            )

    @_writing
    def mark_unindexed(self, document_id: str) -> None:
        """Before a document's points are removed or replaced outside a new version (a level change)."""
        with self.conn:
            self.conn.execute("UPDATE documents SET indexed_points = NULL WHERE id = ?", (document_id,))

    @_writing
    def mark_all_unindexed(self) -> None:
        """Before the index is rebuilt from nothing: until a document's points are written again, it is not."""
        with self.conn:
            self.conn.execute("UPDATE documents SET indexed_points = NULL")

    def _remember_source(self, document: Document) -> None:
        self.conn.execute(
            "INSERT INTO sources (path, sha256, document_id) VALUES (?, ?, ?)"
            " ON CONFLICT(path) DO UPDATE SET sha256 = excluded.sha256, document_id = excluded.document_id",
            (document.source_path, document.sha256, document.id),
        )

    @_writing
    def delete(self, document_id: str) -> bool:
        with self.conn:
            deleted = self.conn.execute("DELETE FROM documents WHERE id = ?", (document_id,)).rowcount
            self.conn.execute("DELETE FROM sources WHERE document_id = ?", (document_id,))
            remove_from_catalog(self.conn, document_id)
        return bool(deleted)

    # -- reading: the owner's view ------------------------------------------------------------
    # Ingest, reindex and the CLI run for whoever owns the store and see every document.

    def _read(self, sql: str, params: Collection[Any] = ()) -> list[sqlite3.Row]:
        try:
            return self.reader().execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot read the store {self.path}: {exc}") from None

    def document_ids(self) -> list[str]:
        return [row[0] for row in self._read("SELECT id FROM documents ORDER BY id")]

    def documents(self) -> Iterator[Document]:
        for document_id in self.document_ids():
            document = self.document(document_id)
            if document is not None:
                yield document

    def document(self, document_id: str, with_segments: bool = True) -> Document | None:
        rows = self._read("SELECT * FROM documents WHERE id = ?", (document_id,))
        if not rows:
            return None
        document = _document_from_row(rows[0])
        if with_segments:
            document.segments = self.segments(document_id)
        return document

    def segments(self, document_id: str) -> list[Segment]:
        rows = self._read("SELECT data FROM segments WHERE document_id = ? ORDER BY ordinal", (document_id,))
        return [segment_from_dict(json.loads(row[0])) for row in rows]

    def segment(self, segment_id: str) -> Segment | None:
        rows = self._read("SELECT data FROM segments WHERE id = ?", (segment_id,))
        return segment_from_dict(json.loads(rows[0][0])) if rows else None

    def unindexed(self, levels: Collection[str] | None = None) -> list[str]:
        """Ids of the stored documents whose points are not all in the index (an ingest that was killed),
        of every document or of those `levels` may read."""
        condition, params = visible(levels) if levels is not None else ("1", ())
        sql = f"SELECT id FROM documents WHERE indexed_points IS NULL AND {condition} ORDER BY id"
        return [row[0] for row in self._read(sql, params)]

    def indexed_points(self) -> int:
        """How many points the index should hold for the documents marked indexed."""
        return int(self._read("SELECT coalesce(sum(indexed_points), 0) FROM documents")[0][0])

    def access_level(self, document_id: str) -> str | None:
        """The stored document's access level (the owner's view: ingest decides on levels)."""
        rows = self._read("SELECT access_level FROM documents WHERE id = ?", (document_id,))
        return str(rows[0][0]) if rows else None

    def is_indexed(self, document_id: str) -> bool:
        rows = self._read("SELECT indexed_points IS NOT NULL FROM documents WHERE id = ?", (document_id,))
        return bool(rows) and bool(rows[0][0])

    def version(self) -> tuple[int, int]:
        """Changes when anything is written, by this connection or another: a key for derived caches.

        Asked of the writer's connection (its change counter, and SQLite's data version for other
        processes' writes). While a write holds that connection, the version after the last write is
        the answer without waiting: readers see the state before an unfinished write anyway, and a
        search must not wait for an upload's transaction."""
        if not self._write_lock.acquire(blocking=False):
            return self._last_version
        try:
            self._last_version = self._version_now()
            return self._last_version
        finally:
            self._write_lock.release()

    def _version_now(self) -> tuple[int, int]:
        return self.conn.total_changes, self.conn.execute("PRAGMA data_version").fetchone()[0]

    def known_symbols(self, levels: Collection[str] | None = None) -> list[str]:
        """Every symbol the store knows: of stored documents and of the directives they cite; with
        `levels`, only what documents at those levels show (an informal reference in a public plan must
        not resolve to a confidential directive)."""
        key = (self.version(), tuple(levels) if levels is not None else None)
        cached = self._symbols_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        condition, params = visible(levels) if levels is not None else ("1", ())
        symbols: set[str] = set()
        for number, citations in self._read(
            f"SELECT number, citations FROM documents WHERE {condition}", params
        ):
            if number:
                symbols.add(number)
            symbols.update(c["number"] for c in json.loads(citations) if _written_out(c))
        result = sorted(symbols)
        self._symbols_cache = (key, result)
        return result

    def counts(self, levels: Collection[str] | None = None) -> dict[str, int]:
        """Documents and segments, of every document or of those `levels` may read."""
        condition, params = visible(levels, "d.access_level") if levels is not None else ("1", ())
        documents = self._read(f"SELECT count(*) FROM documents d WHERE {condition}", params)[0][0]
        segments = self._read(
            f"SELECT count(*) FROM segments s JOIN documents d ON d.id = s.document_id WHERE {condition}",
            params,
        )[0][0]
        return {"documents": documents, "segments": segments}

    # -- reading: what a caller at `levels` may see ------------------------------------------

    def list_documents(self, levels: Collection[str]) -> list[dict[str, Any]]:
        """Metadata of the documents a caller with these access levels may see, newest first."""
        condition, params = visible(levels, "d.access_level")
        rows = self._read(
            "SELECT d.id, d.number, d.type, d.issuer, d.date, d.place, d.title, d.implements, d.source_format,"
            " d.access_level, d.ingested_at, (SELECT count(*) FROM segments s WHERE s.document_id = d.id)"
            f" AS segment_count FROM documents d WHERE {condition} ORDER BY d.date DESC, d.id",
            params,
        )
        return [dict(row) | {"implements": json.loads(row["implements"])} for row in rows]

    def visible_documents(self, levels: Collection[str]) -> list[tuple[str, str | None]]:
        """(id, symbol) of the documents `levels` may read, in id order."""
        condition, params = visible(levels)
        return [
            (row[0], row[1])
            for row in self._read(f"SELECT id, number FROM documents WHERE {condition} ORDER BY id", params)
        ]

    def visible_document(self, document_id: str, levels: Collection[str]) -> Document | None:
        """The document, when it exists and `levels` may read it; None alike for hidden and missing."""
        condition, params = visible(levels)
        rows = self._read(f"SELECT * FROM documents WHERE id = ? AND {condition}", (document_id, *params))
        if not rows:
            return None
        document = _document_from_row(rows[0])
        document.segments = self.segments(document_id)
        return document

    def document_stamp(self, document_id: str, levels: Collection[str] | None) -> tuple[str, str, int] | None:
        """The version of the document (as `document_versions` gives it) when `levels` may read it (any,
        for None: the owner's view): one short row, for caches of whole documents to check theirs."""
        condition, params = visible(levels) if levels is not None else ("1", ())
        rows = self._read(
            f"SELECT sha256, access_level, rowid FROM documents WHERE id = ? AND {condition}",
            (document_id, *params),
        )
        return (str(rows[0][0]), str(rows[0][1]), int(rows[0][2])) if rows else None

    def hides(self, document_id: str, levels: Collection[str]) -> bool:
        """Whether a document with this id exists that `levels` may not read (nor replace)."""
        condition, params = visible(levels)
        rows = self._read(f"SELECT {condition} FROM documents WHERE id = ?", (*params, document_id))
        return bool(rows) and not rows[0][0]

    def documents_numbered(self, symbol: str, levels: Collection[str]) -> list[str]:
        """Ids of the visible documents whose symbol is exactly `symbol`."""
        condition, params = visible(levels)
        return [
            row[0]
            for row in self._read(
                f"SELECT id FROM documents WHERE number = ? AND {condition}", (symbol, *params)
            )
        ]

    def document_versions(self) -> dict[str, tuple[str, str, int]]:
        """Every document's id and version (the owner's view): content hash, access level, and the row
        (a document saved again, its references read again at the same hash and level, gets a new
        row), what derived caches compare to learn only what changed."""
        rows = self._read("SELECT id, sha256, access_level, rowid FROM documents")
        return {row[0]: (row[1], row[2], int(row[3])) for row in rows}

    def texts_of(self, document_id: str) -> list[str]:
        """The text of each of a document's segments (the owner's view)."""
        return [
            row[0] for row in self._read("SELECT text FROM segments WHERE document_id = ?", (document_id,))
        ]

    def segment_texts(self, levels: Collection[str] | None = None) -> list[str]:
        """The text of every segment `levels` may read (of every document with no levels: the
        owner's view, for the vocabulary of the diacritics restorer)."""
        condition, params = visible(levels, "d.access_level") if levels is not None else ("1", ())
        rows = self._read(
            f"SELECT s.text FROM segments s JOIN documents d ON d.id = s.document_id WHERE {condition}",
            params,
        )
        return [row[0] for row in rows]

    def visible_segment_document(self, segment_id: str, levels: Collection[str]) -> str | None:
        """The id of the document holding `segment_id`, when `levels` may read it."""
        condition, params = visible(levels, "d.access_level")
        rows = self._read(
            f"SELECT s.document_id FROM segments s JOIN documents d ON d.id = s.document_id WHERE s.id = ? AND {condition}",
            (segment_id, *params),
        )
        return rows[0][0] if rows else None

    def segments_containing(
        self, fragment: str, levels: Collection[str]
    ) -> list[tuple[Segment, str, str | None]]:
        """(segment, document id, document symbol) of the visible segments whose stored facts hold
        `fragment` verbatim (a cheap prefilter before the caller parses them), in document order."""
        condition, params = visible(levels, "d.access_level")
        rows = self._read(
            "SELECT s.data, d.id, d.number FROM segments s JOIN documents d ON d.id = s.document_id"
            f" WHERE instr(s.data, ?) > 0 AND {condition} ORDER BY d.id, s.ordinal",
            (fragment, *params),
        )
        return [(segment_from_dict(json.loads(row[0])), row[1], row[2]) for row in rows]

    def segment_summaries(self, ids: Collection[str], levels: Collection[str]) -> dict[str, tuple[str, str]]:
        """{id: (path, text)} of those of `ids` that `levels` may read."""
        ids = list(ids)
        if not ids:
            return {}
        condition, params = visible(levels, "d.access_level")
        rows = self._read(
            "SELECT s.id, s.path, s.text FROM segments s JOIN documents d ON d.id = s.document_id"
            f" WHERE s.id IN ({','.join('?' for _ in ids)}) AND {condition}",
            (*ids, *params),
        )
        return {row[0]: (row[1], row[2]) for row in rows}


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


def _written_out(citation: dict[str, Any]) -> bool:
    """A citation whose text carries its symbol ("Kết luận số 72-KL/TW"): what a document shows. An informal
    reference resolved from the store ("Kết luận số 72") must not make its symbol known to other levels."""
    if citation.get("named") or not citation.get("resolved", True):
        return False
    suffix = re.sub(r"^\d+\s*[-/]\s*", "", str(citation["number"])).replace(" ", "").upper()
    return suffix in str(citation.get("mention", "")).replace(" ", "").upper()


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
    data["time_frames"] = [TimeFrame(**_tuple_span(t)) for t in data.get("time_frames", [])]
    return Segment(**data)
