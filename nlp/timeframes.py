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


def frequency_and_deadline(text: str) -> tuple[str | None, str | None]:
    """The first frequency phrase and the first deadline phrase of a clause, as written."""
    frequency = deadline = None
    for frame in extract_time_frames(text):
        if frame.kind == "frequency" and frequency is None:
            frequency = frame.text
        elif frame.kind in ("deadline", "date") and deadline is None:
            deadline = frame.text
    return frequency, deadline


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
