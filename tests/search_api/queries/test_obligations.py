"""Agency obligations: every assignment of one agency across documents, by role, with tasks and chains."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from graph_helpers import ALL, PROGRAM_60, SEED_ID, open_store
from inputs import SEED

from search_api.cli.main import main
from search_api.queries.obligations import obligations
from search_api.queries.trace import NotFoundError
from search_api.store import Record


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Record:
    return open_store(tmp_path_factory.mktemp("obligations"), SEED, PROGRAM_60)


def test_name_alias_and_abbreviation_give_the_same_list(store: Record) -> None:
    results = [
        obligations(store, query, ALL)
        for query in (
            "Ban cán sự đảng UBND tỉnh",
            "BCS đảng Ủy ban nhân dân tỉnh",
            "ban can su dang ubnd tinh",
        )
    ]
    assert results[0]["agency"]["id"] == "bcs-dang-ubnd-tinh"
    assert results[0] == results[1] == results[2]
    assert results[0]["count"] > 10


def test_assignments_are_grouped_by_role_with_their_tasks_and_chains(store: Record) -> None:
    result = obligations(store, "Ban cán sự đảng UBND tỉnh", ALL)
    assert list(result["roles"])[:3] == ["lead", "direct", "coordinate"]
    documents = {item["document_id"] for items in result["roles"].values() for item in items}
    assert documents == {SEED_ID, "60-ctr-tu"}
    directing = {(i["document_id"], i["path"]): i for i in result["roles"]["direct"]}
    seed_line = directing[(SEED_ID, "III.3.9")]
    assert [t["path"] for t in seed_line["tasks"]] == [f"III.3.{n}" for n in range(1, 9)]
    assert seed_line["tasks"][1]["text"].startswith("Thực hiện tốt Chương trình số 60-CTr/TU")
    assert seed_line["chain_paths"] == [["13-NQ/TW", "72-KL/TW"]]
    # The time as written and as data: "thường xuyên" recurs with no end.
    assert (seed_line["frequency"], seed_line["recurrence"], seed_line["deadline_end"]) == (
        "thường xuyên",
        "continuous",
        None,
    )
    assert directing[("60-ctr-tu", "II.4.4")]["chain"] == ["29-NQ/TW"]
    leading = {(i["document_id"], i["path"]) for i in result["roles"]["lead"]}
    assert (SEED_ID, "IV.2") in leading and ("60-ctr-tu", "II.2.4") in leading


def test_access_levels_hide_documents(tmp_path: Path) -> None:
    from graph_helpers import ingest

    record = open_store(tmp_path)
    ingest(record, SEED, access_level="internal")
    ingest(record, PROGRAM_60)
    public = obligations(record, "BCS đảng UBND tỉnh", ("public",))
    assert {i["document_id"] for items in public["roles"].values() for i in items} == {"60-ctr-tu"}
    assert all("72-KL/TW" not in i["chain"] for items in public["roles"].values() for i in items)
    record.close()


def test_unknown_agency_names_close_candidates(store: Record) -> None:
    with pytest.raises(NotFoundError, match="did you mean: .*Ban cán sự đảng Ủy ban nhân dân tỉnh"):
        obligations(store, "Ban can su dang UBN tinhh", ALL)
    with pytest.raises(NotFoundError, match="no agency"):
        obligations(store, "xyzzy", ALL)


def test_cli_obligations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    open_store(tmp_path, SEED).close()
    monkeypatch.setenv("VANBAN_HOME", str(tmp_path))
    assert main(["obligations", "Ban Tuyên giáo Tỉnh ủy", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [i["path"] for i in result["roles"]["lead"]] == ["III.1.2"]
    assert main(["obligations", "--list", "--json"]) == 0
    assert "bcs-dang-ubnd-tinh" in {a["id"] for a in json.loads(capsys.readouterr().out)}
    assert main(["obligations", "qwerty"]) == 1
    assert capsys.readouterr().err.startswith("vanban: error: no agency 'qwerty'")


UNKNOWN_BODY_PLAN = """ỦY BAN NHÂN DÂN TỈNH GIA LAI

Số: 41/KH-UBND

Gia Lai, ngày 2 tháng 12 năm 2025

KẾ HOẠCH

Số hóa tài liệu lưu trữ lịch sử

I. NHIỆM VỤ

1. Trung tâm Lưu trữ lịch sử tỉnh chủ trì, phối hợp với Sở Nội vụ số hóa tài liệu lưu trữ.

2. Trung tâm Lưu trữ lịch sử tỉnh khẩn trương lập danh mục hồ sơ cần số hóa.
"""


def test_an_agency_the_registry_does_not_know_is_listed_and_has_obligations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = tmp_path / "ke-hoach-so-hoa.txt"
    plan.write_text(UNKNOWN_BODY_PLAN, encoding="utf-8")
    home = tmp_path / "home"
    record = open_store(home, plan)
    result = obligations(record, "Trung tâm Lưu trữ lịch sử tỉnh", ALL)
    record.close()
    assert result["agency"]["id"] == "trung tâm lưu trữ lịch sử tỉnh"
    assert {role: len(items) for role, items in result["roles"].items()} == {"lead": 1, "implement": 1}
    monkeypatch.setenv("VANBAN_HOME", str(home))
    assert main(["obligations", "--list", "--json"]) == 0
    listed = {a["id"]: a for a in json.loads(capsys.readouterr().out)}
    assert listed["trung tâm lưu trữ lịch sử tỉnh"]["known"] is False
    assert listed["trung tâm lưu trữ lịch sử tỉnh"]["assignments"] == 2
    assert listed["so-noi-vu"]["name"] == "Sở Nội vụ"
    assert main(["obligations", "--list"]) == 0
    assert "Trung tâm Lưu trữ lịch sử tỉnh" in capsys.readouterr().out
