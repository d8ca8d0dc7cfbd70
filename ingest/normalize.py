"""Normalization: display text cleanup and the keys used for matching.

Display text keeps what the author wrote (typos and OCR slips included) but is NFC,
has one space between words, no markdown emphasis and no list marker in front.
Matching keys additionally fix the tone-mark placement (hoà → hòa, thuỷ → thủy),
lowercase, and, for diacritic-insensitive matching, fold the marks away.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from ingest.model import Block, ocr_confidence_of

# Characters that carry no text: zero-width marks, BOM, soft hyphen, bidi controls.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200e\u200f"), None)
# Every space-like character becomes a plain space.
_SPACES = dict.fromkeys(
    map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t"),
    " ",
)
_QUOTES = {ord("„"): "“", ord("‟"): "”", ord("″"): "”", ord("‘"): "‘", ord("`"): "'"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MULTISPACE = re.compile(r" {2,}")
# `*word*` or `**words**` emphasis around non-space text; the `*` stays when it stands alone.
_EMPHASIS = re.compile(r"(\*{1,3})(?=\S)(.+?)(?<=\S)\1")
_STRAY_EMPHASIS = re.compile(r"(?<=\()\*{1,2}(?=\w)|(?<=\w)\*{1,2}(?=[)\s,.;:]|$)")
_LEADING_MARKER = re.compile(r"^\s*([-–—+•●▪*])\s+(?=\S)")

VOWELS = "aăâeêioôơuưy"
# Old-style tone placement on a syllable-final "oa", "oe", "uy": the mark moves to the first vowel.
_TONED_A = "àáảãạ"
_TONED_E = "èéẻẽẹ"
_TONED_Y = "ỳýỷỹỵ"
_TONE_OF = {c: i for group in (_TONED_A, _TONED_E, _TONED_Y) for i, c in enumerate(group)}
_TONED_O = "òóỏõọ"
_TONED_U = "ùúủũụ"
_OLD_STYLE_PAIR = re.compile(r"[oOuU][" + _TONED_A + _TONED_E + _TONED_Y + r"](?!\w)")
_OLD_STYLE = re.compile(
    r"(?<![qQ])([oO])([" + _TONED_A + _TONED_E + r"])(?![\w])|(?<![qQ])([uU])([" + _TONED_Y + r"])(?![\w])"
)


def clean_display(text: str) -> str:
    """NFC, invisible and control characters removed, spaces collapsed, quotes unified."""
    text = unicodedata.normalize("NFC", text)
    text = text.translate(_INVISIBLE).translate(_SPACES).translate(_QUOTES)
    text = _CONTROL.sub(" ", text)
    return _MULTISPACE.sub(" ", text).strip()


def strip_emphasis(text: str) -> str:
    """Remove markdown-like `*emphasis*` markers, including halves cut apart by a page break."""
    previous = None
    while previous != text:
        previous = text
        text = _EMPHASIS.sub(r"\2", text)
    return _STRAY_EMPHASIS.sub("", text)


def _new_to_old_style(match: re.Match[str]) -> str:
    if match.group(1):
        first, toned = match.group(1), match.group(2)
        base = "a" if toned in _TONED_A else "e"
        mark = _TONE_OF[toned]
        vowel = _TONED_O[mark]
    else:
        first, toned = match.group(3), match.group(4)
        base = "y"
        mark = _TONE_OF[toned]
        vowel = _TONED_U[mark]
    return (vowel.upper() if first.isupper() else vowel) + base


def normalize_tone_marks(text: str) -> str:
    """One tone-mark placement for matching: hoà → hòa, thuỷ → thủy (the seed's own style)."""
    text = unicodedata.normalize("NFC", text)
    # The full pattern starts with a look-behind, which makes the regex engine try every position;
    # this pair search is a fast scan, and most texts have no such pair at all.
    return _OLD_STYLE.sub(_new_to_old_style, text) if _OLD_STYLE_PAIR.search(text) else text


def match_key(text: str) -> str:
    """Lowercase, NFC, old-style tone marks: equal keys mean the same written words."""
    return normalize_tone_marks(clean_display(text)).lower()


def fold_diacritics(text: str) -> str:
    """Remove every diacritic ("hạ tầng" → "ha tang", "Đảng" → "Dang") for no-diacritics matching."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ---------------------------------------------------------------------------
# Block-level stage
# ---------------------------------------------------------------------------

_TERMINAL = (".", ":", ";", "!", "?", "”", '"', ")", "…")
_LOWER_START = re.compile(
    r"^[\(\[“\"]?[a-zàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]"
)


def normalize_blocks(blocks: list[Block]) -> list[Block]:
    """Clean every block, move leading list markers into `marker`, and re-join page-broken paragraphs."""
    cleaned: list[Block] = []
    for block in blocks:
        if block.cells is not None:
            cells = [strip_emphasis(clean_display(cell)) for cell in block.cells]
            cleaned.append(replace(block, cells=cells, text=" | ".join(cells)))
            continue
        text = clean_display(block.text)
        marker = block.marker
        found = _LEADING_MARKER.match(text)
        if found and not block.in_header:
            marker = marker or found.group(1)
            text = text[found.end() :]
        text = strip_emphasis(text)
        if text.strip("*").strip():
            cleaned.append(replace(block, text=text.strip(), marker=marker))
        elif block.in_header and text:
            cleaned.append(replace(block, text=text, marker=marker))
    return join_broken_paragraphs(cleaned)


def _is_title_line(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def join_broken_paragraphs(blocks: list[Block]) -> list[Block]:
    """Join a paragraph cut in two by a page break: no closing punctuation, then a lowercase start."""
    joined: list[Block] = []
    for block in blocks:
        if joined and _continues(joined[-1], block):
            previous = joined[-1]
            joined[-1] = replace(
                previous,
                text=previous.text + " " + block.text,
                italic=previous.italic and block.italic,
                bold=previous.bold and block.bold,
                ocr_confidence=ocr_confidence_of([previous, block]),
            )
            continue
        joined.append(block)
    return joined


# A lettered item ("a) Chủ trì ...", "đ) ...") starts lowercase but is never a paragraph's second half.
_LETTERED_ITEM = re.compile(r"^[a-zđ]\)\s")


def _continues(previous: Block, block: Block) -> bool:
    if previous.cells is not None or block.cells is not None or previous.in_header or block.in_header:
        return False
    if block.marker or previous.text.endswith(_TERMINAL) or _is_title_line(previous.text):
        return False
    if _LETTERED_ITEM.match(block.text):
        return False
    return bool(_LOWER_START.match(block.text))
