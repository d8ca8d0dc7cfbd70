"""Word segmentation keeps agency and place names whole, whatever lexicon another caller passed before."""

from __future__ import annotations

from underthesea import word_tokenize as underthesea_word_tokenize

from nlp.tokenize import lexicon, word_tokenize

SEED_LINE = "Ban Tuyên giáo Tỉnh ủy chủ trì, phối hợp với Ban cán sự đảng Ủy ban nhân dân tỉnh hướng dẫn"


def test_agency_names_stay_whole() -> None:
    words = word_tokenize(SEED_LINE)
    assert "Ban Tuyên giáo Tỉnh ủy" in words
    assert "Ban cán sự đảng Ủy ban nhân dân tỉnh" in words
    assert "đảng Ủy" not in words and "Tuyên giáo Tỉnh" not in words


def test_place_names_stay_whole() -> None:
    words = word_tokenize("Khu du lịch Măng Đen, huyện Kon Plông và cửa khẩu Bờ Y")
    assert {"Măng Đen", "Kon Plông", "Bờ Y"} <= set(words)


def test_another_lexicon_before_does_not_leak_into_ours() -> None:
    underthesea_word_tokenize(SEED_LINE, fixed_words=["Ủy ban nhân dân tỉnh hướng dẫn"])
    assert "Ban Tuyên giáo Tỉnh ủy" in word_tokenize(SEED_LINE)
    assert "Ủy ban nhân dân tỉnh hướng dẫn" not in word_tokenize(SEED_LINE)


def test_lexicon_holds_only_regex_safe_multiword_entries() -> None:
    assert all(" " in w and "(" not in w and "&" not in w for w in lexicon())
    assert word_tokenize("   ") == []
