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
from dataclasses import dataclass, replace
from datetime import date

from ingest.model import Assignment, Document, Segment
from ingest.normalize import match_key, normalize_tone_marks
from ingest.vocabulary import (
    ADMINISTRATIVE_LEVELS,
    AGENCY_SUBJECT_STARTS,
    ASSIGNING_WORD,
    COLLECTIVE_MEMBERS,
    COLUMN_ROLE_WORDS,
    DUTY_OPENERS,
    PERSON_ADDRESSES,
    PERSON_TITLES,
    PROVINCES_2025,
    ROLE_BY_ID,
    ROLE_VERBS,
    SHARED_HEADS,
)
from nlp.agencies import Agency, AgencyRegistry
from nlp.timeframes import (
    FREQUENCY_WORDS,
    deadline_from_issue,
    extract_time_frames,
    is_time_cell,
    normalize_deadline,
)

ROLE_OF_VERB = dict(ROLE_VERBS)
# The bodies after these are partners: "phối hợp với Y", "phối hợp chặt chẽ với Y".
WITH_PARTNERS = tuple(verb for verb in ROLE_BY_ID["coordinate"].verbs if verb.endswith(" với"))
HELPS = "giúp"  # "giúp Ban Thường vụ Tỉnh ủy theo dõi": the body after it is helped, not assigned
ASSIGNS = ASSIGNING_WORD  # "Giao X ...": X is the subject
REQUIRES = "yêu cầu"  # "Bộ Chính trị yêu cầu X tập trung ...": X is the subject of what follows
ASKS = "đề nghị"  # "..., đề nghị X kịp thời phản ánh": X is asked (a request), not commanded
_NO_ROLE_VERBS = (HELPS, ASSIGNS, REQUIRES, ASKS)
_VERB = re.compile(
    r"(?<!\w)(" + "|".join(v for v, _ in ROLE_VERBS) + "|" + "|".join(_NO_ROLE_VERBS) + r")(?!\w)"
)
# "được giao", "được phân công chủ trì": a passive inside a name ("các cơ quan được giao chủ trì").
_PASSIVE = re.compile(r"(?<!\w)được(?: giao| phân công)?(?: chủ trì| phối hợp)?\s*$")
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
# "Kế hoạch", "Chương trình" capitalised mid-sentence name this document ("đánh giá kết quả thực hiện
# Kế hoạch hằng năm": the evaluation is yearly), not a kind of plan ("kế hoạch hằng năm").
_THIS_DOCUMENT = re.compile(r"(?:Kế hoạch|Chương trình)\s*$")


def _classifies_a_noun(text: str, key: str, at: int) -> bool:
    """Does the frequency word at `at` classify the noun before it rather than time the work?"""
    start = max(0, at - 20)
    if not _CLASSIFIED_NOUN.search(key, start, at):
        return False
    this_document = _THIS_DOCUMENT.search(text, start, at)
    # Capitalised at a sentence's start ("Kế hoạch hằng năm của tỉnh ..."), it is a kind of plan again.
    return this_document is None or not text[: this_document.start()].strip(" -+*•")


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
# A verb right after a document noun names the document's kind: "văn bản hướng dẫn" (guidance), and so do
# verbs listed after it: "các văn bản hướng dẫn, chỉ đạo và kế hoạch". After an institution's noun it
# names the institution: "các viện nghiên cứu", "cơ sở đào tạo".
_DOCUMENT_NOUN = re.compile(r"(?<!\w)(?:văn bản|tài liệu|công văn|(?<!học )viện|cơ sở)\s+$")
_MODIFIER_GLUE = re.compile(r"\s*(?:,|và)\s*")
# A verb after a comma that follows "determiner + short noun" is another noun of that list:
# "ban hành các quy định, hướng dẫn có liên quan" (rules and guidelines), not "... and guide".
_NOUN_LIST_ITEM = re.compile(r"(?<!\w)(?:các|những|mọi|một số)\s+\w+(?:\s+\w+)?\s*,\s*$")
_HEAD_DISTANCE = 2  # words allowed between a subject (or partners) and its verb: "khẩn trương", "đồng thời"
_DEADLINE_COLUMNS: tuple[str, ...] = ("thời gian", "thời hạn", "tiến độ")
# "Trách nhiệm", "Trách nhiệm thực hiện": the column of a procedure table naming who does each step.
_RESPONSIBLE_COLUMNS: tuple[str, ...] = ("trách nhiệm", "người thực hiện", "bộ phận thực hiện")
# Titles that hold a role word but name no bodies: "Địa điểm thực hiện", "Kết quả thực hiện".
_NOT_BODY_COLUMNS: tuple[str, ...] = (
    "địa điểm",
    "cách thức",
    "hình thức",
    "phương thức",
    "kết quả",
    "nội dung",
    "kinh phí",
    "căn cứ",
    "sản phẩm",
)
# A bullet that opens a line inside a cell: "- Văn phòng Cục ... - Công chức ...". Only a cell that
# opens with one is a bulleted list: "Sở Lao động - Thương binh và Xã hội" is one name.
_CELL_BULLET = re.compile(r"(?:^|\s)[-+•–]\s+")
_BULLETED_CELL = re.compile(r"^\s*[-+•–]\s+")
# "Lãnh đạo đơn vị", "Lãnh đạo Cục ...": in a bodies' column, the leaders of a body, not the verb "direct".
_LEADERS_OF = "lãnh đạo "
# The number of a row: "1", "1.1", "B1", "II", "a)".
_LABEL_CELL = re.compile(r"^\s*(?:[A-Z]?\d+(?:\.\d+)*|[IVXL]+(?:\.\d+)*|[A-Za-zđ])[.)]?\s*$")
# Words that open a note in a bodies' column, not a name: "Theo chức năng", "Tùy tình hình", "Không".
_NOT_A_NAME: tuple[str, ...] = (
    "theo ",
    "tùy ",
    "tuỳ ",
    "khi ",
    "nếu ",
    "trường hợp",
    "không",
    "nội dung",
    "x ",
    "bước ",
    "tổng số",
    "tổng cộng",
    "cộng",
)
# "a) Cơ quan chủ trì: Bộ Quốc phòng; Bộ Tài chính." inline lists.
_INLINE_LIST = re.compile(
    r"(?:cơ quan|đơn vị) (" + "|".join(word for word, _ in COLUMN_ROLE_WORDS) + r")\s*:"
)
_CLAUSE_END = re.compile(r";|\.(?=\s+[A-ZĐÀ-Ỹ])|:(?=\s)")
_SEPARATORS = re.compile(r",|;|(?<!\w)(?:và|cùng)(?!\w)")
_LABEL = re.compile(r"^\s*(?:[0-9IVXivx]{1,5}[.)]|[a-zđ]\)|Điều \d+\.)\s*")
_AGENCY_STARTS = tuple(
    s.strip().lower() for s in AGENCY_SUBJECT_STARTS if s.strip() not in ("Giao", "Đề nghị")
)
_AGENCY_HEADS = _AGENCY_STARTS + (
    "liên minh",
    "trường",
    "học viện",
    "bệnh viện",
    "chi cục",
    "kho bạc",
    "bảo hiểm",
    "doanh nghiệp",
    "tổng công ty",
    "công ty",
    "chi nhánh",
    "tỉnh đoàn",
    "thành đoàn",
    "thường trực",
    "đài",
    "viện",
    "cục",
    "tổng cục",
    "tòa án",
    "ngân hàng",
    "đoàn",
    "tập đoàn",
    "cổng thông tin",  # "Cổng Thông tin điện tử tỉnh": the portal's editorial office
    "hệ thống truyền thanh",  # "hệ thống truyền thanh cơ sở": the communes' radio stations
    "chủ đầu tư",  # "Các chủ đầu tư xây dựng và kinh doanh hạ tầng khu công nghiệp"
)
# A person's title before a body ("Giám đốc Sở Nội vụ"): the body is what counts. Longest first.
_PERSON_TITLE = re.compile(
    r"^\s*(?:" + "|".join(sorted(PERSON_TITLES, key=len, reverse=True)) + r")(?!\w)\s*"
)
_OPENER = re.compile(r"(?<!\w)(?:" + "|".join(sorted(DUTY_OPENERS, key=len, reverse=True)) + r")(?!\w)")
_MEMBER = re.compile(r"^(?:" + "|".join(sorted(COLLECTIVE_MEMBERS, key=len, reverse=True)) + r")(?!\w)")
_BULLET = " .:()-+•*"
_BULLETS = ("-", "+", "•", "*", "–")
_COMMAND_OPENING = re.compile(r"^[\W\d]*(?:[a-zđ]\)\s*)?(?:giao|yêu cầu|đề nghị)\s")
_CLOSELY = re.compile(r"\s*(?:chặt chẽ\s*)?")
_AFTER_SEPARATOR = re.compile(r"(?:,|(?<!\w)và|(?<!\w)các)\s*$")
# "theo chức năng, nhiệm vụ", "trong phạm vi ...": how a subject acts, not part of its name.
_QUALIFIER = re.compile(r"\s(?:theo (?:chức năng|thẩm quyền|lĩnh vực)|trong phạm vi|căn cứ)\b", re.IGNORECASE)
# Words that go on describing a body after its name: "... được giao nhiệm vụ", "... trên địa bàn tỉnh".
_NAME_TAIL = re.compile(
    r"(?:và|các|được|trực thuộc|thuộc|trên địa bàn|có liên quan|liên quan|cấp|đóng|tại|của|khác)(?!\w)"
)
# A level written after a known body's name, which makes it another body: its provincial or regional one.
_LEVEL_SUFFIX = re.compile(
    r"\s+(?:cấp tỉnh|cấp xã|cấp huyện|tỉnh|thành phố|trung ương|khu vực\s+[IVXLC\d]+)(?![\w-])", re.IGNORECASE
)
# Where a body's name ends and what it is for begins: "... để", "... nhằm", "... trong việc", "(...".
_PURPOSE = re.compile(r"\s(?:để|nhằm|trong việc|về việc|trong quá trình)(?!\w)|\s*\(", re.IGNORECASE)
# "Chi cục thuộc cục được áp dụng ...", "Cơ quan, đơn vị được đánh giá xếp loại ...": a body followed by
# a passive receives, it is given no work. "được giao", "được phân công" name the body instead
# ("các cơ quan được giao chủ trì có trách nhiệm ...").
_PASSIVE_AFTER = re.compile(
    # "được giao", and "được Ủy ban nhân dân tỉnh giao" with the one who gives it between
    r"\s*được(?!\s+(?:[^,;.:]{0,60}?\s)?(?:giao|phân công|phân cấp)(?!\w))(?!\w)",
    re.IGNORECASE,
)
_LOWERCASE_HEAD = re.compile(r"(?:cơ quan|đơn vị|tổ chức|chi nhánh|doanh nghiệp)(?!\w)")
_MAX_LOWERCASE_NAME_WORDS = 6
# Kinds of body a partner list names in lowercase: "phối hợp với chính quyền địa phương, Mặt trận cơ sở".
_PARTNER_KIND = re.compile(r"(?:cơ quan|đơn vị|tổ chức|doanh nghiệp|chính quyền|chủ đầu tư)(?!\w)")
_OPENS_A_LIST = re.compile(r"\s*(?:,|và\s)")
_ENDS_AT_LEVEL = re.compile(r"(?<!\w)(?:tỉnh|thành phố|trung ương|cấp tỉnh|cấp xã)\s*$", re.IGNORECASE)
_PARENTHETICAL = re.compile(r"\([^()]{0,200}\)")
_REQUEST_LINE = re.compile(r"^[\s\-+•*]*đề nghị\s+", re.IGNORECASE)  # "Đề nghị X ...": X is asked
_MAX_HEADING = 200  # a title line; a longer line ending with a colon is a sentence leading in
_MAX_SEGMENT = 20_000  # an assignment line is a sentence or two; longer text is not one
_MAX_MENTION_WORDS = 14


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    verb: str | None = None  # the verb as a match key, for verb tokens
    agency: Agency | None = None  # for agency tokens
    text: str = ""
    opener: str | None = None  # a duty opener right after a subject: "khẩn trương", "có trách nhiệm"


def _key(text: str) -> str:
    key = normalize_tone_marks(text).lower()
    return key if len(key) == len(text) else text.lower()


_PIECE = re.compile(r",|;|(?<!\w)(?:và|cùng)(?!\w)|[^,;]+?(?=,|;|(?<!\w)(?:và|cùng)(?!\w)|$)")


_SHARED_HEAD = re.compile(
    r"(?<!\w)[Cc]ác\s+(" + "|".join(sorted(map(re.escape, SHARED_HEADS), key=len, reverse=True)) + r")\s*:\s*"
)
_SENTENCE_END = re.compile(r"\.(?=\s|$)")


def expand_shared_heads(text: str, registry: AgencyRegistry | None = None) -> str:
    """ "các Đảng uỷ: Chính phủ; Quốc hội và ..." → "Đảng uỷ Chính phủ; Đảng uỷ Quốc hội và ...".

    The names are cut by semicolons where the list has them and its first name has no comma (the names
    may hold commas: "Mặt trận Tổ quốc, các đoàn thể Trung ương"); otherwise by commas, up to the first
    semicolon ("các Sở: Tư pháp, Nội vụ; Chủ tịch ..."). The list ends at the sentence's end or at the
    first piece that does not open with a capital (the next part of the sentence).
    """
    if ":" not in text:
        return text
    out: list[str] = []
    position = 0
    for found in _SHARED_HEAD.finditer(text):
        if found.start() < position:
            continue
        end_match = _SENTENCE_END.search(text, found.end())
        end = end_match.start() if end_match else len(text)
        names = text[found.end() : end]
        first, semicolon, _ = names.partition(";")
        if semicolon and "," in first:  # "các Sở: Tư pháp, Nội vụ; Chủ tịch ...": the list ends there
            end = found.end() + len(first)
            names = first
        separator = ";" if ";" in names else ","
        pieces = names.split(separator)
        for n, piece in enumerate(pieces):
            name = piece.lstrip()
            if not name[:1].isupper():
                break
            if (
                n
                and registry is not None
                and _runs_on(pieces[n - 1].strip(), f"{separator}{piece}", registry)
            ):
                continue  # "Bộ Văn hóa, Thể thao và Du lịch": one name with a comma of its own
            pieces[n] = piece[: len(piece) - len(name)] + f"{found.group(1)} {name}"
        out.append(text[position : found.start()] + separator.join(pieces))
        position = end
    return "".join(out) + text[position:]


def _runs_on(name: str, rest: str, registry: AgencyRegistry) -> bool:
    """Whether a known name starts at `name` and goes on into `rest`."""
    found = registry.find(name + rest)
    return bool(found) and found[0].start == 0 and found[0].end > len(name)


def split_bodies(text: str) -> list[str]:
    """The bodies a list names, with groups kept whole.

    "Sở Tài chính, Sở Nội vụ" is two bodies; "Các sở, ban, ngành tỉnh", "UBND các xã, phường" and
    "Sở Văn hóa, Thể thao và Du lịch" are one each: a comma or "và" separates two bodies only where
    the next piece starts like a body of its own ("Sở ...", "các ..."). Otherwise the piece goes on
    the name before it, as a group's member kinds or a name's own words.
    """
    bodies: list[str] = []
    glue = ""  # the separator written before the current piece
    for chunk in text.split(";"):
        glue = ""
        for match in _PIECE.finditer(chunk):
            piece = match.group()
            if piece in (",", "và", "cùng"):
                glue = piece
                continue
            piece = piece.strip(" .:()-\n")
            if not piece:
                continue
            starts = (
                _starts_body(piece)
                or (
                    # "Đài ... Thành phố, cơ quan thông tấn báo chí": after a name closed by its level, a
                    # kind of body in lowercase starts another body rather than naming more members.
                    bool(bodies)
                    and _LOWERCASE_HEAD.match(piece) is not None
                    and _ENDS_AT_LEVEL.search(bodies[-1]) is not None
                )
                # "Văn thư Bộ, Văn thư Cục": a capitalised piece that opens as the name before it did.
                or (bool(bodies) and piece[0].isupper() and piece.split()[0] == bodies[-1].split()[0])
            )
            if bodies and glue and not starts and not bodies[-1].endswith(";"):
                bodies[-1] += ("," if glue == "," else " " + glue) + " " + piece
            else:
                bodies.append(piece)
            glue = ""
        if bodies:
            bodies[-1] += ";"  # a semicolon always separates: nothing glues across it
    return [body.rstrip(";").strip() for body in bodies if body.rstrip(";").strip()]


# Words that open like a body's head and are not one: "Trường hợp ..." (in case), not a school.
_NOT_HEADS: tuple[str, ...] = ("trường hợp", "các trường hợp", "hội nghị", "các hội nghị", "đoàn kết")


def _starts_body(piece: str) -> bool:
    """A piece that names a body by itself: a capitalised agency head or a collective "các ..."."""
    key = _key(piece)
    return (
        bool(piece)
        and (piece[0].isupper() or key.startswith("các "))
        and key.startswith(_AGENCY_HEADS)
        and not key.startswith(_NOT_HEADS)
    )


def _names_bodies(piece: str) -> bool:
    """A collective that names bodies ("các sở", "các cơ quan, đơn vị"), not things ("các phong trào")."""
    key = _key(piece)
    if not key.startswith("các "):
        return True
    rest = key[4:]
    return bool(_MEMBER.match(rest)) or rest.startswith(tuple(h for h in _AGENCY_HEADS if h != "các"))


# "Các cơ quan được phân công chủ trì thực hiện nhiệm vụ theo Kế hoạch này": a body named by the work
# this document gives it. The relative clause, closed by "này", is not counted against the name's length;
# without that close, where it ends is unknown ("... thuộc Kế hoạch lập dự toán ...").
_NAMED_BY_ASSIGNMENT = re.compile(r"\s+được\s+(?:giao|phân công)(?!\w).*(?<!\w)này\s*$", re.IGNORECASE)


def _lowercase_partner(piece: str, continues: bool) -> bool:
    """A partner named by its kind in lowercase: "chủ đầu tư hạ tầng KCN", "chính quyền" running into the
    known "địa phương", "cơ quan" opening "cơ quan, đơn vị có liên quan". The kind alone before a verb
    ("cơ quan" + "chủ trì") names no one, nor does a long piece: with no capitals to end it, it has run
    on into the work."""
    key = _key(piece).strip()
    kind = _PARTNER_KIND.match(key)
    return (
        kind is not None
        and len(piece.split()) <= _MAX_LOWERCASE_NAME_WORDS
        and (kind.end() < len(key) or continues)
    )


def _looks_like_agency(piece: str) -> bool:
    named_by = _NAMED_BY_ASSIGNMENT.search(piece)
    words = piece[: named_by.start() if named_by else len(piece)].split()
    return bool(words) and len(words) <= _MAX_MENTION_WORDS and piece[0].isalpha() and _starts_body(piece)


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
        self.requested: set[str] = set()  # ids of the bodies a "Đề nghị ..." clause asks
        self.named_bodies_only = False  # while reading a running-text subject: "các X" must name bodies
        self.listed_only: list[tuple[Agency, str]] = []  # bodies this clause lists and nothing else

    def _tokenize(self, clause: str) -> list[_Token]:
        agencies = self.registry.find(clause)
        tokens = [_Token(m.start, m.end, agency=m.agency, text=m.text) for m in agencies]
        key = _key(clause)
        taken = iter(agencies)
        current = next(taken, None)
        modifier_end = 0
        for match in _VERB.finditer(key):
            while current is not None and current.end <= match.start():
                current = next(taken, None)
            if current is not None and current.start < match.end():
                continue  # a verb inside an agency's name ("Ban Chỉ đạo quốc gia")
            if _PASSIVE.search(key, max(0, match.start() - 30), match.start()):
                # "được giao", "được phân công chủ trì (thực hiện)": describes a body, gives no work
                continue
            before = key[max(0, match.start() - 20) : match.start()]
            if _DOCUMENT_NOUN.search(before) or (
                modifier_end and _MODIFIER_GLUE.fullmatch(key[modifier_end : match.start()])
            ):
                modifier_end = match.end()  # "các văn bản hướng dẫn, chỉ đạo": kinds of document
                continue
            tokens.append(_Token(match.start(), match.end(), verb=match.group()))
        taken_spans = [(t.start, t.end) for t in tokens]
        for match in _OPENER.finditer(key):
            if any(start < match.end() and match.start() < end for start, end in taken_spans):
                continue  # inside an agency's name or a role verb
            if _MEMBER.fullmatch(match.group()) and _AFTER_SEPARATOR.search(key, 0, match.start()):
                continue  # "các cơ quan, tổ chức": a member of a collective, not a verb
            if clause[match.start()].isupper() and clause[: match.start()].strip(_BULLET + "0123456789"):
                continue  # "các Ban Xây dựng Đảng": capitalised mid-clause, a word of a name
            if _DOCUMENT_NOUN.search(key[max(0, match.start() - 20) : match.start()]):
                continue  # "các viện nghiên cứu": the institution's name, not a duty
            tokens.append(_Token(match.start(), match.end(), opener=match.group()))
        tokens.sort(key=lambda t: t.start)
        return tokens

    def _at_once(self, index: int, position: int) -> bool:
        """Whether the token at `index` follows `position` with nothing but commas between."""
        return index < len(self.tokens) and not self.clause[position : self.tokens[index].start].strip(" ,")

    def _next_is_duty(self, index: int) -> bool:
        """Whether the token at `index` starts a duty: a role verb or a duty opener."""
        if index >= len(self.tokens):
            return False
        token = self.tokens[index]
        return token.opener is not None or token.verb not in (None, *_NO_ROLE_VERBS)

    def enumeration(
        self, index: int, position: int, strict: bool = True, partners: bool = False
    ) -> tuple[list[tuple[Agency, str]], int, int]:
        """Bodies listed from `position`: known names and agency-like pieces between separators.

        Returns the bodies, the index of the first token after them and the text position where
        the list ended. With `strict`, any other text ends the list. `partners` reads the list after
        "phối hợp (với)", where a body may be named by a lowercase kind ("chính quyền địa phương").
        """
        found: list[tuple[Agency, str]] = []
        while True:
            nxt = self.tokens[index].start if index < len(self.tokens) else len(self.clause)
            glue = ""  # the separator before the current piece
            joined = False  # the last piece runs straight into the next token: "Đảng ủy" + "Bộ Y tế"
            for match in _PIECE.finditer(self.clause[position:nxt]):
                piece = match.group()
                if _SEPARATORS.fullmatch(piece.strip()):
                    glue = piece.strip()
                    continue
                piece = piece.strip(_BULLET)
                title = _PERSON_TITLE.match(_key(piece))
                if title:  # "Giám đốc Sở Nội vụ", "Thủ trưởng các sở": the body stands for its head
                    piece = piece[title.end() :]
                if not piece or _key(piece) in PERSON_ADDRESSES:
                    continue  # "Các Ông/bà: ...": the people are named by their titles next
                # "chính quyền" + the known "địa phương"; "cơ quan" + ", đơn vị có liên quan"
                if (
                    _looks_like_agency(piece)
                    or partners
                    and not found  # the list's first name; later ones are members of a group
                    and _lowercase_partner(piece, self._continues(match, position, nxt, index))
                ) and (not self.named_bodies_only or _names_bodies(piece)):
                    # "các đơn vị liên quan để hỗ trợ ...", "chi cục thuộc cục được áp dụng": the body
                    # ends where its purpose or a passive starts.
                    purpose = _PURPOSE.search(piece) or _PASSIVE_AFTER.search(piece, 1)
                    if purpose and piece[: purpose.start()].strip():
                        found.append(self._body(piece[: purpose.start()]))
                        return found, index, position + match.start() + purpose.start()
                    found.append(self._body(piece))
                    joined = match.end() == nxt - position and self.clause[nxt - 1 : nxt].isspace()
                elif (
                    glue == "và"
                    and found
                    and _MEMBER.match(_key(piece))
                    and self.clause[position + match.end() : nxt].lstrip().startswith(",")
                ):
                    # "UBND các xã, phường và cơ quan, tổ chức, cá nhân có liên quan": after "và", a
                    # member that opens a list of its own is another group, not one more member.
                    found.append(self._body(piece))
                elif (
                    found
                    and glue
                    and len(piece.split()) <= 6
                    and (
                        _MEMBER.match(_key(piece))
                        # "Cục Quản lý Y, Dược cổ truyền": capitalised words after a comma that
                        # start no body of their own go on the name before them, as `split_bodies` has it.
                        or (glue == "," and piece[:1].isupper() and not _starts_body(piece))
                    )
                ):
                    # "Các sở, ngành, địa phương", "UBND xã, phường": one collective, kept whole.
                    purpose = _PURPOSE.search(piece)
                    member = piece[: purpose.start()] if purpose else piece
                    mention = f"{found[-1][1]}{',' if glue == ',' else ' ' + glue} {member}"
                    found[-1] = (self.registry.resolve(mention) or self.registry.unknown(mention), mention)
                    if purpose:  # "các cơ quan, đơn vị chức năng để cung cấp ...": the list ends there
                        return found, index, position + match.start() + purpose.start()
                elif strict or found:
                    return found, index, position
                glue = ""
            if index >= len(self.tokens) or self.tokens[index].agency is None:
                return found, index, nxt
            token = self.tokens[index]
            between = self.clause[position : token.start].strip()
            if found and joined:
                # "Đảng ủy Tòa án nhân dân tối cao", "Văn phòng UBND tỉnh": a head written before a
                # known body names another body, the head's.
                mention = f"{found[-1][1]} {token.text}"
                found[-1] = (self.registry.resolve(mention) or self.registry.unknown(mention), mention)
            elif (
                found
                and between in (",", "và")
                and token.text[:1].islower()
                and _MEMBER.fullmatch(_key(token.text))
                and _key(found[-1][1]).startswith(("các ", "ubnd", "ủy ban", "uỷ ban"))
            ):
                # "Các sở, ngành, địa phương": a member noun the registry knows alone stays in the group.
                mention = f"{found[-1][1]}{',' if between == ',' else ' và'} {token.text}"
                found[-1] = (self.registry.resolve(mention) or self.registry.unknown(mention), mention)
            else:
                found.append((token.agency, token.text))  # type: ignore[arg-type]
            index, position = index + 1, token.end
            suffix = _LEVEL_SUFFIX.match(self.clause, position)
            if suffix and not (index < len(self.tokens) and self.tokens[index].start < suffix.end()):
                # "Mặt trận Tổ quốc Việt Nam tỉnh", "Kho bạc Nhà nước khu vực XI": the body at its level.
                mention = f"{found[-1][1]} {suffix.group().strip()}"
                found[-1] = (self.registry.resolve(mention) or self.registry.unknown(mention), mention)
                position = suffix.end()

    def _continues(self, match: re.Match[str], position: int, nxt: int, index: int) -> bool:
        """Does a piece run on into a known name ("chính quyền" + "địa phương") or open a list
        ("cơ quan" + ", đơn vị có liên quan")?"""
        into_name = match.end() == nxt - position and index < len(self.tokens) and self.tokens[index].agency
        return bool(into_name) or bool(_OPENS_A_LIST.match(self.clause, position + match.end()))

    def _body(self, mention: str) -> tuple[Agency, str]:
        mention = mention.strip(_BULLET)
        agency = self.registry.resolve(mention)
        if agency is None:
            # "các đơn vị liên quan tiếp nhận và giải quyết ...": "liên quan" closes a collective's name.
            related = _RELATED.search(mention)
            mention = mention[: related.end()] if related else mention
            agency = self.registry.resolve(mention) or self.registry.unknown(mention)
        return agency, mention

    def assign(self, subject: list[tuple[Agency, str]], role: str, verb: str) -> None:
        for agency, mention in subject:
            # "Đề nghị X ...": X is asked, not commanded; only leading and partnering keep their role.
            held = "request" if agency.id in self.requested and role not in ("lead", "coordinate") else role
            self.added.append(self.collector.add(agency, mention, held, verb))

    def read(
        self,
        subject: list[tuple[Agency, str]],
        require_subject: bool = False,
        listed_before: list[tuple[Agency, str]] | None = None,
    ) -> list[tuple[Agency, str]]:
        """Assign the clause's roles; return the subject the next clause inherits.

        With `require_subject`, a clause assigns only when it names its subject at its start or
        inherits one: in running text, a body mentioned mid-sentence is not given work.
        `listed_before` are bodies a clause before listed alone ("Giám đốc Sở A, Thủ trưởng các
        sở; Chủ tịch UBND các xã chịu trách nhiệm ..."): they share this clause's subject.
        """
        index, position = 0, 0
        request = _REQUEST_LINE.match(self.clause)
        if request:
            position = request.end()
            index = next((i for i, t in enumerate(self.tokens) if t.start >= position), len(self.tokens))
        commanded = bool(
            not request
            and self.tokens
            and self.tokens[0].verb in (ASSIGNS, REQUIRES)
            and not _key(self.clause[: self.tokens[0].start]).strip(_BULLET + "0123456789")
        )
        if commanded:  # "Giao X ...", "Yêu cầu X ...": X is the subject
            index, position = 1, self.tokens[0].end
        subject_start = position
        if require_subject:
            self.named_bodies_only = True
        own, index, position = self.enumeration(index, position)
        self.named_bodies_only = False
        if own and _PASSIVE_AFTER.match(self.clause, _after_parenthesis(self.clause, position)):
            return subject  # "X (...) được áp dụng ...": X receives; the clause gives no work
        if own and not (self._at_once(index, position) and self._next_is_duty(index)):
            own, index, position = self._noun_phrase_subject(own, index, position, subject_start)
        self.listed_only = (
            own if own and index == len(self.tokens) and not self.clause[position:].strip(" .,") else []
        )
        if own and listed_before:
            own = listed_before + own
        next_at_once = self._at_once(index, position)
        if (
            require_subject
            and not subject
            and not (own and (request or commanded or (next_at_once and self._next_is_duty(index))))
            and not any(t.verb == ASKS for t in self.tokens)
            # "Ủy ban nhân dân tỉnh yêu cầu X ...": a known body requiring; "Trường hợp ... yêu cầu"
            # (a case that requires) is no command.
            and not (own and all(a.known for a, _ in own) and any(t.verb == REQUIRES for t in self.tokens))
        ):
            return []  # running text: only "X <duty> ...", "đề nghị X", "<body> yêu cầu X" give work
        if request:
            self.requested = {agency.id for agency, _ in own}
        # "Các sở, ngành khẩn trương ...": a subject, then a duty opener at once.
        opener = self.tokens[index].opener if own and next_at_once else None
        asked: list[tuple[Agency, str]] = list(own) if request else []
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
                if token.agency is not None:
                    position = token.end
                continue
            gap = self.clause[position : token.start]
            if self.clause[: token.start].strip(" -*+") and self.clause[token.start].isupper():
                continue  # a capitalised verb mid-clause is a title or a noun ("Báo cáo tiếp thu")
            if token.verb in (REQUIRES, ASKS):
                objects, after, end = self.enumeration(index, token.end)
                if objects and (token.verb == ASKS or self._next_is_duty(after)):
                    # "yêu cầu X tập trung ...", "đề nghị X kịp thời phản ánh": X acts from here on.
                    if token.verb == ASKS:
                        self.requested |= {agency.id for agency, _ in objects}
                        asked += objects
                    subject = carried = objects
                    index, position, verb_end, expect_head, near_head_only = after, end, end, True, True
                continue
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
            if token.verb in WITH_PARTNERS or token.verb == "phối hợp":
                # "phối hợp với Y", and as often written "phối hợp (chặt chẽ) Y": Y is a partner.
                start = position
                if token.verb == "phối hợp":
                    start += len(_CLOSELY.match(self.clause, position).group())  # type: ignore[union-attr]
                partners, after, end = self.enumeration(index, start, partners=True)
                if partners or token.verb in WITH_PARTNERS:
                    index, position = after, end
                for agency, mention in partners:
                    self.added.append(self.collector.add(agency, mention, "coordinate", "phối hợp"))
                if partners:
                    expect_head, near_head_only, verb_end = True, True, position
                    previous_rejected = False
                    continue
            role = ROLE_OF_VERB[token.verb]
            if token.verb == "phối hợp":
                # "Các đơn vị liên quan tích cực phối hợp, tạo điều kiện ...": with no partner named the
                # subject is not a lead's partner; working together is its own duty.
                role = "implement"
            previous_rejected = not (expect_head or coordinated)
            if subject and not previous_rejected:
                self.assign(subject, role, token.verb)
            expect_head = False
            if role == "report":
                _, index, position = self.enumeration(index, position)  # the bodies reported to
            elif role == "direct":
                objects, after, end = self.enumeration(index, position)
                acting = self._next_is_duty(after)
                at_end = after == len(self.tokens) and not self.clause[end:].strip(" .:")
                if objects and (acting or at_end):
                    # "chỉ đạo X thực hiện": X acts in this clause; "chỉ đạo X: ...": X acts in the
                    # clauses that follow. Otherwise the next clause goes on with this one's subject.
                    subject, index, position, expect_head = objects, after, end, True
                    verb_end = end
                    if at_end:
                        carried = objects
        done = {item.agency for item in self.added if item.role != "coordinate"}
        if own and (opener or commanded):  # the opener or the command gives the subject its duty
            self.assign([(a, m) for a, m in own if a.id not in done], "implement", opener or ASSIGNS)
        # "Đề nghị X ...": asking is itself the assignment, whatever verb follows.
        self.assign([(a, m) for a, m in asked if a.id not in done], "request", ASKS)
        return carried

    def _noun_phrase_subject(
        self, own: list[tuple[Agency, str]], index: int, position: int, start: int
    ) -> tuple[list[tuple[Agency, str]], int, int]:
        """The whole subject when its names run on past a plain list, up to the first duty.

        "Các cơ quan, đơn vị được giao nhiệm vụ trong Kế hoạch và tại Phụ lục có trách nhiệm ...",
        "Doanh nghiệp, tổ chức, cơ sở giáo dục tự chủ tài chính có trách nhiệm ...": the text
        before the duty is one noun phrase, cut into bodies as a table cell is.
        """
        duty = index
        while duty < len(self.tokens) and self.tokens[duty].verb is None and self.tokens[duty].opener is None:
            duty += 1
        if not self._next_is_duty(duty):
            return own, index, position
        phrase = self.clause[start : self.tokens[duty].start]
        phrase = _QUALIFIER.split(_PARENTHETICAL.sub(" ", phrase), maxsplit=1)[0]  # "(gọi tắt là ...)" goes
        if len(phrase.split()) > 2 * _MAX_MENTION_WORDS or re.search(r"[.:()]", phrase.strip(_BULLET)):
            return own, index, position
        bodies: list[tuple[Agency, str]] = []
        for piece in split_bodies(phrase):
            title = _PERSON_TITLE.match(_key(piece))
            piece = piece[title.end() :] if title else piece
            # Running text writes bodies in lowercase too: "đảng ủy các bộ, cơ quan ngang bộ".
            if not piece or not _key(piece).startswith(_AGENCY_HEADS) or not _names_bodies(piece):
                return own, index, position
            known = self.registry.find(piece)
            tail = _key(piece[known[-1].end :]).strip(" ,") if known else ""
            if tail and not (_MEMBER.match(tail) or _NAME_TAIL.match(tail)):
                # "Ban Chấp hành Trung ương Đảng kêu gọi ...", "Các cấp ủy, tổ chức đảng, cán bộ, đảng
                # viên": words after a known body that neither name more members nor qualify it.
                return own, index, position
            bodies.append((self.registry.resolve(piece) or self.registry.unknown(piece), piece))
        return (bodies, duty, self.tokens[duty].start) if bodies else (own, index, position)

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
            if _classifies_a_noun(self.clause, key, match.start()):
                continue
            if len(key[match.end() :].split()) <= 1 and any(v < match.start() for v in verb_starts):
                return match.group()
            following = [v for v in verb_starts if v >= match.end()]
            reach = 6 if match.group().startswith("định kỳ") else 2
            if following and len(key[match.end() : following[0]].split()) <= reach:
                return match.group()
        return None


def _after_parenthesis(clause: str, position: int) -> int:
    """Where the text after a subject goes on, past a parenthesis it opens or stands in."""
    opened = clause.rfind("(", 0, position) > clause.rfind(")", 0, position)
    if not opened and not clause[position:].lstrip().startswith("("):
        return position
    closing = clause.find(")", position)
    return closing + 1 if closing >= 0 else position


def _clauses(text: str) -> list[str]:
    clauses, start = [], 0
    for match in _CLAUSE_END.finditer(text):
        clauses.append(text[start : match.start()])
        start = match.end()
    clauses.append(text[start:])
    return [c for c in clauses if c.strip()]


def assignments_in_text(
    text: str, registry: AgencyRegistry, subject: Agency | None = None, subject_led: bool = False
) -> list[Assignment]:
    """Roles assigned by one line of running text; `subject` stands in when the line names none.

    `subject_led` reads text that is not an assignment line by its section (a goal, a paragraph of
    an article): only clauses that open with their own subject ("Các sở, ngành chủ động ...") assign.
    """
    if not text or len(text) > _MAX_SEGMENT:
        return []
    text = expand_shared_heads(_LABEL.sub("", text, count=1), registry)
    inline = _INLINE_LIST.search(_key(text))
    if inline:
        # "Cơ quan chủ trì: ..." lists its bodies in the role its name says (a column word, always known)
        return _listed(text[inline.end() :], _column_role(inline.group(1)) or "lead", registry)
    collector = _Collector()
    current: list[tuple[Agency, str]] = [(subject, subject.name)] if subject else []
    deadline = _deadline_in(text)
    listed: list[tuple[Agency, str]] = []
    for clause in _clauses(text):
        clause = _without_framing(clause)
        reader = _ClauseReader(registry, clause, collector)
        current = reader.read(current, require_subject=subject_led, listed_before=listed)
        listed = listed + reader.listed_only if reader.listed_only else []
        frequency = reader.frequency()
        for item in reader.added:
            if frequency and item.frequency is None:
                item.frequency = frequency
    rhythm = _line_rhythm(text)
    for item in collector.items.values():
        if deadline:
            set_deadline(item, deadline, text)
        elif item.frequency:
            item.recurrence = normalize_deadline(item.frequency)[2]
        elif rhythm:  # "...; cập nhật dữ liệu thường xuyên": the line's work recurs
            item.frequency = rhythm
            item.recurrence = normalize_deadline(rhythm)[2]
    return list(collector.items.values())


def _line_rhythm(text: str) -> str | None:
    """The one rhythm a line states for its work, where it does not classify a noun ("chi thường xuyên")."""
    key = _key(text)
    found = {
        match.group()
        for match in _FREQUENCY.finditer(key)
        if not _classifies_a_noun(text, key, match.start())
    }
    return found.pop() if len(found) == 1 else None


# "Căn cứ Kế hoạch này, các sở, ngành ... xây dựng kế hoạch", "Trên cơ sở nguyên tắc phân cấp, phân quyền,
# Đảng uỷ Chính phủ ... chịu trách nhiệm": what the work rests on, written before its subject.
_FRAMING = re.compile(r"^\s*(?:căn cứ|trên cơ sở|dựa trên)(?!\w)", re.IGNORECASE)
_MAX_FRAMING_WORDS = 30


def _without_framing(clause: str) -> str:
    """The clause from its subject on, when it opens with what the work rests on and a comma."""
    if not _FRAMING.match(clause):
        return clause
    for comma in re.finditer(",", clause):
        if len(clause[: comma.start()].split()) > _MAX_FRAMING_WORDS:
            break
        rest = clause[comma.end() :].lstrip()
        if _starts_body(rest) or _PERSON_TITLE.match(_key(rest)):
            return rest
    return clause


def _deadline_in(text: str) -> str | None:
    """The deadline a line gives its work, as written: its last dated or bounded time ("trước ngày
    15/12", "chậm nhất ngày 09/3/2025", "Quý IV/2025", "đến hết tháng 10/2025").

    The last, because a line that names several writes its steps in order and ends with when the
    work is done: "dự thảo ... trước ngày 01/6/2025 và ban hành trước ngày 25/6/2025".
    """
    frames = [frame.text for frame in extract_time_frames(text) if frame.kind in ("deadline", "date")]
    return frames[-1] if frames else None


def _time_from_text(item: Assignment, text: str) -> None:
    """The time of an item its heading assigns: a deadline phrase, else a rhythm it states."""
    deadline = _deadline_in(text)
    if deadline:
        set_deadline(item, deadline, text)
        return
    key = _key(text)
    for match in _FREQUENCY.finditer(key):
        if not _classifies_a_noun(text, key, match.start()):
            item.frequency = match.group()
            item.recurrence = normalize_deadline(match.group())[2]
            return


def set_deadline(item: Assignment, written: str, line: str = "") -> None:
    """The time as written and as data: start, end and recurrence.

    A day without a year recurs: "Định kỳ hằng năm (trước ngày 30 tháng 11)", "trước ngày 15/12"
    in a line that says "hằng năm" take the line's rhythm.
    """
    item.deadline = written
    item.deadline_start, item.deadline_end, item.recurrence = normalize_deadline(written)
    if item.recurrence is None and item.deadline_start is None and item.deadline_end is None and line:
        item.recurrence = normalize_deadline(line)[2]


def _listed(text: str, role: str, registry: AgencyRegistry, by_position: bool = False) -> list[Assignment]:
    """Bodies of a list cell or line ("Bộ Quốc phòng; Bộ Tài chính."), all in one role.

    Each body is resolved whole ("UBND các xã, phường"); a piece the registry does not know as a
    whole may still hold known names with words around them ("Sở Y tế thúc đẩy, theo dõi"). In a
    cell that a column says holds bodies (`by_position`), a short capitalised name is a body even
    without a body's head word: "Lãnh đạo đơn vị", "Công chức thụ lý hồ sơ".
    """
    collector = _Collector()
    # "Trung tâm ... (Sở Nội vụ)": the centre; "các Sở: Tư pháp, Nội vụ": each department.
    text = expand_shared_heads(_PARENTHETICAL.sub(" ", text), registry)
    if by_position:  # "- Văn phòng Cục - Công chức thụ lý hồ sơ": bullets inside a cell separate bodies
        text = "; ".join(p.strip(_BULLET) for p in _cell_items(text))
    for piece in split_bodies(text):
        # "các sở, ban, ngành Thành phố trong phạm vi chức năng, nhiệm vụ của mình": how, not who.
        piece = _QUALIFIER.split(piece, maxsplit=1)[0].strip()
        # A bare head word ("Bộ" in a cell cut short) names no body.
        if not piece or not piece[0].isalpha() or _key(piece) in _AGENCY_HEADS:
            continue
        agency = registry.resolve(piece)
        if agency is not None:
            collector.add(agency, piece, role)
            continue
        found = registry.find(piece)
        rest = _key(piece[found[-1].end :]).lstrip(" ,") if found else ""
        if found and _MEMBER.match(rest) and piece[found[-1].end :].lstrip().startswith((",", "và")):
            # "UBND xã, phường, đặc khu": a known body with more member kinds is a group of its own.
            collector.add(registry.unknown(piece), piece, role)
            continue
        if found and _key(piece[: found[0].start]).strip(" ,.:") == "":
            # "Sở Khoa học và Công nghệ thúc đẩy, theo dõi": the known name is the body.
            for mention in found:
                collector.add(mention.agency, mention.text, role)
            continue
        whole = piece
        verb = _VERB.search(_key(piece))
        if verb and verb.start() > 0:  # "UBND cấp xã thực hiện công bố": the body is before the verb
            piece = piece[: verb.start()].strip(" ,")
            agency = registry.resolve(piece)
            if agency is not None:
                collector.add(agency, piece, role)
                continue
        if by_position and _positional_name(whole):  # "Công chức được giao nhiệm vụ xử lý hồ sơ"
            led = whole[len(_LEADERS_OF) :] if _key(whole).startswith(_LEADERS_OF) else ""
            if _starts_body(led):  # "Lãnh đạo Cục Quản lý ...": the body, as "Giám đốc Sở ..." is
                whole = led
            collector.add(registry.resolve(whole) or registry.unknown(whole), whole, role)
        elif len(piece.split()) <= _MAX_MENTION_WORDS and _starts_body(piece) and _names_bodies(piece):
            collector.add(registry.unknown(piece), piece, role)  # not "các văn bản": things, not bodies
    return list(collector.items.values())


def assignments_in_row(segment: Segment, registry: AgencyRegistry) -> list[Assignment]:
    """Lead / coordinate / implement bodies and the deadline of an appendix table row."""
    if not segment.cells or not segment.columns:
        return []
    roles, time_at = _titled_columns(segment.columns)
    if not roles and time_at is None:
        roles, time_at = _untitled_columns(segment.cells)
    deadline = (
        segment.cells[time_at].strip() if time_at is not None and time_at < len(segment.cells) else None
    )
    # Names without a body's head word are taken by their column only in a whole row: a group row
    # ("I.1 | Cung cấp dịch vụ số ...") or a merged cell repeated across columns names no body.
    full_row = len(segment.cells) == len(segment.columns)
    items: list[Assignment] = []
    for at, role in roles.items():
        cell = segment.cells[at] if at < len(segment.cells) else ""
        by_position = full_row and segment.cells.count(cell) == 1 and _task_before(segment.cells, at)
        if cell.strip() and len(cell) <= _MAX_SEGMENT:
            # A bodies' cell written as a sentence may state the work's rhythm: "Các sở, ngành ...
            # thực hiện công bố dữ liệu mở hằng năm theo lĩnh vực quản lý."
            rhythm = None if deadline else _line_rhythm(cell)
            for item in _listed(cell, role, registry, by_position=by_position):
                if deadline:
                    set_deadline(item, deadline)
                elif rhythm:
                    item.frequency = rhythm
                    item.recurrence = normalize_deadline(rhythm)[2]
                items.append(item)
    return items


def _task_before(cells: list[str], at: int) -> bool:
    """Whether a task of four words or more precedes cell `at`, as the genre's column order has it."""
    return any(len(cell.split()) >= 4 for cell in cells[:at])


def _titled_columns(columns: list[str]) -> tuple[dict[int, str], int | None]:
    """Column index → role, and the time column, from the titles: "Cơ quan chủ trì", "Thời hạn"."""
    roles: dict[int, str] = {}
    time_at = None
    for at, title in enumerate(columns):
        title_key = _key(title)
        if any(word in title_key for word in _DEADLINE_COLUMNS):  # "Thời gian thực hiện" is a time
            time_at = at if time_at is None else time_at
            continue
        if title_key.startswith(_NOT_BODY_COLUMNS):  # "Địa điểm thực hiện": where, not who
            continue
        role = _column_role(title_key)
        if role is None and title_key.startswith(_RESPONSIBLE_COLUMNS):
            role = "lead"
        if role:
            roles[at] = role
    return roles, time_at


def _untitled_columns(cells: list[str]) -> tuple[dict[int, str], int | None]:
    """Roles of a row whose table lost its column titles (a copy that dropped the header row).

    The genre's column order stands in for the titles: the number, the task, then the bodies that
    carry it out (the first leads, a second coordinates), then when. A row counts only when it has
    all three (a cell that is only a time, a task of four words or more as its first text, short
    names between), so a table of documents, figures or forms gives nothing.
    """
    time_at = next((at for at, cell in enumerate(cells) if at > 1 and is_time_cell(cell)), None)
    if time_at is None:
        return {}, None
    task_at = next(
        (at for at in range(time_at) if cells[at].strip() and not _LABEL_CELL.match(cells[at])), None
    )
    if task_at is None:
        return {}, None
    names = [at for at in range(task_at + 1, time_at) if _names_only(cells[at])]
    if not names or len(cells[task_at].split()) < 4:
        return {}, None
    return {at: ("lead" if n == 0 else "coordinate") for n, at in enumerate(names[:2])}, time_at


def _names_only(cell: str) -> bool:
    """A cell of short names ("Hội đồng cấp cơ sở", "- Văn phòng Cục; - Công chức thụ lý hồ sơ")."""
    if cell.rstrip().endswith("."):
        return False  # a sentence
    pieces = [p.strip(_BULLET) for p in _cell_items(cell)]
    return bool(pieces) and all(_positional_name(p) for p in pieces)


def _cell_items(cell: str) -> list[str]:
    """The items of a bulleted cell, or the cell itself."""
    items = _CELL_BULLET.split(cell) if _BULLETED_CELL.match(cell) else [cell]
    return [item for item in items if item.strip(_BULLET)]


def _positional_name(piece: str) -> bool:
    """A piece that can only be a name where a column says it is one: short, capitalised, no verb first."""
    words = piece.split()
    key = _key(piece)
    return (
        0 < len(words) <= _MAX_MENTION_WORDS
        and piece[0].isupper()
        and not piece.rstrip().endswith(".")
        and ":" not in piece
        and not _LABEL_CELL.match(piece)
        and not key.startswith(_NOT_A_NAME)
        and (_VERB.match(key) is None or key.startswith(_LEADERS_OF))
        and not is_time_cell(piece)
    )


def _heading_role(heading: Segment) -> str | None:
    """The role a heading gives the plain lists under it: "b) Cơ quan phối hợp" → coordinate."""
    key = _key(heading.text)
    last_label = max(key.rfind("a)"), key.rfind("b)"), key.rfind("c)"))
    tail = key[last_label:] if last_label >= 0 else key
    return _column_role(tail)


def _column_role(title: str) -> str | None:
    """The role of the bodies a column title or field name lists ("Đơn vị phối hợp thực hiện": coordinate)."""
    return next((role for word, role in COLUMN_ROLE_WORDS if word in title), None)


def _heading_subject(heading: Segment | None, registry: AgencyRegistry) -> Agency | None:
    """The body a heading is about: "2. Bộ Quốc phòng", "Điều 11. Trách nhiệm của Bộ Thông tin và Truyền thông"."""
    if heading is None:
        return None
    title = _LABEL.sub("", heading.text).strip()
    title = re.sub(r"^(?:Trách nhiệm của|Nhiệm vụ của)\s+", "", title, flags=re.IGNORECASE)
    return registry.resolve(title)


_RELATED = re.compile(r"(?<!\w)(?:có\s+)?liên quan(?!\w)")
_RESPONSIBILITY_OF = re.compile(r"^(?:trách nhiệm|nhiệm vụ)(?: của)?\s+", re.IGNORECASE)
_LEADS = re.compile(r"^\s*(?:[-+•*]\s*)?(?:[0-9a-zđ]{1,3}[.)]\s*)?(?:\w+\s+){0,2}?chủ trì(?!\w)")


@dataclass(frozen=True)
class AgencyHeading:
    """A heading that names who ("1. Sở Khoa học và Công nghệ", "Đề nghị Ủy ban MTTQ tỉnh")."""

    bodies: tuple[tuple[Agency, str], ...]
    request: bool  # "Đề nghị ...": a body the issuer asks rather than commands


def agency_heading(title: str, registry: AgencyRegistry) -> AgencyHeading | None:
    """The bodies a heading names, when it names nothing else; None for a topic heading."""
    title = _LABEL.sub("", title.strip()).strip(" *:.")
    request = bool(_REQUEST_LINE.match(title))
    title = _RESPONSIBILITY_OF.sub("", _REQUEST_LINE.sub("", title)).strip()
    if not title or len(title) > 200 or _VERB.search(_key(title)) or _key(title) in PERSON_ADDRESSES:
        return None  # a sentence, or "Các Ông/bà:" before the titles of the people charged
    bodies: list[tuple[Agency, str]] = []
    title = " ".join(_PARENTHETICAL.sub(" ", title).split())  # "các doanh nghiệp viễn thông (VNPT, ...)"
    for piece in split_bodies(title):
        agency = registry.resolve(piece)
        if agency is None:
            # "Các nội dung khác", "Các chứng từ liên quan:": a collective of things titles a topic
            if not (_starts_body(piece) and _names_bodies(piece)) or len(piece.split()) > _MAX_MENTION_WORDS:
                return None
            agency = registry.unknown(piece)
        bodies.append((agency, piece))
    return AgencyHeading(tuple(bodies), request) if bodies else None


def _heading_duties(
    segment: Segment, heading: AgencyHeading, registry: AgencyRegistry, text: str | None = None
) -> list[Assignment]:
    """An item under an agency heading: the heading's bodies carry it, the item adds its partners.

    "Chủ trì, phối hợp với Y ..." makes the heading's bodies lead and Y coordinate; any other item
    is theirs to implement, or, under "Đề nghị ...", a request.
    """
    text = segment.text if text is None else text
    own = {agency.id for agency, _ in heading.bodies}
    default = "lead" if _LEADS.match(_key(text)) else ("request" if heading.request else "implement")
    duties: list[Assignment] = []
    others: dict[tuple[str, str], Assignment] = {}
    # An item that names its own subject ("1. Bộ Kế hoạch và Đầu tư chủ trì ..." under "Trách nhiệm
    # của Bộ Kế hoạch và Đầu tư và Bộ Tài chính") is that body's alone.
    subjects = own & {a.agency for a in assignments_in_text(text, registry) if a.role != "coordinate"}
    for agency, mention in heading.bodies:
        if subjects and agency.id not in subjects:
            continue
        found = assignments_in_text(text, registry, agency)
        # "Phối hợp với Y ..." under the heading: Y is the partner, the heading's body does the work.
        mine = [a for a in found if a.agency == agency.id and a.role != "coordinate"]
        if heading.request:  # asked, not commanded: every duty but leading is a request
            mine = [a for a in mine if a.role == "lead"] or []
        if not any(a.role == default for a in mine) and not (mine and default != "lead"):
            item = Assignment(role=default, agency=agency.id, mention=mention, known=agency.known)
            _time_from_text(item, text)
            mine.append(item)
        duties.extend(mine)
        for item in found:
            if item.agency not in own:
                others.setdefault((item.agency, item.role), item)
    return duties + list(others.values())


def _nearest_agency_heading(
    segment: Segment,
    headings: dict[str, Segment],
    registry: AgencyRegistry,
    cache: dict[str, AgencyHeading | None],
) -> AgencyHeading | None:
    path = segment.parent_path
    while path:
        heading = headings.get(path)
        if heading is not None:
            if path not in cache:
                cache[path] = agency_heading(heading.heading or heading.text, registry)
            if cache[path] is not None:
                return cache[path]
        path = path.rsplit(".", 1)[0] if "." in path else None
    return None


def _assigns(segment: Segment) -> bool:
    """Task text only assigns when it says so; a mere mention of a body is not an assignment."""
    if segment.kind in ("assignment", "organization", "table_row"):
        return True
    key = _key(segment.text[:_MAX_SEGMENT])
    if _INLINE_LIST.search(key[:80]):  # "Đơn vị phối hợp: ...": a field line names its bodies
        return True
    if segment.kind == "task":
        return bool(re.match(r"\s*(?:[0-9a-zđ]{1,3}[.)]\s*)?giao ", key)) or "chủ trì" in key
    return False


def extract_assignments(document: Document, registry: AgencyRegistry) -> None:
    """Fill `segment.assignments` on the segments of `document` that assign work."""
    # Headings, and labelled lines that end with a colon as a heading would ("1. Sở Công Thương:"): an
    # agency named so governs the items under it as "1. Sở Công Thương" on a line of its own does.
    headings = {
        s.path: s
        for s in document.segments
        if s.kind == "heading"
        or (s.label and len(s.text) <= _MAX_HEADING and s.text.rstrip(" *").endswith(":"))
    }
    agency_headings: dict[str, AgencyHeading | None] = {}
    for segment in document.segments:
        parent = headings.get(segment.parent_path or "")
        if segment.text.startswith("("):
            continue  # a parenthetical note, not a line of the plan
        if segment.kind == "table_row":
            segment.assignments = assignments_in_row(segment, registry)
            continue
        if segment.kind in ("heading", "preamble", "recipients"):
            continue
        # "2. Sở Nội vụ: tham mưu ...": a body named before the colon carries what follows it.
        lead_in, colon, rest = expand_shared_heads(segment.text, registry).partition(":")
        named = agency_heading(lead_in, registry) if colon and rest.strip() and len(lead_in) <= 160 else None
        if named is not None:
            segment.assignments = _heading_duties(segment, named, registry, rest)
            continue
        governing = _nearest_agency_heading(segment, headings, registry, agency_headings)
        # A heading of bodies the registry does not know governs only where work is given out:
        # "II- Các đơn vị hành chính cấp tỉnh mới" over a list of mergers names places, not bodies.
        if governing is not None and (
            segment.kind in ("task", "organization", "assignment")
            or all(a.known for a, _ in governing.bodies)
        ):
            segment.assignments = _heading_duties(segment, governing, registry)
            continue
        subject = _heading_subject(parent, registry)
        subject_led = not _assigns(segment) and subject is None
        items = assignments_in_text(segment.text, registry, subject, subject_led=subject_led)
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
    _attach_field_lines(document.segments)
    _inherit_lead_ins(document.segments)
    _date_from_issue(document)
    # The issuer as its header writes it, often on two lines ("ỦY BAN NHÂN DÂN" / "TỈNH ĐỒNG THÁP").
    header = next((s.text for s in document.segments if s.path == "0"), "")
    province = document_province("\n".join([document.issuer or "", *header.splitlines()[:4]]), document.place)
    if province is not None:
        for segment in document.segments:
            for item in segment.assignments:
                agency = registry.get(item.agency)
                if agency is None or agency.level in _LOCAL_LEVELS:
                    item.province = province


def _date_from_issue(document: Document) -> None:
    """Times counted from the document's date ("chậm nhất 05 ngày làm việc kể từ ngày ban hành") as dates."""
    try:
        issued = date.fromisoformat(document.date or "")
    except ValueError:
        return
    for segment in document.segments:
        undated = [a for a in segment.assignments if not (a.deadline_start or a.deadline_end or a.recurrence)]
        in_text = deadline_from_issue(segment.text, issued) if undated else None  # read once per segment
        for item in undated:
            found = deadline_from_issue(item.deadline, issued) if item.deadline else in_text
            if found:
                item.deadline = item.deadline or found[0]
                item.deadline_end = found[1]


_LOCAL_LEVELS = ADMINISTRATIVE_LEVELS[1:]  # below the centre: a body of the issuer's province
# "ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "TỈNH ỦY KON TUM", "UBND THÀNH PHỐ HÀ NỘI": the province after its word.
_ISSUER_PROVINCE_WORD = re.compile(r"(?<!\w)(?:tỉnh|thành phố|tp\.)$", re.IGNORECASE)
_PROVINCIAL_ISSUER = re.compile(r"(?<!\w)(?:tỉnh|thành phố)(?!\w)", re.IGNORECASE)
_ISSUER_PROVINCE = re.compile(
    r"(?<!\w)(?:tỉnh|thành phố|tp\.)(?: ủy| uỷ)?\s+(?!ủy|uỷ)(\w[\w ]{1,30}?)\s*$", re.IGNORECASE
)


def document_province(issuer: str | None, place: str | None) -> str | None:
    """The province a local issuer belongs to: one of the 34 of 2025, or as written for a former one."""
    lines = [line.strip() for line in (issuer or "").splitlines() if line.strip()]
    # "ỦY BAN NHÂN DÂN TỈNH" / "ĐỒNG THÁP": the issuer's name on two lines.
    lines += [
        f"{a} {b}"
        for a, b in zip(lines, lines[1:], strict=False)
        if _ISSUER_PROVINCE_WORD.search(a) and b.isupper() and len(b.split()) <= 3
    ]
    written = next((m.group(1) for line in lines if (m := _ISSUER_PROVINCE.search(line))), None)
    if written is None:
        if place and _PROVINCIAL_ISSUER.search(issuer or ""):
            written = place  # "Ban Thường vụ Tỉnh ủy", dated "Kon Tum, ngày ...": the place names it
        else:  # a central issuer: its bodies belong to no province ("Hà Nội" is only its seat)
            return None
    for candidate in (written, place):
        key = match_key(candidate or "")
        for name in PROVINCES_2025:
            if key and (key == match_key(name) or key.endswith(" " + match_key(name))):
                return name
    # A province of the 63 before 2025 ("Kon Tum"): kept as the issuer writes it.
    return " ".join(word.capitalize() for word in written.split())


# An item that opens with leading or directing: "2.1. Tập trung lãnh đạo, chỉ đạo ...", "b) Chỉ đạo ...".
_OPENS_WITH_ROLE = re.compile(
    r"^\s*(?:[-+•*]\s*)?(?:[0-9a-zđ]{1,3}(?:\.\d{1,2})*[.)]\s*)?"
    r"(?:(?:tập trung|tiếp tục|chủ động|trực tiếp|khẩn trương)\s+)?(chủ trì|lãnh đạo|chỉ đạo)(?!\w)"
)


def _inherit_lead_ins(segments: list[Segment]) -> None:
    """Items under a lead-in that assigns carry the lead-in's roles besides their own.

    A lead-in is an item that gives work and ends with a colon ("3. Giao Đảng ủy Chính phủ lãnh đạo,
    chỉ đạo:" over "3.1 ..."), or a command with items of its own ("2. Yêu cầu các cấp ủy, tổ chức
    đảng ..." over "2.1 ..."); a sentence after an ordinary item ("Chương trình này được phổ biến
    đến chi bộ.") is not one of its items. One that ends with a colon ("Đảng ủy Chính phủ khẩn
    trương triển khai ... như sau:") also governs the items that follow it at its own level unlabelled or under a bullet of another rank ("- X khẩn
    trương ... như sau:" then "+ Báo cáo Bộ Chính trị ..."), up to the next item of its own rank.
    """
    parents = {s.parent_path for s in segments if s.parent_path and s.label is not None}  # labelled items
    lead_ins = {
        s.path: s
        for s in segments
        if s.assignments
        and s.kind not in ("heading", "table_row")
        and (
            s.text.rstrip(" *").endswith(":") or (s.path in parents and _COMMAND_OPENING.match(_key(s.text)))
        )
    }
    open_lead_in: Segment | None = None  # a colon lead-in whose unlabelled siblings follow
    for segment in segments:
        governing = lead_ins.get(segment.parent_path or "")
        if open_lead_in is not None and (
            (
                segment.label is not None
                and (segment.label == open_lead_in.label or segment.label not in _BULLETS)
            )
            or segment.parent_path != open_lead_in.parent_path
            or segment.kind == "heading"
        ):
            open_lead_in = None  # the next item of the lead-in's own rank (or a numbered one) ends it
        if governing is None:
            governing = open_lead_in
        if segment.path in lead_ins and segment.text.rstrip(" *").endswith(":"):
            open_lead_in = segment
        if governing is None or segment is governing or segment.kind in ("heading", "table_row"):
            continue
        held = {(a.agency, a.role) for a in segment.assignments}
        for item in governing.assignments:
            # "2. Yêu cầu các cấp ủy ...:" over "2.1. Tập trung lãnh đạo, chỉ đạo ...": an item that opens
            # by leading or directing gives the lead-in's body that stronger role too (not its partners').
            opening = _OPENS_WITH_ROLE.match(_key(segment.text))
            verb = opening.group(1) if opening and item.role != "coordinate" else ""
            roles = [item.role] + ([ROLE_OF_VERB[verb]] if verb and ROLE_OF_VERB[verb] != item.role else [])
            for role in roles:
                if (item.agency, role) in held:
                    continue
                actions = list(item.actions) if role == item.role else [verb]
                inherited = replace(item, role=role, actions=actions)
                own_time = Assignment(role=role, agency=item.agency, mention=item.mention)
                _time_from_text(own_time, segment.text)
                if own_time.deadline or own_time.recurrence:  # "+ Báo cáo ... chậm nhất ngày 09/3/2025"
                    inherited = replace(own_time, actions=actions, known=item.known)
                segment.assignments.append(inherited)
                held.add((item.agency, role))


# The names of a task's time field: "Thời gian thực hiện:", "Thời hạn ban hành:", "Tiến độ:".
_TIME_FIELD_NAMES = r"(?:thời gian|thời hạn|tiến độ)(?: (?:thực hiện|hoàn thành|ban hành|trình|báo cáo|nộp))?"
# "Đơn vị chủ trì: ...", "Cơ quan phối hợp: ...", "Thời gian thực hiện: ..." lines after a task.
# A time field may drop its colon before the time itself: "Thời hạn chậm nhất 05 ngày làm việc kể từ ...".
_TIME_FIELD_END = r"(?:\s*:|(?=\s+(?:chậm nhất|trước|trong|đến|hoàn thành|quý|tháng|năm)(?!\w)))"
_FIELD_LINE = re.compile(
    r"^\s*(?:[a-zđ0-9]{1,2}[.)]\s*)?(?:(?:(?:đơn vị|cơ quan) (?:chủ trì|phối hợp|thực hiện)|sản phẩm|kết quả)\s*:"
    rf"|{_TIME_FIELD_NAMES}{_TIME_FIELD_END})"
)
_TIME_FIELD = re.compile(
    rf"^\s*(?:[a-zđ0-9]{{1,2}}[.)]\s*)?{_TIME_FIELD_NAMES}{_TIME_FIELD_END}\s*", re.IGNORECASE
)
_MAX_FIELD_TASKS = 12  # a task list that inline fields close is a handful of bullets


def _attach_field_lines(segments: list[Segment]) -> None:
    """Inline fields attach to the tasks they follow, not to themselves.

    A run of field lines closes a task or a list of task bullets: its bodies and its time go on each
    of the segments before it, back to the list's lead-in (a line ending with ":"), a heading or the
    fields of the task before.
    """
    index = 0
    while index < len(segments):
        if not _is_field(segments[index]):
            index += 1
            continue
        end = index
        while end < len(segments) and (_is_field(segments[end]) or _is_field_header(segments[end])):
            end += 1
        fields = [s for s in segments[index:end] if _is_field(s)]
        tasks = _tasks_before(segments, index)
        duties = [a for s in fields for a in s.assignments]
        time = _field_time(segments, index, end)
        if time and not duties and tasks:
            # "Thời hạn: ..." alone after a task that names its own bodies: that task's time.
            for item in tasks[0].assignments:
                if not item.deadline and not item.recurrence:
                    set_deadline(item, time)
        for task in tasks:
            for duty in duties:
                copy = Assignment(
                    role=duty.role,
                    agency=duty.agency,
                    mention=duty.mention,
                    actions=list(duty.actions),
                    known=duty.known,
                )
                if time:
                    set_deadline(copy, time)
                task.assignments.append(copy)
        if tasks:
            for field in fields:
                field.assignments = []
        index = end


def _field_time(segments: list[Segment], index: int, end: int) -> str | None:
    """The time a run of field lines `segments[index:end]` gives its task, as written.

    "Thời gian thực hiện:" with nothing after it leads into dated sub-items under another bullet
    ("+ Các bộ ... gửi kết quả trước ngày 15/12/2025", "+ Bộ Công an ... báo cáo trước ngày 31/12/2025"):
    the task is due when its last step is, as a line with several times is.
    """
    for position in range(index, end):
        field = segments[position]
        if not _TIME_FIELD.match(_key(field.text)):
            continue
        written = _TIME_FIELD.sub("", field.text, count=1).strip(" .;")
        if written:
            return written
        steps = []
        for step in segments[position + 1 :]:
            if step.parent_path != field.parent_path or step.label in (None, field.label) or _is_field(step):
                break
            steps.append(step.text)
        dated = [time for time in map(_deadline_in, steps) if time]
        if dated:
            return dated[-1]
    return None


def _is_field(segment: Segment) -> bool:
    return segment.kind != "table_row" and bool(_FIELD_LINE.match(_key(segment.text)))


def _is_field_header(segment: Segment) -> bool:
    """ "b) Cơ quan thực hiện:" alone: the title over a run of field lines."""
    return segment.text.rstrip().endswith(":") and bool(
        re.match(r"^\s*(?:[a-zđ]\)\s*)?(?:cơ quan|đơn vị)[^:]{0,30}:$", _key(segment.text.strip()))
    )


def _tasks_before(segments: list[Segment], index: int) -> list[Segment]:
    tasks: list[Segment] = []
    position = index - 1
    while position >= 0 and len(tasks) < _MAX_FIELD_TASKS:
        segment = segments[position]
        if _is_field_header(segment):
            position -= 1
            continue
        if segment.kind in ("preamble", "recipients", "table_row") or _is_field(segment):
            break
        tasks.append(segment)
        if segment.kind == "heading":  # a task written as a title, its fields under it
            break
        if segment.text.rstrip().endswith(":"):
            break
        position -= 1
    return tasks
