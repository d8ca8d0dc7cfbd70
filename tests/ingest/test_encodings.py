"""Text decoding: UTF-8/16, Windows-1258 and the legacy Vietnamese font encodings TCVN3 and VNI."""

from __future__ import annotations

import codecs
import random
import shutil
import subprocess
import time
import unicodedata

import pytest
from inputs import REALDOC_FILES, REALDOCS, realdocs_absent
from inputs import SEED as SEED_PATH

from ingest.encodings import (
    TCVN3_ENCODE_MAP,
    VIETNAMESE_LOWER,
    VNI_ENCODE_MAP,
    convert_legacy,
    decode_bytes,
    detect_legacy,
    encode_legacy,
    is_syllable,
)
from ingest.model import ReadError

SEED = SEED_PATH.read_text(encoding="utf-8")
ALL_LETTERS = VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper()
ENGLISH = "The committee met on Monday to review the plan.\nAll members agreed to report by June 30.\n"


def test_seed_is_nfc_vietnamese() -> None:
    # The round trips below compare with the seed itself, so it must already be NFC.
    assert unicodedata.is_normalized("NFC", SEED)
    assert "Kết luận" in SEED


# ---------------------------------------------------------------- tables


def test_there_are_134_toned_letters_and_both_tables_cover_them() -> None:
    assert len(set(ALL_LETTERS)) == 134
    assert set(ALL_LETTERS) <= set(TCVN3_ENCODE_MAP)
    assert set(ALL_LETTERS) <= set(VNI_ENCODE_MAP)


@pytest.mark.parametrize("letter", ALL_LETTERS)
def test_every_letter_round_trips_through_vni(letter: str) -> None:
    data = encode_legacy(letter, "vni")
    assert 1 <= len(data) <= 2
    assert convert_legacy(data.decode("cp1252"), "vni") == letter


def test_every_tcvn3_code_is_one_byte_and_distinct() -> None:
    codes = {letter: encode_legacy(letter, "tcvn3") for letter in VIETNAMESE_LOWER + "ĂÂĐÊÔƠƯ"}
    assert all(len(code) == 1 and code[0] >= 0xA1 for code in codes.values())
    assert len(set(codes.values())) == len(codes) == 74
    for letter, code in codes.items():
        assert convert_legacy(code.decode("cp1252"), "tcvn3") == letter


def test_tcvn3_toned_capitals_use_the_lowercase_codes() -> None:
    for letter in VIETNAMESE_LOWER:
        if letter.upper() not in "ĂÂĐÊÔƠƯ":
            assert encode_legacy(letter.upper(), "tcvn3") == encode_legacy(letter, "tcvn3")


def test_tcvn3_capitals_come_back_on_a_line_in_capitals() -> None:
    line = "VIỆT NAM " + " ".join("X" + letter + "N" for letter in VIETNAMESE_LOWER.upper())
    assert convert_legacy(encode_legacy(line, "tcvn3").decode("cp1252"), "tcvn3") == line


@pytest.mark.skipif(shutil.which("iconv") is None, reason="iconv not installed")
def test_tcvn3_table_agrees_with_glibc_iconv() -> None:
    letters = VIETNAMESE_LOWER + "ĂÂĐÊÔƠƯ"
    result = subprocess.run(
        ["iconv", "-f", "UTF-8", "-t", "TCVN5712-1"], input=letters.encode(), capture_output=True, check=False
    )
    if result.returncode != 0:
        pytest.skip("this iconv has no TCVN5712-1")
    assert result.stdout == encode_legacy(letters, "tcvn3")


@pytest.mark.parametrize(
    ("text", "encoding", "glyphs"),
    [
        ("Kết luận", "tcvn3", "KÕt luËn"),
        ("Việt Nam", "tcvn3", "ViÖt Nam"),
        ("đường", "tcvn3", "®\xadêng"),
        ("Đảng ủy", "tcvn3", "§¶ng ñy"),
        ("Kết luận", "vni", "Keát luaän"),
        ("Việt Nam", "vni", "Vieät Nam"),
        ("được", "vni", "ñöôïc"),
        ("địa phương", "vni", "ñòa phöông"),
        ("nghĩa vụ chỉ đạo", "vni", "nghóa vuï chæ ñaïo"),
        ("Ủy ban", "vni", "UÛy ban"),
        ("ĐẢNG", "vni", "ÑAÛNG"),
        ("khuyến khích", "vni", "khuyeán khích"),
        ("tỷ lệ", "vni", "tyû leä"),
    ],
)
def test_known_legacy_spellings(text: str, encoding: str, glyphs: str) -> None:
    assert encode_legacy(text, encoding) == glyphs.encode("cp1252")
    assert convert_legacy(glyphs, encoding) == text


def test_vni_accepts_a_mark_in_the_other_case() -> None:
    # Typed with Caps Lock on: the mark byte's case need not match its base letter.
    assert convert_legacy("VIEäT Naøm", "vni") == "VIỆT Nàm"


def test_encoding_a_character_the_legacy_set_cannot_hold_fails() -> None:
    with pytest.raises(ValueError, match="'ö'"):
        encode_legacy("Schön", "vni")  # ö is the VNI code for ư
    with pytest.raises(ValueError, match="'ü'"):
        encode_legacy("Müller", "tcvn3")  # ü is the TCVN3 code for ỹ
    with pytest.raises(ValueError, match="'→'"):
        encode_legacy("a → b", "tcvn3")
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        encode_legacy("a", "viscii")
    with pytest.raises(ValueError, match="unknown legacy encoding"):
        convert_legacy("a", "viscii")


# ---------------------------------------------------------------- legacy files


def test_seed_round_trips_through_vni_bytes() -> None:
    assert decode_bytes(encode_legacy(SEED, "vni")) == (SEED, "vni")


def test_seed_round_trips_through_tcvn3_bytes_but_for_title_case_toned_capitals() -> None:
    text, encoding = decode_bytes(encode_legacy(SEED, "tcvn3"))
    assert encoding == "tcvn3"
    assert text.casefold() == SEED.casefold()
    for original, decoded in zip(SEED.split(), text.split(), strict=True):
        if original != decoded:  # only the documented loss: "Ủy ban" comes back as "ủy ban"
            assert original == decoded.capitalize() and original[0] in VIETNAMESE_LOWER.upper()
    # Headings in capitals keep their toned capitals.
    for heading in ("KẾ HOẠCH", "CUA BAN THƯỜNG VỤ TỈNH ỦY", "I. MỤC ĐÍCH, YÊU CẦU"):
        assert heading in SEED
        assert heading in text


def test_lowercase_text_round_trips_exactly_through_tcvn3() -> None:
    lower = SEED.lower()
    assert decode_bytes(encode_legacy(lower, "tcvn3")) == (lower, "tcvn3")


def test_seed_in_windows_1258() -> None:
    data = encode_legacy(SEED, "cp1258")
    assert b"\xec" in data and b"\xf2" in data  # tones are separate combining-mark bytes
    assert data.decode("cp1258") != SEED  # so a plain decode is not yet NFC
    assert decode_bytes(data) == (SEED, "cp1258")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_glyph_text_saved_as_utf8_is_converted(encoding: str) -> None:
    glyph_text = encode_legacy(SEED, encoding).decode("cp1252")
    assert detect_legacy(glyph_text) == encoding
    text, found = decode_bytes(glyph_text.encode("utf-8"))
    assert found == encoding
    assert text.casefold() == SEED.casefold()


@pytest.mark.parametrize(
    ("glyphs", "encoding"), [("KÕt luËn", "tcvn3"), ("Keát luaän", "vni")], ids=["tcvn3", "vni"]
)
def test_short_glyph_phrases(glyphs: str, encoding: str) -> None:
    assert decode_bytes(glyphs.encode("utf-8")) == ("Kết luận", encoding)
    assert decode_bytes(glyphs.encode("cp1252")) == ("Kết luận", encoding)


def test_legacy_glyph_text_saved_as_utf16_is_converted() -> None:
    glyph_text = encode_legacy(SEED, "vni").decode("cp1252")
    assert decode_bytes(codecs.BOM_UTF16_LE + glyph_text.encode("utf-16-le")) == (SEED, "vni")


# ---------------------------------------------------------------- Unicode files


def test_utf8_seed_is_returned_unchanged() -> None:
    assert detect_legacy(SEED) is None
    assert decode_bytes(SEED.encode("utf-8")) == (SEED, "utf-8")


def test_no_line_of_unicode_vietnamese_is_taken_for_legacy_text() -> None:
    lines = [line for line in SEED.splitlines() if line.strip()]
    assert [line for line in lines if detect_legacy(line)] == []


def test_decomposed_unicode_vietnamese_is_left_as_is() -> None:
    nfd = unicodedata.normalize("NFD", SEED)
    assert decode_bytes(nfd.encode("utf-8")) == (nfd, "utf-8")


def test_utf8_with_bom() -> None:
    assert decode_bytes(codecs.BOM_UTF8 + SEED.encode("utf-8")) == (SEED, "utf-8")


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + SEED.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SEED.encode("utf-16-be"),
        SEED.encode("utf-16-le"),
        SEED.encode("utf-16-be"),
        ENGLISH.encode("utf-16-le"),
    ],
    ids=["le-bom", "be-bom", "le", "be", "english-le"],
)
def test_utf16(data: bytes) -> None:
    text, encoding = decode_bytes(data)
    assert encoding == "utf-16"
    assert text in (SEED, ENGLISH)


def test_plain_english_stays_utf8() -> None:
    assert decode_bytes(ENGLISH.encode("ascii")) == (ENGLISH, "utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "Résumé of the café meeting, a naïve approach — “quoted”.",
        "Le cœur a ses raisons que la raison ne connaît point. Élève, façade, où est la bibliothèque?",
        "Über die Brücke gehen wir später. Größe, Straße, Mädchen, Fußgänger, müssen wir öffnen.",
    ],
    ids=["english", "french", "german"],
)
def test_western_european_text_is_never_converted(text: str) -> None:
    assert detect_legacy(text) is None
    assert decode_bytes(text.encode("utf-8")) == (text, "utf-8")
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.skipif(not REALDOCS.is_dir(), reason=realdocs_absent(REALDOCS))
@pytest.mark.parametrize("name", REALDOC_FILES)
def test_real_documents_are_returned_unchanged(name: str) -> None:
    data = (REALDOCS / name).read_bytes()
    assert decode_bytes(data) == (data.decode("utf-8"), "utf-8")


# ---------------------------------------------------------------- not text


@pytest.mark.parametrize("size", [16, 200, 4096, 100_000])
def test_random_bytes_are_binary(size: int) -> None:
    with pytest.raises(ReadError, match="binary data"):
        decode_bytes(random.Random(0).randbytes(size))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(1).randbytes(500),
        b"\x7fELF\x02\x01\x01\x00" + bytes(8) + random.Random(2).randbytes(500),
        bytes(range(0x80, 0x100)) * 4,
    ],
    ids=["png", "elf", "high-bytes"],
)
def test_binary_files_are_refused(data: bytes) -> None:
    with pytest.raises(ReadError, match="binary data"):
        decode_bytes(data)


def test_broken_utf16_is_reported() -> None:
    with pytest.raises(ReadError, match="invalid UTF-16"):
        decode_bytes(codecs.BOM_UTF16_LE + "Kết".encode("utf-16-le") + b"\x00\xd8")


# ---------------------------------------------------------------- syllables and speed


@pytest.mark.parametrize(
    "word", ["người", "được", "nghiêng", "quyết", "khuỷu", "giữa", "hóa", "thuở", "tỉnh"]
)
def test_vietnamese_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["cỏc", "keát", "ñöôïc", "hóà", "café", "müller", "thõt"])
def test_non_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_decoding_a_large_utf8_file_is_fast() -> None:
    data = (SEED * 400).encode("utf-8")  # about 7 MB
    start = time.perf_counter()
    text, encoding = decode_bytes(data)
    elapsed = time.perf_counter() - start
    assert encoding == "utf-8" and len(text) == len(SEED) * 400
    assert len(data) / elapsed > 5_000_000, f"{len(data) / elapsed / 1e6:.1f} MB/s"
