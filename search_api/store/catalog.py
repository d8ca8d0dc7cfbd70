"""The directive catalog: every directive the store knows, ingested or only cited, and the links between them.

Derived from the stored documents and rebuilt one document at a time: each row carries the document
whose text states it, so replacing a document replaces exactly its facts, and a caller only ever sees
facts stated by documents at a level it may read. Nodes are keyed by symbol ("72-KL/TW" → "72-KL/TW"
uppercased), by name for named references without a symbol ("name:quy hoạch tỉnh kon tum ..."), and by
document id for ingested documents without a symbol ("doc:ke-hoach-..."). A cited directive and its full
text share the symbol key, so ingesting a stub's text turns the stub into that document with its edges.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ingest.model import Citation, Document
from ingest.normalize import match_key
from ingest.symbols import SYMBOL_PATTERN, find_symbols, type_of_symbol
from ingest.vocabulary import ADMINISTRATIVE_LEVELS
from nlp.agencies import AgencyRegistry
from search_api.store.visibility import visible, visible_document_ids

FACT_FIELDS = ("type", "date", "issuer", "title")

# A fact row with segment_id NULL and kind "document" is a document's own metadata: the node *is* it.
# An edge's scope says what it is about: "document" edges are facts about the source directive as a
# whole (what a document implements, what a cited directive implements: these make the chains);
# "segment" edges are what one passage of the source refers to ("Thực hiện tốt Chương trình số 60-CTr/TU"
# in a task: the task implements it, the plan as a whole does not).

# Issuer codes of symbols whose level the code alone settles.
_CODE_LEVELS = {
    "TW": "trung ương",
    "CP": "trung ương",
    "TTG": "trung ương",
    "QH": "trung ương",
    "UBTVQH": "trung ương",
    "BCT": "trung ương",
    "BBT": "trung ương",
    "TU": "tỉnh",
    "TƯ": "trung ương",
    "HU": "huyện",
    "QU": "huyện",
    "ĐU": None,
}
# Words of an issuer or a name that settle its level when the registry does not know the body.
_LEVEL_WORDS = (
    ("trung ương", "trung ương"),
    ("chính phủ", "trung ương"),
    ("quốc hội", "trung ương"),
    ("bộ chính trị", "trung ương"),
    ("tỉnh", "tỉnh"),
    ("thành phố trực thuộc", "tỉnh"),
    ("huyện", "huyện"),
    ("thị xã", "huyện"),
    ("xã", "xã"),
)
_NATIONAL_TYPES = {"Luật", "Hiến pháp", "Bộ luật", "Pháp lệnh"}  # passed by the National Assembly
_TERM = re.compile(r"\s+(?:khóa|khoá|nhiệm kỳ|lần thứ)\b.*$", re.IGNORECASE)


# -- keys ------------------------------------------------------------------------------------------


def symbol_key(symbol: str) -> str:
    return symbol.strip().upper()


def name_key(name: str) -> str:
    return "name:" + " ".join(match_key(name).split())


def document_key(document_id: str) -> str:
    return "doc:" + document_id


def key_of_document(document: Document) -> str:
    return symbol_key(document.number) if document.number else document_key(document.id)


def key_of_citation(citation: Citation) -> str:
    # An unresolved informal reference ("KL 72" that nothing settles) is kept by its words, like a name.
    if citation.named or not citation.resolved or not SYMBOL_PATTERN.fullmatch(citation.number.strip()):
        return name_key(citation.number)
    return symbol_key(citation.number)


def kind_of_key(key: str) -> str:
    return "named" if key.startswith("name:") else "document" if key.startswith("doc:") else "symbol"


# -- writing ---------------------------------------------------------------------------------------


@dataclass
class _Rows:
    facts: list[tuple[Any, ...]] = field(default_factory=list)
    edges: dict[tuple[str, str, str, str, str | None], str | None] = field(default_factory=dict)

    def edge(
        self, source: str, target: str, relation: str, scope: str, segment_id: str | None, path: str | None
    ) -> None:
        if source != target:  # a self-citation says nothing about the graph
            self.edges.setdefault((source, target, relation, scope, segment_id), path)


def update_catalog(conn: sqlite3.Connection, document: Document) -> None:
    """Replace what the catalog knows from `document` (call after `Record.save`).

    Runs inside the caller's transaction when there is one (so the record and the catalog change
    together), else in its own.
    """
    rows = _rows_of(document)
    if conn.in_transaction:
        _replace(conn, document.id, rows)
    else:
        with conn:
            _replace(conn, document.id, rows)


def remove_from_catalog(conn: sqlite3.Connection, document_id: str) -> None:
    """Forget every fact and edge `document_id` stated; stubs other documents cite stay."""
    if conn.in_transaction:
        _delete(conn, document_id)
    else:
        with conn:
            _delete(conn, document_id)


def rebuild_catalog(conn: sqlite3.Connection, documents: Iterable[Document]) -> int:
    """Rebuild the whole catalog from stored documents; returns how many were read."""
    count = 0
    with conn:
        conn.execute("DELETE FROM catalog_facts")
        conn.execute("DELETE FROM catalog_edges")
        for document in documents:
            _replace(conn, document.id, _rows_of(document))
            count += 1
    return count


def fill_if_empty(conn: sqlite3.Connection, documents: Callable[[], Iterable[Document]]) -> None:
    """Build the catalog of a store written before it existed (its documents, none of its rows)."""
    empty = conn.execute("SELECT 1 FROM catalog_facts LIMIT 1").fetchone() is None
    if empty and conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is not None:
        rebuild_catalog(conn, documents())


def _delete(conn: sqlite3.Connection, document_id: str) -> None:
    conn.execute("DELETE FROM catalog_facts WHERE document_id = ?", (document_id,))
    conn.execute("DELETE FROM catalog_edges WHERE document_id = ?", (document_id,))


def _replace(conn: sqlite3.Connection, document_id: str, rows: _Rows) -> None:
    _delete(conn, document_id)
    conn.executemany(
        "INSERT INTO catalog_facts (key, kind, number, document_id, segment_id, path, type, date, issuer, title)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows.facts,
    )
    conn.executemany(
        "INSERT INTO catalog_edges (source, target, relation, scope, document_id, segment_id, path)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(s, t, r, scope, document_id, seg, path) for (s, t, r, scope, seg), path in rows.edges.items()],
    )


def _rows_of(document: Document) -> _Rows:
    rows = _Rows()
    own = key_of_document(document)
    rows.facts.append(
        (
            own,
            "document",
            document.number or document.id,
            document.id,
            None,
            None,
            document.type,
            document.date,
            document.issuer,
            document.title,
        )
    )
    for segment in document.segments:
        for citation in segment.citations:
            cited = key_of_citation(citation)
            rows.facts.append(
                (
                    cited,
                    kind_of_key(cited),
                    citation.number,
                    document.id,
                    segment.id,
                    segment.path,
                    citation.type,
                    citation.date,
                    citation.issuer,
                    citation.title,
                )
            )
            rows.edge(own, cited, citation.relation, "segment", segment.id, segment.path)
            for implemented in citation.implements:
                target = symbol_key(implemented)
                # The implemented directive is known from this segment too, if only by its symbol.
                rows.facts.append(
                    (
                        target,
                        kind_of_key(target),
                        implemented,
                        document.id,
                        segment.id,
                        segment.path,
                        type_of_symbol(implemented),
                        None,
                        None,
                        None,
                    )
                )
                rows.edge(cited, target, "implements", "document", segment.id, segment.path)
    for implemented in document.implements:
        target = symbol_key(implemented)
        # Provenance: the passages that say so (the title, "Thực hiện ..."), else the document itself.
        stated: list[tuple[str | None, str | None]] = [
            (segment.id, segment.path)
            for segment in document.segments
            for citation in segment.citations
            if citation.relation == "implements" and key_of_citation(citation) == target
        ]
        if not stated:
            rows.facts.append(
                (target, kind_of_key(target), implemented, document.id, None, None)
                + (type_of_symbol(implemented), None, None, None)
            )
        for segment_id, path in stated or [(None, None)]:
            rows.edge(own, target, "implements", "document", segment_id, path)
    return rows


# -- reading ---------------------------------------------------------------------------------------


class Readable(Protocol):
    """The store, as the catalog's reads need it: a connection to read with on this thread."""

    def reader(self) -> sqlite3.Connection: ...


def _query(store: Readable, sql: str, params: Iterable[Any] = ()) -> sqlite3.Cursor:
    # Rows by column name whatever row factory the connection was opened with.
    cursor = store.reader().cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, tuple(params))


def node(store: Readable, key: str, levels: Collection[str]) -> dict[str, Any] | None:
    """The node under `key` as `levels` may see it, or None when nothing visible states it."""
    condition, params = visible(levels, "d.access_level")
    rows = _query(
        store,
        "SELECT f.*, d.number AS own_number FROM catalog_facts f JOIN documents d ON d.id = f.document_id"
        f" WHERE f.key = ? AND {condition} ORDER BY f.rowid",
        (key, *params),
    ).fetchall()
    if not rows:
        return None
    own = [r for r in rows if r["kind"] == "document" and r["segment_id"] is None]
    facts: dict[str, list[dict[str, str]]] = {}
    for name in FACT_FIELDS:
        seen: set[tuple[str, str]] = set()
        for row in rows:
            if row[name]:
                source = row["segment_id"] or row["document_id"]
                if (row[name], source) not in seen:
                    seen.add((row[name], source))
                    facts.setdefault(name, []).append({"value": row[name], "source": source})
    result: dict[str, Any] = {
        "key": key,
        "kind": kind_of_key(key),
        "number": own[0]["number"] if own else _display_number(rows),
        "document_id": own[0]["document_id"] if own else None,
        "documents": list(dict.fromkeys(r["document_id"] for r in own)),
    }
    for name in FACT_FIELDS:
        own_value = next((r[name] for r in own if r[name]), None)
        result[name] = own_value or _most_stated(facts.get(name, []))
    result["level"] = issuer_level(result["issuer"], result["number"], result["type"])
    result["conflicts"] = {
        name: values for name, values in facts.items() if len({v["value"] for v in values}) > 1
    }
    result["facts"] = facts
    return result


def _display_number(rows: list[sqlite3.Row]) -> str:
    # Writers vary ("60-CTR/TU" in a capitals title): the spelling most texts use.
    return str(Counter(r["number"] for r in rows).most_common(1)[0][0])


def _most_stated(values: list[dict[str, str]]) -> str | None:
    if not values:
        return None
    counts = Counter(v["value"] for v in values)
    best = max(counts.values())
    return next(v["value"] for v in values if counts[v["value"]] == best)


def issuer_level(issuer: str | None, number: str | None, doc_type: str | None = None) -> str | None:
    """Trung ương / tỉnh / huyện / xã: from the issuing body, else the symbol's issuer code, else words."""
    if issuer:
        agency = AgencyRegistry.default().resolve(_TERM.sub("", issuer))
        if agency is not None and agency.level:
            return agency.level
    if number:
        parsed = SYMBOL_PATTERN.fullmatch(number.strip())
        if parsed:
            code = (parsed.group("pissuer") or parsed.group("sissuer") or "").upper()
            level = _CODE_LEVELS.get(code) or _CODE_LEVELS.get(re.sub(r"\d+$", "", code))
            if level:
                return level
    if doc_type in _NATIONAL_TYPES:
        return "trung ương"
    for text in (issuer, None if number and SYMBOL_PATTERN.fullmatch(number.strip()) else number):
        if text:
            words = f" {match_key(text)} "
            for word, level in _LEVEL_WORDS:
                if f" {word} " in words:
                    return level
    return None


def level_rank(level: str | None) -> int:
    return (
        ADMINISTRATIVE_LEVELS.index(level) if level in ADMINISTRATIVE_LEVELS else len(ADMINISTRATIVE_LEVELS)
    )


def edges(
    store: Readable,
    key: str,
    levels: Collection[str],
    direction: str,
    relation: str | None = None,
    scope: str | None = None,
) -> list[dict[str, Any]]:
    """Visible edges out of (`direction="out"`) or into (`"in"`) a node, one per citing segment."""
    this, other = ("source", "target") if direction == "out" else ("target", "source")
    documents, visible_params = visible_document_ids(levels)
    sql = (
        f"SELECT e.{other} AS other, e.relation, e.scope, e.document_id, e.segment_id, e.path FROM catalog_edges e"
        f" WHERE e.{this} = ? AND e.document_id IN ({documents})"
    )
    params: list[Any] = [key, *visible_params]
    if relation is not None:
        sql += " AND e.relation = ?"
        params.append(relation)
    if scope is not None:
        sql += " AND e.scope = ?"
        params.append(scope)
    return [dict(row) for row in _query(store, sql + " ORDER BY e.rowid", params)]


def all_edges(store: Readable, levels: Collection[str]) -> list[dict[str, Any]]:
    documents, params = visible_document_ids(levels)
    rows = _query(
        store,
        "SELECT source, target, relation, scope, document_id, segment_id, path FROM catalog_edges"
        f" WHERE document_id IN ({documents}) ORDER BY rowid",
        params,
    )
    return [dict(row) for row in rows]


def node_keys(store: Readable, levels: Collection[str]) -> list[str]:
    documents, params = visible_document_ids(levels)
    rows = _query(
        store,
        f"SELECT DISTINCT key FROM catalog_facts WHERE document_id IN ({documents}) ORDER BY key",
        params,
    )
    return [row[0] for row in rows]


def visible_symbols(store: Readable, levels: Collection[str]) -> list[str]:
    """The display symbols of every visible symbol node, for resolving informal references."""
    documents, params = visible_document_ids(levels)
    rows = _query(
        store,
        "SELECT key, number FROM catalog_facts"
        f" WHERE kind != 'named' AND document_id IN ({documents}) ORDER BY rowid",
        params,
    )
    symbols: dict[str, str] = {}
    for key, number in rows:
        if not key.startswith("doc:") and find_symbols(number):
            symbols.setdefault(key, number)
    return list(symbols.values())


def key_of_document_id(store: Readable, document_id: str, levels: Collection[str]) -> str | None:
    condition, params = visible(levels)
    row = _query(
        store, f"SELECT id, number FROM documents WHERE id = ? AND {condition}", (document_id, *params)
    ).fetchone()
    if row is None:
        return None
    return symbol_key(row["number"]) if row["number"] else document_key(row["id"])
