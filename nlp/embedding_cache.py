"""An SQLite cache in front of an `Embedder`, so re-embedding unchanged text costs nothing.

Entries are keyed by (embedder name, "query" | "passage", sha256 of the text) and hold the
float32 vector bytes. Only the texts it has not seen go to the model, in one batch.

Each thread gets its own connection (SQLite connections must not be shared between threads
mid-statement); WAL lets readers and a writer work at once. A file that is not a database or
is damaged is deleted and rebuilt with a logged warning: a cache can always be recomputed.
Any other trouble (disk full, read-only, locked too long, no folder) is logged and the vectors
are computed without the cache, so embedding never fails because of the cache.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Literal, TypeVar

import numpy as np

from nlp.embeddings import Embedder

log = logging.getLogger(__name__)

Kind = Literal["query", "passage"]
T = TypeVar("T")

SCHEMA = """
CREATE TABLE IF NOT EXISTS embeddings (
    embedder TEXT NOT NULL,
    kind TEXT NOT NULL,
    text_sha256 BLOB NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (embedder, kind, text_sha256)
) WITHOUT ROWID
"""
LOOKUP_CHUNK = 500  # keeps the IN (...) list under SQLite's bound-parameter limit
CORRUPTION_CODES = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}


def default_cache_path(home: Path) -> Path:
    return home / "embeddings.sqlite3"


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def chunked(items: Sequence[bytes], size: int) -> Iterator[Sequence[bytes]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def is_corruption(exc: sqlite3.DatabaseError) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    if name:
        return any(name.startswith(code) for code in CORRUPTION_CODES)
    message = str(exc).lower()
    return "malformed" in message or "not a database" in message


class CachedEmbedder:
    """Wraps `inner`; same name and dimension, so callers cannot tell the two apart."""

    def __init__(self, inner: Embedder, path: Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.path = Path(path)
        self._local = threading.local()
        self._lock = threading.Lock()  # guards the connection list and rebuilds
        self._connections: list[sqlite3.Connection] = []
        # Bumped on rebuild so that every thread drops its connection to the deleted file.
        self._generation = 0
        self._checked(self._verify)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "passage")

    def close(self) -> None:
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
            self._generation += 1

    def _embed(self, texts: Sequence[str], kind: Kind) -> np.ndarray:
        keys = [text_key(text) for text in texts]
        found = self._checked(lambda: self._lookup(kind, sorted(set(keys)))) or {}
        missing: dict[bytes, str] = {}
        for key, text in zip(keys, texts, strict=True):
            if key not in found and key not in missing:
                missing[key] = text
        if missing:
            compute = self.inner.embed_queries if kind == "query" else self.inner.embed_passages
            vectors = compute(list(missing.values()))
            fresh = dict(zip(missing, vectors, strict=True))
            self._checked(lambda: self._store(kind, fresh.items()))
            found.update(fresh)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for row, key in enumerate(keys):
            out[row] = found[key]
        return out

    def _lookup(self, kind: Kind, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        connection = self._connection()
        found: dict[bytes, np.ndarray] = {}
        for chunk in chunked(keys, LOOKUP_CHUNK):
            rows = connection.execute(
                "SELECT text_sha256, vector FROM embeddings WHERE embedder = ? AND kind = ? "
                f"AND text_sha256 IN ({','.join('?' * len(chunk))})",
                (self.name, kind, *chunk),
            )
            for key, blob in rows:
                if len(blob) == self.dim * 4:  # a stray row of another size is recomputed
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _store(self, kind: Kind, entries: Iterable[tuple[bytes, np.ndarray]]) -> None:
        connection = self._connection()
        with connection:
            connection.executemany(
                "INSERT OR REPLACE INTO embeddings (embedder, kind, text_sha256, vector) VALUES (?, ?, ?, ?)",
                [
                    (self.name, kind, key, np.asarray(vector, dtype=np.float32).tobytes())
                    for key, vector in entries
                ],
            )

    def _verify(self) -> None:
        # Touch the schema and a page of data: a non-database file fails here, not mid-ingest.
        self._connection().execute("SELECT count(*) FROM (SELECT 1 FROM embeddings LIMIT 1)").fetchone()

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "generation", None) != self._generation or local.connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
            with self._lock:
                self._connections.append(connection)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")  # a lost last write only costs a recompute
            connection.execute(SCHEMA)
            local.connection, local.generation = connection, self._generation
        connection_for_thread: sqlite3.Connection = local.connection
        return connection_for_thread

    def _checked(self, action: Callable[[], T]) -> T | None:
        """Run a database action; rebuild a damaged file and retry once; else log and give None."""
        for attempt in (1, 2):
            try:
                return action()
            except (sqlite3.Error, OSError) as exc:  # OSError: the folder cannot be created
                if attempt == 1 and isinstance(exc, sqlite3.DatabaseError) and is_corruption(exc):
                    self._rebuild(exc)
                    continue
                if attempt == 1 and isinstance(exc, sqlite3.ProgrammingError):
                    continue  # another thread's rebuild closed our connection; the retry opens a new one
                log.warning("embedding cache %s unusable, computing without it: %s", self.path, exc)
                return None
        return None

    def _rebuild(self, cause: sqlite3.DatabaseError) -> None:
        log.warning(
            "embedding cache %s is damaged (%s): deleting it and starting an empty one", self.path, cause
        )
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
            self._generation += 1
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
