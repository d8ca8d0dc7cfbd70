"""Vietnamese phrasing of the chat's answers: how a document and a section are named and cited,
short excerpts, and the sentences built from a segment's facts (who leads, coordinates and does what,
by when, which targets, which directive a plan implements)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ingest.model import Assignment, Document, Segment
from search_api.chat.intents import ROLE_NAMES_VI, fold

EXCERPT_CHARS = 220

# -- labels and excerpts ----------------------------------------------------------------------------


def document_label(document: Document) -> str:
    """ "Chương trình số 60-CTr/TU"; a document without a symbol goes by its short title."""
    if document.number:
        return f"{document.type} số {document.number}" if document.type else document.number
    title = document.title or document.id
    # "thực hiện Kết luận số 72-KL/TW, ngày 23-02-2024 của ..." → up to the date, after the type.
    short = re.split(r",?\s+ngày\s+\d|\s+“|,\s+", title, maxsplit=1)[0]
    if document.type and not fold(short).startswith(fold(document.type)):
        short = f"{document.type} {short}"
    return short if len(short) <= 100 else short[:97].rsplit(" ", 1)[0] + "…"


def section_label(segment: Segment) -> str:
    if segment.kind == "preamble":
        return "phần mở đầu"
    path = section_path(segment)
    return path if path.startswith(("Điều", "Phụ lục", "Chương")) else f"mục {path}"


def section_path(segment: Segment) -> str:
    """An assignment line speaks for its section: it is cited as the section (III.1), not the line."""
    if segment.kind == "assignment" and segment.parent_path:
        return segment.parent_path
    return segment.path


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _strip_label(text: str) -> str:
    return re.sub(r"^\s*(?:[IVXLC]+|\d+|[a-zđ])[.)]\s+", "", text.strip())


def _lower_first(text: str) -> str:
    # "Công tác phổ biến" → "công tác phổ biến", but "GRDP bình quân" stays.
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def join_names(names: Iterable[str]) -> str:
    names = list(dict.fromkeys(names))
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " và " + names[-1]


# -- describing facts -----------------------------------------------------------------------------------


def _mentions(assignments: list[Assignment]) -> list[str]:
    return list(dict.fromkeys(a.mention for a in assignments))


def _actions(assignments: list[Assignment]) -> str:
    words = [w for a in assignments for w in (a.actions or [ROLE_NAMES_VI.get(a.role, a.role)])]
    timing = [t for a in assignments for t in (a.frequency, a.deadline) if t]
    return ", ".join(dict.fromkeys(words)) + (" " + ", ".join(dict.fromkeys(timing)) if timing else "")


def describe_line(segment: Segment, role: str | None, focus: str | None = None) -> str | None:
    """One sentence from an assignment line's facts, about `role` (or about agency `focus`)."""
    by_role: dict[str, list[Assignment]] = {}
    for assignment in segment.assignments:
        by_role.setdefault(assignment.role, []).append(assignment)
    if not by_role:
        return None
    leads, coordinators = by_role.get("lead", []), by_role.get("coordinate", [])
    topic = _topic_of(segment)
    if focus is not None:
        mine = [a for a in segment.assignments if a.agency == focus]
        if not mine:
            return None
        return upper_first(_agency_sentence(mine[0].mention, mine, leads, coordinators) + topic)
    if role == "coordinate" and coordinators:
        lead_names = join_names(_mentions(leads))
        with_lead = f" với {lead_names} (cơ quan chủ trì)" if leads else ""
        return upper_first(
            f"Cơ quan phối hợp: {join_names(_mentions(coordinators))} phối hợp{with_lead}{topic}"
        )
    if role in (None, "lead", "coordinate") and leads:
        names = _mentions(leads)
        own = [a for a in segment.assignments if a.mention in names and a.role not in ("lead", "coordinate")]
        return upper_first(_lead_sentence(names, coordinators, own) + topic)
    if role in by_role:
        chosen = by_role[role]
        if leads and {a.agency for a in chosen} <= {a.agency for a in leads}:
            own = [
                a
                for a in segment.assignments
                if a.mention in _mentions(leads) and a.role not in ("lead", "coordinate")
            ]
            return upper_first(_lead_sentence(_mentions(leads), coordinators, own) + topic)
        return upper_first(f"{join_names(_mentions(chosen))} {_actions(chosen)}{topic}")
    # The asked role is not in this line: say who the line names, in the order it names them.
    parts = [f"{join_names(_mentions(group))} {_actions(group)}" for group in by_role.values()]
    missing = f"Mục này không nêu cơ quan {ROLE_NAMES_VI[role]}; " if role in ROLE_NAMES_VI else ""
    return upper_first(missing + "; ".join(parts) + topic)


def _lead_sentence(names: list[str], coordinators: list[Assignment], own: list[Assignment]) -> str:
    sentence = f"{join_names(names)} chủ trì"
    if coordinators:
        sentence += f", phối hợp với {join_names(_mentions(coordinators))}"
    if own:
        sentence += " " + _actions(own)
    return sentence


def _agency_sentence(
    mention: str, mine: list[Assignment], leads: list[Assignment], coordinators: list[Assignment]
) -> str:
    roles = {a.role for a in mine}
    if "lead" in roles:
        own = [a for a in mine if a.role not in ("lead", "coordinate")]
        return _lead_sentence([mention], coordinators, own)
    if "coordinate" in roles and leads:
        return f"{mention} phối hợp với {join_names(_mentions(leads))}"
    return f"{mention} {_actions(mine)}"


def _topic_of(segment: Segment) -> str:
    """What the line's work is about, as a short tail: the section heading for an assignment line,
    the task column of a table row, the line's own words for an organization paragraph."""
    if segment.kind == "table_row":
        task = task_text(segment)
        return f" đối với nhiệm vụ “{excerpt(task, 140)}”" if task else ""
    if segment.kind == "assignment":
        return ""  # the section heading is given through the citation (mục III.1)
    # The first clause says what the work is ("... giúp Ban Thường vụ Tỉnh ủy theo dõi ...").
    clause = re.split(r";|\.\s", _strip_label(segment.text), maxsplit=1)[0]
    text = excerpt(clause, 200)
    return f": “{text}”" if text else ""


def task_text(segment: Segment) -> str:
    if segment.cells and segment.columns:
        for title, cell in zip(segment.columns, segment.cells, strict=False):
            if "nhiem vu" in fold(title) or "noi dung" in fold(title):
                return cell
    return _strip_label(segment.text)


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def implements_verb(text: str, mention: str) -> str:
    position = text.find(mention) if mention else -1
    window = fold(text[max(0, position - 40) : position] if position >= 0 else text)
    return "tiếp tục thực hiện" if "tiep tuc thuc hien" in window else "thực hiện"


def cited_name(citation: Any) -> str:
    name = f"{citation.type} số {citation.number}" if citation.type else citation.number
    details = [f"ngày {_vietnamese_date(citation.date)}" if citation.date else "", citation.issuer or ""]
    details = [d for d in details if d]
    if citation.date and citation.issuer:
        return f"{name}, ngày {_vietnamese_date(citation.date)} của {citation.issuer}"
    return f"{name}{', ' + details[0] if details else ''}"


def _vietnamese_date(iso: str) -> str:
    parts = iso.split("-")
    return "-".join(reversed(parts)) if len(parts) == 3 else iso


def target_phrase(target: Any) -> str:
    mention = target.mention or f"{target.comparator or ''} {target.value:g} {target.unit}".strip()
    phrase = f"{_lower_first(target.indicator)} {mention}" if target.indicator not in mention else mention
    if target.year and str(target.year) not in phrase:
        phrase += f" đến năm {target.year}"
    return phrase


def describe_schedule(segment: Segment, role: str | None) -> str | None:
    """Deadlines and frequency a segment states: its assignments' first, then its time frames."""
    timed = [a for a in segment.assignments if a.frequency or a.deadline]
    if role is not None and any(a.role == role for a in timed):
        timed = [a for a in timed if a.role == role]
    if timed:
        groups: dict[str, list[Assignment]] = {}
        for assignment in timed:
            groups.setdefault(assignment.mention, []).append(assignment)
        return upper_first("; ".join(f"{mention} {_actions(items)}" for mention, items in groups.items()))
    if segment.time_frames:
        frames = ", ".join(dict.fromkeys(t.text for t in segment.time_frames))
        return f"{upper_first(excerpt(_strip_label(segment.text), 160))} (thời gian: {frames})"
    return None
