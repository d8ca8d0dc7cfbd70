"""Who is assigned what: roles of agencies in assignment lines, organization items and appendix tables.

The genre's grammar (GUIDE.md section 1): a line is cut into clauses at ";" and at sentence ends;
each clause is SUBJECT-ENUMERATION + VERB(S) + object. "Giao X ..." puts X in the subject place;
"X chủ trì, phối hợp với Y ... hướng dẫn" makes X lead (and guide) and Y coordinate; after
"lãnh đạo/chỉ đạo" an enumeration of bodies followed by a verb becomes the next subject; bodies after
"giúp" are the ones helped and bodies after "báo cáo" the ones reported to, so neither is assigned.
A verb adds a role when it is the clause's first verb or is coordinated with the previous one
(", báo cáo", "và tham mưu"); a verb inside another verb's object ("lãnh đạo triển khai thực hiện")
does not. A clause without a subject continues the previous one ("...; định kỳ báo cáo ...").
Table rows take roles from their column titles; plain enumerations take them from their heading
("a) Cơ quan chủ trì"). Every pattern is a literal alternation or has no nested quantifier, so the
work stays linear in the text length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.model import Assignment, Document, Segment
from ingest.normalize import normalize_tone_marks
from ingest.vocabulary import AGENCY_SUBJECT_STARTS
from nlp.agencies import Agency, AgencyRegistry
from nlp.timeframes import FREQUENCY_WORDS

# Verb → role, longest first where one verb starts another ("phối hợp với" before "phối hợp").
ROLE_VERBS: tuple[tuple[str, str], ...] = (
    ("phối hợp chặt chẽ với", "coordinate"),
    ("phối hợp với", "coordinate"),
    ("phối hợp", "coordinate"),
    ("chủ trì", "lead"),
    ("lãnh đạo", "direct"),
    ("chỉ đạo", "direct"),
    ("triển khai", "implement"),
    ("thực hiện", "implement"),
    ("tổ chức quán triệt", "implement"),
    ("hướng dẫn", "guide"),
    ("theo dõi", "monitor"),
    ("đôn đốc", "monitor"),
    ("kiểm tra", "monitor"),
    ("giám sát", "monitor"),
    ("báo cáo", "report"),
    ("tham mưu", "advise"),
    ("thi hành", "implement"),
)
ROLE_OF_VERB = dict(ROLE_VERBS)
WITH_PARTNERS = ("phối hợp chặt chẽ với", "phối hợp với")  # the bodies after these are partners
HELPS = "giúp"  # "giúp Ban Thường vụ Tỉnh ủy theo dõi": the body after it is helped, not assigned
ASSIGNS = "giao"  # "Giao X ...": X is the subject
_VERB = re.compile(
    r"(?<!\w)(" + "|".join(v for v, _ in ROLE_VERBS) + "|" + HELPS + "|" + ASSIGNS + r")(?!\w)"
)
# "6 tháng" alone is a duration ("sau 6 tháng thực hiện"); only "định kỳ 6 tháng" is a frequency.
FREQUENCIES: tuple[str, ...] = tuple(
    sorted((w for w in FREQUENCY_WORDS if not w[0].isdigit()), key=len, reverse=True)
)
_FREQUENCY = re.compile(r"(?<!\w)(" + "|".join(FREQUENCIES) + r")(?!\w)")
# Nouns a frequency word classifies rather than an assignment's rhythm: "kinh phí chi thường xuyên"
# (recurrent spending), "nhiệm vụ thường xuyên" (a standing task), "kế hoạch ... hằng năm".
_CLASSIFIED_NOUN = re.compile(
    r"(?<!\w)(?:chi|nhiệm vụ|kinh phí|ngân sách|kế hoạch|hoạt động|công việc|chế độ|trung hạn|và|,)\s*$"
)
# Adverbs and light verbs that may stand between a coordinating comma and the next verb:
# ", kịp thời báo cáo", "và tăng cường kiểm tra", ", định kỳ 6 tháng báo cáo".
_VERB_ADVERBS = (
    "kịp thời",
    "đồng thời",
    "chủ động",
    "tăng cường",
    "tập trung",
    "khẩn trương",
    "tiếp tục",
    "trực tiếp",
) + FREQUENCIES
_ADVERB_ALTERNATION = "|".join(sorted(_VERB_ADVERBS, key=len, reverse=True))
_ADVERB = re.compile(r"(?<!\w)(?:" + _ADVERB_ALTERNATION + r")(?!\w)")
_COORDINATED = re.compile(r"(?:,|(?<!\w)và)\s*(?:(?:" + _ADVERB_ALTERNATION + r")\s*)?$")
_BARE_COMMA = re.compile(r"^\s*,\s*$")
# A verb after a comma that follows "determiner + short noun" is another noun of that list:
# "ban hành các quy định, hướng dẫn có liên quan" (rules and guidelines), not "... and guide".
_NOUN_LIST_ITEM = re.compile(r"(?<!\w)(?:các|những|mọi|một số)\s+\w+(?:\s+\w+)?\s*,\s*$")
_HEAD_DISTANCE = 2  # words allowed between a subject (or partners) and its verb: "khẩn trương", "đồng thời"
_DEADLINE = re.compile(
    r"(?<!\w)(trước ngày \d{1,2}/\d{1,2}(?:/\d{4})?(?: hằng năm)?|(?:trong )?quý [IV]{1,3}/\d{4}"
    r"|trong năm \d{4}|(?:trước|đến) (?:ngày \d{1,2}[-/]\d{1,2}[-/]\d{4}|năm \d{4}))"
)
# Column titles of appendix tables → the role of the bodies in that column.
_COLUMN_ROLES: tuple[tuple[str, str], ...] = (
    ("chủ trì", "lead"),
    ("phối hợp", "coordinate"),
    ("thực hiện", "implement"),
)
_DEADLINE_COLUMNS: tuple[str, ...] = ("thời gian", "thời hạn", "tiến độ")
# "a) Cơ quan chủ trì: Bộ Quốc phòng; Bộ Tài chính." inline lists.
_INLINE_LIST = re.compile(r"(?:cơ quan|đơn vị) (chủ trì|phối hợp|thực hiện)\s*:")
_CLAUSE_END = re.compile(r";|\.(?=\s+[A-ZĐÀ-Ỹ])|:(?=\s)")
_SEPARATORS = re.compile(r",|;|(?<!\w)(?:và|cùng)(?!\w)")
_LABEL = re.compile(r"^\s*(?:[0-9IVXivx]{1,5}[.)]|[a-zđ]\)|Điều \d+\.)\s*")
_AGENCY_STARTS = tuple(
    s.strip().lower() for s in AGENCY_SUBJECT_STARTS if s.strip() not in ("Giao", "Đề nghị")
)
_AGENCY_HEADS = _AGENCY_STARTS + (
    "thường trực",
    "đài",
    "viện",
    "cục",
    "tổng cục",
    "tòa án",
    "ngân hàng",
    "đoàn",
    "tập đoàn",
)
# A person's title before a body ("Bộ trưởng Bộ Thông tin và Truyền thông"): the body is what counts.
_PERSON_TITLES: tuple[str, ...] = (
    "bộ trưởng",
    "thủ trưởng",
    "chủ tịch",
    "giám đốc",
    "trưởng ban",
    "các bộ trưởng",
)
_MAX_SEGMENT = 20_000  # an assignment line is a sentence or two; longer text is not one
_MAX_MENTION_WORDS = 14


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    verb: str | None = None  # the verb as a match key, for verb tokens
    agency: Agency | None = None  # for agency tokens
    text: str = ""


def _key(text: str) -> str:
    key = normalize_tone_marks(text).lower()
    return key if len(key) == len(text) else text.lower()


def _looks_like_agency(piece: str) -> bool:
    words = piece.split()
    if not words or len(words) > _MAX_MENTION_WORDS or not piece[0].isalpha():
        return False
    # Names of bodies are capitalised ("Sở Y tế"); lowercase starts are collectives ("các cơ quan ...").
    key = _key(piece)
    return (piece[0].isupper() or key.startswith("các ")) and key.startswith(_AGENCY_HEADS)


class _Collector:
    """Assignments of one segment, one per (agency, role), with their verbs merged."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], Assignment] = {}

    def add(self, agency: Agency, mention: str, role: str, verb: str | None = None) -> Assignment:
        key = (agency.id, role)
        item = self.items.get(key)
        if item is None:
            item = Assignment(role=role, agency=agency.id, mention=mention.strip(), known=agency.known)
            self.items[key] = item
        if verb and verb not in item.actions:
            item.actions.append(verb)
        return item


class _ClauseReader:
    """Walks one clause's tokens, following the genre's SUBJECT + VERB + object grammar."""

    def __init__(self, registry: AgencyRegistry, clause: str, collector: _Collector) -> None:
        self.registry = registry
        self.clause = clause
        self.collector = collector
        self.tokens = self._tokenize(clause)
        self.added: list[Assignment] = []

    def _tokenize(self, clause: str) -> list[_Token]:
        agencies = self.registry.find(clause)
        tokens = [_Token(m.start, m.end, agency=m.agency, text=m.text) for m in agencies]
        key = _key(clause)
        taken = iter(agencies)
        current = next(taken, None)
        for match in _VERB.finditer(key):
            while current is not None and current.end <= match.start():
                current = next(taken, None)
            if current is not None and current.start < match.end():
                continue  # a verb inside an agency's name ("Ban Chỉ đạo quốc gia")
            tokens.append(_Token(match.start(), match.end(), verb=match.group()))
        tokens.sort(key=lambda t: t.start)
        return tokens

    def enumeration(
        self, index: int, position: int, strict: bool = True
    ) -> tuple[list[tuple[Agency, str]], int, int]:
        """Bodies listed from `position`: known names and agency-like pieces between separators.

        Returns the bodies, the index of the first token after them and the text position where
        the list ended. With `strict`, any other text ends the list.
        """
        found: list[tuple[Agency, str]] = []
        while True:
            nxt = self.tokens[index].start if index < len(self.tokens) else len(self.clause)
            for piece in _SEPARATORS.split(self.clause[position:nxt]):
                piece = piece.strip(" .:()")
                if not piece or _key(piece).startswith(_PERSON_TITLES):
                    continue
                if _looks_like_agency(piece):
                    found.append((self.registry.resolve(piece) or self.registry.unknown(piece), piece))
                elif strict or found:
                    return found, index, position
            if index >= len(self.tokens) or self.tokens[index].agency is None:
                return found, index, nxt
            token = self.tokens[index]
            found.append((token.agency, token.text))  # type: ignore[arg-type]
            index, position = index + 1, token.end

    def assign(self, subject: list[tuple[Agency, str]], role: str, verb: str) -> None:
        for agency, mention in subject:
            self.added.append(self.collector.add(agency, mention, role, verb))

    def read(self, subject: list[tuple[Agency, str]]) -> list[tuple[Agency, str]]:
        """Assign the clause's roles; return the subject the next clause inherits."""
        index, position = 0, 0
        if (
            self.tokens
            and self.tokens[0].verb == ASSIGNS
            and not self.clause[: self.tokens[0].start].strip(" -*+")
        ):
            index, position = 1, self.tokens[0].end
        own, index, position = self.enumeration(index, position)
        # Without its own subject, or after "phối hợp với Y", a clause's head verb comes at once
        # ("định kỳ báo cáo", "phối hợp với Y theo dõi"); a role verb further on sits inside the
        # object of another verb ("bảo đảm nguồn kinh phí thực hiện").
        near_head_only = not own
        if own:
            subject = own
        carried = subject  # what the next clause inherits
        expect_head = True
        verb_end = position  # where the last verb, subject or partner list ended
        # A verb right after "<role verb that assigned nothing>, " is another noun of that object
        # ("chương trình kiểm tra, giám sát"); an adverb (", kịp thời báo cáo") opens a new verb phrase.
        previous_rejected = False
        while index < len(self.tokens):
            token = self.tokens[index]
            index += 1
            if token.verb is None:
                position = token.end
                continue
            gap = self.clause[position : token.start]
            if self.clause[: token.start].strip(" -*+") and self.clause[token.start].isupper():
                continue  # a capitalised verb mid-clause is a title or a noun ("Báo cáo tiếp thu")
            if _NOUN_LIST_ITEM.search(gap):
                position = token.end
                continue  # "các quy định, hướng dẫn": a noun of a list, not a verb
            coordinated = bool(_COORDINATED.search(gap)) and not (
                previous_rejected and _BARE_COMMA.match(gap)
            )
            before = _ADVERB.sub(" ", _key(self.clause[verb_end : token.start]))
            far = len(before.split()) > _HEAD_DISTANCE
            if near_head_only and expect_head and far and not coordinated:
                expect_head = False  # an object's verb, not the clause's head
            position = verb_end = token.end
            if token.verb == HELPS or token.verb == ASSIGNS:
                _, index, position = self.enumeration(index, position)
                verb_end = position
                expect_head = True
                continue
            if token.verb in WITH_PARTNERS or (
                token.verb == "phối hợp"
                and index < len(self.tokens)
                and self.tokens[index].agency is not None
                and not self.clause[position : self.tokens[index].start].strip(" ,")
            ):
                partners, index, position = self.enumeration(index, position)
                for agency, mention in partners:
                    self.added.append(self.collector.add(agency, mention, "coordinate", "phối hợp"))
                if partners:
                    expect_head, near_head_only, verb_end = True, True, position
                    previous_rejected = False
                    continue
            role = ROLE_OF_VERB[token.verb]
            previous_rejected = not (expect_head or coordinated)
            if subject and not previous_rejected:
                self.assign(subject, role, token.verb)
            expect_head = False
            if role == "report":
                _, index, position = self.enumeration(index, position)  # the bodies reported to
            elif role == "direct":
                objects, after, end = self.enumeration(index, position)
                acting = after < len(self.tokens) and self.tokens[after].verb not in (None, HELPS, ASSIGNS)
                at_end = after == len(self.tokens) and not self.clause[end:].strip(" .:")
                if objects and (acting or at_end):
                    # "chỉ đạo X thực hiện": X acts in this clause; "chỉ đạo X: ...": X acts in the
                    # clauses that follow. Otherwise the next clause goes on with this one's subject.
                    subject, index, position, expect_head = objects, after, end, True
                    verb_end = end
                    if at_end:
                        carried = objects
        return carried

    def frequency(self) -> str | None:
        """How often the clause's work recurs.

        A frequency word counts before a verb ("định kỳ báo cáo", "thường xuyên kiểm tra"; "định kỳ"
        may carry a time between: "định kỳ trước ngày 30/11 hằng năm tổng hợp, báo cáo") or after the
        verb phrase at the clause's end ("lãnh đạo triển khai thực hiện thường xuyên"). After a noun
        it classifies the noun ("chi thường xuyên", "trung hạn và hằng năm") and does not count.
        """
        key = _key(self.clause)
        verb_starts = [t.start for t in self.tokens if t.verb]
        for match in _FREQUENCY.finditer(key):
            if _CLASSIFIED_NOUN.search(key, max(0, match.start() - 20), match.start()):
                continue
            if len(key[match.end() :].split()) <= 1 and any(v < match.start() for v in verb_starts):
                return match.group()
            following = [v for v in verb_starts if v >= match.end()]
            reach = 6 if match.group().startswith("định kỳ") else 2
            if following and len(key[match.end() : following[0]].split()) <= reach:
                return match.group()
        return None


def _clauses(text: str) -> list[str]:
    clauses, start = [], 0
    for match in _CLAUSE_END.finditer(text):
        clauses.append(text[start : match.start()])
        start = match.end()
    clauses.append(text[start:])
    return [c for c in clauses if c.strip()]


def assignments_in_text(
    text: str, registry: AgencyRegistry, subject: Agency | None = None
) -> list[Assignment]:
    """Roles assigned by one line of running text; `subject` stands in when the line names none."""
    if not text or len(text) > _MAX_SEGMENT:
        return []
    text = _LABEL.sub("", text, count=1)
    inline = _INLINE_LIST.search(_key(text))
    if inline:
        role = dict(_COLUMN_ROLES)[inline.group(1)]
        return _listed(text[inline.end() :], role, registry)
    collector = _Collector()
    current: list[tuple[Agency, str]] = [(subject, subject.name)] if subject else []
    deadline_match = _DEADLINE.search(text)
    for clause in _clauses(text):
        reader = _ClauseReader(registry, clause, collector)
        current = reader.read(current)
        frequency = reader.frequency()
        for item in reader.added:
            if frequency and item.frequency is None:
                item.frequency = frequency
    if deadline_match:
        for item in collector.items.values():
            item.deadline = deadline_match.group()
    return list(collector.items.values())


def _listed(text: str, role: str, registry: AgencyRegistry) -> list[Assignment]:
    """Bodies of a list cell or line ("Bộ Quốc phòng; Bộ Tài chính."), all in one role."""
    collector = _Collector()
    position = 0
    for mention in registry.find(text) + [None]:  # type: ignore[list-item]
        end = mention.start if mention is not None else len(text)
        for piece in _SEPARATORS.split(text[position:end]):
            piece = piece.strip(" .:()-")
            # A bare head word ("Bộ" in a cell cut short) names no body.
            if (
                piece
                and piece[0].isalpha()
                and _key(piece) not in _AGENCY_HEADS
                and len(piece.split()) <= _MAX_MENTION_WORDS
            ):
                collector.add(registry.resolve(piece) or registry.unknown(piece), piece, role)
        if mention is not None:
            collector.add(mention.agency, mention.text, role)
            position = mention.end
    return list(collector.items.values())


def assignments_in_row(segment: Segment, registry: AgencyRegistry) -> list[Assignment]:
    """Lead / coordinate / implement bodies and the deadline of an appendix table row."""
    if not segment.cells or not segment.columns:
        return []
    items: list[Assignment] = []
    deadline = None
    for title, cell in zip(segment.columns, segment.cells, strict=False):
        title_key = _key(title)
        if any(word in title_key for word in _DEADLINE_COLUMNS) and cell.strip():
            deadline = cell.strip()
    for title, cell in zip(segment.columns, segment.cells, strict=False):
        title_key = _key(title)
        role = next((r for word, r in _COLUMN_ROLES if word in title_key), None)
        if role and cell.strip() and len(cell) <= _MAX_SEGMENT:
            for item in _listed(cell, role, registry):
                item.deadline = deadline
                items.append(item)
    return items


def _heading_role(heading: Segment) -> str | None:
    """The role a heading gives the plain lists under it: "b) Cơ quan phối hợp" → coordinate."""
    key = _key(heading.text)
    last_label = max(key.rfind("a)"), key.rfind("b)"), key.rfind("c)"))
    tail = key[last_label:] if last_label >= 0 else key
    found = [(tail.find(word), role) for word, role in _COLUMN_ROLES if word in tail]
    return min(found)[1] if found else None


def _heading_subject(heading: Segment | None, registry: AgencyRegistry) -> Agency | None:
    """The body a heading is about: "2. Bộ Quốc phòng", "Điều 11. Trách nhiệm của Bộ Thông tin và Truyền thông"."""
    if heading is None:
        return None
    title = _LABEL.sub("", heading.text).strip()
    title = re.sub(r"^(?:Trách nhiệm của|Nhiệm vụ của)\s+", "", title, flags=re.IGNORECASE)
    return registry.resolve(title)


def _assigns(segment: Segment) -> bool:
    """Task text only assigns when it says so; a mere mention of a body is not an assignment."""
    if segment.kind in ("assignment", "organization", "table_row"):
        return True
    if segment.kind == "task":
        key = _key(segment.text[:_MAX_SEGMENT])
        return bool(re.match(r"\s*(?:[0-9a-zđ]{1,3}[.)]\s*)?giao ", key)) or "chủ trì" in key
    return False


def extract_assignments(document: Document, registry: AgencyRegistry) -> None:
    """Fill `segment.assignments` on the segments of `document` that assign work."""
    headings = {s.path: s for s in document.segments if s.kind == "heading"}
    for segment in document.segments:
        parent = headings.get(segment.parent_path or "")
        if segment.text.startswith("("):
            continue  # a parenthetical note, not a line of the plan
        if segment.kind == "table_row":
            segment.assignments = assignments_in_row(segment, registry)
            continue
        subject = _heading_subject(parent, registry)
        if not _assigns(segment) and subject is None:
            continue
        items = assignments_in_text(segment.text, registry, subject)
        if (
            not items
            and segment.kind == "assignment"
            and parent is not None
            and not segment.text.startswith("(")
        ):
            role = _heading_role(parent)
            if role:
                items = _listed(segment.text, role, registry)
        segment.assignments = items
