"""The directive catalog: nodes for ingested and cited directives, merging stubs, edges, access control."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_helpers import ALL, PROGRAM_60, SEED_ID, ingest, open_store
from inputs import SEED

from ingest.vocabulary import ADMINISTRATIVE_LEVELS
from search_api.queries.trace import NotFoundError, trace
from search_api.store import Record, catalog


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return open_store(tmp_path_factory.mktemp("seed"), SEED)


def test_cited_directives_are_stubs_with_facts_from_the_citing_text(seed_store: Record) -> None:
    node = catalog.node(seed_store, "72-KL/TW", ALL)
    assert node is not None
    assert (node["number"], node["type"], node["date"], node["issuer"]) == (
        "72-KL/TW",
        "Kết luận",
        "2024-02-23",
        "Bộ Chính trị",
    )
    assert node["document_id"] is None and node["level"] == "trung ương"
    stub_60 = catalog.node(seed_store, "60-CTR/TU", ALL)
    assert stub_60 is not None and stub_60["level"] == "tỉnh" and stub_60["date"] == "2023-05-15"
    assert stub_60["facts"]["date"] == [{"value": "2023-05-15", "source": f"{SEED_ID}:III.3.2"}]


def test_documents_without_a_symbol_and_named_references_are_nodes(seed_store: Record) -> None:
    keys = catalog.node_keys(seed_store, ALL)
    assert f"doc:{SEED_ID}" in keys
    plan = catalog.node(seed_store, f"doc:{SEED_ID}", ALL)
    assert plan is not None and plan["document_id"] == SEED_ID and plan["level"] == "tỉnh"
    named = [k for k in keys if k.startswith("name:quy hoạch tỉnh kon tum")]
    assert len(named) == 1
    assert catalog.node(seed_store, named[0], ALL)["kind"] == "named"  # type: ignore[index]
    # Every node has an issuer level where the seed gives one; the provincial plan reads "tỉnh".
    for key in keys:
        node = catalog.node(seed_store, key, ALL)
        assert node is not None and node["level"] in ADMINISTRATIVE_LEVELS, key


def test_edges_carry_the_citing_segments(seed_store: Record) -> None:
    out = catalog.edges(seed_store, f"doc:{SEED_ID}", ALL, "out")
    to_60 = [e for e in out if e["other"] == "60-CTR/TU"]
    assert [(e["relation"], e["path"]) for e in to_60] == [("implements", "III.3.2")]
    assert {e["relation"] for e in out} >= {"implements", "linked", "cites"}
    # The cited program's own source, stated in the seed's sentence, is an edge of the program.
    up = catalog.edges(seed_store, "60-CTR/TU", ALL, "out", "implements")
    assert [(e["other"], e["segment_id"]) for e in up] == [("29-NQ/TW", f"{SEED_ID}:III.3.2")]
    # Queryable both ways.
    into = catalog.edges(seed_store, "29-NQ/TW", ALL, "in")
    assert {e["other"] for e in into} == {"60-CTR/TU", f"doc:{SEED_ID}"}


def test_ingesting_a_stubs_text_turns_the_stub_into_that_document(tmp_path: Path) -> None:
    record = open_store(tmp_path, SEED)
    before = catalog.node_keys(record, ALL)
    ingest(record, PROGRAM_60)
    node = catalog.node(record, "60-CTR/TU", ALL)
    assert node is not None and node["document_id"] == "60-ctr-tu" and node["number"] == "60-CTr/TU"
    assert [k for k in catalog.node_keys(record, ALL) if "60-CTR" in k.upper()] == ["60-CTR/TU"]
    assert set(before) <= set(catalog.node_keys(record, ALL))
    # The seed's edges are kept: the seed's task still cites it, and what it implements is still known.
    cited_by = catalog.edges(record, "60-CTR/TU", ALL, "in")
    assert (f"doc:{SEED_ID}", "III.3.2") in {(e["other"], e["path"]) for e in cited_by}
    sources = {e["document_id"] for e in catalog.edges(record, "60-CTR/TU", ALL, "out", "implements")}
    assert sources == {SEED_ID, "60-ctr-tu"}
    # Conflicting facts from different texts are kept with their sources; the document's own wins.
    issuers = {f["value"] for f in node["facts"]["issuer"]}
    assert "Ban Chấp hành Đảng bộ tỉnh" in issuers and len(issuers) == 2
    assert set(node["conflicts"]) == {"issuer"}
    record.close()


def test_removing_a_document_removes_only_its_facts(tmp_path: Path) -> None:
    record = open_store(tmp_path, SEED, PROGRAM_60)
    catalog.remove_from_catalog(record.conn, SEED_ID)
    assert catalog.node(record, "72-KL/TW", ALL) is None  # only the seed cited it
    node = catalog.node(record, "60-CTR/TU", ALL)
    assert node is not None and node["document_id"] == "60-ctr-tu"
    assert catalog.edges(record, "60-CTR/TU", ALL, "in") == []
    # Updating again restores exactly the seed's facts.
    document = record.document(SEED_ID)
    assert document is not None
    catalog.update_catalog(record.conn, document)
    assert catalog.node(record, "72-KL/TW", ALL) is not None
    record.close()


def test_nothing_known_only_through_a_confidential_document_is_revealed(tmp_path: Path) -> None:
    record = open_store(tmp_path)
    ingest(record, SEED, access_level="confidential")
    ingest(record, PROGRAM_60)
    public = ("public",)
    assert catalog.node(record, "72-KL/TW", public) is None
    assert catalog.node(record, f"doc:{SEED_ID}", public) is None
    assert "72-KL/TW" not in catalog.visible_symbols(record, public)
    with pytest.raises(NotFoundError):
        trace(record, "KL 72", public)
    # The program is public: visible, but without what only the seed says about it.
    node = catalog.node(record, "60-CTR/TU", public)
    assert node is not None
    assert {f["source"] for values in node["facts"].values() for f in values} == {"60-ctr-tu"}
    assert catalog.edges(record, "60-CTR/TU", public, "in") == []
    everything = [e["document_id"] for e in catalog.all_edges(record, public)]
    assert everything and SEED_ID not in everything
    # A caller cleared for it sees it all.
    assert catalog.node(record, "72-KL/TW", ("public", "confidential")) is not None
    assert catalog.node(record, "72-KL/TW", ()) is None
    record.close()


@pytest.mark.parametrize(
    ("issuer", "number", "doc_type", "level"),
    [
        ("Bộ Chính trị", "72-KL/TW", "Kết luận", "trung ương"),
        ("Ban Chấp hành Trung ương Đảng khóa XIII", "29-NQ/TW", "Nghị quyết", "trung ương"),
        (None, "60-CTr/TU", None, "tỉnh"),
        (None, "45-KH/HU", None, "huyện"),
        (None, "879/QĐ-TTg", None, "trung ương"),
        ("Ban Thường vụ Huyện ủy", None, "Kế hoạch", "huyện"),
        (None, "Luật Đường bộ", "Luật", "trung ương"),
        (None, "Nghị quyết Đại hội đại biểu Đảng bộ huyện nhiệm kỳ 2020-2025", "Nghị quyết", "huyện"),
        (None, "Kế hoạch 5 năm", None, None),
    ],
)
def test_issuer_level(
    issuer: str | None, number: str | None, doc_type: str | None, level: str | None
) -> None:
    assert catalog.issuer_level(issuer, number, doc_type) == level
