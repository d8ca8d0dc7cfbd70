"""Graph export: JSON, DOT and Mermaid over the catalog or one document's neighbourhood."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from graph_helpers import ALL, PROGRAM_60, SEED_ID, ingest, open_store
from inputs import SEED

from ingest.model import Citation
from search_api.cli.main import main
from search_api.queries.graph import graph, graph_data
from search_api.queries.trace import NotFoundError
from search_api.store import Record
from search_api.store.catalog import update_catalog


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return open_store(tmp_path_factory.mktemp("graph"), SEED, PROGRAM_60)


def test_json_over_the_catalog(store: Record) -> None:
    data = json.loads(graph(store, ALL))
    keys = {node["key"] for node in data["nodes"]}
    assert {"72-KL/TW", "13-NQ/TW", "60-CTR/TU", f"doc:{SEED_ID}"} <= keys
    assert all(edge["source"] in keys and edge["target"] in keys for edge in data["edges"])
    edge = next(e for e in data["edges"] if (e["source"], e["target"]) == ("72-KL/TW", "13-NQ/TW"))
    assert edge["relation"] == "implements" and f"{SEED_ID}:0" in edge["segments"]
    program = next(n for n in data["nodes"] if n["key"] == "60-CTR/TU")
    assert program["document_id"] == "60-ctr-tu" and program["level"] == "tỉnh"


def test_neighbourhood_of_one_document(store: Record) -> None:
    data = graph_data(store, ALL, "60-ctr-tu")
    keys = {node["key"] for node in data["nodes"]}
    assert "60-CTR/TU" in keys and "29-NQ/TW" in keys and f"doc:{SEED_ID}" in keys
    assert "72-KL/TW" not in keys  # two steps away
    assert all("60-CTR/TU" in (e["source"], e["target"]) for e in data["edges"])
    with pytest.raises(NotFoundError):
        graph_data(store, ALL, "nope")


def test_dot_is_well_formed(store: Record) -> None:
    text = graph(store, ALL, format="dot")
    lines = text.strip().splitlines()
    assert lines[0] == "digraph vanban {" and lines[-1] == "}"
    statement = re.compile(
        r'^  (?:"(?:[^"\\]|\\.)*"(?: -> "(?:[^"\\]|\\.)*")? \[.*\];|rankdir=BT;|node \[.*\];)$'
    )
    assert all(statement.match(line) for line in lines[1:-1]), [
        line for line in lines[1:-1] if not statement.match(line)
    ]
    assert '"72-KL/TW" -> "13-NQ/TW" [label="implements"];' in text
    assert "Quy hoạch tỉnh Kon Tum" in text


def test_mermaid_is_well_formed(store: Record) -> None:
    text = graph(store, ALL, SEED_ID, format="mermaid")
    lines = text.strip().splitlines()
    assert lines[0] == "flowchart BT"
    node = re.compile(r'^  n\d+\["[^"]*"\]$')
    edge = re.compile(r'^  n\d+ -->\|"[a-z_]+"\| n\d+$')
    assert all(node.match(line) or edge.match(line) for line in lines[1:])
    assert any("72-KL/TW" in line for line in lines)


def test_quotes_in_labels_are_escaped(tmp_path: Path) -> None:
    record = open_store(tmp_path, SEED)
    document = record.document(SEED_ID)
    assert document is not None
    document.segments[5].citations.append(Citation(number='Quy hoạch "A" thời kỳ 2021-2030', named=True))
    update_catalog(record.conn, document)
    dot = graph(record, ALL, format="dot")
    assert 'Quy hoạch \\"A\\" thời kỳ' in dot
    mermaid = graph(record, ALL, format="mermaid")
    assert "Quy hoạch #quot;A#quot; thời kỳ" in mermaid and '"A"' not in mermaid
    record.close()


def test_access_levels_apply(tmp_path: Path) -> None:
    record = open_store(tmp_path)
    ingest(record, SEED, access_level="confidential")
    ingest(record, PROGRAM_60)
    text = graph(record, ("public",))
    assert SEED_ID not in text and "72-KL/TW" not in text and "60-CTr/TU" in text
    record.close()


def test_cli_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(tmp_path, SEED).close()
    monkeypatch.setenv("VANBAN_HOME", str(tmp_path))
    assert main(["graph", "--format", "dot", "--document", SEED_ID]) == 0
    assert capsys.readouterr().out.startswith("digraph vanban {")
    assert main(["graph", "--document", "nope"]) == 1
    assert capsys.readouterr().err == "vanban: error: no document 'nope' is known\n"
