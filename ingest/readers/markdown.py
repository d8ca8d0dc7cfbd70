"""Markdown reader for Markdown as converters (pandoc and others) write it.

A hand-written parser rather than a CommonMark library, because converter output bends the
CommonMark rules in ways that matter here: pandoc puts emphasis around non-breaking spaces
(`**1.\u00a0**Thông qua`), escapes numbers (`7\\.`) so that they stay paragraphs, lays the
document header out in pandoc simple/multiline tables and grid tables (which CommonMark
does not know), and other converters run a heading label straight after a paragraph line
("... như sau:" / "A. MỤC ĐÍCH") where CommonMark would join the two.

Three steps: `_BlockParser` cuts the lines into text units and tables, `_render_inline`
turns a unit's inline Markdown into plain pieces (split at hard line breaks) with their
bold/italic coverage, and `_assemble` lays out `Block`s, turning a header table into
header lines and a recipients/signature layout table into plain lines.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from ingest.encodings import decode_bytes
from ingest.limits import Budget
from ingest.model import Block, RawDocument, ReadError
from ingest.vocabulary import (
    DOCUMENT_TYPES,
    LETTER_SUBJECT_OPENINGS,
    NATIONAL_MOTTOS,
    RECIPIENTS_OPENINGS,
)

# ---------------------------------------------------------------------------
# Line patterns
# ---------------------------------------------------------------------------

_BLANK_ENTITY = re.compile(r"^\s*(?:&nbsp;|&#160;|&#xa0;|\\)*\s*$", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*$")
_ATX_CLOSING = re.compile(r"(?:^|\s+)#+\s*$")
_HEADING_ATTRIBUTES = re.compile(r"\s*\{[#.][^{}]*\}\s*$")
_BULLET_ITEM = re.compile(r"^\s*([-+*])[ \t]+(\S.*)$")
_ORDERED_ITEM = re.compile(r"^\s{0,3}\d{1,9}[.)][ \t]+\S")
_THEMATIC_BREAK = re.compile(r"^\s{0,3}([-_*])(?:[ \t]*\1){2,}[ \t]*$")
_STAR_LINE = re.compile(r"^\s{0,3}\*(?:[ \t]*\*){0,2}[ \t]*$")
_SETEXT_EQUALS = re.compile(r"^\s{0,3}=+\s*$")
_DASH_RUN_LINE = re.compile(r"^\s*-{3,}\s*$")
_DASH_COLUMNS_LINE = re.compile(r"^\s*-{2,}(?:[ \t]+-{2,})+\s*$")
_GRID_BORDER = re.compile(r"^\s*\+(?:[-=:]+\+)+\s*$")
_PIPE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_BLOCKQUOTE = re.compile(r"^\s{0,3}>[ ]?")
# Copied web text lays tables out as cells between lines that hold a lone "|" (see `_lone_pipe_table`).
_LONE_PIPE = re.compile(r"^\s*\|\s*$")
_LONE_PIPE_LINES = re.compile(r"^[ \t]*\|[ \t]*$", re.MULTILINE)
# "**TM. ỦY BAN NHÂN" / "DÂN **": copied text puts a space before an emphasis closer at a line's end.
_SPACED_LINE_END_CLOSER = re.compile(r"(?<=[^\s*])[ \t]+(\*{1,3})[ \t]*$", re.MULTILINE)
# "** 2.1. **Tập trung ...": a label set bold with spaces inside the marks, which Markdown does not
# read as emphasis; the marks go and the label stays.
_SPACED_LABEL_EMPHASIS = re.compile(r"^([ \t]*)(\*{1,3})[ \t]+([^*\n]{1,20}?)[ \t]+\2(?=\S)", re.MULTILINE)
# A line that starts a new paragraph after a line ending a sentence, even without a blank line
# between them: converters that keep one paragraph per line run "A. MỤC ĐÍCH" on after "như sau:".
_LABEL_START = re.compile(
    r"^\s*(?:(?:[IVXLC]+|[A-ZĐ]|\d+(?:\.\d+)*|[a-zđ])\\?[.)]|[IVXLC]+\\?-|(?:Điều|Chương|Mục|Phần)\s+[\dIVXLC]+)\s"
)
_SENTENCE_END = (".", ":", ";", "!", "?")
# Lines of a hard-wrapped copy stop near one width (portal copies: about 80 characters); a text whose
# long lines run past this is written a paragraph to a line, and a line's end says nothing.
_HARD_WRAP_WIDTH = 120
STAGE = "reading the Markdown"
_EMPHASIS_OPENS_LINE = re.compile(r"^\s*\*{1,3}(?=[^\s*])")
_WHOLE_LINE_EMPHASIS = re.compile(r"^\s*(\*{1,3})[^*]+\1\s*$")
_UNIT_OPENING = re.compile(r"^\s*(?:[A-ZĐÀ-Ỹ0-9(\[“\"]|[-+•]\s)")


@dataclass
class _TextUnit:
    source: str  # inline Markdown, the unit's lines joined with "\n"
    kind: str = "para"  # para | heading | item | literal | stars
    marker: str = ""


@dataclass
class _TableUnit:
    rows: list[list[str]]  # inline Markdown of each cell
    header_rows: int = 0


_Unit = _TextUnit | _TableUnit


class _BlockParser:
    """Cut Markdown lines into text units (paragraphs, headings, list items) and tables."""

    def __init__(self, text: str, budget: Budget | None = None) -> None:
        self.budget = budget or Budget()
        lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
        self.lines = [_strip_blockquote(line.expandtabs(4)) for line in lines]
        # Some portal copies keep a table's opening "|" with the page banner they were cut from.
        first_pipe = next((n for n, line in enumerate(self.lines[:12]) if _LONE_PIPE.match(line)), None)
        if first_pipe and all(line.strip() for line in self.lines[:first_pipe]):
            self.lines.insert(0, "|")
        # Copies without blank lines between paragraphs: paragraph ends are read from the wrapping.
        filled = [len(line) for line in self.lines if line.strip()]
        blanks = len(self.lines) - len(filled)
        self.wrap_width = sorted(filled)[int(len(filled) * 0.9)] if len(filled) >= 30 else 0
        self.unbroken = bool(self.wrap_width) and blanks * 10 < len(filled)
        self.units: list[_Unit] = []
        self.para: list[str] = []
        self.para_kind = "para"
        self.para_marker = ""

    def parse(self) -> list[_Unit]:
        i = 0
        counted = 0
        while i < len(self.lines):
            i = self._step(i)
            counted = self._count(counted)
        self._flush()
        self._count(counted)
        return self.units

    def _count(self, counted: int) -> int:
        """Count the units found since `counted` against the limits; the clock too. Returns the new count."""
        for unit in self.units[counted:]:
            if isinstance(unit, _TableUnit):
                self.budget.add_cells(sum(len(row) for row in unit.rows), STAGE)
            else:
                self.budget.add_paragraphs(1, STAGE)
        self.budget.tick(STAGE)
        return len(self.units)

    def _flush(self) -> None:
        if self.para:
            source = "\n".join(
                line.strip(" \t") if n == len(self.para) - 1 else line.lstrip()
                for n, line in enumerate(self.para)
            )
            self.units.append(_TextUnit(source, self.para_kind, self.para_marker))
        self.para = []
        self.para_kind = "para"
        self.para_marker = ""

    def _start(self, line: str, kind: str = "para", marker: str = "") -> None:
        self._flush()
        self.para = [line]
        self.para_kind = kind
        self.para_marker = marker

    def _step(self, i: int) -> int:
        lines = self.lines
        line = lines[i]
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not line.strip() or _BLANK_ENTITY.match(line):
            self._flush()
            return i + 1
        if _FENCE.match(line):
            return self._fenced_code(i)
        if _GRID_BORDER.match(line) and following.lstrip().startswith(("|", "+")):
            return self._grid_table(i)
        if _LONE_PIPE.match(line) and following.strip():
            return self._lone_pipe_table(i)
        if "|" in line and _PIPE_DELIMITER.match(following) and "|" in following and "-" in following:
            return self._pipe_table(i)
        if _DASH_COLUMNS_LINE.match(line):
            return self._dash_table(i)
        if _DASH_RUN_LINE.match(line):
            if self.para:  # setext heading underline
                self.para_kind = "heading"
                self._flush()
                return i + 1
            end = self._multiline_table_with_header(i)
            return end if end is not None else i + 1  # otherwise a thematic break
        if self.para and _SETEXT_EQUALS.match(line):
            self.para_kind = "heading"
            self._flush()
            return i + 1
        heading = _ATX_HEADING.match(line)
        if heading:
            title = _HEADING_ATTRIBUTES.sub("", _ATX_CLOSING.sub("", heading.group(2) or ""))
            self._start(title, "heading")
            self._flush()
            return i + 1
        if _STAR_LINE.match(line) and not self.para:
            self.units.append(_TextUnit(line.strip(), "stars"))
            return i + 1
        if _THEMATIC_BREAK.match(line):
            self._flush()
            return i + 1
        item = _BULLET_ITEM.match(line)
        if item:
            self._start(item.group(2), "item", item.group(1))
            return i + 1
        if (
            not self.para
            or _ORDERED_ITEM.match(line)
            and not self._wraps_on(self.para[-1])
            or self.para[-1].rstrip().endswith(_SENTENCE_END)
            and _LABEL_START.match(line)
            or _WHOLE_LINE_EMPHASIS.match(self.para[-1])
            and (_LABEL_START.match(line) or _EMPHASIS_OPENS_LINE.match(line))
            or self.unbroken
            and self._starts_paragraph(self.para[-1], line)
        ):
            self._start(line)
        else:
            self.para.append(line)
        return i + 1

    def _wraps_on(self, previous: str) -> bool:
        """Does `previous` run on into the next line: cut at the wrapping width mid-sentence?

        Then a number opening the next line is the sentence's own ("các địa bàn cấp độ" / "1. Cấp
        ngay ...", "từ ngày 01 tháng 3 năm" / "2025) được ..."), not an ordered item.
        """
        ending = previous.rstrip()
        return (
            0 < self.wrap_width <= _HARD_WRAP_WIDTH
            and len(ending) >= 0.85 * self.wrap_width
            and not ending.endswith((*_SENTENCE_END, "*", "_"))
        )

    def _starts_paragraph(self, previous: str, line: str) -> bool:
        """In text without blank lines: does `line` open a paragraph rather than continue `previous`?

        A paragraph opens with a label, with emphasis ("**Điều 2.**", "*Căn cứ"), or after a line that
        ends a sentence short of the wrapping width; a whole emphasised line ("**III. NHIỆM VỤ**") is
        a paragraph of its own.
        """
        if _LABEL_START.match(line) or _EMPHASIS_OPENS_LINE.match(line):
            return True
        if _WHOLE_LINE_EMPHASIS.match(previous):
            return True
        ended = previous.rstrip(" *_").endswith((*_SENTENCE_END, "/."))
        short = len(previous.rstrip()) < 0.85 * self.wrap_width
        return ended and short and bool(_UNIT_OPENING.match(line))

    def _fenced_code(self, i: int) -> int:
        self._flush()
        fence = _FENCE.match(self.lines[i])
        assert fence is not None
        closing = fence.group(1)[0] * len(fence.group(1))
        i += 1
        while i < len(self.lines) and not self.lines[i].strip().startswith(closing):
            if self.lines[i].strip():
                self.units.append(_TextUnit(self.lines[i].strip(), "literal"))
            i += 1
        return i + 1

    def _pipe_table(self, i: int) -> int:
        self._flush()
        rows = [_split_pipe_row(self.lines[i])]
        i += 2
        while i < len(self.lines) and self.lines[i].strip() and "|" in self.lines[i]:
            rows.append(_split_pipe_row(self.lines[i]))
            i += 1
        self.units.append(_TableUnit(rows, header_rows=1 if len(rows) > 1 else 0))
        return i

    def _lone_pipe_table(self, i: int) -> int:
        """A table as web pages copy it: each cell's lines between lone-"|" lines.

        A row opens and closes with a "|" line, so two "|" lines in a row end one row and open the
        next; a "|" line followed by a blank line (or the end) closes the table. Cells never hold
        blank lines in such text, so a blank line inside a cell also ends the table.
        """
        self._flush()
        lines = self.lines
        rows: list[list[str]] = []
        row: list[str] = []
        cell: list[str] = []
        widest = 0
        i += 1
        while i < len(lines):
            line = lines[i]
            if _LONE_PIPE.match(line):
                row.append("\n".join(cell))
                cell = []
                following = lines[i + 1] if i + 1 < len(lines) else ""
                if _LONE_PIPE.match(following):  # end of this row, start of the next
                    rows.append(row)
                    widest = max(widest, _filled_width(row))
                    row = []
                    i += 2
                    continue
                # Without blank lines, a row as wide as the widest before it ends the table. The first
                # row has no width to match: it ends only where no more of its cells follow.
                if not following.strip() or (
                    self.unbroken
                    and _filled_width(row) >= max(widest, 2)
                    and (rows or not _more_cells_follow(lines, i + 1))
                ):
                    i += 1
                    break
            elif not line.strip():
                break
            elif _STAR_LINE.match(line) and cell:
                cell[-1] += line.strip()  # "**ỦY BAN NHÂN DÂN" / "**": the closing mark lost its line
            else:
                cell.append(line.strip())
            i += 1
        if cell:
            row.append("\n".join(cell))
        if row:
            rows.append(row)
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            return i
        titled = _titles_row(rows)
        if titled:
            # "|" "|" "|" is a row's end, the next row's start and an empty cell: a placeholder the
            # page keeps after a spanning group row. Cells beyond the titles' width that are empty go.
            width = len(rows[0])
            for row in rows[1:]:
                while len(row) > width and not row[0].strip():
                    del row[0]
                while len(row) > width and not row[-1].strip():
                    row.pop()
        self.units.append(_TableUnit(rows, header_rows=1 if titled else 0))
        return i

    def _grid_table(self, i: int) -> int:
        self._flush()
        starts = [pos for pos, char in _display_chars(self.lines[i]) if char == "+"][:-1]
        rows: list[list[str]] = []
        header_rows = 0
        current: list[list[str]] = []
        i += 1
        while i < len(self.lines) and self.lines[i].lstrip().startswith(("|", "+")):
            line = self.lines[i]
            if _GRID_BORDER.match(line):
                if current:
                    rows.append(_join_cell_lines(current))
                    current = []
                if "=" in line:
                    header_rows = len(rows)
            else:
                cells = [_trim_grid_cell(cell) for cell in _slice_columns(line.rstrip(), starts)]
                current.append(cells)
            i += 1
        if current:
            rows.append(_join_cell_lines(current))
        self.units.append(_TableUnit(rows, header_rows if header_rows < len(rows) else 0))
        return i

    def _dash_table(self, i: int) -> int:
        """A pandoc simple table (header line above the dashes) or a headerless simple/multiline one."""
        starts = _column_starts(self.lines[i])
        if self.para:
            header = self.para.pop()
            self._flush()
            rows = [[cell.strip() for cell in _slice_columns(header, starts)]]
            i += 1
            while i < len(self.lines) and self.lines[i].strip() and not _is_dash_line(self.lines[i]):
                rows.append([cell.strip() for cell in _slice_columns(self.lines[i], starts)])
                i += 1
            if i < len(self.lines) and _is_dash_line(self.lines[i]):
                i += 1
            self.units.append(_TableUnit(rows, header_rows=1 if len(rows) > 1 else 0))
            return i
        end = _closing_dash_line(self.lines, i + 1)
        if end is None:
            return i + 1
        self._flush()
        body = self.lines[i + 1 : end]
        if any(not line.strip() for line in body):
            rows = _multiline_rows(body, starts)
        else:
            rows = [[cell.strip() for cell in _slice_columns(line, starts)] for line in body]
        self.units.append(_TableUnit(rows))
        return end + 1

    def _multiline_table_with_header(self, i: int) -> int | None:
        """A pandoc multiline table: full-width dashes, header lines, column dashes, rows, dashes."""
        columns_at = None
        for j in range(i + 1, min(i + 8, len(self.lines))):
            if not self.lines[j].strip():
                return None
            if _DASH_COLUMNS_LINE.match(self.lines[j]):
                columns_at = j
                break
        if columns_at is None or columns_at == i + 1:
            return None
        end = _closing_dash_line(self.lines, columns_at + 1)
        if end is None:
            return None
        self._flush()
        starts = _column_starts(self.lines[columns_at])
        header = _multiline_rows(self.lines[i + 1 : columns_at], starts)
        rows = _multiline_rows(self.lines[columns_at + 1 : end], starts)
        self.units.append(_TableUnit(header + rows, header_rows=len(header) if rows else 0))
        return end + 1


_FIRST_ROW_CELL_LINES = 3  # a title cell of a first row wraps to a line or two


def _more_cells_follow(lines: list[str], start: int) -> bool:
    """Whether the lines from `start` go on as cells of the same row: short cells between lone "|"
    lines up to a row's end ("|" "|"), as a table's title row does ("Trình tự" | "Trách nhiệm" | ...)."""
    i = start
    while i < len(lines):
        cell_end = next(
            (
                j
                for j in range(i, min(len(lines), i + _FIRST_ROW_CELL_LINES + 1))
                if _LONE_PIPE.match(lines[j])
            ),
            None,
        )
        if cell_end is None or cell_end == i or any(not line.strip() for line in lines[i:cell_end]):
            return False
        if cell_end + 1 < len(lines) and _LONE_PIPE.match(lines[cell_end + 1]):
            return True  # the row ends: these were its cells
        i = cell_end + 1
    return False


def _filled_width(row: list[str]) -> int:
    """Cells of a row, not counting the empty placeholders a page leaves in front."""
    start = next((n for n, cell in enumerate(row) if cell.strip()), len(row))
    return len(row) - start


def _titles_row(rows: list[list[str]]) -> bool:
    """The first row names the columns: several short cells over at least one row of content."""
    first = rows[0]
    return len(rows) > 1 and len(first) >= 2 and all(0 < len(cell.strip(" *")) <= 60 for cell in first)


def _strip_blockquote(line: str) -> str:
    while True:
        quoted = _BLOCKQUOTE.match(line)
        if not quoted:
            return line
        line = line[quoted.end() :]


def _is_dash_line(line: str) -> bool:
    return bool(_DASH_RUN_LINE.match(line) or _DASH_COLUMNS_LINE.match(line))


def _closing_dash_line(lines: list[str], start: int) -> int | None:
    """Index of the dashed line that closes a table, or None (two blank lines end the search)."""
    blanks = 0
    for j in range(start, len(lines)):
        if _is_dash_line(lines[j]):
            return j
        blanks = blanks + 1 if not lines[j].strip() else 0
        if blanks >= 2:
            return None
    return None


def _multiline_rows(lines: list[str], starts: list[int]) -> list[list[str]]:
    """Rows separated by blank lines; a cell's lines are joined with newlines (soft or hard breaks)."""
    rows: list[list[str]] = []
    current: list[list[str]] = []
    for line in [*lines, ""]:
        if line.strip():
            current.append([cell.strip() for cell in _slice_columns(line, starts)])
        elif current:
            rows.append(_join_cell_lines(current))
            current = []
    return rows


def _join_cell_lines(lines: list[list[str]]) -> list[str]:
    width = max(len(cells) for cells in lines)
    return ["\n".join(cells[c] for cells in lines if c < len(cells) and cells[c]) for c in range(width)]


def _trim_grid_cell(cell: str) -> str:
    cell = cell.strip()
    if cell.startswith("|"):
        cell = cell[1:]
    if cell.endswith("|") and not cell.endswith("\\|"):
        cell = cell[:-1]
    return cell.strip()


def _split_pipe_row(line: str) -> list[str]:
    """Cells of a pipe-table row: split at `|` that is neither escaped nor inside a code span."""
    line = line.strip()
    plain = "\\" not in line and "`" not in line  # the common case, split fast
    cells = line.split("|") if plain else _split_unescaped_pipes(line)
    if line.startswith("|"):
        cells = cells[1:]
    if line.endswith("|") and not line.endswith("\\|") and cells:
        cells = cells[:-1]
    return [cell.strip() for cell in cells]


def _split_unescaped_pipes(line: str) -> list[str]:
    cells: list[str] = []
    current: list[str] = []
    in_code = False
    index = 0
    while index < len(line):
        char = line[index]
        if char == "\\" and index + 1 < len(line):
            current.append(line[index : index + 2])
            index += 2
            continue
        if char == "`":
            in_code = not in_code
        if char == "|" and not in_code:
            cells.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    cells.append("".join(current))
    return cells


# ---------------------------------------------------------------------------
# Column geometry: pandoc aligns columns by display width, not by code points
# ---------------------------------------------------------------------------


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def _display_chars(line: str) -> list[tuple[int, str]]:
    position = 0
    placed = []
    for char in line:
        placed.append((position, char))
        position += _char_width(char)
    return placed


def _column_starts(dash_line: str) -> list[int]:
    """Display columns where each column begins; the first column also takes the indentation."""
    starts = [match.start() for match in re.finditer(r"-+", dash_line)]
    return [0, *starts[1:]] if starts else [0]


def _slice_columns(line: str, starts: list[int]) -> list[str]:
    cells: list[list[str]] = [[] for _ in starts]
    column = 0
    for position, char in _display_chars(line):
        while column + 1 < len(starts) and position >= starts[column + 1]:
            column += 1
        cells[column].append(char)
    return ["".join(cell) for cell in cells]


# ---------------------------------------------------------------------------
# Inline Markdown
# ---------------------------------------------------------------------------

_LINK_SUBSTITUTIONS = (
    (re.compile(r"(?<!\\)!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image: its alt text
    (re.compile(r"(?<!\\)\[\^[^\]\s]+\]"), ""),  # footnote reference
    (
        re.compile(r"(?<![\\!])\[([^\]]+)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)"),
        r"\1",
    ),  # [text](url)
    (re.compile(r"(?<![\\!])\[([^\]]+)\]\{[^{}]*\}"), r"\1"),  # pandoc span [text]{.class}
    (re.compile(r"(?<![\\!])\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference link
)

_INLINE = re.compile(
    r"(?P<hard>\\\n|\\\Z|[ \t]{2,}\n|<br\s*/?>)"
    r"|(?P<soft>[ \t]*\n)"
    r"|(?P<escstar>\\\*+)"
    r"|(?P<esc>\\[!-/:-@\[-`{-~])"
    r"|(?P<entity>&(?:\#[0-9]{1,7}|\#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<code>`+)"
    r"|(?P<auto><(?:https?|ftp|mailto):[^<>\s]*>)"
    r"|(?P<tag><!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)"
    r"|(?P<delim>\*+|_+)"
    r"|(?P<strike>~~)"
    r"|(?P<text>[^\\\n&`<*_~]+|.)",
    re.DOTALL,
)
_SPACES = re.compile(r"[ \t\u00a0]+")  # a non-breaking space (pandoc puts them after labels) is a space


class _Token:
    __slots__ = ("kind", "text", "char", "count", "can_open", "can_close", "opens", "closes", "literal")

    def __init__(self, kind: str, text: str = "") -> None:
        self.kind = kind  # text | break | delim
        self.text = text
        self.char = ""
        self.count = 0
        self.can_open = False
        self.can_close = False
        self.opens: list[str] = []  # "strong" / "em" spans that start here
        self.closes: list[str] = []
        self.literal = False  # a delimiter run that can neither open nor close stays as text


@dataclass
class _Piece:
    text: str
    bold: bool = False
    italic: bool = False


def _delimiter(char: str, count: int, before: str, after: str) -> _Token:
    """Pandoc's rule: an opener is not followed by a space, a closer not preceded by one."""
    token = _Token("delim", char * count)
    token.char = char
    token.count = count
    token.can_open = after not in " \t\n"
    token.can_close = before not in " \t\n"
    if char == "_" and before.isalnum() and after.isalnum():  # snake_case and file_names are not emphasis
        token.can_open = token.can_close = False
    token.literal = not (token.can_open or token.can_close)
    return token


def _tokenize(source: str, budget: Budget | None = None) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    end = len(source)
    while position < end:
        if budget is not None and len(tokens) % 4096 == 0:
            budget.tick(STAGE)
        match = _INLINE.match(source, position)
        assert match is not None  # the last alternative matches any character
        kind = match.lastgroup
        text = match.group()
        position = match.end()
        before = source[match.start() - 1] if match.start() > 0 else "\n"
        after = source[position] if position < end else "\n"
        if kind == "hard":
            tokens.append(_Token("break"))
        elif kind == "soft":
            tokens.append(_Token("text", " "))
        elif kind == "escstar":
            token = _Token("escstar", text)
            token.count = len(text) - 1
            token.can_close = after in " \t\n" or unicodedata.category(after).startswith("P")
            token.can_open = after not in " \t\n"
            tokens.append(token)
        elif kind == "esc":
            tokens.append(_Token("text", text[1]))
        elif kind == "entity":
            tokens.append(_Token("text", html.unescape(text)))
        elif kind == "code":
            closing = source.find(text, position)
            while closing >= 0 and source[closing + len(text) : closing + len(text) + 1] == "`":
                closing = source.find(text, closing + len(text) + 1)
            if closing < 0:
                tokens.append(_Token("text", text))
            else:
                tokens.append(_Token("text", source[position:closing].replace("\n", " ").strip()))
                position = closing + len(text)
        elif kind == "auto":
            tokens.append(_Token("text", text[1:-1]))
        elif kind in ("tag", "strike"):
            continue
        elif kind == "delim":
            tokens.append(_delimiter(text[0], len(text), before, after))
        elif after == "\n" and text.endswith(("  ", "\t ", " \t", "\t\t")):
            tokens.append(_Token("text", text.rstrip(" \t")))  # two trailing spaces: a hard break
            tokens.append(_Token("break"))
            position += 1
        else:
            tokens.append(_Token("text", text))
    return tokens


class _Openers:
    """The stack of delimiter runs that may still open emphasis, with the positions of each character's
    runs kept apart, so that finding the last run of a character is one step, not a search back
    through runs of the other (which made a line of many unclosed "_" and then "*" quadratic)."""

    def __init__(self) -> None:
        self.runs: list[_Token] = []
        self.positions: dict[str, list[int]] = {}

    def last(self, char: str) -> int | None:
        """The index of the last run of `char`, or None."""
        positions = self.positions.get(char)
        return positions[-1] if positions else None

    def append(self, token: _Token) -> None:
        self.positions.setdefault(token.char, []).append(len(self.runs))
        self.runs.append(token)

    def truncate(self, length: int) -> None:
        """Drop the runs from index `length` on."""
        del self.runs[length:]
        for positions in self.positions.values():
            while positions and positions[-1] >= length:
                positions.pop()


def _match_emphasis(tokens: list[_Token]) -> list[_Token]:
    """Pair delimiter runs (CommonMark's stack algorithm, pandoc's flanking rule)."""
    out: list[_Token] = []
    openers = _Openers()
    for token in tokens:
        if token.kind == "escstar":
            # `\***` after a `***` opener is a hard break before the closer (a converter's "\" + "***");
            # otherwise the backslash escapes one literal star and the rest is an ordinary run.
            last_star = openers.last("*")
            open_run = None if last_star is None else openers.runs[last_star]
            if open_run is not None and open_run.count == token.count and token.can_close:
                out.append(_Token("break"))
                token = _delimiter("*", token.count, "*", "\n")
                token.can_open = False
            else:
                out.append(_Token("text", "*"))
                if token.count <= 1:
                    continue
                can_open = token.can_open
                token = _delimiter("*", token.count - 1, "*", " " if not can_open else "x")
        out.append(token)
        if token.kind != "delim" or token.literal:
            continue
        if token.can_close:
            _close_runs(token, openers)
        if token.can_open and token.count > 0:
            openers.append(token)
    return out


def _close_runs(closer: _Token, openers: _Openers) -> None:
    while closer.count > 0:
        index = openers.last(closer.char)
        if index is None:
            return
        opener = openers.runs[index]
        use = 2 if opener.count >= 2 and closer.count >= 2 else 1
        span = "strong" if use == 2 else "em"
        opener.opens.append(span)
        closer.closes.append(span)
        opener.count -= use
        closer.count -= use
        openers.truncate(index + (opener.count > 0))


def _render_inline(source: str, budget: Budget | None = None) -> list[_Piece]:
    """Plain text pieces of inline Markdown, split at hard line breaks, with emphasis coverage."""
    for pattern, replacement in _LINK_SUBSTITUTIONS:
        if "[" in source:
            source = pattern.sub(replacement, source)
    tokens = _match_emphasis(_tokenize(source, budget))
    pieces: list[_Piece] = []
    parts: list[str] = []
    all_strong = all_em = True
    depth = {"strong": 0, "em": 0}

    def finish() -> None:
        text = _SPACES.sub(" ", "".join(parts)).strip()
        if text:
            pieces.append(_Piece(text, all_strong, all_em))

    for token in tokens:
        if token.kind == "break":
            finish()
            parts = []
            all_strong = all_em = True
            continue
        if token.kind == "delim":
            for span in token.closes:
                depth[span] -= 1
            for span in token.opens:
                depth[span] += 1
            if not token.literal:
                continue
            if token.char == "*" and len(token.text) >= 2:
                # "** 2.5.** Thực hiện ...", "Chương III **": a bold run cut loose by a copy, spaced on
                # both sides; it marks nothing a reader sees.
                continue
        if token.text.strip():
            all_strong = all_strong and depth["strong"] > 0
            all_em = all_em and depth["em"] > 0
        parts.append(token.text)
    finish()
    return pieces


# ---------------------------------------------------------------------------
# Layout: header zone, layout tables, table rows
# ---------------------------------------------------------------------------

_TYPE_TITLES = tuple(
    sorted({t.name.upper() for t in DOCUMENT_TYPES} | {w for t in DOCUMENT_TYPES for w in t.title_words})
)
_MOTTO = re.compile(
    "|".join(
        re.escape(motto)
        .replace("HÒA", "H(?:ÒA|OÀ)")
        .replace(r"\ \-\ ", r"\s*[-–—]\s*")
        .replace(r"\ ", r"\s+")
        for motto in NATIONAL_MOTTOS
    ),
    re.IGNORECASE,
)
_NUMBER_LINE = re.compile(r"^Số\s*[:.]?\s*\S")
# Lines that a flattened header cell runs together: "Số: 5330/CT-CS V/v Chính sách thuế TNCN".
_HEADER_LINE_START = re.compile(
    r"\s+(?=(?:" + "|".join(map(re.escape, (*LETTER_SUBJECT_OPENINGS, "Kính gửi"))) + r")(?!\w))"
)
_DATE_LINE = re.compile(r"ngày\s+\S+\s+tháng\s+\S+\s+năm\s+\d", re.IGNORECASE)
_DECORATION = re.compile(r"^[\s\-–—_=*.~]*$")
_DASH_DECORATION = re.compile(r"\s+[-–—_=]{3,}(?=\s|$)|^[-–—_=]{3,}\s+")
_LEADING_MARKER = re.compile(r"^([-+•*])\s+(?=\S)")
_RECIPIENT_SPLIT = re.compile(r"(?<=[;:.,])\s+(?=-\s)")


def _is_type_title(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters) or len(text) > 200:
        return False
    return any(text == title or text.startswith((title + " ", title + ":")) for title in _TYPE_TITLES)


def _is_header_line(text: str) -> bool:
    if _MOTTO.search(text) or _NUMBER_LINE.match(text) or _DATE_LINE.search(text):
        return True
    letters = [c for c in text if c.isalpha()]
    return len(text) <= 90 and bool(letters) and all(c.isupper() for c in letters)


def _header_pieces(pieces: list[_Piece]) -> list[_Piece]:
    """Header lines one per piece: the motto apart from the issuer, decorative dash runs dropped."""
    result: list[_Piece] = []
    for piece in pieces:
        text = _DASH_DECORATION.sub("\n", piece.text)
        text = _MOTTO.sub(lambda m: "\n" + m.group() + "\n", text)
        text = _HEADER_LINE_START.sub("\n", text)
        for line in text.split("\n"):
            line = line.strip()
            if line and (line.strip("*") == "" or not _DECORATION.match(line)):
                result.append(_Piece(line, piece.bold, piece.italic))
    return result


def _text_block(piece: _Piece, marker: str = "", in_header: bool = False) -> Block:
    text = piece.text
    if not in_header and not marker:
        found = _LEADING_MARKER.match(text)
        if found:
            marker = found.group(1)
            text = text[found.end() :]
    return Block(text=text, bold=piece.bold, italic=piece.italic, marker=marker, in_header=in_header)


_Cells = list[list[list[_Piece]]]  # rows of cells, each cell the pieces of its lines


@dataclass
class _RenderedText:
    pieces: list[_Piece]
    kind: str
    marker: str


@dataclass
class _RenderedTable:
    rows: _Cells
    header_rows: int


def _render(unit: _Unit, budget: Budget | None = None) -> _RenderedText | _RenderedTable:
    if isinstance(unit, _TableUnit):
        rows = [[_render_inline(cell, budget) for cell in row] for row in unit.rows]
        return _RenderedTable(rows, unit.header_rows)
    if unit.kind in ("literal", "stars"):
        return _RenderedText([_Piece(unit.source)], unit.kind, unit.marker)
    return _RenderedText(_render_inline(unit.source, budget), unit.kind, unit.marker)


def _header_end(items: list[_RenderedText | _RenderedTable]) -> int:
    """Units before the document-type title (or through a leading header table) form the header zone."""
    for index, item in enumerate(items[:15]):
        if isinstance(item, _RenderedText) and item.pieces and _is_type_title(item.pieces[0].text):
            return index
    for index, item in enumerate(items[:3]):
        if isinstance(item, _RenderedTable):
            return index + 1 if _table_has_header_lines(item.rows) else 0
    return 0


class _Layout:
    """Blocks in reading order from rendered units; numbers the tables that stay tables."""

    def __init__(self, units: list[_Unit], budget: Budget | None = None) -> None:
        self.items = [_render(unit, budget) for unit in units]
        self.blocks: list[Block] = []
        self.tables = 0

    def assemble(self) -> list[Block]:
        header_end = _header_end(self.items)
        header_table_done = False
        for index, item in enumerate(self.items):
            in_zone = index < header_end
            if isinstance(item, _RenderedTable):
                if in_zone and not header_table_done and _table_has_header_lines(item.rows):
                    header_table_done = True
                    for column in _columns(item.rows):
                        self.blocks.extend(_text_block(p, in_header=True) for p in _header_pieces(column))
                elif _is_layout_table(item.rows):
                    self._layout_lines(item.rows)
                else:
                    self._table_rows(item)
            else:
                self._text_blocks(item, in_zone)
        return self.blocks

    def _text_blocks(self, item: _RenderedText, in_zone: bool) -> None:
        pieces = _header_pieces(item.pieces) if in_zone else item.pieces
        for number, piece in enumerate(pieces):
            separator = piece.text.strip("*") == ""  # the "*" under a party issuer's name
            if _DECORATION.match(piece.text) and not (in_zone and separator):
                continue
            header_line = in_zone and (separator or _is_header_line(piece.text))
            block = _text_block(piece, item.marker if number == 0 else "", in_header=header_line)
            block.bold = block.bold or item.kind == "heading"
            self.blocks.append(block)

    def _layout_lines(self, rows: _Cells) -> None:
        """Recipients and signature, column by column; a flattened recipients list is split at " - "."""
        for column in _columns(rows):
            for piece in column:
                for part in _RECIPIENT_SPLIT.split(piece.text):
                    self.blocks.append(_text_block(_Piece(part, piece.bold, piece.italic)))

    def _table_rows(self, table: _RenderedTable) -> None:
        rows = [(number, row) for number, row in enumerate(table.rows) if any(row)]
        if not rows:
            return
        self.tables += 1
        width = max(len(row) for _, row in rows)
        for number, row in rows:
            cells = [" ".join(piece.text for piece in cell) for cell in row] + [""] * (width - len(row))
            filled = [cell for cell in row if cell]
            self.blocks.append(
                Block(
                    text=" | ".join(cells),
                    cells=cells,
                    table=self.tables,
                    header_row=number < table.header_rows,
                    bold=all(piece.bold for cell in filled for piece in cell),
                    italic=all(piece.italic for cell in filled for piece in cell),
                )
            )


def _columns(cells_by_row: _Cells) -> list[list[_Piece]]:
    """A layout table's pieces column by column: left column top to bottom, then the next."""
    width = max((len(row) for row in cells_by_row), default=0)
    return [[piece for row in cells_by_row if c < len(row) for piece in row[c]] for c in range(width)]


def _table_has_header_lines(cells_by_row: _Cells) -> bool:
    texts = [piece.text for row in cells_by_row for cell in row for piece in cell]
    return any(_MOTTO.search(t) or _NUMBER_LINE.match(t) or _DATE_LINE.search(t) for t in texts)


def _is_layout_table(cells_by_row: _Cells) -> bool:
    """The closing recipients/signature block laid out as a two-column table."""
    first = next((cell[0].text for row in cells_by_row for cell in row if cell), "")
    return len(cells_by_row) <= 2 and first.startswith(RECIPIENTS_OPENINGS)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def markdown_to_blocks(text: str, budget: Budget | None = None) -> list[Block]:
    """Blocks of a Markdown document in reading order."""
    text = _SPACED_LINE_END_CLOSER.sub(r"\1", text)
    text = _SPACED_LABEL_EMPHASIS.sub(r"\1\3 ", text)
    return _Layout(_BlockParser(text, budget).parse(), budget).assemble()


def is_copied_web_text(text: str) -> bool:
    """Text copied from a web page: tables as lone-"|" lines, or `**bold**` marks in plain text."""
    lone_pipes = len(_LONE_PIPE_LINES.findall(text))
    return lone_pipes >= 2 or text.count("**") >= 6


def read_markdown(data: bytes, source_path: str, sha256: str, budget: Budget | None = None) -> RawDocument:
    budget = budget or Budget()
    text, encoding = decode_bytes(data)
    budget.check_text(text)
    blocks = markdown_to_blocks(text, budget)
    if not blocks:
        raise ReadError("no text found in the Markdown file")
    return RawDocument(
        blocks=blocks, source_path=source_path, source_format="md", sha256=sha256, encoding=encoding
    )
