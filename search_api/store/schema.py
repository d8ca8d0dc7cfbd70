"""The store's tables: documents and segments (the system of record) and the directive catalog
derived from them. Created or upgraded once, when a store is opened."""

from __future__ import annotations

import sqlite3

SCHEMA_VERSION = 2  # 2: documents.indexed_points

DOCUMENTS_SCHEMA = """
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
    -- Points written to the search index for this version; NULL until all of them are written, so a
    -- process killed between storing and indexing leaves a document that ingest and reindex finish.
    indexed_points INTEGER,
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

CATALOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS catalog_facts (
    key TEXT NOT NULL,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    document_id TEXT NOT NULL,
    segment_id TEXT,
    path TEXT,
    type TEXT,
    date TEXT,
    issuer TEXT,
    title TEXT
);
CREATE INDEX IF NOT EXISTS catalog_facts_key ON catalog_facts(key);
CREATE INDEX IF NOT EXISTS catalog_facts_document ON catalog_facts(document_id);
CREATE TABLE IF NOT EXISTS catalog_edges (
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    relation TEXT NOT NULL,
    scope TEXT NOT NULL,
    document_id TEXT NOT NULL,
    segment_id TEXT,
    path TEXT
);
CREATE INDEX IF NOT EXISTS catalog_edges_source ON catalog_edges(source, relation);
CREATE INDEX IF NOT EXISTS catalog_edges_target ON catalog_edges(target, relation);
CREATE INDEX IF NOT EXISTS catalog_edges_document ON catalog_edges(document_id);
"""


def create(conn: sqlite3.Connection) -> None:
    """Create what is missing, in the caller's transaction."""
    conn.executescript(DOCUMENTS_SCHEMA)
    conn.executescript(CATALOG_SCHEMA)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(documents)")}
    if "indexed_points" not in columns:  # a store of schema 1: its documents count as not indexed
        conn.execute("ALTER TABLE documents ADD COLUMN indexed_points INTEGER")
