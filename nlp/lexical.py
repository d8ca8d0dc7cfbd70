"""Lexical terms for the sparse (BM25-style) side of search.

A segment's terms: its syllables in matching form (lowercase, one tone-mark placement) and
diacritic-folded ("hạ tầng" and "ha tang" meet both ways), multi-syllable words from
underthesea word segmentation in both forms, document symbols in canonical and informal
forms ("72-KL/TW", "KL 72", "kết luận 72"), and numbers. Terms hash to sparse indices;
values are BM25 term-frequency saturation, and Qdrant's IDF modifier supplies the IDF.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from itertools import compress
from operator import ne

import numpy as np

from ingest.normalize import fold_diacritics, match_key, normalize_tone_marks
from ingest.symbols import find_symbols

# BM25 parameters; the average length is a fixed estimate of a segment's term count
# (segments are paragraphs: the seed's average is about 150 terms with all term forms).
BM25_K1 = 1.2
BM25_B = 0.75
AVERAGE_TERMS = 150.0

_SYLLABLE = re.compile(r"\w+", re.UNICODE)
# Every symbol has a digit followed by "-" or "/" ("72-KL/TW", "03/NQ-CP"): a cheap test before the pattern.
_MAY_HOLD_SYMBOL = re.compile(r"\d[-/]")
SYMBOL_PREFIX = "§"  # marks a whole-symbol term so it never collides with a syllable


def syllables(text: str) -> list[str]:
    """Syllables in matching form."""
    return _SYLLABLE.findall(match_key(text))


def symbol_terms(text: str, ocr: bool = False) -> list[str]:
    """Whole symbols found in the text, canonical and type-number forms: "§72-kl/tw", "§kl 72"; `ocr`:
    the text was read by OCR, and symbols whose punctuation it misread count too ("72-KLITW")."""
    terms: list[str] = []
    for symbol, _ in find_symbols(text, ocr):
        terms.extend(symbol_forms(symbol))
    return terms


def symbol_forms(symbol: str) -> list[str]:
    """The terms a symbol indexes under: its canonical form and "abbreviation number"."""
    canonical = fold_diacritics(symbol).lower()
    number = re.match(r"\d+", canonical)
    abbreviation = re.search(r"[-/]([a-z]+)[-/]", canonical) or re.search(r"-([a-z]+)/", canonical)
    forms = [SYMBOL_PREFIX + canonical]
    if number and abbreviation:
        forms.append(f"{SYMBOL_PREFIX}{abbreviation.group(1)} {number.group(0)}")
    return forms


@lru_cache(maxsize=200_000)
def _compound_key(word: str) -> str:
    return match_key(word).replace(" ", "_")


@lru_cache(maxsize=200_000)
def _folded(term: str) -> str:
    # Terms repeat across segments far more than they vary: fold each distinct one once.
    return fold_diacritics(term)


# Folding character by character equals fold_diacritics (NFD, then marks dropped) for every character
# below U+2000, which covers Vietnamese; a text with a letter above that folds term by term instead.
_FOLD_TABLE = {
    code: fold_diacritics(chr(code))
    for code in range(0xC0, 0x2000)
    if fold_diacritics(chr(code)) != chr(code)
}
_LETTER_BEYOND_FOLD_TABLE = re.compile(r"[^\W\x00-\u1fff]")


def compound_words(words: Iterable[str]) -> list[str]:
    """Multi-syllable words from word segmentation ("hạ_tầng"), in matching form."""
    return [_compound_key(word) for word in words if " " in word.strip()]


def passage_terms(
    text: str, words: Iterable[str] | None = None, with_symbols: bool = True, ocr: bool = False
) -> Counter[str]:
    """Term counts of a stored (already normalized) passage: syllables and compound words, each also
    under its diacritic-folded form, and whole symbols.

    Indexing speed rests on this function, so the per-term work happens in C: the text is folded once,
    and the terms that folding changed are picked by comparing the two term lists. `ocr`: the text was
    read by OCR (`symbol_terms`)."""
    # Stored text is clean already: only the tone marks and the case need matching form.
    keyed = normalize_tone_marks(text).lower()
    unfolded = _SYLLABLE.findall(keyed)
    folded = (
        [] if _LETTER_BEYOND_FOLD_TABLE.search(keyed) else _SYLLABLE.findall(keyed.translate(_FOLD_TABLE))
    )
    if len(folded) != len(unfolded):  # a letter beyond the table, or folding dropped a stray mark
        folded = list(map(_folded, unfolded))
    if words is not None:
        compounds = compound_words(words)
        unfolded += compounds
        folded += map(_folded, compounds)
    # Every term counts under its folded form, and one that has diacritics under its own form too.
    # (One list into one Counter: Counter.update's per-call type checks cost more than the counting.)
    terms = folded + list(compress(unfolded, map(ne, unfolded, folded)))
    if with_symbols and (ocr or _MAY_HOLD_SYMBOL.search(text)):
        terms += symbol_terms(text, ocr)
    return Counter(terms)


def segment_terms(text: str, words: Iterable[str] | None = None, with_symbols: bool = True) -> list[str]:
    """The distinct terms of a passage (as `passage_terms`, without the counts)."""
    return list(passage_terms(text, words, with_symbols))


_term_indices: dict[str, int] = {}


def term_index(term: str) -> int:
    """Stable 31-bit index of a term (CRC-32): the same term maps to the same index everywhere."""
    index = _term_indices.get(term)
    if index is None:
        if len(_term_indices) > 1_000_000:  # bound the memo, not the vocabulary
            _term_indices.clear()
        index = _term_indices[term] = zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF
    return index


def passage_vector(counts: Counter[str]) -> tuple[list[int], list[float]]:
    """BM25 term-frequency weights per term index (the IDF part comes from Qdrant). The indices come
    unsorted: Qdrant sorts a sparse vector itself, and sorting here was a tenth of the indexing time."""
    known = list(map(_term_indices.get, counts))
    indices: list[int] = list(map(term_index, counts)) if None in known else known  # type: ignore[assignment]
    frequencies = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    if len(set(indices)) != len(indices):  # two terms share an index: a server rejects repeated indices
        merged: dict[int, float] = {}
        for index, frequency in zip(indices, frequencies.tolist(), strict=True):
            merged[index] = merged.get(index, 0.0) + frequency
        indices, frequencies = list(merged), np.fromiter(merged.values(), dtype=np.float64, count=len(merged))
    length_norm = BM25_K1 * (1 - BM25_B + BM25_B * frequencies.sum() / AVERAGE_TERMS)
    weights: list[float] = (frequencies * (BM25_K1 + 1) / (frequencies + length_norm)).tolist()
    return indices, weights


def query_vector(terms: list[str]) -> tuple[list[int], list[float]]:
    """Each distinct query term once, weight 1."""
    indices = sorted({term_index(term) for term in terms})
    return indices, [1.0] * len(indices)


def has_diacritics(text: str) -> bool:
    return fold_diacritics(text) != text


def query_terms(query: str, symbols: Iterable[str] = ()) -> list[str]:
    """Terms of a user's query: syllables, adjacent pairs and triples (which meet the passages'
    compound words), folded forms only when the user typed none, and resolved symbols."""
    base = syllables(query)
    pairs = ["_".join(base[i : i + 2]) for i in range(len(base) - 1)]
    triples = ["_".join(base[i : i + 3]) for i in range(len(base) - 2)]
    terms = base + pairs + triples
    if not has_diacritics(query):
        terms = [fold_diacritics(term) for term in terms]
    terms += symbol_terms(query)
    for symbol in symbols:
        terms += symbol_forms(symbol)
    return list(dict.fromkeys(terms))
