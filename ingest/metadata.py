"""Document metadata from the header and opening: type, symbol, issuer, date, place, title, implements."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.model import Segment
from ingest.normalize import fold_diacritics, normalize_tone_marks
from ingest.symbols import find_symbols, type_of_symbol
from ingest.vocabulary import (
    DOCUMENT_TYPES,
    LETTER_SUBJECT_OPENINGS,
    LETTER_TYPE,
    NATIONAL_MOTTOS,
    TYPE_BY_NAME,
)

_MONTHS_WORD = r"tháng\s+(\d{1,2})"
DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"ngày\s+(\d{1,2})\s+" + _MONTHS_WORD + r"\s+năm\s+(\d{4})", re.IGNORECASE),
    re.compile(r"ngày\s+(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})", re.IGNORECASE),
)
_PLACE_DATE = re.compile(r"^(?P<place>[A-ZĐÀ-Ỹ][\wÀ-ỹ .'-]{1,40}?),\s*ngày\s+\d", re.IGNORECASE)
_TYPE_NAMES = sorted((t.name for t in DOCUMENT_TYPES), key=len, reverse=True)
_TYPE_WORD = re.compile(r"\b(" + "|".join(map(re.escape, _TYPE_NAMES)) + r")\b", re.IGNORECASE)
_IMPLEMENTS = re.compile(
    r"(?:^|[\s(“\"])(?:tiếp tục\s+)?(?:triển khai\s+)?thực hiện\s+(?P<type>"
    + "|".join(map(re.escape, _TYPE_NAMES))
    + r")\s+(?:số\s+)?(?P<symbol>\S+)",
    re.IGNORECASE,
)
_ISSUER_OF = re.compile(r"^(?:CỦA|CUA|Của)\s+(.+)$")
# A letter's symbol: number and the issuing unit's code, no document type ("11299/VPCP-KGVX").
_LETTER_SYMBOL = re.compile(r"^(\d{1,6}/[A-ZĐ][A-ZĐa-z0-9&]*(?:-[A-ZĐ][A-ZĐa-z0-9&]*)*)(?![\w/-])")
# A symbol cut by the page's wrapping ("3783/QĐ- UBND"): no space belongs inside a symbol.
_SPACE_IN_SYMBOL = re.compile(r"(?<=[/-])\s+(?=[A-ZĐ0-9])|(?<=\d)\s+(?=/)")


@dataclass
class Metadata:
    type: str | None = None
    number: str | None = None
    issuer: str | None = None
    date: str | None = None
    place: str | None = None
    title: str | None = None
    implements: list[str] = field(default_factory=list)
    classified: bool = False  # the header carries a secrecy mark ("MẬT", "TỐI MẬT", "TUYỆT MẬT")


# Secrecy marks stamped in a header; such a document is stored as confidential.
_SECRECY_MARK = re.compile(r"^(?:TUYỆT MẬT|TỐI MẬT|MẬT)\.?$")


def parse_date(text: str) -> str | None:
    """The first date written in any of the usual forms, as ISO yyyy-mm-dd."""
    best: tuple[int, str] | None = None
    for pattern in DATE_PATTERNS:
        found = pattern.search(text)
        if found:
            day, month, year = (int(g) for g in found.groups())
            if 1 <= day <= 31 and 1 <= month <= 12 and (best is None or found.start() < best[0]):
                best = (found.start(), f"{year:04d}-{month:02d}-{day:02d}")
    bare = re.search(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])", text)
    if bare and best is None:
        day, month, year = (int(g) for g in bare.groups())
        if 1 <= day <= 31 and 1 <= month <= 12:
            best = (bare.start(), f"{year:04d}-{month:02d}-{day:02d}")
    return best[1] if best else None


def _type_from_title_line(line: str) -> str | None:
    folded = fold_diacritics(normalize_tone_marks(line)).upper().strip(" :.*#")
    for doc_type in DOCUMENT_TYPES:
        names = (doc_type.name, *doc_type.title_words)
        for name in names:
            if folded == fold_diacritics(name).upper() or folded.startswith(
                fold_diacritics(name).upper() + " "
            ):
                return doc_type.name
    return None


_TYPE_THEN_SYMBOL = re.compile(
    r"(?<!\w)(" + "|".join(map(re.escape, _TYPE_NAMES)) + r")\s+(?:số\s+)?(?=\d)", re.IGNORECASE
)


def _named_symbol(line: str) -> list[tuple[str, re.Match[str]]]:
    """The symbol a line gives right after the type it names ("KẾT LUẬN 155-KL/TW"), when the symbol
    is of that type: a headline or title that names the document itself."""
    letters = [c for c in line if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters):
        return []  # a headline is set in capitals; "thực hiện Kết luận số 72-KL/TW" names another
    for match in _TYPE_THEN_SYMBOL.finditer(line):
        if line[: match.start()].strip() and not line[: match.start()].rstrip().endswith(":"):
            continue  # "... THỰC HIỆN KẾT LUẬN 72-KL/TW": not the headline's own type
        found = find_symbols(line[match.end() : match.end() + 40] + " ")
        if found and found[0][1].start() == 0:
            named = TYPE_BY_NAME.get(match.group(1).lower())
            if named is not None and type_of_symbol(found[0][0]) == named.name:
                return found[:1]
    return []


def extract_metadata(segments: list[Segment], body: str) -> Metadata:
    meta = Metadata()
    ocr = any(s.ocr_confidence is not None for s in segments)  # a scan: symbols as OCR misreads them too
    header = [s for s in segments if s.kind == "preamble"][:8]
    header_lines = [line.strip() for s in header for line in s.text.split("\n") if line.strip()]
    meta.classified = any(_SECRECY_MARK.match(line) for line in header_lines)
    # Type: the first capitalised title line that names a type ("KẾ HOẠCH", "NGHỊ QUYẾT").
    for line in header_lines:
        letters = [c for c in line if c.isalpha()]
        if letters and all(c.isupper() for c in letters) and not line.startswith(NATIONAL_MOTTOS):
            doc_type = _type_from_title_line(line)
            if doc_type:
                meta.type = doc_type
                break
    # A press headline names both: "TOÀN VĂN: KẾT LUẬN 155-KL/TW CỦA BỘ CHÍNH TRỊ ...".
    if meta.type is None:
        meta.type = next(
            (type_of_symbol(c[0][0]) for line in header_lines if (c := _named_symbol(line))), None
        )
    # Symbol: "Số 123-KH/TU", "Số: 03/NQ-CP", a title "Nghị quyết số 57-NQ/TW", a headline "KẾT LUẬN 155-KL/TW".
    for line in header_lines:
        found = re.match(r"^(?:Số|SỐ)\s*:?\s*(.+)$", line)
        value = _SPACE_IN_SYMBOL.sub("", found.group(1)) if found else ""
        candidates = find_symbols(value, ocr) if found else []
        letter = _LETTER_SYMBOL.match(value) if found and not candidates else None
        if letter:
            meta.number = letter.group(1)
            break
        if not candidates and re.match(
            r"^(?:#\s*)?(" + "|".join(_TYPE_NAMES) + r")\s+số\s", line, re.IGNORECASE
        ):
            candidates = find_symbols(line, ocr)
        if not candidates and not found:
            candidates = _named_symbol(line)
        if candidates:
            meta.number = candidates[0][0]
            break
    # A letter names no type in a title line but its subject ("V/v ..."); its symbol's codes are the
    # issuer's units ("5330/CT-CS" is the Cục Thuế's, not a Chỉ thị), so the subject line decides first.
    if meta.type is None and any(line.startswith(LETTER_SUBJECT_OPENINGS) for line in header_lines):
        meta.type = LETTER_TYPE
    if meta.type is None and meta.number:
        meta.type = type_of_symbol(meta.number) or LETTER_TYPE
    # Date and place: "Kon Tum, ngày 16 tháng 6 năm 2024", "Ngày 16/06/2024", else the opening line.
    for index, line in enumerate(header_lines):
        if re.search(r"(?:^|,|\s)[Nn]gày\s+\d", line) and len(line) < 80:
            if parse_date(line) is None and index + 1 < len(header_lines):
                # A narrow header column wraps the date line: "..., ngày 27 tháng 11 năm" / "2025".
                line = f"{line} {header_lines[index + 1]}"
            meta.date = parse_date(line)
            place = _PLACE_DATE.match(line)
            if place:
                meta.place = place.group("place").strip()
            if meta.date:
                break
    opening = next((s for s in segments if s.kind == "preamble" and s.path != "0"), None)
    if meta.date is None and opening is not None and meta.number:
        meta.date = parse_date(opening.text[:400])
    # Issuer: the first header line that is not a motto, number, date or type line.
    meta.issuer = _issuer(header_lines, meta)
    # Title: the subject line after the type line.
    meta.title = _title(header_lines, meta)
    # Implements: the first "Thực hiện Kết luận số 72-KL/TW ..." of the title or the opening. Later
    # ones ("... về tiếp tục thực hiện Nghị quyết 13") belong to the cited document, not to this one.
    for text in filter(None, (meta.title, opening.text[:600] if opening else None)):
        found = _IMPLEMENTS.search(text)
        symbols = find_symbols(found.group("symbol") + " ", ocr) if found else []
        if symbols and symbols[0][0] != meta.number:
            meta.implements.append(symbols[0][0])
            break
    return meta


def _issuer(lines: list[str], meta: Metadata) -> str | None:
    for line in lines:
        owner = _ISSUER_OF.match(line)
        if owner:  # "CUA BAN THƯỜNG VỤ TỈNH ỦY": the type line names its issuer
            return _title_case_agency(owner.group(1))
    for line in lines:
        stripped = line.strip("-* ")
        if not stripped or stripped.startswith(NATIONAL_MOTTOS) or re.match(r"^(Số|SỐ)\b", stripped):
            continue
        if _SECRECY_MARK.match(stripped):
            continue
        if re.search(r"\bngày\s+\d", stripped, re.IGNORECASE) or _type_from_title_line(stripped):
            continue
        letters = [c for c in stripped if c.isalpha()]
        if letters and all(c.isupper() for c in letters) and len(stripped) < 90:
            return _title_case_agency(stripped)
        break
    return None


_KEEP_UPPER = {"UBND", "HĐND", "MTTQ", "TW", "CP", "BCĐ", "XI", "XII", "XIII", "XIV", "XV", "XVI"}
# Capitalisation of agency words the way the body writes them, after a capitals line is lowered.
_CAPITALISED = {
    "ban thường vụ": "Ban Thường vụ",
    "ban chấp hành": "Ban Chấp hành",
    "bộ chính trị": "Bộ Chính trị",
    "ban bí thư": "Ban Bí thư",
    "trung ương": "Trung ương",
    "chính phủ": "Chính phủ",
    "quốc hội": "Quốc hội",
    "tỉnh ủy": "Tỉnh ủy",
    "huyện ủy": "Huyện ủy",
    "thành ủy": "Thành ủy",
    "đảng ủy": "Đảng ủy",
    "đảng bộ": "Đảng bộ",
    "ủy ban nhân dân": "Ủy ban nhân dân",
    "hội đồng nhân dân": "Hội đồng nhân dân",
}


def _title_case_agency(text: str) -> str:
    """'BAN THƯỜNG VỤ TỈNH ỦY' → 'Ban Thường vụ Tỉnh ủy': the way the body writes agency names."""
    words = text.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word in _KEEP_UPPER or not word.isupper():
            out.append(word)
        elif i == 0:
            out.append(word.capitalize())
        else:
            out.append(word.lower())
    result = " ".join(out)
    for phrase, written in _CAPITALISED.items():
        result = re.sub(r"(?i)\b" + phrase + r"\b", written, result)
    return result


def _title(lines: list[str], meta: Metadata) -> str | None:
    seen_type = False
    parts: list[str] = []
    for line in lines:
        if not seen_type:
            seen_type = _type_from_title_line(line) is not None and not line.startswith(NATIONAL_MOTTOS)
            if seen_type and len(line) > 30:  # "NGHỊ QUYẾT VỀ ..." on one line
                parts.append(line)
            continue
        if _ISSUER_OF.match(line) or re.match(r"^[Nn]gày\s+\d", line):
            continue
        if line.startswith(("(", "*(")) or re.match(r"^(Số|SỐ)\b", line):
            continue
        parts.append(line)
        if not (line.isupper() and len(line) < 60):
            break
    title = " ".join(parts).strip(" #*") or None
    return title
