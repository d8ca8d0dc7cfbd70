"""The store: the only code that speaks SQL, one visibility rule, readers that do not queue."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from graph_helpers import ALL, SEED_ID, ingest, open_store
from inputs import ROOT, SEED

from search_api.store import Record
from search_api.store.visibility import visible

SEARCH_API = ROOT / "search_api"
_SQL = re.compile(
    r"\b(?:SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET|CREATE TABLE)\b|\.execute(?:many|script)?\("
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Record:
    record = open_store(tmp_path_factory.mktemp("store"), SEED)
    ingest(
        record, SEED.parent.parent / "tests" / "data" / "genre" / "quy-dinh-dieu-khoan.txt", "confidential"
    )
    return record


def test_only_the_store_speaks_sql() -> None:
    sources = [p for p in SEARCH_API.rglob("*.py") if "store" not in p.relative_to(SEARCH_API).parts]
    assert len(sources) > 10
    speaking = [str(p.relative_to(SEARCH_API)) for p in sources if _SQL.search(p.read_text(encoding="utf-8"))]
    assert speaking == []


def test_the_visibility_rule_is_written_once() -> None:
    store_files = list((SEARCH_API / "store").glob("*.py"))
    assert store_files
    writing_it = [
        p.name for p in store_files if re.search(r"access_level\s+IN", p.read_text(encoding="utf-8"))
    ]
    assert writing_it == []  # every other file asks visibility.visible for it
    assert visible(("public",), "d.access_level") == ("d.access_level IN (?)", ("public",))
    assert visible(()) == ("0", ())


def test_a_hidden_document_reads_as_a_missing_one(store: Record) -> None:
    public = ("public",)
    hidden = next(i for i in store.document_ids() if i != SEED_ID)
    assert store.visible_document(hidden, public) is None
    assert store.visible_document("no-such-document", public) is None
    assert store.visible_document(hidden, ALL) is not None
    assert store.hides(hidden, public) and not store.hides(hidden, ALL)
    assert not store.hides("no-such-document", public)
    assert [i for i, _ in store.visible_documents(public)] == [SEED_ID]
    assert store.counts(public)["documents"] == 1 and store.counts()["documents"] == 2
    first = store.segments(hidden)[0].id
    assert store.visible_segment_document(first, public) is None
    assert store.visible_segment_document(first, ALL) == hidden
    assert store.segment_summaries([first], public) == {}
    assert len(store.segment_texts(public)) < len(store.segment_texts())


def test_readers_do_not_wait_for_a_write(store: Record) -> None:
    # A write in progress (its transaction open, the write lock held) must not stall reads on other
    # threads: they read through connections of their own and see what was last committed.
    read: list[int] = []
    with store._write_lock:
        store.conn.execute("BEGIN IMMEDIATE")
        try:
            store.conn.execute("DELETE FROM sources")
            threads = [
                threading.Thread(target=lambda: read.append(len(store.list_documents(ALL)))) for _ in range(4)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=20)
            assert read == [2, 2, 2, 2]
        finally:
            store.conn.rollback()


def test_each_thread_reads_with_its_own_connection_and_close_closes_them(tmp_path: Path) -> None:
    record = open_store(tmp_path, SEED)
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(record.reader()))
    thread.start()
    thread.join()
    assert seen and seen[0] is not record.reader() and record.reader() is record.reader()
    record.close()
    with pytest.raises(Exception, match="closed"):
        record.reader().execute("SELECT 1")


def test_the_connections_of_threads_that_ended_are_closed(tmp_path: Path) -> None:
    record = open_store(tmp_path, SEED)
    for _ in range(6):  # a web server replaces idle worker threads
        thread = threading.Thread(target=lambda: record.list_documents(ALL))
        thread.start()
        thread.join()
    record.list_documents(ALL)
    assert len(record._readers) <= 2  # this thread's, and at most the last ended one's
    record.close()
