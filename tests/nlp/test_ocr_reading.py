"""OCR slips mended in what analysis reads (issue 13): symbols whose punctuation OCR misread, and role
verbs, agency names and document types whose marks it misread, are found as if typed; the stored
text keeps what OCR read, and typed text is read exactly as before."""

from __future__ import annotations

import pytest
from inputs import SEED

from ingest.pipeline import parse_bytes
from ingest.symbols import find_symbols
from nlp.analyze import analyze
from nlp.ocr_reading import reading_copy


@pytest.mark.parametrize(
    ("read", "symbol"),
    [
        ("Kết luận số 72-KLITW, ngày 23-02-2024", "72-KL/TW"),  # "/" read as "I"
        ("Kết luận số 72-KL|TW, ngày", "72-KL/TW"),
        ("Kết luận số 72-KL/T W ngày", "72-KL/TW"),  # a space put into the issuer code
        ("Kết luận số 72 - KL / TW của", "72-KL/TW"),
        ("Chương trình 60-CTrlTU của", "60-CTr/TU"),
        ("Quyết định 411/QĐ–TTg ngày", "411/QĐ-TTg"),  # an en dash for the hyphen
        ("Nghị quyết số 03INQ-CP", "03/NQ-CP"),
    ],
)
def test_a_symbol_ocr_misread_is_found_in_ocr_text_only(read: str, symbol: str) -> None:
    assert [found for found, _ in find_symbols(read, ocr=True)] == [symbol]
    assert symbol not in [found for found, _ in find_symbols(read)]  # typed text is read exactly


@pytest.mark.parametrize(
    "text", ["trang 12-13 của Kế hoạch", "mục 2/3 KL-TW", "năm 2024-KL I T", "số 72-KL/TW"]
)
def test_what_is_not_a_misread_symbol_stays_as_it_is(text: str) -> None:
    def found(ocr: bool) -> list[tuple[str, int, int]]:
        return [(symbol, m.start(), m.end()) for symbol, m in find_symbols(text, ocr=ocr)]

    assert found(ocr=True) == found(ocr=False)


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        (
            "Văn phòng UBND tĩnh chú trì, phổi hợp với Sở Tài chính",
            "Văn phòng UBND tỉnh chủ trì, phối hợp với Sở Tài chính",
        ),
        ("Ban cán sự đảng Úy ban nhân dân tĩnh hướng dẫn", "Ban cán sự đảng Ủy ban nhân dân tỉnh hướng dẫn"),
        ("triển khai Đế án 06 theo quy định", "triển khai Đề án 06 theo quy định"),
        ("14. Tinh đoàn", "14. Tỉnh đoàn"),  # a two-word name, capitalised
        ("thực hiện Kết luận số 72-KLITW, ngày", "thực hiện Kết luận số 72-KL/TW, ngày"),
        ("Kết luận số 72-KL/T W ngày", "Kết luận số 72-KL/TW  ngày"),  # same length: padded
        # Not slips: an ordinary phrase that folds like a two-word name, and typed right already.
        ("các số liệu thống kê", "các số liệu thống kê"),
        ("đường giao thông từ xã Đăk Pxi", "đường giao thông từ xã Đăk Pxi"),
        ("Sở Tài chính chủ trì", "Sở Tài chính chủ trì"),
    ],
)
def test_the_reading_copy_mends_slips_and_keeps_every_span(read: str, meant: str) -> None:
    copy = reading_copy(read)
    assert copy == meant and len(copy) == len(read)


SLIPPED = """ỦY BAN NHÂN DÂN TỈNH KON TUM

KẾ HOẠCH

Thực hiện Kết luận số 72-KLITW ngày 23/02/2024 của Bộ Chính trị

I. NHIỆM VỤ

1. Sở Xây dựng chú trì, phổi hợp với Sở Tài chính rà soát quy hoạch hạ tầng giao thông.

2. Gắn với Chương trình số 60 - CTr / TU của Tỉnh ủy.
"""


def test_analysis_of_a_scan_reads_through_the_slips_and_stores_the_text_as_read() -> None:
    def read(ocr: bool) -> object:
        document = parse_bytes(SLIPPED.encode(), "ke-hoach.txt")
        for segment in document.segments:
            segment.ocr_confidence = 0.9 if ocr else None  # as the scan reader marks what OCR read
        return analyze(document)

    scanned, typed = read(ocr=True), read(ocr=False)
    task = next(s for s in scanned.segments if "rà soát" in s.text)  # type: ignore[attr-defined]
    assert "chú trì, phổi hợp" in task.text  # the stored text is what OCR read
    roles = {(a.role, a.agency) for a in task.assignments}
    assert {("lead", "so-xay-dung"), ("coordinate", "so-tai-chinh")} <= roles, roles
    cited = [c for c in scanned.citations if c.number == "72-KL/TW"]  # type: ignore[attr-defined]
    assert cited and cited[0].mention.endswith("72-KLITW")  # as written in the stored text
    # A symbol read with spaces is longer than its canonical form: its mention is still all of it.
    program = [c for c in scanned.citations if c.number == "60-CTr/TU"]  # type: ignore[attr-defined]
    assert program and program[0].mention.endswith("60 - CTr / TU"), program
    # Typed text is read as written: the same slips are not taken for what they resemble.
    typed_task = next(s for s in typed.segments if "rà soát" in s.text)  # type: ignore[attr-defined]
    assert ("lead", "so-xay-dung") not in {(a.role, a.agency) for a in typed_task.assignments}
    assert not [c for c in typed.citations if c.number == "72-KL/TW"]  # type: ignore[attr-defined]


def test_the_seed_needs_no_mending() -> None:
    text = SEED.read_text(encoding="utf-8")
    for paragraph in text.split("\n"):
        mended = reading_copy(paragraph)
        assert len(mended) == len(paragraph)
        # The seed was OCR'd once: its slips ("CUA", "đế") are not vocabulary phrases, and no
        # correctly written phrase is changed.
        assert mended == paragraph, (paragraph, mended)


def test_a_symbol_ocr_misread_is_searchable_as_the_symbol() -> None:
    from nlp.lexical import passage_terms

    read = "Thực hiện Kết luận số 72-KLITW của Bộ Chính trị"
    assert "§72-kl/tw" in passage_terms(read, ocr=True) and "§kl 72" in passage_terms(read, ocr=True)
    assert "§72-kl/tw" not in passage_terms(read)  # typed text indexes what it says
