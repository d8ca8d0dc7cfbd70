"""Tracing directives and tasks through the catalog: the seed's chains, informal references, cycles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graph_helpers import ALL, DISTRICT_PLAN, SEED_ID, open_store, synthetic
from inputs import SEED

from search_api.cli.main import main
from search_api.queries.trace import NotFoundError, trace, trace_segment
from search_api.store import Record


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return open_store(tmp_path_factory.mktemp("seed"), SEED)


def numbers(items: list[dict[str, object]]) -> list[object]:
    return [item["number"] for item in items]


def test_conclusion_72_implements_resolution_13_and_is_implemented_by_the_plan(seed_store: Record) -> None:
    result = trace(seed_store, "72-KL/TW", ALL)
    assert result["symbol"] == "72-KL/TW" and result["document"] is None
    assert numbers(result["implements"]) == ["13-NQ/TW"]
    assert [(i["number"], i["document_id"]) for i in result["implemented_by"]] == [(SEED_ID, SEED_ID)]
    assert result["implemented_by"][0]["path"] == "0"  # the title states it
    assert numbers(result["chain_up"]) == ["13-NQ/TW"]


def test_program_60_implements_29_and_is_cited_by_a_task_under_iii_3(seed_store: Record) -> None:
    result = trace(seed_store, "60-CTr/TU", ALL)
    assert numbers(result["implements"]) == ["29-NQ/TW"]
    assert [(i["number"], i["segment_id"], i["path"]) for i in result["cited_by"]] == [
        (SEED_ID, f"{SEED_ID}:III.3.2", "III.3.2")
    ]
    assert result["cited_by"][0]["relation"] == "implements"
    assert result["node"]["level"] == "tỉnh"


def test_the_plan_itself_chains_up_to_the_root_top_down(seed_store: Record) -> None:
    result = trace(seed_store, SEED_ID, ALL)
    assert result["symbol"] is None and result["document"] == SEED_ID
    assert numbers(result["chain_up"]) == ["13-NQ/TW", "72-KL/TW"]
    assert numbers(result["implements"]) == ["72-KL/TW"]  # what the plan as a whole implements


@pytest.mark.parametrize(
    ("reference", "symbol"),
    [
        ("kết luận 72", "72-KL/TW"),
        ("KL 72", "72-KL/TW"),
        ("NQ 13", "13-NQ/TW"),
        ("ket luan so 72", "72-KL/TW"),
    ],
)
def test_informal_references(seed_store: Record, reference: str, symbol: str) -> None:
    assert trace(seed_store, reference, ALL)["symbol"] == symbol


def test_trace_segment_gives_the_chain_above_a_task(seed_store: Record) -> None:
    result = trace_segment(seed_store, f"{SEED_ID}:III.3.2", ALL)
    assert numbers(result["chain"]) == [
        "60-CTr/TU",
        "29-NQ/TW",
        "50-CTr/TU",
        "23-NQ/TW",
        "72-KL/TW",
        "13-NQ/TW",
    ]
    assert [i["via"] for i in result["chain"]] == ["segment"] * 4 + ["document"] * 2
    assert result["paths"] == [["29-NQ/TW", "60-CTr/TU"], ["23-NQ/TW", "50-CTr/TU"], ["13-NQ/TW", "72-KL/TW"]]
    assert result["top_down"][:4] == ["29-NQ/TW", "23-NQ/TW", "13-NQ/TW", "72-KL/TW"]  # trung ương first


def test_a_task_without_citations_is_under_its_documents_chain(seed_store: Record) -> None:
    result = trace_segment(seed_store, f"{SEED_ID}:III.3.4", ALL)
    assert numbers(result["chain"]) == ["72-KL/TW", "13-NQ/TW"]


def test_unknown_references_and_segments_are_not_found(seed_store: Record) -> None:
    with pytest.raises(NotFoundError, match="no directive"):
        trace(seed_store, "99-NQ/TW", ALL)
    with pytest.raises(NotFoundError):
        trace(seed_store, "kết luận 999", ALL)
    with pytest.raises(NotFoundError):
        trace(seed_store, "   ", ALL)
    with pytest.raises(NotFoundError, match="no segment"):
        trace_segment(seed_store, "nope:1", ALL)


def test_ambiguous_references_give_candidates(tmp_path: Path) -> None:
    record = open_store(tmp_path, SEED)
    synthetic(record, "72-KH/TU", [("13-NQ/TW", "cites")])
    result = trace(record, "72", ALL)
    assert result["ambiguous"] is True and set(result["candidates"]) == {"72-KL/TW", "72-KH/TU"}
    assert trace(record, "KL 72", ALL)["symbol"] == "72-KL/TW"  # the type settles it
    record.close()


def test_cycles_and_self_citations_end(tmp_path: Path) -> None:
    record = open_store(tmp_path)
    synthetic(record, "1-NQ/TU", [("2-NQ/TU", "implements"), ("1-NQ/TU", "implements")])
    synthetic(record, "2-NQ/TU", [("3-NQ/TU", "implements")])
    synthetic(record, "3-NQ/TU", [("1-NQ/TU", "implements")])
    result = trace(record, "1-NQ/TU", ALL)
    assert sorted(numbers(result["chain_up"])) == ["2-NQ/TU", "3-NQ/TU"]  # the start is not repeated
    assert numbers(result["implemented_by"]) == ["3-NQ/TU"]
    chain = trace_segment(record, "1-nq-tu:1", ALL)
    assert sorted(numbers(chain["chain"])) == ["2-NQ/TU", "3-NQ/TU"]
    assert all(len(path) <= 3 for path in chain["paths"])
    record.close()


def test_a_district_plan_reads_four_levels_down(tmp_path: Path) -> None:
    record = open_store(tmp_path, DISTRICT_PLAN)
    result = trace(record, "45-KH/HU", ALL)
    assert numbers(result["chain_up"]) == ["13-NQ/TW", "72-KL/TW", "123-KH/TU"]
    assert [i["level"] for i in result["chain_up"]] == ["trung ương", "trung ương", "tỉnh"]
    record.close()


def _cli(argv: list[str]) -> int:
    return main(argv)


def test_cli_trace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(tmp_path, SEED).close()
    monkeypatch.setenv("VANBAN_HOME", str(tmp_path))
    assert _cli(["trace", "KL", "72", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["implements"][0]["number"] == "13-NQ/TW"
    assert _cli(["trace", "--segment", f"{SEED_ID}:III.3.2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["chain"][0]["number"] == "60-CTr/TU"
    assert _cli(["trace", "60-CTr/TU"]) == 0
    assert "29-NQ/TW" in capsys.readouterr().out
    assert _cli(["trace", "NQ", "404"]) == 1
    assert capsys.readouterr().err.startswith("vanban: error: no directive")
