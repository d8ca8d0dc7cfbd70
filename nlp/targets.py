"""Quantified goals ("tốc độ tăng trưởng GRDP bình quân đạt trên 9,5%/năm") as `Target`s.

Rules (GUIDE.md section 1; the genre's "Mục tiêu" sentences):
- A quantity is a number in Vietnamese notation (dot for thousands "1.500", comma for decimals "9,5")
  followed by a unit from `UNITS` or a count noun from `COUNT_NOUNS`, optionally a range "16 - 18%".
- It is a target when a comparator or goal verb stands right before it ("đạt", "trên", "khoảng trên",
  "ít nhất", "tối thiểu có", "chiếm hơn", "gấp ... lần"), when a percentage follows "tăng"/"giảm"
  (a growth rate), or when a percentage opens a clause ("100% thôn, làng có điện lưới").
  A count with a comparator is a target ("ít nhất 02 khu công nghiệp"), and so is a count coordinated
  with it ("... và 10 cụm công nghiệp"); a bare count ("Phát triển 03 trung tâm đô thị: ...",
  "nhóm 3 nước") is not: without a comparator it names things rather than setting a level.
- Past achievements ("đã đạt 8%", "đã tăng 5%") are not goals: such a clause is skipped.
- The indicator is the noun phrase before the comparator back to the clause start (";", ".", ":",
  the end of the previous target); when nothing but a verb stands there ("Thu hút thêm ít nhất 3 tổ
  chức ..."), it is the phrase after the quantity.
- The year is the nearest governing "đến năm 2030" before the target, else a "năm 2025" later in the
  same sentence, else the year of the heading the segment sits under (`annotate_targets`).
- Table rows ("8 | Tỉ lệ ... | % | ≥ 55 | Bộ ...") are read by column: indicator, unit, value;
  symbols map to words (≥ tối thiểu, ≤ tối đa, > trên, < dưới).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ingest.model import Document, Target
from ingest.symbols import SYMBOL_PATTERN

UNITS: tuple[str, ...] = (
    "%/năm",
    "% GDP",
    "%",
    "nghìn tỷ đồng",
    "tỷ đồng",
    "triệu đồng/người/năm",
    "triệu đồng/người",
    "triệu đồng/năm",
    "triệu đồng",
    "tỷ USD",
    "triệu USD",
    "USD/người",
    "USD",
    "km",
    "ha",
    "lần",
)
COUNT_NOUNS: tuple[str, ...] = (
    "khu công nghiệp",
    "cụm công nghiệp",
    "doanh nghiệp",
    "lao động",
    "người",
    "tổ chức",
    "dự án",
    "trung tâm",
    "cơ sở",
    "sản phẩm",
    "khu",
    "cụm",
    "xã",
    "huyện",
)
_PERCENT_UNITS = frozenset(u for u in UNITS if u.startswith("%"))

_NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
_UNIT_ALTERNATION = "|".join(re.escape(u) for u in sorted((*UNITS, *COUNT_NOUNS), key=len, reverse=True))
_QUANTITY = re.compile(
    rf"(?<![\w.,/\-])(?P<value>{_NUMBER})"
    rf"(?:(?P<pct>\s?%)?\s*[-–]\s*(?P<max>{_NUMBER})|\s+đến\s+(?P<max_to>{_NUMBER}))?"
    rf"(?![\w/\-]|[.,]\d)\s*(?P<unit>{_UNIT_ALTERNATION})?(?![\w])",
)
# Comparator and goal verb right before the number; applied to a short window ending at the number.
_BEFORE = re.compile(
    r"(?<!\w)(?:(?P<verb>đạt|chiếm|ở mức|duy trì|giảm xuống|giảm còn|hướng tới|lên)\s+)?"
    r"(?P<cmp>khoảng trên|khoảng dưới|không quá|không dưới|không ít hơn|ít nhất|tối thiểu|tối đa"
    r"|khoảng|trên|dưới|hơn|gần|từ|gấp)?"
    r"(?:\s+(?P<verb2>có|đạt|là))?\s*$",
    re.IGNORECASE,
)
_GROWTH_BEFORE = re.compile(
    r"(?<!\w)(?:tăng|giảm)(?:\s+(?:bình quân|trung bình|thêm))?(?:\s+(?:xuống|còn))?\s*$", re.IGNORECASE
)
_AFTER_OPEN = re.compile(r"\s*(?P<tail>trở lên|trở xuống)", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:|\n]|\.(?=\s|$)")
_SENTENCE_BREAK = re.compile(r"[|\n]|\.(?=\s|$)")
# "đã đạt 8%" reports a result; "các khu đã hoạt động đạt trên 60%" is still a goal.
_PAST = re.compile(r"(?<!\w)đã\s+(?:đạt|tăng|giảm|chiếm|lên|xuống|vượt)(?!\w)", re.IGNORECASE)
_GOVERNING_YEAR = re.compile(
    r"(?<!\w)(?:đến|tới|trong|vào|đến hết|Đến|Tới|Trong)\s+năm\s+((?:19|20)\d{2})(?!\d)", re.IGNORECASE
)
_BARE_YEAR = re.compile(r"(?<![\w/-])(?<!tháng \d)(?<!tháng \d\d)năm\s+((?:19|20)\d{2})(?!\d)")
_HEADING_YEAR = re.compile(r"(?<!\w)(?:đến|tới)\s+năm\s+((?:19|20)\d{2})(?!\d)", re.IGNORECASE)
_LEADING_CONNECTOR = re.compile(
    r"^(?:\(?[0-9a-zđ]{1,3}\)|trong đó|đồng thời|riêng|và|còn|phấn đấu|(?:phấn đấu\s+)?(?:đến|tới) năm \d{4})[\s,]+",
    re.IGNORECASE,
)
_TRAILING_VERB = re.compile(r"[\s,]+(?:đạt|chiếm|ở mức|là|duy trì|hướng tới|đạt được)$", re.IGNORECASE)
_SYMBOL_COMPARATORS = {
    "≥": "tối thiểu",
    ">=": "tối thiểu",
    "≤": "tối đa",
    "<=": "tối đa",
    ">": "trên",
    "<": "dưới",
}
_VALUE_CELL = re.compile(
    rf"^(?P<cmp>≥|≤|>=|<=|>|<)?\s*(?P<value>{_NUMBER})\s*%?(?:\s*[-–]\s*(?P<max>{_NUMBER})\s*%?)?"
    r"(?P<rest>(?:\s+\D.*)?)$"
)
_YEAR_CELL = re.compile(r"^(?:năm\s+|(?:tháng\s+)?\d{1,2}/|quý\s+[IV]+/)?((?:19|20)\d{2})$", re.IGNORECASE)
_MAX_INDICATOR_WORDS = 20  # syllables: Vietnamese words are written one syllable at a time
_MAX_FOLLOWING_WORDS = 16
_WINDOW = 48
_MAX_SEGMENT = 20_000  # a "segment" longer than this is not prose (a dump, a 200 KB line): skip it


@dataclass
class _Found:
    target: Target
    start: int
    end: int


def parse_number(text: str) -> float:
    """Vietnamese notation: "1.500" is one thousand five hundred, "9,5" is nine and a half."""
    return float(text.replace(".", "").replace(",", "."))


def extract_targets(text: str, default_year: int | None = None) -> list[Target]:
    """The quantified goals written in one segment's text.

    `default_year` is the year of the heading the text sits under ("2. Mục tiêu cụ thể đến năm 2030"),
    used for targets whose own sentence names none.
    """
    if not text or len(text) > _MAX_SEGMENT or not any(ch.isdigit() for ch in text):
        return []
    if " | " in text:
        cells = text.split(" | ")
        row = _table_row_targets(cells, default_year)
        if row:
            return row
        # A task table's "Thời gian hoàn thành" cell dates the result written in the row.
        deadline = next((m for c in cells[2:] if (m := _YEAR_CELL.match(c.strip()))), None)
        if deadline:
            default_year = int(deadline.group(1))
    return [found.target for found in _prose_targets(text, default_year)]


def annotate_targets(document: Document) -> None:
    """Fill `segment.targets` for every segment, passing down the year of enclosing headings.

    A heading "Đến năm 2030" governs the segments under its path; a table row that only names a
    period ("I | Đến năm 2030 | | |") governs the rows after it in the same table.
    """
    heading_years: list[tuple[str, int]] = []
    table_year: dict[str, int] = {}
    for segment in document.segments:
        year_found = _HEADING_YEAR.search(segment.text) if len(segment.text) < 300 else None
        table_key = segment.path.rsplit(".", 1)[0] if segment.cells is not None else None
        if segment.kind == "heading" and year_found:
            heading_years.append((segment.path + ".", int(year_found.group(1))))
        if table_key and year_found and _is_section_row(segment.cells or []):
            table_year[table_key] = int(year_found.group(1))
            segment.targets = []
            continue
        default = table_year.get(table_key) if table_key else None
        if default is None:
            default = next(
                (y for prefix, y in reversed(heading_years) if segment.path.startswith(prefix)), None
            )
        segment.targets = extract_targets(segment.text, default)


def _is_section_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    return len(filled) <= 2 and not any(_VALUE_CELL.match(c.strip()) for c in filled[1:])


def _table_row_targets(cells: list[str], default_year: int | None) -> list[Target]:
    cells = [c.strip() for c in cells]
    for index in range(2, len(cells)):
        value_cell, unit, indicator = cells[index], cells[index - 1], cells[index - 2]
        if not indicator or not unit or len(unit.split()) > 8 or _VALUE_CELL.match(unit):
            continue
        targets = []
        for part in value_cell.split(";"):
            found = _VALUE_CELL.match(part.strip())
            if not found or (found.group("rest") and not found.group("rest")[1:2].isalpha()):
                continue
            value = parse_number(found.group("value"))
            if not found.group("cmp") and value.is_integer() and 1900 <= value <= 2100:
                continue  # a year in a "Thời gian hoàn thành" column
            value_max = parse_number(found.group("max")) if found.group("max") else None
            comparator = _SYMBOL_COMPARATORS.get(found.group("cmp") or "")
            if value_max is not None and comparator is None:
                comparator = "từ ... đến"
            targets.append(
                Target(
                    indicator=indicator,
                    comparator=comparator,
                    value=value,
                    unit=unit,
                    year=default_year,
                    mention=part.strip(),
                    value_max=value_max,
                )
            )
        if targets:
            return targets
    return []


def _prose_targets(text: str, default_year: int | None) -> Iterator[_Found]:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
    symbol_spans = [(m.start(), m.end()) for m in SYMBOL_PATTERN.finditer(text)]
    previous: _Found | None = None
    for quantity in _QUANTITY.finditer(text):
        if any(start <= quantity.start() < end for start, end in symbol_spans):
            continue
        found = _target_at(text, quantity, breaks, previous, default_year)
        if found:
            previous = found
            yield found


def _target_at(
    text: str, quantity: re.Match[str], breaks: list[int], previous: _Found | None, default_year: int | None
) -> _Found | None:
    unit = _unit_of(quantity)
    value = parse_number(quantity.group("value"))
    clause_start = breaks[bisect.bisect_right(breaks, quantity.start()) - 1] if breaks else 0
    if breaks and breaks[0] > quantity.start():
        clause_start = 0
    if previous and previous.end > clause_start:
        clause_start = previous.end
    window_start = max(clause_start, quantity.start() - _WINDOW)
    before = _BEFORE.search(text, window_start, quantity.start())
    comparator = _comparator(before, unit, quantity, text)
    if _PAST.search(text, clause_start, quantity.start()):
        return None
    accepted = comparator is not None
    if not accepted and unit in _PERCENT_UNITS:
        growth = _GROWTH_BEFORE.search(text, window_start, quantity.start())
        opens_clause = not text[clause_start : quantity.start()].strip(" ,-+*•\t")
        accepted = bool(growth) or opens_clause
    if (
        not accepted
        and previous
        and unit
        and re.fullmatch(r"\s*và\s*", text[previous.end : quantity.start()])
    ):
        comparator, accepted = previous.target.comparator, True
    if not accepted or (unit == "" and "," not in quantity.group("value")):
        return None
    if unit == "lần" and comparator != "gấp":
        return None  # "01 lần mỗi năm" is a frequency, not a level
    cmp_start = before.start() if before and before.group(0).strip() else quantity.start()
    indicator = _indicator(text, clause_start, cmp_start, quantity, unit)
    value_max_text = quantity.group("max") or quantity.group("max_to")
    value_max = parse_number(value_max_text) if value_max_text else None
    if value_max is not None and comparator in (None, "đạt", "từ"):
        comparator = "từ ... đến"
    end = quantity.end()
    tail = _AFTER_OPEN.match(text, end, min(len(text), end + 12))
    if tail:
        end = tail.end()
    return _Found(
        Target(
            indicator=indicator,
            comparator=comparator,
            value=value,
            unit=unit,
            year=_year_for(text, cmp_start, default_year),
            mention=text[cmp_start:end].strip(),
            value_max=value_max,
        ),
        cmp_start,
        end,
    )


def _unit_of(quantity: re.Match[str]) -> str:
    unit = quantity.group("unit") or ""
    if quantity.group("pct") and not unit.startswith("%"):
        return "%"
    return unit.replace("%GDP", "% GDP")


def _comparator(before: re.Match[str] | None, unit: str, quantity: re.Match[str], text: str) -> str | None:
    tail = _AFTER_OPEN.match(text, quantity.end(), min(len(text), quantity.end() + 12))
    if tail:
        return "không dưới" if tail.group("tail").lower() == "trở lên" else "không quá"
    if not before:
        return None
    cmp = (before.group("cmp") or "").lower()
    if cmp:
        return cmp
    if before.group("verb") or (before.group("verb2") or "").lower() == "đạt":
        return "đạt"
    return None


def _indicator(text: str, clause_start: int, cmp_start: int, quantity: re.Match[str], unit: str) -> str:
    phrase = text[clause_start:cmp_start].strip(" ,-+*•\t")
    previous = None
    while phrase != previous:
        previous = phrase
        phrase = _LEADING_CONNECTOR.sub("", phrase).strip(" ,")
        phrase = _TRAILING_VERB.sub("", phrase).strip(" ,")
    words = phrase.split()
    if len(words) > _MAX_INDICATOR_WORDS:
        for separator in (",", " và "):
            cut = phrase.rfind(separator)
            if cut > 0 and len(phrase[cut + len(separator) :].split()) >= 5:
                phrase = phrase[cut + len(separator) :].strip(" ,")
            if len(phrase.split()) <= _MAX_INDICATOR_WORDS:
                break
    if len(phrase.split()) > 3:
        return phrase
    return _following_phrase(text, quantity, unit)


def _following_phrase(text: str, quantity: re.Match[str], unit: str) -> str:
    start = quantity.end()
    stop = _CLAUSE_BREAK.search(text, start)
    end = stop.start() if stop else len(text)
    next_number = re.compile(r"\d").search(text, start, end)
    if next_number:
        end = next_number.start()
    raw = text[start:end]
    words = raw.split()[:_MAX_FOLLOWING_WORDS]
    while words and words[-1].strip(",") in ("và", "với", ""):
        words.pop()
    following = " ".join(words).strip(" ,")
    if unit in COUNT_NOUNS:
        glue = ", " if raw.lstrip().startswith(",") else " "
        return f"{unit}{glue}{following}".strip()
    return following


def _year_for(text: str, position: int, default_year: int | None) -> int | None:
    governing = None
    for found in _GOVERNING_YEAR.finditer(text, 0, position):
        governing = found
    if governing:
        return int(governing.group(1))
    stop = _SENTENCE_BREAK.search(text, position)
    later = _BARE_YEAR.search(text, position, stop.start() if stop else len(text))
    if later:
        return int(later.group(1))
    return default_year
