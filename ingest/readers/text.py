"""Plain-text reader: paragraphs are blank-line separated, or hard-wrapped lines merged."""

from __future__ import annotations

import re

from ingest.encodings import decode_bytes
from ingest.limits import Budget
from ingest.model import Block, RawDocument
from ingest.readers.markdown import is_copied_web_text, markdown_to_blocks

# A line that starts a unit of its own and is never the continuation of a wrapped line.
_STARTS_UNIT = re.compile(
    r"^\s*(?:[-–+•*]\s|[IVXLC]+[.\-]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ][)]\s|"
    r"(?:Chương|Mục|Điều|Phần)\s+[\dIVXLC]+|Nơi nhận|Căn cứ|Thực hiện|Số[: ])",
)


STAGE = "reading the text"


def read_text(data: bytes, source_path: str, sha256: str, budget: Budget | None = None) -> RawDocument:
    budget = budget or Budget()
    text, encoding = decode_bytes(data)
    budget.check_text(text)
    # Text pasted from a legal portal keeps the page's Markdown-like marks and lone-"|" tables:
    # it reads like the Markdown it nearly is, not like a typed letter.
    blocks = markdown_to_blocks(text, budget) if is_copied_web_text(text) else text_to_blocks(text, budget)
    return RawDocument(
        blocks=blocks,
        source_path=source_path,
        source_format="txt",
        sha256=sha256,
        encoding=encoding,
    )


def _wrap_width(lines: list[str]) -> int | None:
    """The column at which the text was hard-wrapped, or None when lines are whole paragraphs."""
    lengths = sorted(len(line.rstrip()) for line in lines if line.strip())
    if len(lengths) < 8:
        return None
    width = lengths[int(len(lengths) * 0.9)]
    near_width = sum(1 for n in lengths if width - 12 <= n <= width)
    # Wrapped text has many lines just short of one width, and that width is a screen's, not a paragraph's.
    return width if width <= 100 and near_width >= len(lengths) * 0.4 else None


def text_to_blocks(text: str, budget: Budget | None = None) -> list[Block]:
    budget = budget or Budget()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    width = _wrap_width(lines)
    blocks: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            blocks.append(Block(text=" ".join(part.strip() for part in current)))
            current.clear()
            budget.add_paragraphs(1, STAGE)

    for line in lines:
        if not line.strip():
            flush()
            continue
        if current and (width is None or len(current[-1].rstrip()) < width - 15 or _STARTS_UNIT.match(line)):
            flush()
        current.append(line)
    flush()
    return blocks
