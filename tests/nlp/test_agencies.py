"""The agency registry: aliases, abbreviations, tone marks, collectives, search."""

from __future__ import annotations

import pytest

from nlp.agencies import AgencyRegistry


@pytest.mark.parametrize(
    "mention, agency_id",
    [
        ("Ban cán sự đảng UBND tỉnh", "bcs-dang-ubnd-tinh"),
        ("BCS đảng Ủy ban nhân dân tỉnh", "bcs-dang-ubnd-tinh"),
        ("BCSĐ UBND tỉnh", "bcs-dang-ubnd-tinh"),
        ("ban cán sự đảng uỷ ban nhân dân tỉnh", "bcs-dang-ubnd-tinh"),
        ("BTV Tỉnh uỷ", "btv-tinh-uy"),
        ("Ban Thường vụ TU", "btv-tinh-uy"),
        ("ĐĐ HĐND tỉnh", "dang-doan-hdnd-tinh"),
        ("Đảng đoàn UBMTTQ tỉnh", "dang-doan-ubmttq-tinh"),
        ("Ủy ban MTTQ Việt Nam tỉnh", "ubmttq-tinh"),
        ("BCH Trung ương", "bch-trung-uong"),
        ("các huyện ủy", "huyen-uy:all"),
        ("thành ủy", "thanh-uy:all"),
        ("Bộ TT&TT", "bo-tttt"),
        ("VTV", "dai-truyen-hinh-vn"),
    ],
)
def test_resolve_aliases(mention: str, agency_id: str) -> None:
    agency = AgencyRegistry.default().resolve(mention)
    assert agency is not None and agency.id == agency_id


def test_unknown_mentions_resolve_to_none_and_are_kept() -> None:
    registry = AgencyRegistry.default()
    assert registry.resolve("Sở Kinh tế Biển") is None
    kept = registry.unknown("Sở Kinh tế Biển")
    assert (kept.id, kept.name, kept.known) == ("sở kinh tế biển", "Sở Kinh tế Biển", False)


def test_registry_entries_are_well_formed() -> None:
    registry = AgencyRegistry.default()
    assert registry is AgencyRegistry.default()  # cached
    levels = {"trung ương", "tỉnh", "huyện", "xã"}
    kinds = {
        "cấp ủy",
        "ban đảng",
        "ban cán sự đảng",
        "đảng đoàn",
        "chính quyền",
        "mặt trận và đoàn thể",
        "bộ ngành",
        "other",
    }
    for agency in registry.agencies:
        assert agency.id.isascii() and agency.level in levels and agency.kind in kinds, agency


def test_seed_enumeration_gives_six_agencies() -> None:
    text = (
        "các ban cán sự đảng, đảng đoàn, các huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy, "
        "Ban Thường vụ Tỉnh đoàn lãnh đạo"
    )
    found = [m.agency.id for m in AgencyRegistry.default().find(text)]
    assert found == [
        "ban-can-su-dang:all",
        "dang-doan:all",
        "huyen-uy:all",
        "thanh-uy:all",
        "dang-uy-truc-thuoc-tinh-uy:all",
        "btv-tinh-doan",
    ]


def test_search_finds_agencies_in_a_query() -> None:
    registry = AgencyRegistry.default()
    assert [a.id for a in registry.search("UBND tỉnh")] == ["ubnd-tinh"]
    assert {a.id for a in registry.search("Ủy ban nhân dân tỉnh và Sở Tài chính")} == {
        "ubnd-tinh",
        "so-tai-chinh",
    }
    assert registry.search("thời tiết hôm nay") == []


@pytest.mark.parametrize(
    "query, agency_id",
    [
        ("ubnd tinh", "ubnd-tinh"),
        ("ban tuyen giao tinh uy", "ban-tuyen-giao-tinh-uy"),
        ("bcs dang ubnd tinh", "bcs-dang-ubnd-tinh"),
        ("Ban Thuong vu Tinh uy", "btv-tinh-uy"),
        ("bo khoa hoc va cong nghe", "bo-khcn"),
    ],
)
def test_queries_without_diacritics_resolve_and_search(query: str, agency_id: str) -> None:
    registry = AgencyRegistry.default()
    agency = registry.resolve(query)
    assert agency is not None and agency.id == agency_id
    assert [a.id for a in registry.search(query)] == [agency_id]


def test_folded_search_finds_every_name_and_keeps_short_syllables_literal() -> None:
    # "tu" in "bo tu phap" is a syllable of "Bộ Tư pháp", not the abbreviation TU (Tỉnh ủy).
    found = [a.id for a in AgencyRegistry.default().search("ke hoach cua bo tu phap va ubnd tinh")]
    assert found == ["bo-tu-phap", "ubnd-tinh"]
    assert AgencyRegistry.default().search("ke hoach nam nay") == []


def test_the_concerned_members_of_a_collective_are_that_collective() -> None:
    registry = AgencyRegistry.default()
    collective = registry.resolve("các bộ, ngành, địa phương")
    assert collective is not None and collective.collective
    assert registry.resolve("các bộ, ngành, địa phương có liên quan") == collective
    # A single body concerned is no body the registry knows.
    assert registry.resolve("Sở Tài chính có liên quan") is None


def test_provincial_and_city_party_committees_are_one_collective() -> None:
    registry = AgencyRegistry.default()
    found = registry.find("Đảng ủy Bộ Nội vụ phối hợp với các tỉnh uỷ, thành uỷ và các cơ quan liên quan.")
    assert [m.agency.id for m in found][-2:] == ["tinh-uy-thanh-uy:all", "co-quan-lien-quan:all"]
    # Plural, they are every province's committee, not the one of the issuer's province.
    assert registry.resolve("các tỉnh ủy") == registry.get("tinh-uy-thanh-uy:all")
    assert registry.resolve("Tỉnh ủy") == registry.get("tinh-uy")
