"""Restoring diacritics to a query typed without them, from the corpus's own words.

"ha tang giao thong" → "hạ tầng giao thông": each folded syllable pair (and, failing that,
syllable) takes its most frequent accented form in the indexed texts. Pairs settle the
ambiguous cases ("tang" is "tầng" after "hạ" but "tăng" after "gia"). The dense model
reads the restored query: multilingual-e5 matches "hạ tầng" far better than "ha tang".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ingest.normalize import fold_diacritics
from nlp.lexical import has_diacritics, syllables


class DiacriticRestorer:
    def __init__(self) -> None:
        self.pairs: dict[str, Counter[str]] = {}
        self.singles: dict[str, Counter[str]] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> DiacriticRestorer:
        restorer = cls()
        for text in texts:
            restorer.add(text)
        return restorer

    def add(self, text: str) -> None:
        words = syllables(text)
        folded = [fold_diacritics(w) for w in words]
        for word, key in zip(words, folded, strict=True):
            self.singles.setdefault(key, Counter())[word] += 1
        for i in range(len(words) - 1):
            key = f"{folded[i]} {folded[i + 1]}"
            self.pairs.setdefault(key, Counter())[f"{words[i]} {words[i + 1]}"] += 1

    def restore(self, query: str) -> str | None:
        """The query with diacritics, or None when it has some already or nothing is known."""
        if has_diacritics(query):
            return None
        words = [fold_diacritics(w) for w in syllables(query)]
        restored: list[str] = []
        i = 0
        while i < len(words):
            pair = self.pairs.get(f"{words[i]} {words[i + 1]}") if i + 1 < len(words) else None
            if pair:
                restored.extend(pair.most_common(1)[0][0].split(" "))
                i += 2
                continue
            single = self.singles.get(words[i])
            restored.append(single.most_common(1)[0][0] if single else words[i])
            i += 1
        result = " ".join(restored)
        return result if result != " ".join(words) else None
