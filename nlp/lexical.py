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

from ingest.normalize import fold_diacritics, match_key, normalize_tone_marks
from ingest.symbols import find_symbols

# BM25 parameters; the average length is a fixed estimate of a segment's term count
# (segments are paragraphs: the seed's average is about 150 terms with all term forms).
BM25_K1 = 1.2
BM25_B = 0.75
AVERAGE_TERMS = 150.0

_SYLLABLE = re.compile(r"\w+", re.UNICODE)
SYMBOL_PREFIX = "§"  # marks a whole-symbol term so it never collides with a syllable


def syllables(text: str, clean: bool = False) -> list[str]:
    """Syllables in matching form; `clean=True` for stored segment text, which normalization
    already cleaned (skipping the cleanup again is a quarter of the indexing time)."""
    return _SYLLABLE.findall(normalize_tone_marks(text).lower() if clean else match_key(text))


def symbol_terms(text: str) -> list[str]:
    """Whole symbols found in the text, canonical and type-number forms: "§72-kl/tw", "§kl 72"."""
    terms: list[str] = []
    for symbol, _ in find_symbols(text):
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


def compound_words(words: Iterable[str]) -> list[str]:
    """Multi-syllable words from word segmentation ("hạ_tầng"), in matching form."""
    return [_compound_key(word) for word in words if " " in word.strip()]


def segment_terms(text: str, words: Iterable[str] | None = None, with_symbols: bool = True) -> list[str]:
    """All terms of a stored (already normalized) passage, with repetitions: term frequency matters."""
    base = syllables(text, clean=True)
    compounds = compound_words(words) if words is not None else []
    terms = base + compounds
    folded = [_folded(term) for term in terms]
    terms += [f for f, original in zip(folded, terms, strict=True) if f != original]
    if with_symbols:
        terms += symbol_terms(text)
    return terms


@lru_cache(maxsize=500_000)
def term_index(term: str) -> int:
    """Stable 31-bit index of a term (CRC-32): the same term maps to the same index everywhere."""
    return zlib.crc32(term.encode("utf-8")) & 0x7FFFFFFF


def passage_vector(terms: list[str]) -> tuple[list[int], list[float]]:
    """BM25 term-frequency weights per term index (the IDF part comes from Qdrant)."""
    counts = Counter(term_index(term) for term in terms)
    length_norm = 1 - BM25_B + BM25_B * len(terms) / AVERAGE_TERMS
    indices = sorted(counts)
    values = [counts[i] * (BM25_K1 + 1) / (counts[i] + BM25_K1 * length_norm) for i in indices]
    return indices, values


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
