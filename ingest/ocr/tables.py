"""Ruled tables on a scanned page, found from their lines, and the recognised words put in their cells.

An appendix task table is ruled: long horizontal and vertical strokes of ink. On the straightened
page, a pixel belongs to a horizontal ruling when a run of dark pixels at least `_RULING_SHARE` of the
page's width passes through it (text never makes runs that long); vertical rulings likewise, with
runs of at least a text line's height several times over. Rows of the table lie between consecutive
horizontal rulings, columns between vertical ones; each word goes to the cell its centre falls in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.model import weighted_confidence
from ingest.ocr.engines import OcrWord, mean_confidence

_DARK = 128  # grey level below which a pixel is ink
_RULING_SHARE = 0.25  # a horizontal ruling spans at least this share of the page width
_VERTICAL_SHARE = 0.03  # a vertical ruling segment spans at least this share of the page height
_MERGE = 6  # rulings closer than this many pixels are one (a thick or doubled stroke)
# Characters that are what is left of a ruling, read as text by the engine ("|", "—"); the rulings are
# erased before recognition, so digits and letters are never taken for them.
_RULING_CHARACTERS = set("|¦[]_—–=~")


@dataclass
class OcrTable:
    """A ruled table: its top and bottom, the x of its column rulings and the y of its row rulings,
    and its rows of cell texts."""

    top: float
    bottom: float
    columns: list[float]
    rows: list[list[str]]
    row_rulings: list[float]
    confidence: list[list[float]]  # per cell: its least confident word's (1 for an empty cell)
    mean_confidence: list[list[float | None]]  # per cell: of its words, by their length (None: empty)

    def doubtful_cells(self, threshold: float) -> list[tuple[int, int, tuple[int, int, int, int]]]:
        """(row, column, box) of the cells read with no word, or with a word below `threshold`: page
        recognition drops or garbles a short word alone in a narrow cell (the "1", "2", "12" of a
        numbering column came back empty, "T2", "F/"), so these are read again one by one."""
        return [
            (r, c, self._box(r, c))
            for r, row in enumerate(self.rows)
            for c, text in enumerate(row)
            if not text or self.confidence[r][c] < threshold
        ]

    def row_confidence(self, row: int) -> float | None:
        """How sure the engine was of a row's text: its cells' confidence, weighted by their length."""
        return weighted_confidence(zip(self.mean_confidence[row], self.rows[row], strict=True))

    def _box(self, row: int, column: int) -> tuple[int, int, int, int]:
        x0, x1 = self.columns[column], self.columns[column + 1]
        return int(x0), int(self.row_rulings[row]), int(x1), int(self.row_rulings[row + 1])


def _runs_at_least(mask: np.ndarray, length: int) -> np.ndarray:
    """Along axis 1: which pixels lie on a run of at least `length` set pixels (cumulative sums: a
    window [x, x + length) is full when its sum is `length`; a full window covers its pixels)."""
    height, width = mask.shape
    if length > width:
        return np.zeros(mask.shape, dtype=bool)
    sums = np.zeros((height, width + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, dtype=np.int32, out=sums[:, 1:])
    starts = np.zeros((height, width), dtype=np.int32)
    starts[:, : width - length + 1] = (sums[:, length:] - sums[:, : width - length + 1]) == length
    marks = np.cumsum(starts, axis=1, dtype=np.int32)
    earlier = np.zeros_like(marks)
    earlier[:, length:] = marks[:, :-length]
    return (marks - earlier) > 0


def _positions(profile: np.ndarray) -> list[tuple[int, int]]:
    """Runs of consecutive set indices, merged when closer than `_MERGE`: (first, last)."""
    indices = np.flatnonzero(profile)
    groups: list[tuple[int, int]] = []
    for index in indices:
        if groups and index - groups[-1][1] <= _MERGE:
            groups[-1] = (groups[-1][0], int(index))
        else:
            groups.append((int(index), int(index)))
    return groups


Grid = tuple[list[float], list[float]]  # the y of a table's row rulings and the x of its column rulings


def find_tables(grey: np.ndarray) -> tuple[list[Grid], np.ndarray]:
    """The ruled tables of a straightened page image (pixels, top to bottom), and the mask of the
    rulings' pixels: erased before recognition, strokes next to a cell's text are read as letters
    ("1" beside a ruling came back as "lữ") and a header row on a tinted ground was lost."""
    ink = grey < _DARK
    # A stroke a pixel off level still counts: thicken by a pixel up and down before measuring runs.
    thick = ink.copy()
    thick[1:] |= ink[:-1]
    thick[:-1] |= ink[1:]
    height, width = ink.shape
    horizontal = _runs_at_least(thick, max(int(width * _RULING_SHARE), 50))
    wide = np.zeros_like(ink)
    wide[:, 1:] |= ink[:, :-1]
    wide[:, :-1] |= ink[:, 1:]
    wide |= ink
    vertical = _runs_at_least(wide.T, max(int(height * _VERTICAL_SHARE), 30)).T
    rulings = (horizontal | vertical) & wide
    rows = _positions(np.asarray(horizontal.any(axis=1)))
    if len(rows) < 2:
        return [], rulings
    tables: list[Grid] = []
    group: list[tuple[int, int]] = [rows[0]]
    for ruling in rows[1:]:
        between = vertical[group[-1][1] : ruling[0] + 1]
        if between.size and between.all(axis=0).any():  # a column ruling joins the two: same table
            group.append(ruling)
        else:
            tables.append(_grid(group, vertical, horizontal))
            group = [ruling]
    tables.append(_grid(group, vertical, horizontal))
    return [(ys, xs) for ys, xs in tables if len(ys) >= 2 and len(xs) >= 3], rulings


def _grid(group: list[tuple[int, int]], vertical: np.ndarray, horizontal: np.ndarray) -> Grid:
    ys = [(first + last) / 2 for first, last in group]
    if len(ys) < 2:
        return ys, []
    top, bottom = group[0][1], group[-1][0]
    spanning = vertical[top : bottom + 1]
    # Column rulings: x where ink runs down through most of the table (merged cells interrupt some).
    share = spanning.mean(axis=0)
    xs = [(first + last) / 2 for first, last in _positions(share > 0.5)]
    return ys, xs


def fill_tables(words: list[OcrWord], grids: list[Grid]) -> tuple[list[OcrTable], list[OcrWord]]:
    """The tables with their cells' text, and the words outside every table."""
    tables: list[OcrTable] = []
    inside: set[int] = set()
    for ys, xs in grids:
        cells: list[list[list[OcrWord]]] = [[[] for _ in xs[1:]] for _ in ys[1:]]
        for index, word in enumerate(words):
            cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
            if not (ys[0] <= cy <= ys[-1] and xs[0] <= cx <= xs[-1]):
                continue
            inside.add(index)
            if set(word.text) <= _RULING_CHARACTERS and len(word.text) <= 2:
                continue  # a ruling read as a character
            row = next(i for i in range(len(ys) - 1) if cy <= ys[i + 1])
            column = next(i for i in range(len(xs) - 1) if cx <= xs[i + 1])
            cells[row][column].append(word)
        rows = [[_cell_text(cell) for cell in row] for row in cells]
        least = [[min((w.confidence for w in cell), default=1.0) for cell in row] for row in cells]
        mean = [[mean_confidence(cell) for cell in row] for row in cells]
        tables.append(OcrTable(ys[0], ys[-1], list(xs), rows, list(ys), least, mean))
    outside = [word for index, word in enumerate(words) if index not in inside]
    return tables, outside


def _cell_text(words: list[OcrWord]) -> str:
    """A cell's words in reading order: by line (words whose middles are within half a line), then x."""
    lines: list[list[OcrWord]] = []
    for word in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        middle = (word.top + word.bottom) / 2
        if lines and abs(middle - _middle(lines[-1])) <= 0.5 * (word.bottom - word.top):
            lines[-1].append(word)
        else:
            lines.append([word])
    return " ".join(" ".join(w.text for w in sorted(line, key=lambda w: w.x0)) for line in lines)


def _middle(line: list[OcrWord]) -> float:
    return sum((w.top + w.bottom) / 2 for w in line) / len(line)
