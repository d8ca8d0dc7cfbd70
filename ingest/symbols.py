"""Document symbols ("72-KL/TW", "03/NQ-CP", "42/2014/QĐ-TTg"): one pattern, built from the type table."""

from __future__ import annotations

import re

from ingest.vocabulary import TYPE_BY_ABBREVIATION

# Symbols: party style "72-KL/TW", "60-CTr/TU", "3260-KH/ĐĐQH15"; state style "03/NQ-CP",
# "1659/NQ-UBTVQH15", "42/2014/QĐ-TTg", "252/KH-BCĐQG1237".
_ABBREVIATIONS = sorted(TYPE_BY_ABBREVIATION, key=len, reverse=True)
_ABBR = "(?:" + "|".join(map(re.escape, _ABBREVIATIONS)) + ")"
_ISSUER_CODE = r"[A-ZĐ][A-ZĐa-zđ0-9]*(?:-[A-ZĐ][A-ZĐa-zđ0-9]*)*"
SYMBOL_PATTERN = re.compile(
    r"(?<![\w/-])(?:"
    r"(?P<pnum>\d{1,5}[a-z]?)-(?P<pabbr>" + _ABBR + r")/(?P<pissuer>" + _ISSUER_CODE + r")"
    r"|(?P<snum>\d{1,5})/(?:(?P<syear>(?:19|20)\d{2})/)?(?P<sabbr>"
    + _ABBR
    + r")-(?P<sissuer>"
    + _ISSUER_CODE
    + r")"
    r")(?![\w])",
)

# The same symbols as OCR misreads their punctuation: "/" read as "I", "l" or "|" ("72-KLITW"), a dash
# as "–" or "~", a space put in around them or inside a short issuer code ("72-KL/T W"). Sought only
# in text read by OCR (`find_symbols(text, ocr=True)`), where the exact pattern found nothing: typed
# text keeps its exact reading.
_OCR_SLASH = r"(?:\s?[/|\\]\s?|[Il])"
_OCR_DASH = r"\s?[-–—~]\s?"
_OCR_ISSUER = r"(?:[A-ZĐ]{1,2} [A-ZĐ]{1,2}(?![\w/-])|" + _ISSUER_CODE + r")"
OCR_SYMBOL_PATTERN = re.compile(
    r"(?<![\w/-])(?:"
    r"(?P<pnum>\d{1,5}[a-z]?)"
    + _OCR_DASH
    + r"(?P<pabbr>"
    + _ABBR
    + r")"
    + _OCR_SLASH
    + r"(?P<pissuer>"
    + _OCR_ISSUER
    + r")"
    r"|(?P<snum>\d{1,5})"
    + _OCR_SLASH
    + r"(?:(?P<syear>(?:19|20)\d{2})"
    + _OCR_SLASH
    + r")?(?P<sabbr>"
    + _ABBR
    + r")"
    + _OCR_DASH
    + r"(?P<sissuer>"
    + _OCR_ISSUER
    + r")"
    r")(?![\w])",
)


def canonical_symbol(match: re.Match[str]) -> str:
    """The symbol as one canonical string: the type abbreviation as listed, the issuer uppercased."""
    if match.group("pnum"):
        issuer = match.group("pissuer").replace(" ", "").upper()
        return f"{match.group('pnum')}-{_canonical_abbr(match.group('pabbr'))}/{issuer}"
    year = f"{match.group('syear')}/" if match.group("syear") else ""
    issuer = _canonical_issuer(match.group("sissuer").replace(" ", ""))
    return f"{match.group('snum')}/{year}{_canonical_abbr(match.group('sabbr'))}-{issuer}"


# Codes written in mixed case; a title in capitals ("1237/QĐ-TTG") still means the same symbol.
_MIXED_CASE = {code.upper(): code for code in ("CTr", "TTg", "TTr")}


def _canonical_abbr(abbr: str) -> str:
    return _MIXED_CASE.get(abbr.upper(), abbr)


def _canonical_issuer(code: str) -> str:
    return "-".join(_MIXED_CASE.get(part.upper(), part) for part in code.split("-"))


def find_symbols(text: str, ocr: bool = False) -> list[tuple[str, re.Match[str]]]:
    """The symbols of `text`, canonical, with their matches; `ocr`: the text was read by OCR, and a
    symbol whose punctuation OCR misread is found too (`OCR_SYMBOL_PATTERN`)."""
    exact = list(SYMBOL_PATTERN.finditer(text))
    if not ocr:
        return [(canonical_symbol(m), m) for m in exact]
    # Where both read a symbol, the longer reading: "72-KL/T W" is "72-KL/TW", not "72-KL/T".
    found: list[re.Match[str]] = []
    for match in sorted([*exact, *OCR_SYMBOL_PATTERN.finditer(text)], key=lambda m: (m.start(), -m.end())):
        if not found or match.start() >= found[-1].end():
            found.append(match)
    return [(canonical_symbol(m), m) for m in found]


def type_of_symbol(symbol: str) -> str | None:
    """The document type a symbol's abbreviation names: \"72-KL/TW\" → \"Kết luận\"."""
    found = SYMBOL_PATTERN.match(symbol)
    if not found:
        return None
    return TYPE_BY_ABBREVIATION.get(found.group("pabbr") or found.group("sabbr"))
