"""Citations of other directives: find the mentions, resolve informal ones, annotate each with its facts.

Shaped like eyecite: `find_mentions` locates symbols ("72-KL/TW"), informal references ("KL 72",
"Nghị quyết số 13") and named references ("Quy hoạch tỉnh Kon Tum thời kỳ 2021-2030") in a segment;
`resolve_mentions` turns informal references into full symbols where the document or the corpus makes
that unambiguous; `annotate` reads the words around each mention: the type word before it, the date,
issuer and title after it, the relation cue before it ("thực hiện", "căn cứ", "gắn với"), and the
chain "X của Bộ Chính trị về tiếp tục thực hiện Y", where Y is what X implements, not what this text
implements. Every pattern is built from the tables in `ingest.vocabulary` and `ingest.symbols` and runs
in linear time on any input.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace

from ingest.metadata import parse_date
from ingest.model import Citation, Document
from ingest.normalize import fold_diacritics
from ingest.symbols import SYMBOL_PATTERN, canonical_symbol, find_symbols, type_of_symbol
from ingest.vocabulary import (
    DOCUMENT_TYPES,
    RELATION_CUES,
    RELATION_MODIFIERS,
    RELATION_STRENGTH,
    TYPE_BY_ABBREVIATION,
    TYPE_BY_NAME,
)

# --- patterns built from the tables -------------------------------------------------------------

_TYPE_NAMES = sorted((t.name for t in DOCUMENT_TYPES), key=len, reverse=True)
_TYPE_ALT = "|".join(map(re.escape, _TYPE_NAMES))
_ABBR_ALT = "|".join(map(re.escape, sorted(TYPE_BY_ABBREVIATION, key=len, reverse=True)))
_WORD_END = r"(?![\w/-])"
_DATE = r"ngày\s+\d{1,2}(?:\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}|\s+tháng\s+\d{1,2}\s+năm\s+\d{4})"

# The type word right before a symbol: "Kết luận số ", "Chương trình hành động số ", "QUYẾT ĐỊNH SỐ ".
_TYPE_BEFORE = re.compile(
    r"(?<!\w)(?P<type>" + _TYPE_ALT + r")(?:\s+(?:hành động|liên tịch))?\s+(?:số\s*:?\s*)?$", re.IGNORECASE
)
# Informal references: "Kết luận 72", "Nghị quyết số 13", "KL 72", "NQ13". Not "Kế hoạch 5 năm".
_INFORMAL = re.compile(
    r"(?<![\w/-])(?:(?P<name>(?i:" + _TYPE_ALT + r"))\s+(?:(?i:số)\s+)?|(?P<abbr>" + _ABBR_ALT + r")\s?)"
    r"(?P<num>\d{1,5})" + _WORD_END + r"(?!\s+(?i:năm|tháng|ngày)\b)(?!\s*%)"
)
# Named references without a symbol: plans with their period, laws with their date or year, the
# constitution, congress resolutions. Lazy bounded runs keep these linear.
_NAMED = re.compile(
    r"(?P<plan>Quy hoạch\s[^,;.:()“”\"\n]{1,120}?\sthời kỳ\s+\d{4}\s*[-–]\s*\d{4}"
    r"(?:,\s*tầm nhìn đến năm\s+\d{4})?)"
    r"|(?P<law>(?<!\w)Luật\s[^;.:()“”\"\n]{1,160}?)(?=\s+(?:" + _DATE + r"|năm\s+\d{4}))"
    r"|(?P<constitution>Hiến pháp năm\s+\d{4})"
    r"|(?P<congress>Nghị quyết Đại hội[^;.:()“”\"\n]{0,80}?(?:nhiệm kỳ\s+\d{4}\s*[-–]\s*\d{4}|\b[IVXL]+\b)"
    r"(?:,?\s*nhiệm kỳ\s+\d{4}\s*[-–]\s*\d{4})?)"
)
_NAMED_TYPES = {"plan": "Quy hoạch", "law": "Luật", "constitution": "Hiến pháp", "congress": "Nghị quyết"}
_LAW_YEAR = re.compile(r"\s+năm\s+\d{4}")
# Official letters carry a symbol without a type abbreviation: "công văn số 83/BKHCN-BTTTT-VP".
_LETTER = re.compile(
    r"(?<!\w)(?P<type>(?i:công văn|văn bản))\s+(?i:số)\s+(?P<symbol>\d{1,5}/[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ][A-ZĐ0-9]*)*)"
    + _WORD_END
)
_LETTER_MORE = re.compile(
    r"\s*(?:,|và)\s*(?P<symbol>\d{1,5}/[A-ZĐ][A-ZĐ0-9]*(?:-[A-ZĐ][A-ZĐ0-9]*)*)" + _WORD_END
)
# "Chương trình hành động của Chính phủ thực hiện Nghị quyết số 45-NQ/TW": a document described in
# words implements it, not this text.
_DESCRIBED_IMPLEMENTER = re.compile(
    r"(?<!\w)(?:" + _TYPE_ALT + r")(?:\s+hành động)?\s+(?i:của)\s+" + r"[^,;.:()“”\"|]{1,80}?"
    r"\s+(?:(?i:về)\s+)?(?:(?i:tiếp tục)\s+)?(?:(?i:triển khai)\s+)?(?i:thực hiện)\s+$",
    re.IGNORECASE,
)

# What follows a mention, read in order from its end: date, issuer, title.
_DATE_AFTER = re.compile(r"[\s,]*\(?\s*(?P<date>" + _DATE + r")\s*\)?", re.IGNORECASE)
_ISSUER_STOP = r"(?i:về|thực|gắn|tại|trong|và|để|nhằm|phê|quy|ban|theo|là|đã|đến|với|hướng|có|sau|năm|ngày)"
_ISSUER = r"[A-ZĐÀ-Ỹ][^\s,;.:“”\"()|]*(?:\s+(?!" + _ISSUER_STOP + r"\b)[^\s,;.:“”\"()|]+){0,12}"
_ISSUER_AFTER = re.compile(r"[\s,]*(?i:của)\s+(?P<issuer>" + _ISSUER + r")")
_ISSUER_BEFORE = re.compile(r"(?i:của)\s+(?P<issuer>" + _ISSUER + r")\s+(?i:tại|theo)\s+$")
_TITLE_AFTER = re.compile(r"\s*(?:“(?P<quoted>[^”\n]{1,400})”|(?P<about>(?i:về)\s[^,;.:()“”\"\n]{1,200}))")
# "X ... về tiếp tục thực hiện Y": X implements Y.
_CHAIN_IMPLEMENTS = re.compile(
    r"\s*,?\s*(?:(?i:về)\s+)?(?:(?i:việc)\s+)?(?:(?i:tiếp tục)\s+)?(?:(?i:triển khai)\s+)?(?i:thực hiện)\s+$"
)
# "Luật ... (sửa đổi)" names the revised law itself: it is what a text cites, never what it amends.
_REVISED_VERSION = re.compile(r"\s*\((?i:sửa đổi)\)")
_LIST_SEPARATOR = re.compile(r"^\s*(?:,|;|,?\s*và|,?\s*hoặc)\s*$")

_MODIFIER_ALT = "|".join(map(re.escape, RELATION_MODIFIERS))
_CUE_ALT = "|".join(map(re.escape, (cue for cue, _ in RELATION_CUES)))
_RELATION_BEFORE = re.compile(
    r"(?<!\w)(?P<cue>" + _CUE_ALT + r")(?:[\s,]+(?:" + _MODIFIER_ALT + r"))*"
    r"(?:\s+(?:các\s+)?(?:nội dung|nhiệm vụ|quy định)[^.;:()“”\n]{0,40}?\s(?:tại|của|theo))?"
    r"(?:\s+(?:quy định\s+)?(?:tại\s+)?(?:[Đđ]iều|[Kk]hoản|[Đđ]iểm)\s+[\w.]+(?:\s+của)?)?"
    r"(?:\s+(?:một số điều|nội dung|việc)(?:\s+của)?)?"
    r"\s+$",
    re.IGNORECASE,
)
_RELATION_OF_CUE = {cue.lower(): relation for cue, relation in RELATION_CUES}
_RANK = {relation: rank for rank, relation in enumerate(RELATION_STRENGTH)}
_CONTEXT = 200  # characters before a mention that can hold its type word, issuer or relation cue


@dataclass
class Mention:
    """One reference as found in a segment's text, before and after resolution."""

    start: int
    end: int
    number: str  # canonical symbol, the informal text, or the name
    kind: str  # symbol | informal | named
    type: str | None = None
    date: str | None = None
    informal_number: str | None = None  # "72" of "Kết luận 72"
    resolved: bool = True
    relation: str = "cites"
    issuer: str | None = None
    title: str | None = None
    implements: list[str] = field(default_factory=list)
    tail_end: int = 0  # end of the date, issuer and title that follow the mention
    written: str = ""  # the mention as written


# --- find ---------------------------------------------------------------------------------------


def find_mentions(text: str) -> list[Mention]:
    """Every reference in `text`, in order, without overlaps (symbols win over the other kinds)."""
    found: list[Mention] = []
    for symbol, match in find_symbols(text):
        start = match.start()
        type_word = _TYPE_BEFORE.search(text, max(0, start - 40), start)
        if type_word:
            start = type_word.start()
        doc_type = _type_name(type_word.group("type")) if type_word else type_of_symbol(symbol)
        found.append(Mention(start, match.end(), symbol, "symbol", doc_type))
    for match in _LETTER.finditer(text):
        found.append(Mention(match.start(), match.end(), match.group("symbol"), "symbol", "Công văn"))
        more = _LETTER_MORE.match(text, match.end())
        while more:
            found.append(
                Mention(more.start("symbol"), more.end(), more.group("symbol"), "symbol", "Công văn")
            )
            more = _LETTER_MORE.match(text, more.end())
    for match in _NAMED.finditer(text):
        found.append(_named_mention(match))
    for match in _INFORMAL.finditer(text):
        name, abbr = match.group("name"), match.group("abbr")
        doc_type = _type_name(name) if name else TYPE_BY_ABBREVIATION.get(abbr or "")
        found.append(
            Mention(
                match.start(), match.end(), match.group(0), "informal", doc_type, None, match.group("num")
            )
        )
    priority = {"symbol": 0, "named": 1, "informal": 2}
    found.sort(key=lambda m: (priority[m.kind], m.start))
    kept: list[Mention] = []  # sorted by start, never overlapping: a new mention checks its two neighbours
    starts: list[int] = []
    for mention in found:
        at = bisect.bisect_left(starts, mention.start)
        clear_before = at == 0 or kept[at - 1].end <= mention.start
        clear_after = at == len(kept) or mention.end <= kept[at].start
        if clear_before and clear_after:
            kept.insert(at, mention)
            starts.insert(at, mention.start)
    for mention in kept:
        mention.written = text[mention.start : mention.end]
    return kept


def _named_mention(match: re.Match[str]) -> Mention:
    kind = match.lastgroup or "plan"
    name = match.group(kind).strip()
    doc_type = _NAMED_TYPES[kind]
    end = match.end(kind)
    if kind == "law":  # a law named by its year keeps the year in its name; one with a date gets a date
        year = _LAW_YEAR.match(match.string, end)
        if year:
            end = year.end()
            name = match.string[match.start(kind) : end]
    return Mention(match.start(kind), end, name, "named", doc_type)


def _type_name(word: str) -> str | None:
    found = TYPE_BY_NAME.get(word.lower())
    return found.name if found else None


# --- resolve ------------------------------------------------------------------------------------


def resolve_mentions(mentions: Iterable[Mention], candidates: Collection[str]) -> None:
    """Give each informal mention the one symbol of `candidates` with its number and type, if only one."""
    informal = [m for m in mentions if m.kind == "informal"]
    if not informal:
        return
    wanted = {(m.informal_number or "").lstrip("0") for m in informal}
    # Only the candidates with a wanted number are parsed again, so long inputs stay linear.
    shortlist = [s for s in dict.fromkeys(candidates) if _leading_number(s) in wanted]
    for mention in informal:
        matches = _candidates_for(mention.informal_number or "", mention.type, shortlist)
        if len(matches) == 1:
            mention.number, mention.kind = matches[0], "symbol"
        else:
            mention.resolved = False


def _candidates_for(number: str, doc_type: str | None, symbols: Collection[str]) -> list[str]:
    chosen: list[str] = []
    seen: set[str] = set()
    for symbol in symbols:
        parsed = SYMBOL_PATTERN.fullmatch(symbol.strip())
        if not parsed or _number_of(parsed).lstrip("0") != number.lstrip("0"):
            continue
        if doc_type is not None and type_of_symbol(symbol) != doc_type:
            continue
        canonical = canonical_symbol(parsed)
        if canonical.upper() not in seen:
            seen.add(canonical.upper())
            chosen.append(canonical)
    return chosen


def _leading_number(symbol: str) -> str:
    digits = re.match(r"\s*(\d+)", symbol)
    return digits.group(1).lstrip("0") if digits else ""


def _number_of(match: re.Match[str]) -> str:
    return match.group("pnum") or match.group("snum")


# --- annotate -----------------------------------------------------------------------------------


def annotate(text: str, mentions: list[Mention]) -> None:
    """Read each mention's date, issuer, title, relation and what it implements from the text around it."""
    for index, mention in enumerate(mentions):
        limit = mentions[index + 1].start if index + 1 < len(mentions) else len(text)
        _read_tail(text, mention, limit)
    for index, mention in enumerate(mentions):
        previous = mentions[index - 1] if index else None
        gap_start = previous.tail_end if previous else max(0, mention.start - _CONTEXT)
        gap = text[max(gap_start, mention.start - _CONTEXT) : mention.start]
        if previous is not None and _CHAIN_IMPLEMENTS.fullmatch(gap) and previous.kind != "named":
            previous.implements.append(mention.number)
            continue  # what the previous document implements; this text only cites it
        cue = _RELATION_BEFORE.search(gap)
        if cue and _DESCRIBED_IMPLEMENTER.search(gap):
            pass  # stays "cites"
        elif cue:
            mention.relation = _RELATION_OF_CUE.get(cue.group("cue").lower(), "cites")
        elif previous is not None and _LIST_SEPARATOR.match(gap) and not _is_chained(mentions, index - 1):
            revised = previous.relation == "amends" and _REVISED_VERSION.match(text, mention.end)
            mention.relation = "cites" if revised else previous.relation
        if mention.issuer is None:
            before = _ISSUER_BEFORE.search(gap)
            if before:
                mention.issuer = before.group("issuer")
    _share_issuers(text, mentions)


def _share_issuers(text: str, mentions: list[Mention]) -> None:
    """In "A, ngày ... và B, ngày ... của Bộ Chính trị" the issuer after B is A's too."""
    for index in range(len(mentions) - 2, -1, -1):
        mention, following = mentions[index], mentions[index + 1]
        gap = text[mention.tail_end : following.start]
        same_issuer = _issuer_code(mention.number) == _issuer_code(following.number) is not None
        if mention.issuer is None and following.issuer and same_issuer and _LIST_SEPARATOR.match(gap):
            mention.issuer = following.issuer


def _read_tail(text: str, mention: Mention, limit: int) -> None:
    position = mention.end
    date = _DATE_AFTER.match(text, position, limit)
    if date:
        mention.date = mention.date or parse_date(date.group("date"))
        position = date.end()
    issuer = _ISSUER_AFTER.match(text, position, limit)
    if issuer:
        mention.issuer = issuer.group("issuer").strip()
        position = issuer.end()
        if mention.date is None:
            date = _DATE_AFTER.match(text, position, limit)
            if date:
                mention.date = parse_date(date.group("date"))
                position = date.end()
    title = _TITLE_AFTER.match(text, position, limit)
    if title and not _CHAIN_IMPLEMENTS.fullmatch(text, position, limit):
        mention.title = (title.group("quoted") or title.group("about")).strip()
        position = title.end()
    mention.tail_end = position


def _issuer_code(symbol: str) -> str | None:
    """The issuing body's code of a symbol: "TW" of "72-KL/TW", "TTg" of "42/2014/QĐ-TTg"."""
    parsed = SYMBOL_PATTERN.fullmatch(symbol)
    return (parsed.group("pissuer") or parsed.group("sissuer")).upper() if parsed else None


def _is_chained(mentions: list[Mention], index: int) -> bool:
    """Whether mention `index` is the object of a "X ... thực hiện Y" chain (a cited document's source)."""
    return index > 0 and mentions[index].number in mentions[index - 1].implements


# --- the stage ----------------------------------------------------------------------------------


def extract_citations(document: Document, known_symbols: Collection[str] = ()) -> None:
    """Fill `segment.citations` for every segment and `document.citations`, merged per number."""
    own = (document.number or "").upper()
    found = [(segment, find_mentions(segment.text)) for segment in document.segments]
    full_symbols = [m.number for _, mentions in found for m in mentions if m.kind == "symbol"]
    candidates = [s for s in [*full_symbols, *known_symbols] if s.upper() != own]
    for segment, mentions in found:
        resolve_mentions(mentions, candidates)
        annotate(segment.text, mentions)
        citations = [_citation(m) for m in mentions if m.number.upper() != own]
        segment.citations = merge_citations(citations)
    document.citations = merge_citations(c for segment in document.segments for c in segment.citations)


def _citation(mention: Mention) -> Citation:
    return Citation(
        number=mention.number,
        type=mention.type,
        date=mention.date,
        issuer=mention.issuer,
        title=mention.title,
        relation=mention.relation,
        implements=list(dict.fromkeys(mention.implements)),
        mention=mention.written,
        span=(mention.start, mention.end),
        named=mention.kind == "named",
        resolved=mention.resolved,
    )


def merge_citations(citations: Iterable[Citation]) -> list[Citation]:
    """One citation per number (case-insensitive; named ones per name and date), facts merged."""
    merged: dict[tuple[str, str | None], Citation] = {}
    for citation in citations:
        key = (fold_diacritics(citation.number).upper(), citation.date if citation.named else None)
        kept = merged.get(key)
        if kept is None:
            merged[key] = replace(citation, implements=list(citation.implements))
            continue
        kept.number = _better(kept.number, citation.number) or kept.number
        kept.type = kept.type or citation.type
        kept.date = kept.date or citation.date
        kept.issuer = _better(kept.issuer, citation.issuer)
        kept.title = _better(kept.title, citation.title)
        kept.implements.extend(s for s in citation.implements if s not in kept.implements)
        if _RANK.get(citation.relation, 99) < _RANK.get(kept.relation, 99):
            kept.relation = citation.relation
    return list(merged.values())


def _better(kept: str | None, other: str | None) -> str | None:
    """The first value written, unless it is in capitals (a title line) and the other is not."""
    if kept is None or (kept.isupper() and other is not None and not other.isupper()):
        return other if other is not None else kept
    return kept


# --- informal forms, for search and trace ------------------------------------------------------


def informal_forms(symbol: str) -> list[str]:
    """How people write `symbol` informally: "72-KL/TW" → "KL 72", "KL72", "Kết luận 72", "Kết luận số 72"."""
    parsed = SYMBOL_PATTERN.fullmatch(symbol.strip())
    if not parsed:
        return [symbol]
    number = _number_of(parsed)
    abbr = parsed.group("pabbr") or parsed.group("sabbr")
    forms = [canonical_symbol(parsed), f"{abbr} {number}", f"{abbr}{number}"]
    type_name = TYPE_BY_ABBREVIATION.get(abbr)
    if type_name:
        forms += [
            f"{type_name} {number}",
            f"{type_name} số {number}",
            f"{type_name} số {canonical_symbol(parsed)}",
        ]
    return list(dict.fromkeys(forms))


def resolve_reference(text: str, known_symbols: Collection[str]) -> list[str]:
    """Symbols of `known_symbols` a typed reference may mean ("kết luận 72", "KL72", "nghi quyet so 13")."""
    query = " ".join(text.split())[:200]
    exact = find_symbols(query)
    if exact:
        wanted = {symbol.upper() for symbol, _ in exact}
        return [s for s in dict.fromkeys(known_symbols) if s.upper() in wanted] or [exact[0][0]]
    folded = fold_diacritics(query).lower()
    match = _FOLDED_REFERENCE.search(folded)
    if not match:
        return []
    word = match.group("word")
    doc_type = _FOLDED_TYPES.get(word) if word else None
    return _candidates_for(match.group("num"), doc_type, list(known_symbols))


_FOLDED_TYPES = {fold_diacritics(t.name).lower(): t.name for t in DOCUMENT_TYPES} | {
    fold_diacritics(abbr).lower(): name for abbr, name in TYPE_BY_ABBREVIATION.items()
}
_FOLDED_REFERENCE = re.compile(
    r"(?:(?<![a-z0-9])(?P<word>"
    + "|".join(map(re.escape, sorted(_FOLDED_TYPES, key=len, reverse=True)))
    + r")\s*(?:so\s*)?)?(?P<num>\d{1,5})(?!\d)"
)
