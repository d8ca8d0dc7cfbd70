"""Vietnamese word segmentation that keeps agency, document-type and Kon Tum place names whole.

underthesea 9.5.0's `word_tokenize(..., fixed_words=...)` compiles the list into a module global
that stays in force for later calls passing none (checked on the installed version; upstream
PR #1075). So the lexicon is built in ONE place, `LEXICON`, and passed on every call: each call
then segments the same way whatever another caller passed before. underthesea runs at a few
hundred KB/s, too slow for the analysis hot path; it serves search terms, not assignments.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from underthesea import word_tokenize as _underthesea_word_tokenize

from ingest.limits import Budget
from ingest.model import Document
from ingest.vocabulary import DOCUMENT_TYPES
from nlp.agencies import AgencyRegistry

PLACES_FILE = Path(__file__).parent / "data" / "lexicon.txt"
# underthesea pastes fixed words into a regex unescaped: only plain words, spaces, hyphens, apostrophes.
_SAFE_ENTRY = re.compile(r"^[\w' -]+$")


def _places() -> list[str]:
    lines = PLACES_FILE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def lexicon() -> tuple[str, ...]:
    """Multi-word names to keep whole, longest first so the longest alternative wins."""
    registry = AgencyRegistry.default()
    words = {w for a in registry.agencies for w in (a.name, *a.aliases)}
    words.update(t.name for t in DOCUMENT_TYPES)
    words.update(_places())
    entries = {w.strip() for w in words if " " in w.strip() and _SAFE_ENTRY.match(w.strip())}
    return tuple(sorted(entries, key=lambda w: (-len(w), w)))


def word_tokenize(text: str) -> list[str]:
    """Words of `text`, multi-syllable words joined by a space ("Ban Tuyên giáo Tỉnh ủy" stays one)."""
    if not text.strip():
        return []
    return list(_underthesea_word_tokenize(text, fixed_words=list(lexicon())))


def annotate_words(document: Document, budget: Budget | None = None) -> None:
    """Keep each segment's multi-syllable words (the compounds search indexes as whole terms); within
    the document's time `budget` when one is given (the slowest stage: 168 KB/s)."""
    for segment in document.segments:
        if budget is not None:
            budget.tick("segmenting words")
        segment.words = [word for word in word_tokenize(segment.text) if " " in word]
