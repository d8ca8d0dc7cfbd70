"""Citations: symbols, informal and named references, their facts and relations, on real text."""

from __future__ import annotations

import pytest
from inputs import ROOT, SEED

from ingest.model import Citation, Document, Segment
from ingest.pipeline import parse_file
from nlp.citations import extract_citations, find_mentions, informal_forms, resolve_reference

GOLD = ROOT / "evaluation" / "gold" / "citations"


def _document(text: str, number: str | None = None) -> Document:
    segment = Segment(id="t:0", document_id="t", path="0", kind="task", text=text, start=0, end=len(text))
    return Document(
        id="t", type=None, number=number, issuer=None, date=None, place=None, title=None, implements=[],
        source_path="t.txt", sha256="", source_format="txt", page_count=None, body=text, segments=[segment],
    )  # fmt: skip


def _cited(text: str, known: tuple[str, ...] = (), number: str | None = None) -> dict[str, Citation]:
    document = _document(text, number)
    extract_citations(document, known)
    return {c.number: c for c in document.citations}


# --- the seed ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Document:
    document = parse_file(SEED)
    extract_citations(document)
    return document


def test_seed_document_citations_exactly(seed: Document) -> None:
    cited = {c.number: c for c in seed.citations}
    assert set(cited) == {
        "72-KL/TW", "13-NQ/TW", "60-CTr/TU", "29-NQ/TW", "50-CTr/TU", "23-NQ/TW", "16-NQ/TU",
        "51-CTr/TU", "06-NQ/TW", "220-KL/TU", "Quy hoạch tỉnh Kon Tum thời kỳ 2021-2030, tầm nhìn đến năm 2050",
    }  # fmt: skip
    kl72 = cited["72-KL/TW"]
    assert (kl72.date, kl72.type, kl72.issuer, kl72.relation, kl72.implements) == (
        "2024-02-23", "Kết luận", "Bộ Chính trị", "implements", ["13-NQ/TW"],
    )  # fmt: skip
    assert (cited["13-NQ/TW"].date, cited["13-NQ/TW"].relation) == ("2012-01-16", "cites")
    assert (cited["60-CTr/TU"].date, cited["60-CTr/TU"].implements) == ("2023-05-15", ["29-NQ/TW"])
    assert cited["29-NQ/TW"].date == "2022-11-17"
    assert (cited["50-CTr/TU"].date, cited["50-CTr/TU"].implements) == ("2023-01-09", ["23-NQ/TW"])
    assert cited["23-NQ/TW"].date == "2022-10-06"
    assert cited["16-NQ/TU"].date == "2022-08-23"
    assert (cited["51-CTr/TU"].date, cited["51-CTr/TU"].implements) == ("2023-01-19", ["06-NQ/TW"])
    assert cited["06-NQ/TW"].date == "2022-01-24"
    assert (cited["220-KL/TU"].date, cited["220-KL/TU"].issuer) == ("2016-05-12", "Ban Thường vụ Tỉnh ủy")
    plan = cited["Quy hoạch tỉnh Kon Tum thời kỳ 2021-2030, tầm nhìn đến năm 2050"]
    assert plan.named and plan.type == "Quy hoạch"


def test_seed_segment_iii_3_2(seed: Document) -> None:
    segment = next(s for s in seed.segments if s.path == "III.3.2")
    facts = [(c.number, c.relation, c.implements, c.date) for c in segment.citations]
    assert facts == [
        ("60-CTr/TU", "implements", ["29-NQ/TW"], "2023-05-15"),
        ("29-NQ/TW", "cites", [], "2022-11-17"),
        ("50-CTr/TU", "linked", ["23-NQ/TW"], "2023-01-09"),
        ("23-NQ/TW", "cites", [], "2022-10-06"),
    ]
    first = segment.citations[0]
    assert segment.text[first.span[0] : first.span[1]] == first.mention == "Chương trình số 60-CTr/TU"  # type: ignore[index]
    assert segment.citations[1].title and segment.citations[1].title.startswith("về tiếp tục đẩy mạnh")


# --- finding every shape ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "number", "doc_type"),
    [
        ("Thực hiện Kết luận số 72-KL/TW của Bộ Chính trị", "72-KL/TW", "Kết luận"),
        ("gắn với Chương trình số 60-CTr/TU, ngày 15-5-2023", "60-CTr/TU", "Chương trình"),
        ("Nghị quyết số 16-NQ/TU, ngày 23-8-2022", "16-NQ/TU", "Nghị quyết"),
        ("Nghị quyết số 03/NQ-CP ngày 09 tháng 01 năm 2025 của Chính phủ", "03/NQ-CP", "Nghị quyết"),
        ("theo Nghị quyết số 1659/NQ-UBTVQH15", "1659/NQ-UBTVQH15", "Nghị quyết"),
        ("Quyết định số 42/2014/QĐ-TTg của Thủ tướng Chính phủ", "42/2014/QĐ-TTg", "Quyết định"),
        ("Căn cứ Chỉ thị số 24-CT/TW ngày 15 tháng 5 năm 2013", "24-CT/TW", "Chỉ thị"),
        ("Quyết định 1237/QĐ-TTg về việc phê duyệt", "1237/QĐ-TTg", "Quyết định"),
        ("Kế hoạch số 3260-KH/ĐĐQH15 của Đảng đoàn Quốc hội", "3260-KH/ĐĐQH15", "Kế hoạch"),
        ("Quy định số 22-QĐ/TW, ngày 28/7/2021", "22-QĐ/TW", "Quy định"),
        ("công văn số 83/BKHCN-BTTTT-VP ngày 08 tháng 01 năm 2025", "83/BKHCN-BTTTT-VP", "Công văn"),
    ],
)
def test_symbol_shapes_and_type_words(text: str, number: str, doc_type: str) -> None:
    cited = _cited(text)
    assert list(cited) == [number]
    assert cited[number].type == doc_type


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Kết luận số 72-KL/TW, ngày 23-02-2024 của Bộ Chính trị", "2024-02-23"),
        ("Chương trình số 60-CTr/TU, ngày 15-5-2023", "2023-05-15"),
        ("Chỉ thị số 24-CT/TW ngày 15 tháng 5 năm 2013", "2013-05-15"),
        ("Chỉ thị số 24-CT/TW ngày 15/5/2013 của Bộ Chính trị", "2013-05-15"),
        ("Nghị quyết số 57-NQ/TW (ngày 22/12/2024) của Bộ Chính trị", "2024-12-22"),
        ("Quyết định số 1753/QĐ-TTg của Thủ tướng Chính phủ", None),
    ],
)
def test_dates_after_the_symbol(text: str, date: str | None) -> None:
    (citation,) = _cited(text).values()
    assert citation.date == date


@pytest.mark.parametrize(
    ("text", "issuer"),
    [
        ("Kết luận số 72-KL/TW, ngày 23-02-2024 của Bộ Chính trị về tiếp tục", "Bộ Chính trị"),
        ("Nghị quyết số 13-NQ/TW, ngày 16-01-2012 của Ban Chấp hành Trung ương Đảng khóa XI “về xây dựng”",
         "Ban Chấp hành Trung ương Đảng khóa XI"),
        ("Chương trình số 51-CTr/TU, ngày 19-01-2023 của Ban Thường vụ Tỉnh ủy thực hiện", "Ban Thường vụ Tỉnh ủy"),
        ("Chương trình số 60-CTr/TU, ngày 15-5-2023 của Ban Chấp hành Đảng bộ tỉnh thực hiện",
         "Ban Chấp hành Đảng bộ tỉnh"),
        ("Quyết định số 1237/QĐ-TTg ngày 27 tháng 7 năm 2013 của Thủ tướng Chính phủ về việc", "Thủ tướng Chính phủ"),
        ("Nghị định số 107/2021/NĐ-CP của Chính phủ | Các bộ, ngành", "Chính phủ"),
        ("theo đúng chỉ đạo của Ban Thường vụ Tỉnh ủy tại Kết luận số 220-KL/TU, ngày 12-5-2016",
         "Ban Thường vụ Tỉnh ủy"),
    ],
)  # fmt: skip
def test_issuers(text: str, issuer: str) -> None:
    (citation,) = _cited(text).values()
    assert citation.issuer == issuer


def test_shared_issuer_of_a_list() -> None:
    cited = _cited("sửa đổi, bổ sung Chỉ thị số 35-CT/TW, ngày 14/6/2024 và Kết luận số 118-KL/TW, ngày "
                   "18/01/2025 của Bộ Chính trị về đại hội đảng bộ các cấp")  # fmt: skip
    assert cited["35-CT/TW"].issuer == cited["118-KL/TW"].issuer == "Bộ Chính trị"
    assert cited["35-CT/TW"].relation == cited["118-KL/TW"].relation == "amends"


def test_titles_in_quotes_and_after_ve() -> None:
    cited = _cited("Nghị quyết số 16-NQ/TU, ngày 23-8-2022 của Ban Chấp hành Đảng bộ tỉnh khóa XVI “về quy hoạch, "
                   "xây dựng đô thị”; Quyết định số 1753/QĐ-TTg của Thủ tướng Chính phủ về việc thành lập Ban Chỉ "
                   "đạo, phân công")  # fmt: skip
    assert cited["16-NQ/TU"].title == "về quy hoạch, xây dựng đô thị"
    assert cited["1753/QĐ-TTg"].title == "về việc thành lập Ban Chỉ đạo"


# --- relations and their scope -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "relation"),
    [
        ("Thực hiện Kết luận số 72-KL/TW", "implements"),
        ("triển khai thực hiện Chỉ thị số 24-CT/TW", "implements"),
        ("Tiếp tục thực hiện Nghị quyết số 03-NQ/TU", "implements"),
        ("Thực hiện tốt Chương trình số 60-CTr/TU", "implements"),
        ("thực hiện có hiệu quả Nghị quyết số 01/NQ-CP", "implements"),
        ("thực hiện các nội dung, nhiệm vụ quy định tại Quyết định số 1237/QĐ-TTg", "implements"),
        ("gắn với Chương trình số 51-CTr/TU", "linked"),
        ("Căn cứ Quyết định số 1753/QĐ-TTg", "based_on"),
        ("Căn cứ quy định tại Điều 3 của Quyết định số 1237/QĐ-TTg", "based_on"),
        ("Sửa đổi, bổ sung một số điều của Nghị định số 287/2022/NĐ-CP", "amends"),
        ("Nghị định này thay thế Quyết định số 148/2017/QĐ-TTg", "replaces"),
        ("quán triệt Kết luận số 72-KL/TW", "cites"),
        ("vận dụng các định hướng của Quyết định số 879/QĐ-TTg", "cites"),
        ("theo Chương trình hành động của Chính phủ thực hiện Nghị quyết số 45-NQ/TW", "cites"),
    ],
)
def test_relation_from_the_words_before(text: str, relation: str) -> None:
    (citation,) = _cited(text).values()
    assert citation.relation == relation


def test_chain_scope_72_implements_13() -> None:
    cited = _cited("Thực hiện Kết luận số 72-KL/TW, ngày 23-02-2024 của Bộ Chính trị về tiếp tục thực hiện Nghị quyết "
                   "số 13-NQ/TW, ngày 16-01-2012 của Ban Chấp hành Trung ương Đảng khóa XI")  # fmt: skip
    assert (cited["72-KL/TW"].relation, cited["72-KL/TW"].implements) == ("implements", ["13-NQ/TW"])
    assert (cited["13-NQ/TW"].relation, cited["13-NQ/TW"].implements) == ("cites", [])


def test_list_inherits_the_relation() -> None:
    cited = _cited("triển khai thực hiện Chỉ thị số 24-CT/TW ngày 15/5/2013 của Bộ Chính trị, Quyết định 1237/QĐ-TTg "
                   "về việc phê duyệt Đề án")  # fmt: skip
    assert cited["24-CT/TW"].relation == cited["1237/QĐ-TTg"].relation == "implements"


def test_own_symbol_and_self_references_are_not_citations() -> None:
    text = "Tổ chức quán triệt Chương trình số 60-CTr/TU, Kế hoạch này và Nghị quyết này; Chương trình này."
    assert _cited(text, number="60-CTr/TU") == {}


def test_strongest_relation_wins_across_segments(seed: Document) -> None:
    relations = {c.relation for s in seed.segments for c in s.citations if c.number == "72-KL/TW"}
    assert relations == {"implements", "cites"}
    assert next(c for c in seed.citations if c.number == "72-KL/TW").relation == "implements"


# --- informal and named references --------------------------------------------------------------


def test_informal_references_resolve_within_the_document() -> None:
    cited = _cited(
        "Thực hiện Kết luận số 72-KL/TW của Bộ Chính trị. Quán triệt Kết luận số 72, KL 72 và KL72."
    )
    assert list(cited) == ["72-KL/TW"]
    assert cited["72-KL/TW"].resolved


def test_informal_references_resolve_with_known_symbols() -> None:
    cited = _cited("Tiếp tục thực hiện NQ 13 và Nghị quyết số 13.", known=("13-NQ/TW", "72-KL/TW"))
    assert list(cited) == ["13-NQ/TW"]
    assert cited["13-NQ/TW"].relation == "implements"


def test_ambiguous_or_unknown_informal_references_stay_unresolved() -> None:
    cited = _cited(
        "bảo đảm kết nối với Đề án 06; Đẩy mạnh thực hiện Chỉ thị 18", known=("18-CT/TW", "18-CT/TU")
    )
    assert {n: (c.resolved, c.type, c.relation) for n, c in cited.items()} == {
        "Đề án 06": (False, "Đề án", "cites"),
        "Chỉ thị 18": (False, "Chỉ thị", "implements"),
    }


def test_numbers_that_are_not_references() -> None:
    assert _cited("Kế hoạch 5 năm 2021-2025, Chương trình 30 tháng, Đề án 10%, Điều 15, Quốc lộ 40B.") == {}


@pytest.mark.parametrize(
    ("text", "name", "doc_type", "date", "relation"),
    [
        ("thực hiện đồng bộ, hiệu quả Quy hoạch tỉnh Kon Tum thời kỳ 2021-2030, tầm nhìn đến năm 2050. Thực hiện",
         "Quy hoạch tỉnh Kon Tum thời kỳ 2021-2030, tầm nhìn đến năm 2050", "Quy hoạch", None, "implements"),
        ("Căn cứ Luật Tổ chức Chính phủ ngày 19 tháng 6 năm 2015;", "Luật Tổ chức Chính phủ", "Luật", "2015-06-19",
         "based_on"),
        ("gắn với Nghị quyết Đại hội XVI, tạo", "Nghị quyết Đại hội XVI", "Nghị quyết", None, "linked"),
        ("sửa đổi, bổ sung một số điều của Hiến pháp năm 2013.", "Hiến pháp năm 2013", "Hiến pháp", None, "amends"),
    ],
)  # fmt: skip
def test_named_references(text: str, name: str, doc_type: str, date: str | None, relation: str) -> None:
    (citation,) = _cited(text).values()
    assert (citation.number, citation.named, citation.type, citation.date, citation.relation) == (
        name, True, doc_type, date, relation,
    )  # fmt: skip


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01 ||| ”“ () ---- //// 72- /KL 13-NQ/ Luật Luật Luật của của của",
        "Kết luận số " * 20_000,
        "Quy hoạch " + "a " * 100_000,
        "Luật " + "x, " * 70_000,
        "của Bộ " * 35_000 + "tại",
        "Nghị quyết Đại hội " + "đại biểu " * 25_000,
        "1" * 200_000,
    ],
)
def test_garbage_empty_and_long_input_give_nothing(text: str) -> None:
    assert find_mentions(text) == []
    assert _cited(text) == {}


def test_long_segment_with_citations_completes() -> None:
    text = ("Thực hiện Kết luận số 72-KL/TW, ngày 23-02-2024 của Bộ Chính trị " + "x " * 1000) * 60
    assert len(text) > 120_000
    assert list(_cited(text)) == ["72-KL/TW"]


# --- informal forms and typed references ------------------------------------------------------


def test_informal_forms() -> None:
    assert informal_forms("72-KL/TW") == [
        "72-KL/TW", "KL 72", "KL72", "Kết luận 72", "Kết luận số 72", "Kết luận số 72-KL/TW",
    ]  # fmt: skip
    assert "Quyết định 1237" in informal_forms("1237/QĐ-TTg")
    assert informal_forms("not a symbol") == ["not a symbol"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kết luận 72", ["72-KL/TW"]),
        ("KL 72", ["72-KL/TW"]),
        ("kl72", ["72-KL/TW"]),
        ("NQ13", ["13-NQ/TW"]),
        ("nghị quyết số 13", ["13-NQ/TW"]),
        ("nghi quyet so 13", ["13-NQ/TW"]),
        ("quyet dinh 1237", ["1237/QĐ-TTg"]),
        ("72-KL/TW", ["72-KL/TW"]),
        ("60", ["60-CTr/TU", "60-NQ/TW"]),
        ("chương trình 99", []),
        ("hello", []),
    ],
)
def test_resolve_reference(typed: str, expected: list[str]) -> None:
    known = ("72-KL/TW", "13-NQ/TW", "60-CTr/TU", "60-NQ/TW", "1237/QĐ-TTg")
    assert resolve_reference(typed, known) == expected
