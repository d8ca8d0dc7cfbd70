"""Understanding a chat question: rule-based, on the diacritic-folded text, so "ai chu tri" and
"Ai chủ trì" read the same.

The rules follow how officials ask about directives: who leads or coordinates a task, which
directive a plan implements, figures and targets, deadlines and frequency, what an agency must
do, which tasks concern a topic. A short message starting with "Còn ..." continues the previous
question of the conversation with one thing changed (the role, the section, the agency, the topic).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.normalize import fold_diacritics, match_key
from ingest.vocabulary import ROLES
from nlp.lexical import syllables

# Roles with the folded words a question uses for them (the vocabulary's), and their names in a sentence.
ROLE_WORDS: dict[str, tuple[str, ...]] = {role.id: role.asked_as for role in ROLES}
ROLE_NAMES_VI: dict[str, str] = {role.id: role.label for role in ROLES}

_DOC_NOUNS = (
    r"(?:van ban|nghi quyet|ket luan|chi thi|chuong trinh|ke hoach|quyet dinh|nghi dinh|thong tu|"
    r"chu truong|luat|de an|quy dinh|huong dan)"
)
_IMPLEMENTS_UP = re.compile(
    r"\b(?:thuc hien|cu the hoa|trien khai|quan triet|can cu(?: vao)?)\b[^?]*?\b"
    + _DOC_NOUNS
    + r"\s+(?:nao|gi)\b"
)
_IMPLEMENTS_DOWN = re.compile(
    r"\b" + _DOC_NOUNS + r"\s+nao\b[^?]*?\b(?:thuc hien|cu the hoa|trien khai)\b"
    r"|\bduoc\s+(?:thuc hien|cu the hoa|trien khai)\b[^?]*?\b(?:nao|gi)\b"
)
_WHO = re.compile(
    r"(?:^|\s)ai(?:\s|$)|\b(?:co quan|don vi|ban|so|bo|nganh|to chuc|cap|ca nhan)\s+nao\b|\bgiao cho\b"
)
_DUTIES = re.compile(
    r"\b(?:phai lam gi|lam gi|lam nhung gi|nhiem vu gi|nhiem vu cua|trach nhiem cua|duoc giao"
    r"|nhung viec gi|cong viec cua|viec gi)\b"
)
_SCHEDULE = re.compile(
    r"\b(?:khi nao|bao gio|luc nao|thoi han|han chot|bao lau|dinh ky|tan suat|thoi gian hoan thanh"
    r"|den nam nao|nam nao|may lan|truoc ngay nao|hang nam|thoi diem)\b"
)
_TARGETS = re.compile(r"\b(?:bao nhieu|chi tieu|muc tieu|ty le|ti le|dat muc|toc do tang|phan tram|con so)\b")
_TOPIC_TASKS = re.compile(
    r"\b(?:nhung|cac)\s+(?:nhiem vu|viec|giai phap|cong viec|du an|cong trinh)\b"
    r"|\b(?:nhiem vu|giai phap|du an|cong trinh)\s+(?:nao|gi)\b|\bnhiem vu ve\b"
)
_IDENTITY = re.compile(r"(?:^|\s)ai la\b|\bla ai\b")
_FOLLOW_UP = re.compile(r"^(?:the |vay |con nua |va )?con\b")
_SECTION = re.compile(
    r"\b(?:muc|phan|tieu muc)\s+(?P<path>[ivxlc]+(?:\.\d+)*|\d+(?:\.\d+)*)\b"
    r"|\bdieu\s+(?P<article>\d+)\b"
)

# Words that carry no topic: question words and function words, written with their diacritics.
# A question typed without diacritics is compared with their folded forms, except those that fold
# onto common content syllables ("từ" → "tu" as in "đầu tư", "quả" → "qua").
_STOPWORD_TEXT = """
    ai gì nào là của và các những về có không bao nhiêu khi thế này đó được cho với trong ở tại thì mà
    hay hoặc phải làm như sao việc một lần còn theo ra vào đến từ để sẽ đã đang cần nên nhé à ạ vậy
    hiện muốn biết hỏi xin cảm ơn ơi vui lòng giúp tôi mình chúng ta giờ lúc bằng bởi trên dưới sau
    trước nữa mới nhất nhiều ít rất qua hơn kia ấy đây tiếp tục nội dung hãy cho biết
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_AMBIGUOUS_FOLDED = frozenset({"tu", "de", "den", "qua", "do", "ban", "tren", "sau", "truoc", "nhat", "moi"})
FOLDED_STOPWORDS = frozenset(fold_diacritics(w) for w in STOPWORDS) - _AMBIGUOUS_FOLDED
# The intent's own words ("chủ trì", "chỉ tiêu"): the answer's facts supply them, not its text.
INTENT_PHRASES = tuple(
    sorted(
        {w for words in ROLE_WORDS.values() for w in words}
        | {
            "co quan",
            "don vi",
            "nhiem vu",
            "trach nhiem",
            "chi tieu",
            "muc tieu",
            "bao nhieu",
            "thoi han",
            "dinh ky",
            "tan suat",
            "bao lau",
            "khi nao",
            "dat",
            "giao",
            "giai phap",
            "cong viec",
            "van ban",
            "ke hoach nay",
            "chuong trinh nay",
            "lien quan",
            "quy dinh",
        },
        key=len,
        reverse=True,
    )
)
_INTENT_PHRASE = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in INTENT_PHRASES) + r")\b")


@dataclass
class Question:
    text: str
    folded: str  # lowercase, no diacritics, punctuation as spaces
    intent: (
        str  # responsible | implements | implemented_by | duties | schedule | targets | topic_tasks | lookup
    )
    role: str | None = None
    section: str | None = None  # an outline path the question names: "III.3", "Điều 5"
    follow_up: bool = False
    content: list[str] = field(default_factory=list)  # content syllables, for relevance
    accented: bool = True  # typed with diacritics: content words keep them
    pairs: list[tuple[str, str]] = field(default_factory=list)  # content words adjacent in the question
    identity: bool = False  # "Ai là ...?", "... là ai?": who a person is, not which body does what


def fold(text: str) -> str:
    """Lowercase, diacritics removed, punctuation turned to spaces, spaces collapsed."""
    folded = fold_diacritics(match_key(text))
    return " ".join(re.sub(r"[^\w.]+|(?<!\w)\.|\.(?!\w)", " ", folded).split())


def word_key(text: str, accented: bool) -> list[str]:
    """Syllables in matching form: with diacritics (one tone-mark style), or folded."""
    words = syllables(text)
    return words if accented else [fold_diacritics(w) for w in words]


def content_words(text: str) -> tuple[list[str], list[tuple[str, str]], bool]:
    """The topic syllables of a question (neither function words nor the intent's own words), in
    the form it was typed: with diacritics when it has any, folded otherwise."""
    accented = fold_diacritics(text) != text
    words = syllables(text)
    folded = [fold_diacritics(w) for w in words]
    # Mark the syllables of intent phrases on the folded sequence (the two have the same length).
    taken = [False] * len(words)
    joined = " ".join(folded)
    for match in _INTENT_PHRASE.finditer(joined):
        first = joined[: match.start()].count(" ")
        for i in range(first, first + match.group().count(" ") + 1):
            taken[i] = True
    stop = STOPWORDS if accented else FOLDED_STOPWORDS
    keyed = [
        (w if accented else f) if not t and (w if accented else f) not in stop else None
        for w, f, t in zip(words, folded, taken, strict=True)
    ]
    content = [w for w in keyed if w is not None]
    pairs = [(a, b) for a, b in zip(keyed, keyed[1:], strict=False) if a is not None and b is not None]
    return list(dict.fromkeys(content)), list(dict.fromkeys(pairs)), accented


def role_in(folded: str) -> str | None:
    """The role a question asks about: the first role word written, "thực hiện" only when alone."""
    found: list[tuple[int, str]] = []
    for role, words in ROLE_WORDS.items():
        for word in words:
            match = re.search(r"\b" + word + r"\b", folded)
            if match:
                found.append((match.start() + (10_000 if role == "implement" else 0), role))
    return min(found)[1] if found else None


def section_in(folded: str) -> str | None:
    match = _SECTION.search(folded)
    if not match:
        return None
    if match.group("article"):
        return f"Điều {match.group('article')}"
    path = match.group("path")
    head, _, rest = path.partition(".")
    return (head.upper() if not head.isdigit() else head) + ("." + rest if rest else "")


def classify(folded: str) -> str:
    if _IMPLEMENTS_DOWN.search(folded):
        return "implemented_by"
    if _IMPLEMENTS_UP.search(folded):
        return "implements"
    if _WHO.search(folded):
        return "responsible"
    if _DUTIES.search(folded):
        return "duties"
    if _SCHEDULE.search(folded):
        return "schedule"
    if _TARGETS.search(folded):
        return "targets"
    if _TOPIC_TASKS.search(folded):
        return "topic_tasks"
    # "Cơ quan phối hợp?" names a role and nothing else: a question about who holds it.
    if role_in(folded) not in (None, "implement") and len(folded.split()) <= 6:
        return "responsible"
    return "lookup"


def parse_question(text: str, expand: Callable[[str], str] | None = None) -> Question:
    """Read a question; `expand` writes out abbreviations ("UBND" → "ủy ban nhân dân") for the
    content words, so that they meet the documents' full names."""
    folded = fold(text)
    follow_up = bool(_FOLLOW_UP.match(folded)) and len(folded.split()) <= 10
    body = _FOLLOW_UP.sub("", folded).strip() if follow_up else folded
    written = (
        re.sub(r"^\W*(?:thế |vậy |the |vay )?(?:còn|con)\b", "", text, flags=re.IGNORECASE)
        if follow_up
        else text
    )
    if expand is not None and fold_diacritics(written) != written:
        written = expand(written)
    content, pairs, accented = content_words(written)
    return Question(
        text=text,
        folded=folded,
        intent=classify(body),
        role=role_in(body),
        section=section_in(body),
        follow_up=follow_up,
        content=content,
        accented=accented,
        pairs=pairs,
        identity=bool(_IDENTITY.search(body)) and role_in(body) is None,
    )
