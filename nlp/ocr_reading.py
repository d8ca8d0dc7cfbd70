"""What analysis reads of a segment OCR read: its text with the slips that matter mended, the stored
text left as OCR gave it.

OCR's commonest slips in Vietnamese are tone and vowel marks ("úy ban nhân dân tĩnh" for "ủy ban
nhân dân tỉnh", "tố chức" for "tổ chức", "Đế án" for "Đề án") and the punctuation of symbols
("72-KLITW", "72-KL/T W"). A misread mark hides an agency or a role verb from the extractors, a misread
slash a citation. The reading copy puts back, where a run of words differs from a phrase of the
vocabulary (role verbs, agency names, document types) only by its marks, the phrase's marks, and
writes a symbol OCR misread in its canonical form. The copy has the text's length, character for
character, so every span found in it is a span of the stored text.
"""

from __future__ import annotations

import re
import unicodedata

from ingest.normalize import fold_diacritics, match_key
from ingest.symbols import SYMBOL_PATTERN, find_symbols
from ingest.vocabulary import COLUMN_ROLE_WORDS, DOCUMENT_TYPES, ROLE_VERBS
from nlp.agencies import AgencyRegistry

# A one-word phrase folds onto too many other words ("sở", "số"). An agency of two words, and a
# document type, is mended only where it is written as a name, capitalised ("Tinh đoàn" → "Tỉnh
# đoàn"): "các số" is not "các sở", "giao thông từ" is not "thông tư".
_NAME_WORDS = 2
_ANY_CASE_WORDS = 3


def reading_copy(text: str, registry: AgencyRegistry | None = None) -> str:
    """`text` with the marks of vocabulary phrases and the punctuation of symbols mended; the same
    length as `text`."""
    phrases = _phrases(registry or AgencyRegistry.default())
    chars = list(text)
    folded = "".join(_fold_char(c) for c in text)
    slips = []
    for match in phrases.pattern.finditer(folded.lower()):
        phrase = phrases.by_folded[match.group(0)]
        if phrase is None:
            continue  # two phrases fold alike: which one OCR misread is not known
        if match.group(0) in phrases.names_only and not text[match.start()].isupper():
            continue
        written = text[match.start() : match.end()].lower()
        if written != phrase and not _strips_marks(written, phrase):
            slips.append((match.start(), match.end(), phrase))
    words = _word_edges(text) if slips else None
    for start, end, phrase in slips:
        if words is not None and (start not in words[0] or end not in words[1]):
            continue  # it straddles words: "chứng chỉ đào tạo" holds no "chỉ đạo", nor "tình huống dẫn" a "hướng dẫn"
        for offset, correct in enumerate(phrase):
            at = start + offset
            chars[at] = correct.upper() if text[at].isupper() else correct
    for symbol, start, end in mended_symbols(text):
        chars[start:end] = list(symbol.ljust(end - start))
    return "".join(chars)


def mended_symbols(text: str) -> list[tuple[str, int, int]]:
    """The symbols OCR misread in `text` that the reading copy writes in canonical form, with where they
    stand; a canonical form shorter than what OCR read is padded with spaces after it, so a span that
    ends in that padding ends, in the text, where the symbol as read ends."""
    return [
        (symbol, match.start(), match.end())
        for symbol, match in find_symbols(text, ocr=True)
        if not SYMBOL_PATTERN.fullmatch(match.group(0)) and len(symbol) <= match.end() - match.start()
    ]


def _word_edges(text: str) -> tuple[set[int], set[int]] | None:
    """Where the words of `text` start and end, as the word segmenter reads it; None when its words
    cannot be found again in the text (then no slip is held back for want of them)."""
    from nlp.tokenize import word_tokenize  # loads the segmenter's model: only when a slip is found

    starts, ends, cursor = set(), set(), 0
    for word in word_tokenize(text):
        at = text.find(word, cursor)
        if at < 0:
            return None
        cursor = at + len(word)
        # The segmenter glues a cell's "|" or a quote to the word after it: the word is its letters.
        letters = word.strip(_NOT_WORD)
        if letters:
            start = at + word.index(letters)
            starts.add(start)
            ends.add(start + len(letters))
    return starts, ends


_NOT_WORD = " |,;:.!?()[]\"'“”‘’-–—*#"


def _strips_marks(written: str, phrase: str) -> bool:
    """Whether `phrase` has no mark where `written` has one: OCR misreads marks and drops them, but a
    phrase without them is another word or an abbreviation's key ("CÁC TỪ" is not "các tu")."""
    return any(_fold_char(w) != w and _fold_char(p) == p for w, p in zip(written, phrase, strict=True))


def _fold_char(char: str) -> str:
    """One character without its marks, still one character ("ế" → "e", "đ" → "d")."""
    folded = fold_diacritics(char)
    return folded if len(folded) == 1 else char


class _Phrases:
    def __init__(self, phrases: set[str], names: set[str]) -> None:
        """`phrases` are mended wherever they stand, `names` only where they start with a capital."""
        self.names_only = {"".join(_fold_char(c) for c in name) for name in names} - {
            "".join(_fold_char(c) for c in phrase) for phrase in phrases
        }
        phrases = phrases | names
        self.by_folded: dict[str, str | None] = {}
        for phrase in phrases:
            key = "".join(_fold_char(c) for c in phrase)
            if len(key) != len(phrase):
                continue
            known = self.by_folded.get(key, phrase)
            self.by_folded[key] = phrase if known == phrase else None
        alternatives = sorted(self.by_folded, key=len, reverse=True)
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\w)")


_BUILT: dict[int, tuple[AgencyRegistry, _Phrases]] = {}  # by registry: the default one, a test's


def _phrases(registry: AgencyRegistry) -> _Phrases:
    built = _BUILT.get(id(registry))
    if built is None or built[0] is not registry:
        built = _BUILT[id(registry)] = (registry, _built(registry))
    return built[1]


def _built(registry: AgencyRegistry) -> _Phrases:
    words = {verb for verb, _ in ROLE_VERBS} | {word for word, _ in COLUMN_ROLE_WORDS}
    names = set(registry.keys())
    # As writers abbreviate them: "văn phòng ubnd tỉnh" for "văn phòng ủy ban nhân dân tỉnh".
    for abbreviation, written_out in registry.abbreviations.items():
        full = match_key(written_out)
        names |= {name.replace(full, abbreviation.lower()) for name in names if full in name}
    words |= {name for name in names if len(name.split()) >= _ANY_CASE_WORDS}
    names = {name for name in names if len(name.split()) == _NAME_WORDS}
    # A type is named with a capital ("Thông tư", "Đề án"); "giao thông từ xã" holds no "thông tư".
    names |= {t.name for t in DOCUMENT_TYPES}

    def keys(found: set[str]) -> set[str]:
        return {unicodedata.normalize("NFC", w.lower()) for w in found if " " in w}

    return _Phrases(keys(words), keys(names))
