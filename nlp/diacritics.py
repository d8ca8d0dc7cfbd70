"""Restoring diacritics to a query typed without them, from the corpus's own words.

"ha tang giao thong" → "hạ tầng giao thông": each folded syllable pair (and, failing that,
syllable) takes its most frequent accented form in the indexed texts. Pairs settle the
ambiguous cases ("tang" is "tầng" after "hạ" but "tăng" after "gia"). The dense model
reads the restored query: multilingual-e5 matches "hạ tầng" far better than "ha tang".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ingest.normalize import fold_diacritics
from nlp.lexical import has_diacritics, syllables


@dataclass
class WordCounts:
    """What some texts teach a restorer: (folded key, accented form) → times seen, for syllables and
    pairs; kept per document, so that a document replaced or deleted can be forgotten again."""

    singles: Counter[tuple[str, str]] = field(default_factory=Counter)
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)

    @classmethod
    def of(cls, texts: Iterable[str]) -> WordCounts:
        counts = cls()
        for text in texts:
            words = syllables(text)
            folded = [fold_diacritics(w) for w in words]
            counts.singles.update(zip(folded, words, strict=True))
            counts.pairs.update(
                (f"{folded[i]} {folded[i + 1]}", f"{words[i]} {words[i + 1]}") for i in range(len(words) - 1)
            )
        return counts


class DiacriticRestorer:
    """Safe to read while another thread learns or forgets: a key's counter is replaced, never changed
    in place, and `restore` only looks keys up."""

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

    def learn(self, counts: WordCounts, sign: int = 1) -> None:
        """Add what `counts` saw (`sign` -1: forget it)."""
        for table, seen in ((self.singles, counts.singles), (self.pairs, counts.pairs)):
            by_key: dict[str, dict[str, int]] = defaultdict(dict)
            for (key, word), times in seen.items():
                by_key[key][word] = times
            for key, words in by_key.items():
                counter = Counter(table.get(key, ()))
                for word, times in words.items():
                    counter[word] += sign * times
                counter = +counter  # forms seen no more drop out
                if counter:
                    table[key] = counter
                else:
                    table.pop(key, None)

    def forget(self, counts: WordCounts) -> None:
        self.learn(counts, sign=-1)

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
