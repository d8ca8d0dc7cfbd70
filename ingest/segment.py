"""Segmentation: normalized blocks → an outline of typed segments over one body text.

Every block lands in exactly one segment and every segment is a contiguous run of blocks,
so `body[start:end]` of the segments covers the body without loss.

Structure comes from labels with fixed levels (part letters, Chương, Mục, Roman parts,
Điều, numbered sections, lettered items); dash bullets and plain paragraphs are the content
of the innermost open unit. A segment's kind comes from what its section says it holds
("NHIỆM VỤ, GIẢI PHÁP" → task), from assignment-line cues, or from its place (preamble,
recipients).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.limits import Budget
from ingest.model import Block, Segment, ocr_confidence_of
from ingest.normalize import fold_diacritics
from ingest.vocabulary import (
    AGENCY_SUBJECT_STARTS,
    ASSIGNMENT_VERBS,
    CLOSING_OPENINGS,
    RECIPIENTS_OPENINGS,
    SECTION_KIND_WORDS,
    SIGNATURE_OPENINGS,
)

_ROMAN = r"(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"


@dataclass(frozen=True)
class LabelRule:
    level: int
    pattern: re.Pattern[str]
    token: str  # how the label reads in a path; "{}" takes the captured label
    absolute: bool = False  # the token alone names the unit ("Điều 5" is unique in a legal text)


# Fixed levels: a label closes every open unit of its level or deeper.
LABEL_RULES: tuple[LabelRule, ...] = (
    LabelRule(0, re.compile(r"^(?:PHẦN|Phần)\s+(thứ\s+\w+|[IVXLC]+|\d+)\b[.:\s-]*"), "Phần {}"),
    LabelRule(0, re.compile(r"^(?:PHỤ LỤC|Phụ lục)(?:\s+(?:số\s+)?([IVXLC\d]+))?\b[.:\s-]*"), "Phụ lục {}"),
    LabelRule(0, re.compile(r"^([A-E])[.\-]\s+(?=[A-ZĐÀ-Ỹ]{2})"), "{}"),
    LabelRule(
        1, re.compile(r"^(?:CHƯƠNG|Chương)\s+(" + _ROMAN + r"|\d+)\b[.:\s-]*"), "Chương {}", absolute=True
    ),
    LabelRule(2, re.compile(r"^(?:MỤC|Mục)\s+(\d+|[IVXLC]+)(?:\b[.:\s-]+|$)"), "Mục {}"),
    LabelRule(3, re.compile(r"^(" + _ROMAN + r")\s*[.\-–]\s*(?=\S)"), "{}"),
    LabelRule(4, re.compile(r"^Điều\s+(\d+[a-z]?)\b[.:]?\s*"), "Điều {}", absolute=True),
    LabelRule(6, re.compile(r"^(\d{1,2}\.\d{1,2}(?:\.\d{1,2})?)\.?\s+(?=\S)"), "{}"),
    LabelRule(5, re.compile(r"^(\d{1,2})\s*[.)]\s*(?=\S)"), "{}"),
    LabelRule(7, re.compile(r"^([a-zđ])\)\s*(?=\S)"), "{}"),
)

# A role verb that gives a line its assignment (the roles the vocabulary marks so), or "giao".
_ASSIGNMENT_VERB = re.compile(r"\b(?:" + "|".join(map(re.escape, ASSIGNMENT_VERBS)) + r")\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.;]\s*$")
_DATE_LINE = re.compile(
    r"^(?:[\w\s.]+,\s*)?[Nn]gày\s+\d{1,2}(?:\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|[/\-.]\d{1,2}[/\-.]\d{4})\s*$"
)


@dataclass
class _Unit:
    level: int
    path: str
    title: str  # lowercase text of the label's line, for the section-kind lookup
    kind_hint: str | None
    children_unlabeled: int = 0
    labelled_tokens: set[str] = field(default_factory=set)


@dataclass
class _Draft:
    """A segment under construction: a run of block indexes and what it is."""

    blocks: list[int]
    kind: str
    path: str
    label: str | None = None
    heading: str | None = None
    parent_path: str | None = None
    cells: list[str] | None = None
    columns: list[str] | None = None
    mergeable: bool = False  # plain paragraphs may be appended (body text of one task)
    numbered_by_order: bool = False  # path is an ordinal among unlabeled siblings, not a written label


def match_label(text: str) -> tuple[LabelRule, str, str] | None:
    """The label rule a block starts with, with the label as written and the path token."""
    for rule in LABEL_RULES:
        found = rule.pattern.match(text)
        if found:
            value = (found.group(1) or "").strip() if found.groups() else ""
            if not value and "{}" in rule.token and not rule.token.startswith("Phụ lục"):
                continue  # the Roman-numeral pattern also matches an empty numeral
            token = rule.token.format(value).strip()
            return rule, found.group(0).strip(), token
    return None


def section_kind(title: str, at_start: bool = False) -> str | None:
    """The kind a section's title announces, by the earliest keyword in it (or only at its start)."""
    lowered = title.lower()
    best: tuple[int, str] | None = None
    for word, kind in SECTION_KIND_WORDS:
        position = lowered.find(word)
        if position >= 0 and (best is None or position < best[0]):
            best = (position, kind)
    if best is None or (at_start and best[0] > 0):
        return None
    return best[1]


def is_heading_text(text: str) -> bool:
    """A labelled line that only names its section (no sentence of its own)."""
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
        return not text.rstrip().endswith((".", ";")) or len(text) < 120
    return len(text) <= 260 and not _SENTENCE_END.search(text) and not text.rstrip().endswith(":")


# A labelled line longer than this names a section only when something stands under it; followed at
# once by its next sibling ("d) Cung cấp, cập nhật ... theo quy định" then "đ) ..."), it is an item
# whose copy lost its final period.
_SHORT_TITLE = 120


def _has_content_under(blocks: list[Block], index: int, level: int) -> bool:
    """Whether the blocks after `index` hold anything below a label of `level` before its next sibling."""
    for block in blocks[index + 1 :]:
        text = block.text.strip()
        if not text:
            continue
        if not block.marker and text.startswith(CLOSING_OPENINGS + RECIPIENTS_OPENINGS):
            return False  # the plan's closing follows: nothing of this item's own
        label = None if block.marker else match_label(text)
        return label is None or label[0].level > level
    return False


def _is_appendix_label(text: str) -> bool:
    label = match_label(text)
    return label is not None and label[0].token.startswith("Phụ lục")


def looks_like_assignment(block: Block) -> bool:
    """An assignment line: `*`-marked or set apart in italics, an agency as subject, a role verb."""
    text = block.text
    starts_with_agency = text.startswith(AGENCY_SUBJECT_STARTS)
    if block.marker == "*":  # the genre's own marker of assignment lines
        return starts_with_agency or bool(_ASSIGNMENT_VERB.search(text))
    if not _ASSIGNMENT_VERB.search(text):
        return False
    return starts_with_agency and (block.italic or block.marker == "")


def _is_title_case_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _header_end(blocks: list[Block]) -> int:
    """Index of the first block after the header (issuer, motto, type, subject, date lines)."""
    end = 0
    for index, block in enumerate(blocks[:40]):
        text = block.text
        if block.in_header or _is_title_case_line(text) or _DATE_LINE.match(text):
            end = index + 1
            continue
        if block.cells is not None or match_label(text):
            break
        opening = len(text) > 200 and text[0].isupper() and text.rstrip()[-1:] in (":", ".", ",", ";")
        if opening:
            break
        if len(text) <= 400 and not text.rstrip().endswith((".", ":")):
            end = index + 1  # subject line ("về ...", "thực hiện ...") or a short title line
            continue
        break
    return end


def segment_blocks(
    blocks: list[Block], document_id: str, budget: Budget | None = None
) -> tuple[str, list[Segment]]:
    """Build the body text and its segments from normalized blocks (`budget`: the clock, checked per block)."""
    drafts = _outline(blocks, budget or Budget())
    _ensure_unique_paths(drafts)
    body_parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    cursor = 0
    for block in blocks:
        if body_parts:
            body_parts.append("\n")
            cursor += 1
        offsets.append((cursor, cursor + len(block.text)))
        body_parts.append(block.text)
        cursor += len(block.text)
    body = "".join(body_parts)
    segments: list[Segment] = []
    for draft in drafts:
        start = offsets[draft.blocks[0]][0]
        end = offsets[draft.blocks[-1]][1]
        pages = sorted({page for i in draft.blocks if (page := blocks[i].page) is not None})
        segments.append(
            Segment(
                id=segment_id(document_id, draft.path),
                document_id=document_id,
                path=draft.path,
                kind=draft.kind,  # type: ignore[arg-type]
                text=body[start:end],
                start=start,
                end=end,
                pages=pages,
                heading=draft.heading,
                label=draft.label,
                parent_path=draft.parent_path,
                cells=draft.cells,
                columns=draft.columns,
                ocr_confidence=ocr_confidence_of([blocks[i] for i in draft.blocks]),
            )
        )
    _link_assignments(segments)
    return body, segments


def segment_id(document_id: str, path: str) -> str:
    """Stable, URL-safe id: the document id and the segment's outline path without diacritics."""
    # The lettered item "đ)" follows "d)": keep the two apart before folding the marks away.
    parts = ["dd" if part == "đ" else part for part in path.split(".")]
    slug = fold_diacritics(".".join(parts)).replace(" ", "")
    return f"{document_id}:{slug}"


def _outline(blocks: list[Block], budget: Budget) -> list[_Draft]:
    drafts: list[_Draft] = []
    header_end = _header_end(blocks)
    if header_end:
        drafts.append(_Draft(list(range(header_end)), "preamble", "0"))
    root = _Unit(level=-1, path="0", title="", kind_hint=None)
    stack: list[_Unit] = [root]
    closing: str | None = None  # "recipients" or "signature" once the closing blocks begin
    table_columns: dict[int, list[str]] = {}
    table_units: dict[int, str] = {}
    table_drafts: dict[str, int] = {}  # drafts so far under each table's path (its rows and header)

    def current() -> _Unit:
        return stack[-1]

    def context_kind() -> str | None:
        for unit in reversed(stack):
            if unit.kind_hint:
                return unit.kind_hint
        return None

    def unlabeled_path(unit: _Unit) -> str:
        unit.children_unlabeled += 1
        return f"{unit.path}.{unit.children_unlabeled}"

    for index in range(header_end, len(blocks)):
        budget.tick("segmenting")
        block = blocks[index]
        text = block.text
        # Closing blocks: recipients list, then the signature; a new title line ends them.
        if text.startswith(RECIPIENTS_OPENINGS) and not block.marker:
            closing = "recipients"
            drafts.append(_Draft([index], "recipients", "Nơi nhận"))
            continue
        appendix = closing is not None and not block.marker and _is_appendix_label(text)
        if appendix or (
            closing
            and _is_title_case_line(text)
            and not text.startswith(SIGNATURE_OPENINGS)
            and len(text) > 25
        ):
            # "PHỤ LỤC" after the signature opens a part of its own, with its tables.
            closing = None
            stack[1:] = []
        if (
            closing == "recipients"
            and (block.marker or not text.startswith(SIGNATURE_OPENINGS))
            and (block.marker or text[:1].islower() or len(text) < 120)
        ):
            drafts[-1].blocks.append(index)
            continue
        if closing == "signature" and len(text) < 80:
            drafts[-1].blocks.append(index)
            continue
        if closing and text.startswith(SIGNATURE_OPENINGS):
            closing = "signature"
            drafts.append(_Draft([index], "other", "Ký"))
            continue
        closing = None

        if block.cells is not None:
            table = block.table if block.table is not None else -1
            if table not in table_units:
                unit = current()
                table_units[table] = f"{unit.path}.Bảng {len(table_units) + 1}"
            table_path = table_units[table]
            table_drafts[table_path] = table_drafts.get(table_path, 0) + 1
            if block.header_row:
                table_columns[table] = block.cells
                drafts.append(
                    _Draft(
                        [index], "heading", f"{table_path}.0", cells=block.cells, parent_path=current().path
                    )
                )
                continue
            row_number = (
                block.cells[0].rstrip(".") if block.cells and block.cells[0].rstrip(".").isdigit() else None
            )
            # Counted, not searched for in the drafts: a table of thousands of rows stays linear.
            row_path = f"{table_path}.{row_number or table_drafts[table_path] - 1}"
            drafts.append(
                _Draft(
                    [index],
                    "table_row",
                    row_path,
                    cells=block.cells,
                    columns=table_columns.get(table),
                    parent_path=current().path,
                )
            )
            continue

        if not block.marker and text.startswith(CLOSING_OPENINGS):
            # "Trên đây là Kế hoạch ... Đề nghị các cơ quan, đơn vị ...": the plan's closing, under no section.
            stack[1:] = []
            drafts.append(_Draft([index], "other", "Kết"))
            continue
        label = None if block.marker else match_label(text)
        if label is not None:
            rule, written, token = label
            while len(stack) > 1 and current().level >= rule.level:
                stack.pop()
            parent = current()
            inherited = context_kind()
            path = token if parent is root or rule.absolute else f"{parent.path}.{token}"
            parent.labelled_tokens.add(token)
            rest = text[len(written) :].strip()
            heading = not rest or (
                is_heading_text(rest)
                and (len(rest) <= _SHORT_TITLE or _has_content_under(blocks, index, rule.level))
            )
            if heading:
                own_kind = section_kind(rest[:200])
            elif ":" in rest[:120]:  # "1. Mục đích: Cụ thể hóa ..." names its kind before the colon
                own_kind = section_kind(rest.split(":", 1)[0])
            else:
                own_kind = section_kind(rest[:60], at_start=True)
            stack.append(_Unit(rule.level, path, rest[:200].lower(), own_kind))
            parent_path = parent.path if parent is not root else None
            if heading:
                drafts.append(
                    _Draft(
                        [index], "heading", path, label=written, heading=rest or None, parent_path=parent_path
                    )
                )
                continue
            kind = own_kind or inherited or "other"
            if kind == "assignment" and not looks_like_assignment(block):
                kind = inherited if inherited and inherited != "assignment" else "other"
            drafts.append(
                _Draft(
                    [index],
                    kind,
                    path,
                    label=written,
                    parent_path=parent_path,
                    mergeable=kind in ("task", "organization"),
                )
            )
            continue

        previous = drafts[-1] if drafts else None
        # "Chương I" / "QUY ĐỊNH CHUNG": a title line under a bare label belongs to that heading.
        if (
            previous is not None
            and previous.kind == "heading"
            and previous.heading is None
            and previous.label
            and _is_title_case_line(text)
        ):
            previous.blocks.append(index)
            previous.heading = text
            current().kind_hint = current().kind_hint or section_kind(text)
            continue

        unit = current()
        kind_here = context_kind()
        if unit is root and kind_here is None:
            if _is_title_case_line(text):
                drafts.append(
                    _Draft([index], "heading", unlabeled_path(unit), numbered_by_order=True, heading=text)
                )
            else:
                drafts.append(_Draft([index], "preamble", unlabeled_path(unit), numbered_by_order=True))
            continue
        if (
            looks_like_assignment(block)
            and (block.marker == "*" or block.italic or kind_here != "assignment")
            and (block.marker in ("*", "") or kind_here == "assignment")
        ):
            drafts.append(
                _Draft(
                    [index],
                    "assignment",
                    unlabeled_path(unit),
                    numbered_by_order=True,
                    label=block.marker or None,
                    parent_path=unit.path if unit is not root else None,
                )
            )
            continue
        kind = kind_here or "other"
        # Plain paragraphs continue the task before them: one task per bullet, one per bullet-less body.
        if (
            not block.marker
            and previous is not None
            and previous.mergeable
            and previous.parent_path == (unit.path if unit is not root else None)
            and kind in ("task", "organization")
        ):
            previous.blocks.append(index)
            continue
        drafts.append(
            _Draft(
                [index],
                kind,
                unlabeled_path(unit),
                numbered_by_order=True,
                label=block.marker or None,
                parent_path=unit.path if unit is not root else None,
                mergeable=kind in ("task", "organization"),
            )
        )
    return drafts


def _ensure_unique_paths(drafts: list[_Draft]) -> None:
    """Written labels keep their paths; an unlabeled intro that took a label's number moves to ".0"."""
    written = {d.path for d in drafts if not d.numbered_by_order}
    for draft in drafts:
        if draft.numbered_by_order and draft.path in written and "." in draft.path:
            draft.path = draft.path.rsplit(".", 1)[0] + ".0"
    seen: dict[str, int] = {}
    latest: dict[str, str] = {}  # a written path → the path its latest holder got
    for draft in drafts:
        # Children point at the section they are in: the second "IV." with its own "1. Sở Công Thương:"
        # is "IV~2", and its items' parent is that "1." ("IV.1~2"), not the first part's "IV.1".
        if draft.parent_path is not None:
            draft.parent_path = latest.get(draft.parent_path, draft.parent_path)
        written_path = draft.path
        count = seen.get(written_path, 0)
        seen[written_path] = count + 1
        if count:
            draft.path = f"{written_path}~{count + 1}"
        latest[written_path] = draft.path


def _link_assignments(segments: list[Segment]) -> None:
    """An assignment line governs the tasks of its section (or of the nearest section that has some)."""
    tasks = [s for s in segments if s.kind == "task"]
    for segment in segments:
        if segment.kind != "assignment":
            continue
        scope = segment.parent_path
        while True:
            prefix = (scope + ".") if scope else ""
            governed = (
                [t.id for t in tasks if t.path.startswith(prefix) and t.start < segment.start]
                if scope
                else []
            )
            if governed or not scope:
                break
            scope = scope.rsplit(".", 1)[0] if "." in scope else None
        segment.governs = governed
