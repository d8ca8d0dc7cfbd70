"""Time frames ("đến năm 2030", "giai đoạn 2021-2025", "thường xuyên", "trước ngày 30/8/2024") as `TimeFrame`s.

Kinds:
- deadline: "đến năm 2030", "trong năm 2025", "trong quý III/2023", "trước tháng 12/2024", "Tháng 12/2013",
  "trước ngày 15/12" (a day without a year); a table cell that is only a time ("6/2025", "2025").
- date: a deadline with a full date, "trước ngày 30/8/2024" → date "2024-08-30".
- vision: "tầm nhìn đến năm 2045" and "Định hướng đến năm 2045" (the long horizon after the 2030 goals).
- period: "giai đoạn 2021-2025", "thời kỳ 2021-2030", "nhiệm kỳ 2025 - 2030", "từ năm 2013 đến năm 2020",
  "từ nay đến năm 2020", "từ tháng 11/2013 trở đi".
- frequency: `FREQUENCY_WORDS` ("thường xuyên", "định kỳ hằng năm", "hằng quý", "6 tháng" ...).
- immediate: "trước mắt", "ngay trong năm 2024".
Text inside quotation marks (the title of a cited directive) and dates of citations ("Kết luận số
72-KL/TW, ngày 23-02-2024") are not the document's own time frames and are skipped.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from ingest.model import TimeFrame
from ingest.symbols import SYMBOL_PATTERN

FREQUENCY_WORDS: tuple[str, ...] = (
    "định kỳ hằng năm",
    "định kỳ hàng năm",
    "định kỳ hằng quý",
    "định kỳ hàng quý",
    "định kỳ hằng tháng",
    "định kỳ hàng tháng",
    "định kỳ 6 tháng",
    "định kỳ 06 tháng",
    "thường xuyên",
    "định kỳ",
    "hằng năm",
    "hàng năm",
    "hằng quý",
    "hàng quý",
    "hằng tháng",
    "hàng tháng",
    "hằng tuần",
    "hàng tuần",
    "6 tháng",
    "06 tháng",
    "mỗi năm",
)
_YEAR = r"((?:19|20)\d{2})"
_QUARTER = r"(?:I{1,3}|IV|[1-4])"
_FREQUENCY = "|".join(re.escape(w) for w in sorted(FREQUENCY_WORDS, key=len, reverse=True))
_PREP = r"(?:trước|đến|tới|trong|chậm nhất|hoàn thành|vào|đến hết|trước hết)"
_TIME_PATTERN = re.compile(
    r"(?<!\w)(?:"
    rf"(?P<vision>(?:tầm nhìn|định hướng)\s+(?:đến|tới)\s+năm\s+{_YEAR})"
    rf"|(?P<period>(?:giai đoạn|thời kỳ|nhiệm kỳ)\s+{_YEAR}\s*[-–]\s*{_YEAR})"
    rf"|(?P<fromto>từ\s+năm\s+{_YEAR}\s+(?:đến|tới)\s+năm\s+{_YEAR})"
    rf"|(?P<untilnow>từ nay\s+(?:đến|tới)\s+năm\s+{_YEAR})"
    rf"|(?P<onward>từ\s+(?:tháng\s+\d{{1,2}}[/-]|năm\s+){_YEAR}\s+trở đi)"
    rf"|(?P<now>ngay\s+trong\s+năm\s+{_YEAR})"
    r"|(?P<immediate>trước mắt)"
    rf"|(?P<dated>{_PREP}\s+ngày\s+(\d{{1,2}})\s*(?:[/-]|\s+tháng\s+)(\d{{1,2}})"
    rf"(?:\s*(?:[/-]|\s+năm\s+){_YEAR})?)"
    rf"|(?P<quarter>(?:{_PREP}\s+)?quý\s+{_QUARTER}\s*(?:[/-]|\s+năm\s+){_YEAR})"
    rf"|(?P<month>(?:{_PREP}\s+)?tháng\s+(?:\d{{1,2}},\s*)*\d{{1,2}}\s*(?:[/-]|\s+năm\s+){_YEAR})"
    rf"|(?P<yeardeadline>{_PREP}\s+năm\s+{_YEAR})"
    rf"|(?P<frequency>{_FREQUENCY})"
    r")(?!\w)",
    re.IGNORECASE,
)
# A table cell that is only a time: "2025", "6/2025", "Tháng 10/2025", "Quý II/2025", "Năm 2014".
_TIME_CELL = re.compile(
    rf"^(?:(?:tháng\s+)?\d{{1,2}}[/-]{_YEAR}|(?:năm\s+)?{_YEAR}|quý\s+{_QUARTER}[/-]{_YEAR}"
    rf"|{_YEAR}\s*[-–]\s*{_YEAR})$",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"“[^”]{0,2000}”|\"[^\"\n]{0,2000}\"")
# "ngày 10 tháng 7 năm 2024": the month belongs to a full date (of signing, of a citation, of entry into force).
_DAY_BEFORE = re.compile(r"ngày\s+\d{1,2}\s*$", re.IGNORECASE)
_CITATION_TAIL = 40  # a date this close after a document symbol belongs to the citation
_MAX_TEXT = 200_000


def extract_time_frames(text: str) -> list[TimeFrame]:
    """Every time frame mentioned in one segment's text, in reading order."""
    if not text or len(text) > _MAX_TEXT:
        return []
    if " | " in text:
        return _table_row_time_frames(text)
    return _prose_time_frames(text, 0)


def _table_row_time_frames(text: str) -> list[TimeFrame]:
    frames: list[TimeFrame] = []
    offset = 0
    for cell in text.split(" | "):
        stripped = cell.strip()
        found = _TIME_CELL.match(stripped) if len(stripped) < 30 else None
        if found and _is_time_cell(stripped):
            start = offset + cell.index(stripped)
            frames.append(_cell_frame(stripped, found, (start, start + len(stripped))))
        else:
            frames.extend(_prose_time_frames(cell, offset))
        offset += len(cell) + 3
    return frames


def _is_time_cell(cell: str) -> bool:
    # A plain number in the first (STT) column is not a year; "2025" alone in a later column is.
    return not cell.isdigit() or 1990 <= int(cell) <= 2100


# "5 ngày", "0,5 ngày", "01 ngày làm việc", "03 tháng": how long a step of a procedure may take.
_DURATION = re.compile(r"\d+(?:[,.]\d+)?\s*(?:ngày|tháng|tuần|giờ)(?:\s+làm việc)?", re.IGNORECASE)
# What may stand between the times of one cell: "Quý IV/2025 - Quý II/2026", "Tháng 6, tháng 12/2025".
_TIME_GLUE = re.compile(r"[\s\-–,;./()]*(?:(?:và|đến|hoặc)[\s\-–,;./()]*)?", re.IGNORECASE)


def is_time_cell(cell: str) -> bool:
    """A table cell that says nothing but when: "Quý IV/2025", "Thường xuyên", "5 ngày", "Trước ngày 15/12/2025".

    Used to tell the time column of a table whose column titles were lost; a bare number is not a
    time (it is the STT column, or a count).
    """
    cell = cell.strip()
    if not cell or len(cell) > 60 or cell.isdigit():
        return False
    rest = _TIME_PATTERN.sub(" ", cell)
    rest = _DURATION.sub(" ", rest)
    rest = re.sub(
        rf"(?<!\w)(?:(?:quý|qu[íi])\s+{_QUARTER}\s*[/-]\s*|(?:tháng\s+)?\d{{1,2}}[/-]|năm\s+)?{_YEAR}",
        " ",
        rest,
        flags=re.IGNORECASE,
    )
    return rest != cell and _TIME_GLUE.fullmatch(rest) is not None


def _cell_frame(cell: str, found: re.Match[str], span: tuple[int, int]) -> TimeFrame:
    years = [int(y) for y in found.groups() if y]
    if len(years) == 2:
        return TimeFrame("period", cell, start_year=years[0], end_year=years[1], span=span)
    return TimeFrame("deadline", cell, year=years[0], span=span)


def _prose_time_frames(text: str, offset: int) -> list[TimeFrame]:
    skipped = [(m.start(), m.end()) for m in _QUOTED.finditer(text)]
    skipped += [(m.end(), m.end() + _CITATION_TAIL) for m in SYMBOL_PATTERN.finditer(text)]
    frames = []
    for found in _TIME_PATTERN.finditer(text):
        if any(start <= found.start() < end for start, end in skipped):
            continue
        if found.lastgroup == "month" and _DAY_BEFORE.search(text, max(0, found.start() - 12), found.start()):
            continue
        frame = _frame_of(found)
        if frame:
            frame.span = (offset + found.start(), offset + found.end())
            frames.append(frame)
    return frames


def _frame_of(found: re.Match[str]) -> TimeFrame | None:
    kind = found.lastgroup
    mention = found.group(0)
    years = [int(g) for g in found.groups() if g and len(g) == 4 and g.isdigit()]
    if kind == "vision":
        return TimeFrame("vision", mention, year=years[0])
    if kind in ("period", "fromto"):
        return TimeFrame("period", mention, start_year=years[0], end_year=years[1])
    if kind == "untilnow":
        return TimeFrame("period", mention, end_year=years[0])
    if kind == "onward":
        return TimeFrame("period", mention, start_year=years[0])
    if kind == "now":
        return TimeFrame("immediate", mention, year=years[0])
    if kind == "immediate":
        return TimeFrame("immediate", mention)
    if kind == "frequency":
        return TimeFrame("frequency", mention)
    if kind == "dated":
        return _dated(found, mention)
    return TimeFrame("deadline", mention, year=years[0] if years else None)


def _dated(found: re.Match[str], mention: str) -> TimeFrame | None:
    numbers = [g for g in found.groups()[found.re.groupindex["dated"] :] if g]
    day, month = int(numbers[0]), int(numbers[1])
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    if len(numbers) > 2:
        year = int(numbers[2])
        return TimeFrame("date", mention, year=year, date=f"{year:04d}-{month:02d}-{day:02d}")
    return TimeFrame("deadline", mention)


# ---------------------------------------------------------------------------
# Deadlines as data: the time of an assignment as a start, an end and a recurrence
# ---------------------------------------------------------------------------

# Recurrence words, most specific first: "Thường xuyên, hằng năm" recurs yearly.
RECURRENCE_WORDS: tuple[tuple[str, str], ...] = (
    ("hằng năm", "annual"),
    ("hàng năm", "annual"),
    ("thường niên", "annual"),
    ("mỗi năm", "annual"),
    ("6 tháng", "semiannual"),
    ("06 tháng", "semiannual"),
    ("hằng quý", "quarterly"),
    ("hàng quý", "quarterly"),
    ("hằng tháng", "monthly"),
    ("hàng tháng", "monthly"),
    ("thường xuyên", "continuous"),
)
# How a recurrence reads in a table or on the page.
RECURRENCE_LABELS: dict[str, str] = {
    "continuous": "thường xuyên",
    "annual": "hằng năm",
    "semiannual": "6 tháng một lần",
    "quarterly": "hằng quý",
    "monthly": "hằng tháng",
}
_QUARTER_NUMBERS = {"I": 1, "II": 2, "III": 3, "IV": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_MONTH_ENDS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_QUARTER_AT = re.compile(rf"qu[ýíi]\s+({_QUARTER})\s*(?:[/-]|\s+năm\s+)\s*{_YEAR}", re.IGNORECASE)
_MONTH_AT = re.compile(rf"tháng\s+(\d{{1,2}})\s*(?:[/-]|\s+năm\s+)\s*{_YEAR}", re.IGNORECASE)
_DAY_AT = re.compile(rf"(\d{{1,2}})\s*(?:[/-]|\s+tháng\s+)(\d{{1,2}})\s*(?:[/-]|\s+năm\s+){_YEAR}")
_SPAN = re.compile(rf"{_YEAR}\s*[-–]\s*{_YEAR}")
_BY = re.compile(r"(?<!\w)(?:trước|chậm nhất|đến|tới|hoàn thành trước)(?!\w)", re.IGNORECASE)
_BARE_YEAR = re.compile(rf"(?<![\d/-]){_YEAR}(?![\d/-])")
# "Năm 2025 và các năm tiếp theo", "từ năm 2026 trở đi": a start with no end.
_ONWARDS = re.compile(r"(?:các|những) năm tiếp theo|trở đi|(?<!\w)từ (?:năm|tháng|quý|ngày)(?!.*(?:đến|tới))")


# A time that follows another schedule ("Theo tiến độ ...", "Theo lộ trình ...", "Theo kế hoạch của ..."):
# its years name that schedule or a law ("Luật An ninh mạng 2025"), not a deadline.
_FOLLOWS_ANOTHER = re.compile(r"^\W*theo\s+(?:tiến độ|lộ trình|kế hoạch|hướng dẫn|yêu cầu|quy định)")


def _days_in(year: int, month: int) -> int:
    return 29 if month == 2 and year % 4 == 0 and (year % 100 or year % 400 == 0) else _MONTH_ENDS[month - 1]


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{_days_in(year, month):02d}"


def _points(text: str) -> list[tuple[int, str, str]]:
    """(position, first day, last day) of every quarter, month, day and year the text names."""
    points: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match[str], first: str, last: str) -> None:
        if not any(s < match.end() and match.start() < e for s, e in taken):
            taken.append((match.start(), match.end()))
            points.append((match.start(), first, last))

    for found in _DAY_AT.finditer(text):
        day, month, year = int(found.group(1)), int(found.group(2)), int(found.group(3))
        if 1 <= month <= 12 and 1 <= day <= _days_in(year, month):  # "31/6" is no day
            iso = f"{year:04d}-{month:02d}-{day:02d}"
            add(found, iso, iso)
    for found in _QUARTER_AT.finditer(text):
        quarter, year = _QUARTER_NUMBERS[found.group(1).upper()], int(found.group(2))
        add(found, f"{year:04d}-{quarter * 3 - 2:02d}-01", _month_end(year, quarter * 3))
    for found in _MONTH_AT.finditer(text):
        month, year = int(found.group(1)), int(found.group(2))
        if 1 <= month <= 12:
            add(found, f"{year:04d}-{month:02d}-01", _month_end(year, month))
    for found in _BARE_YEAR.finditer(text):
        year = int(found.group(1))
        add(found, f"{year:04d}-01-01", f"{year:04d}-12-31")
    return sorted(points)


def normalize_deadline(text: str) -> tuple[str | None, str | None, str | None]:
    """(start, end, recurrence) of a time as written: "Quý IV/2025" → 2025-10-01, 2025-12-31, None.

    A range ("Quý IV/2025 - Quý II/2026", "Giai đoạn 2026-2030") runs from the first day of its
    first point to the last day of its last; "trước ngày 15/12/2025" and "đến năm 2030" close only;
    "Thường xuyên" and "Hằng năm" recur without bounds.
    """
    key = text.lower()
    recurrence = next((kind for word, kind in RECURRENCE_WORDS if word in key), None)
    if _FOLLOWS_ANOTHER.match(key):  # "Theo tiến độ được giao của Luật An ninh mạng 2025": not its own time
        return None, None, recurrence
    span = _SPAN.search(key)
    if span:
        return f"{span.group(1)}-01-01", f"{span.group(2)}-12-31", recurrence
    points = _points(key)
    if not points:
        return None, None, recurrence
    by = _BY.search(key)
    if by is not None and by.start() < points[0][0] and len(points) == 1:
        return None, points[0][2], recurrence
    if len(points) == 1 and _ONWARDS.search(key):
        return points[0][1], None, recurrence
    return points[0][1], points[-1][2], recurrence


# "chậm nhất 05 ngày làm việc kể từ ngày ban hành Quyết định", "trong thời hạn 15 ngày kể từ ngày ký": a
# time counted from the document's own date. From other events ("kể từ ngày nhận được hồ sơ") it is not.
_FROM_ISSUE = re.compile(
    r"(?:(?:chậm nhất|trong thời hạn|trong vòng|trong)\s+)?(\d{1,3})\s+ngày(\s+làm việc)?\s+(?:kể\s+)?từ\s+ngày\s+"
    r"(?:ký|ban hành|quyết định|kế hoạch|văn bản)(?:\s+(?:ban hành|này|quyết định|kế hoạch|văn bản))*(?:\s+này)?",
    re.IGNORECASE,
)


def deadline_from_issue(text: str, issued: date) -> tuple[str, str] | None:
    """(as written, ISO end) of a time counted from the document's date, working days skipping weekends."""
    found = _FROM_ISSUE.search(text)
    if found is None:
        return None
    days, working = int(found.group(1)), bool(found.group(2))
    end = issued
    if working:
        counted = 0
        while counted < days:
            end += timedelta(days=1)
            counted += end.weekday() < 5
    else:
        end += timedelta(days=days)
    return found.group().strip(), end.isoformat()
