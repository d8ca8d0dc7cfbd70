"""Turn a text file's bytes into Unicode, including the legacy Vietnamese font encodings.

Old provincial files come in Windows-1258 or in the 8-bit font encodings TCVN3 (ABC, `.VnTime`)
and VNI (`VNI-Times`). A legacy file arrives either as raw bytes or as Unicode text whose
characters are the cp1252 glyphs of those bytes (a `.VnTime` Word file saved as UTF-8 shows
"Kết luận" as "KÕt luËn"). Both are found by scoring: every candidate decoding is split into
syllables and the one with the most valid Vietnamese syllables wins, so proper Unicode
Vietnamese and plain English are never converted.

TCVN3 has codes for the capitals Ă Â Ê Ô Ơ Ư Đ only; toned capitals were typed with the
lowercase codes in a capitals font (`.VnTimeH`), which plain text cannot show. `encode_legacy`
writes a toned capital with its lowercase code, and decoding yields lowercase for those codes
except on a line with no lowercase letter and at least two capitals (a heading such as
"KÕ HO¹CH" → "KẾ HOẠCH") and in words of two or more capitals elsewhere ("THùC" → "THỰC").
A toned capital starting a sentence ("Ủy ban") therefore decodes as lowercase ("ủy ban").
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from contextlib import suppress
from functools import lru_cache
from typing import NamedTuple

from ingest.model import ReadError

LEGACY_ENCODINGS = ("tcvn3", "vni")

# The 67 lowercase Vietnamese letters with diacritics; their capitals make the 134.
VIETNAMESE_LOWER = "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ"

# TCVN3 (TCVN 5712:1993 VN3): one letter, one byte, shown as its cp1252/latin-1 glyph.
# Checked against glibc iconv's TCVN5712-1, of which VN3 is the subset used by .VnTime fonts.
TCVN3_LETTERS = VIETNAMESE_LOWER + "ĂÂĐÊÔƠƯ"
TCVN3_GLYPHS = "µ¶·¸¹¨»¼½¾Æ©ÇÈÉÊË®ÌÎÏÐÑªÒÓÔÕÖ×ØÜÝÞßáâãä«åæçèé¬êëìíîïñòóô\xadõö÷øùúûüýþ¡¢§£¤¥¦"

# VNI Windows: a base letter followed by a mark byte, or one byte for ơ ư đ and some i/y forms.
# Capitals are the uppercase of both parts ("AÙ" = Á, "Ô" = Ơ), so only lowercase is listed.
VNI_LOWER: dict[str, str] = {
    "à": "aø", "ả": "aû", "ã": "aõ", "á": "aù", "ạ": "aï",
    "ă": "aê", "ằ": "aè", "ẳ": "aú", "ẵ": "aü", "ắ": "aé", "ặ": "aë",
    "â": "aâ", "ầ": "aà", "ẩ": "aå", "ẫ": "aã", "ấ": "aá", "ậ": "aä",
    "đ": "ñ",
    "è": "eø", "ẻ": "eû", "ẽ": "eõ", "é": "eù", "ẹ": "eï",
    "ê": "eâ", "ề": "eà", "ể": "eå", "ễ": "eã", "ế": "eá", "ệ": "eä",
    "ì": "ì", "ỉ": "æ", "ĩ": "ó", "í": "í", "ị": "ò",
    "ò": "oø", "ỏ": "oû", "õ": "oõ", "ó": "où", "ọ": "oï",
    "ô": "oâ", "ồ": "oà", "ổ": "oå", "ỗ": "oã", "ố": "oá", "ộ": "oä",
    "ơ": "ô", "ờ": "ôø", "ở": "ôû", "ỡ": "ôõ", "ớ": "ôù", "ợ": "ôï",
    "ù": "uø", "ủ": "uû", "ũ": "uõ", "ú": "uù", "ụ": "uï",
    "ư": "ö", "ừ": "öø", "ử": "öû", "ữ": "öõ", "ứ": "öù", "ự": "öï",
    "ỳ": "yø", "ỷ": "yû", "ỹ": "yõ", "ý": "yù", "ỵ": "î",
}  # fmt: skip

# Vietnamese syllable parts, for scoring candidate decodings.
_ONSET_TEXT = "b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x"
_RHYME_TEXT = """
    a ac ach ai ak am an ang anh ao ap at au ay ăc ăk ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
    e ec em en eng eo ep et ê êch êm ên ênh êp êt êu
    i ia ich im in inh ip it iu iêc iêm iên iêng iêp iêt iêu
    o oc oi om on ong op ot ooc oong ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
    u ua uc ui um un ung up ut uôc uôi uôm uôn uông uôt
    ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp ươt ươu
    y yêm yên yêt yêu
    oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng oăt oe oen oeo oet
    uân uâng uât uây uê uêch uênh uơ uy uya uych uyên uyêt uyn uynh uyp uyt uyu
"""
ONSETS = ("", *_ONSET_TEXT.split())
RHYMES = frozenset(_RHYME_TEXT.split())
STOP_CODAS = ("c", "ch", "p", "t")  # syllables ending in these take only the acute or dot-below tone
TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook above, dot below
STOP_TONES = ("\u0301", "\u0323")

_TEXT_CONTROLS = "\t\n\v\f\r\x1b"  # control characters that real text files contain
_SAMPLE_CHARS = 16384  # detection reads at most three slices of this size
_ASCII_BYTES = bytes(range(128))
_CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in _TEXT_CONTROLS) + b"\x7f"
_NOT_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\x7fELF", "an ELF executable"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (old Word/Excel)"),
    (b"%PDF-", "a PDF file"),
)


class SyllableScore(NamedTuple):
    valid: int  # words with diacritics that are Vietnamese syllables
    invalid: int  # words with non-ASCII letters that are not

    @property
    def net(self) -> int:
        return self.valid - self.invalid

    def is_vietnamese(self) -> bool:
        return self.valid >= 2 and self.valid >= 3 * self.invalid


# ---------------------------------------------------------------- tables derived from the data above


def _vni_table() -> dict[str, str]:
    table = dict(VNI_LOWER)
    table.update({letter.upper(): glyphs.upper() for letter, glyphs in VNI_LOWER.items()})
    return table


def _tcvn3_encode_map() -> dict[str, str]:
    table = dict(zip(TCVN3_LETTERS, TCVN3_GLYPHS, strict=True))
    # Toned capitals have no code of their own: written with the lowercase code (.VnTimeH style).
    for letter in VIETNAMESE_LOWER:
        table.setdefault(letter.upper(), table[letter])
    return table


def _vni_decode_map(table: dict[str, str]) -> dict[int, str]:
    """Map each VNI byte glyph to Unicode: a letter for one-glyph letters, combining marks for mark glyphs.

    Decoding is then one `str.translate` plus NFC, instead of matching glyph pairs one by one.
    """
    letters = {glyphs: letter for letter, glyphs in table.items() if len(glyphs) == 1}
    marks: dict[str, str] = {}
    for letter, glyphs in table.items():
        if len(glyphs) != 2:
            continue
        base, mark = glyphs[0], glyphs[1]
        combining = unicodedata.normalize("NFD", letter)[
            len(unicodedata.normalize("NFD", letters.get(base, base))) :
        ]
        if marks.setdefault(mark, combining) != combining:
            raise AssertionError(f"VNI mark {mark!r} means both {marks[mark]!r} and {combining!r}")
    return {ord(glyph): text for glyph, text in {**letters, **marks}.items()}


VNI_ENCODE_MAP = _vni_table()
TCVN3_ENCODE_MAP = _tcvn3_encode_map()
_ENCODE_MAPS = {"tcvn3": TCVN3_ENCODE_MAP, "vni": VNI_ENCODE_MAP}
_ENCODE_TRANSLATIONS = {
    encoding: {ord(letter): glyphs for letter, glyphs in table.items()}
    for encoding, table in _ENCODE_MAPS.items()
}
_DECODE_MAPS: dict[str, dict[int, str]] = {
    "tcvn3": {ord(glyph): letter for letter, glyph in zip(TCVN3_LETTERS, TCVN3_GLYPHS, strict=True)},
    "vni": _vni_decode_map(VNI_ENCODE_MAP),
}


# cp1252 with its five undefined bytes read as latin-1, so that every byte has a glyph.
_CP1252_GLYPHS = "".join(
    bytes([b]).decode("cp1252", errors="replace").replace("\ufffd", chr(b)) for b in range(256)
)


def _byte_table(decode_map: dict[int, str]) -> dict[int, str]:
    """Legacy byte → Unicode: the byte's cp1252 glyph, then that glyph's letter or marks."""
    return {byte: decode_map.get(ord(glyph), glyph) for byte, glyph in enumerate(_CP1252_GLYPHS)}


_BYTE_TABLES = {encoding: _byte_table(decode_map) for encoding, decode_map in _DECODE_MAPS.items()}


def _unencodable(table: dict[str, str]) -> re.Pattern[str]:
    """Non-ASCII glyph characters that are not Vietnamese letters: text holding one cannot round-trip."""
    glyphs = set("".join(table.values())) - set(table)
    return re.compile("[" + re.escape("".join(sorted(ch for ch in glyphs if not ch.isascii()))) + "]")


_UNENCODABLE = {encoding: _unencodable(table) for encoding, table in _ENCODE_MAPS.items()}


def _split_tone(letter: str) -> tuple[str, str]:
    """("ê", "\u0323") for "ệ": the letter without its tone, and the tone as a combining mark."""
    decomposed = unicodedata.normalize("NFD", letter)
    tone = "".join(ch for ch in decomposed if ch in TONE_MARKS)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONE_MARKS)), tone


# Windows-1258 holds the untoned letters and the five tones as combining marks, not toned letters.
_CP1258_ENCODE_MAP = {
    ord(letter): "".join(_split_tone(letter)) for letter in VIETNAMESE_LOWER + VIETNAMESE_LOWER.upper()
}

# TCVN3 capitals: lowercase toned letters whose capital has no code, and the letters that show case.
_CAPITAL_LESS = "".join(ch for ch in VIETNAMESE_LOWER if ch.upper() not in TCVN3_LETTERS)
_TO_CAPITAL = {ord(ch): ch.upper() for ch in _CAPITAL_LESS}
_HAS_CAPITAL_LESS = re.compile(f"[{_CAPITAL_LESS}]")
_CASED_UPPER = "A-ZĂÂĐÊÔƠƯ"
_CASED_LOWER = "a-zăâđêôơư"
_CAPITALS_WORD = re.compile(
    rf"(?<![^\W\d_])(?=[{_CASED_UPPER}{_CAPITAL_LESS}]*[{_CAPITAL_LESS}])"
    rf"(?=[{_CAPITAL_LESS}]*[{_CASED_UPPER}][{_CAPITAL_LESS}]*[{_CASED_UPPER}])"
    rf"[{_CASED_UPPER}{_CAPITAL_LESS}]+(?![^\W\d_])"
)
# A line with a toned letter, two capitals and no other lowercase letter: a heading in capitals.
_CAPITALS_LINE = re.compile(
    rf"^(?=[^\n{_CASED_LOWER}]*[{_CAPITAL_LESS}])"
    rf"(?=(?:[^\n{_CASED_UPPER}]*[{_CASED_UPPER}]){{2}})"
    rf"[^\n{_CASED_LOWER}]+$",
    re.MULTILINE,
)

_WORD = re.compile(r"[^\W\d_]+")
_HIGH_LATIN1 = re.compile("[\xa1-\xff]")
_UNICODE_ONLY_LETTERS = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u1ea0-\u1ef9]")
_CONTROL = re.compile(f"[^{_TEXT_CONTROLS}\\x20-\\x7e\\x80-\\U0010ffff]|\x7f")


# ---------------------------------------------------------------- public API


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (Unicode text, encoding name) for a text file's bytes.

    Names: "utf-8", "utf-16", "cp1258", "cp1252", "tcvn3", "vni". Legacy glyph text found inside
    a UTF-8 or UTF-16 file is converted and reported as "tcvn3" or "vni". Text that needs no
    conversion is returned unchanged (BOM removed); converted text is NFC.
    """
    for signature, kind in _BINARY_SIGNATURES:
        if data.startswith(signature):
            raise ReadError(f"binary data, not text ({kind})")
    if data.startswith(codecs.BOM_UTF8):
        return _unicode_result(_decode_strict(data[3:], "utf-8"), "utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _unicode_result(_decode_strict(data, "utf-16"), "utf-16")
    if data.isascii() and not _control_count(data[: 4 * _SAMPLE_CHARS]):
        return data.decode("ascii"), "utf-8"
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _unicode_result(_decode_strict(data, utf16), "utf-16")
    head = data[: 4 * _SAMPLE_CHARS]
    if _control_count(head) > len(head) // 100:
        raise ReadError("binary data, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_8bit(data)
    return _unicode_result(text, "utf-8")


def detect_legacy(text: str) -> str | None:
    """Return "tcvn3" or "vni" when `text` is legacy glyph text, None when it is not."""
    sample = _sample(text)
    glyph_like = len(_HIGH_LATIN1.findall(sample))
    if not glyph_like:
        return None  # every TCVN3 and VNI mark glyph lies in U+00A1..U+00FF
    if len(_UNICODE_ONLY_LETTERS.findall(sample)) * 4 >= glyph_like:
        return None  # letters no cp1252 glyph can be: this is Unicode Vietnamese already
    as_is = _score(unicodedata.normalize("NFC", sample))
    best_encoding, best = _best_legacy(sample)
    if best.is_vietnamese() and best.net > as_is.net + max(1, as_is.valid // 2):
        return best_encoding
    return None


def convert_legacy(text: str, encoding: str) -> str:
    """Convert TCVN3 or VNI glyph text (cp1252 characters of the legacy bytes) to NFC Unicode."""
    decode_map = _decode_map(encoding)
    try:
        data = text.encode("cp1252")  # decoding bytes with a charmap is ten times faster than str.translate
    except UnicodeEncodeError:
        return _finish_legacy(text.translate(decode_map), encoding)
    return _decode_legacy_bytes(data, encoding)


def encode_legacy(text: str, encoding: str) -> bytes:
    """Return the bytes a legacy file holding `text` would have: "tcvn3", "vni" or "cp1258".

    TCVN3 writes a toned capital with its lowercase code (see the module docstring). Raises
    ValueError for a character the encoding cannot hold.
    """
    text = unicodedata.normalize("NFC", text)
    if encoding == "cp1258":
        return _encode_8bit(text.translate(_CP1258_ENCODE_MAP), "cp1258", "cp1258")
    if encoding not in _ENCODE_MAPS:
        raise ValueError(f"unknown legacy encoding {encoding!r}: use 'tcvn3', 'vni' or 'cp1258'")
    clash = _UNENCODABLE[encoding].search(text)
    if clash:
        raise ValueError(f"character {clash.group()!r} cannot be written in {encoding.upper()}")
    return _encode_8bit(text.translate(_ENCODE_TRANSLATIONS[encoding]), "cp1252", encoding)


# ---------------------------------------------------------------- detection


def _unicode_result(text: str, encoding: str) -> tuple[str, str]:
    sample = _sample(text)
    if len(_CONTROL.findall(sample)) > len(sample) // 100:
        raise ReadError("binary data, not text")
    legacy = detect_legacy(text) if not text.isascii() else None
    if legacy:
        return convert_legacy(text, legacy), legacy
    return text, encoding


def _decode_8bit(data: bytes) -> tuple[str, str]:
    """Bytes that are not UTF-8: Windows-1258, TCVN3 or VNI by syllable score, else cp1252."""
    sample = b"\n".join(data[part] for part in _sample_slices(len(data)))
    scores = {encoding: _score(_decode_legacy_bytes(sample, encoding)) for encoding in LEGACY_ENCODINGS}
    with suppress(UnicodeDecodeError):
        scores["cp1258"] = _score(unicodedata.normalize("NFC", sample.decode("cp1258")))
    encoding = max(scores, key=lambda name: scores[name].net)
    as_cp1252 = _score(codecs.charmap_decode(sample, "strict", _CP1252_GLYPHS)[0])
    if scores[encoding].is_vietnamese() and scores[encoding].net > as_cp1252.net:
        if encoding == "cp1258":
            # The sample decoded strictly; a stray undefined byte elsewhere must not lose the file.
            return unicodedata.normalize("NFC", data.decode("cp1258", errors="replace")), encoding
        return _decode_legacy_bytes(data, encoding), encoding
    if len(sample.translate(None, _ASCII_BYTES)) > len(sample) * 0.3:
        raise ReadError("binary data, not text (or text in an encoding vanban does not know)")
    return codecs.charmap_decode(data, "strict", _CP1252_GLYPHS)[0], "cp1252"


def _best_legacy(sample: str) -> tuple[str, SyllableScore]:
    scores = {encoding: _score(convert_legacy(sample, encoding)) for encoding in LEGACY_ENCODINGS}
    encoding = max(scores, key=lambda name: scores[name].net)
    return encoding, scores[encoding]


def _score(text: str) -> SyllableScore:
    """Count the words of `text` with non-ASCII letters that are, and are not, Vietnamese syllables."""
    counts = Counter(_WORD.findall(text.lower()))
    valid = invalid = 0
    for word, count in counts.items():
        if word.isascii():
            continue  # English and unaccented Vietnamese look the same in every candidate
        if is_syllable(word):
            valid += count
        else:
            invalid += count
    return SyllableScore(valid, invalid)


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """True when a lowercase NFC word is a well-formed Vietnamese syllable (onset, rhyme, one tone)."""
    bare, tones = _split_tone(word)
    if len(tones) > 1:
        return False
    for onset in ONSETS:
        rhyme = bare[len(onset) :]
        if bare.startswith(onset) and rhyme in RHYMES:
            if rhyme.endswith(STOP_CODAS) and tones not in STOP_TONES:
                continue
            return True
    return False


def _sample_slices(length: int) -> list[slice]:
    """Up to three slices (start, middle, end): enough to score, and cheap on large files."""
    if length <= 3 * _SAMPLE_CHARS:
        return [slice(0, length)]
    middle = length // 2
    return [
        slice(0, _SAMPLE_CHARS),
        slice(middle, middle + _SAMPLE_CHARS),
        slice(length - _SAMPLE_CHARS, length),
    ]


def _sample(text: str) -> str:
    return "\n".join(text[part] for part in _sample_slices(len(text)))


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when NUL bytes sit at every other position, as ASCII in UTF-16 does."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    if odd_nuls >= pairs * 0.2 and even_nuls <= pairs * 0.02:
        return "utf-16-le"
    if even_nuls >= pairs * 0.2 and odd_nuls <= pairs * 0.02:
        return "utf-16-be"
    return None


def _control_count(data: bytes) -> int:
    return len(data.translate(None, _NOT_CONTROL_BYTES))


def _decode_strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        name = "UTF-16" if encoding.startswith("utf-16") else "UTF-8"
        raise ReadError(f"invalid {name} text (bad byte at offset {exc.start})") from None


# ---------------------------------------------------------------- conversion helpers


def _decode_map(encoding: str) -> dict[int, str]:
    try:
        return _DECODE_MAPS[encoding]
    except KeyError:
        raise ValueError(f"unknown legacy encoding {encoding!r}: use 'tcvn3' or 'vni'") from None


def _decode_legacy_bytes(data: bytes, encoding: str) -> str:
    return _finish_legacy(codecs.charmap_decode(data, "strict", _BYTE_TABLES[encoding])[0], encoding)


def _finish_legacy(text: str, encoding: str) -> str:
    text = unicodedata.normalize("NFC", text)  # VNI marks arrive as combining characters
    return _restore_tcvn3_capitals(text) if encoding == "tcvn3" else text


def _restore_tcvn3_capitals(text: str) -> str:
    """Give toned letters their capitals on all-capitals lines and in all-capitals words."""
    if not _HAS_CAPITAL_LESS.search(text):
        return text
    text = _CAPITALS_LINE.sub(_to_capitals, text)
    return _CAPITALS_WORD.sub(_to_capitals, text)


def _to_capitals(match: re.Match[str]) -> str:
    return match.group().translate(_TO_CAPITAL)


def _encode_8bit(glyphs: str, codec: str, encoding: str) -> bytes:
    try:
        return glyphs.encode(codec)
    except UnicodeEncodeError as exc:
        raise ValueError(f"character {glyphs[exc.start]!r} cannot be written in {encoding.upper()}") from None
