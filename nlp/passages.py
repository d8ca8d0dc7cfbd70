"""Parts of a long passage, embedded one by one beside the whole.

A plan's task paragraph can run to 1,500 characters and name a dozen projects; one embedding of the
whole is an average in which each project is faint, so a query about one of them ("sân bay") misses
the paragraph. The index keeps the whole passage's vector and one per part, and scores a segment by
its best vector (Qdrant's MaxSim over a multivector: the max cosine for a one-vector query), as
passage-level retrieval does with MaxP.

Measured on `evaluation/queries.jsonl`, dense-only: MRR@10 0.761 → 0.791 and Recall@5 0.780 → 0.823
overall, paraphrase MRR@10 0.611 → 0.721, with parts of at most 350 characters cut at sentence ends.
"""

from __future__ import annotations

import re

# Shorter passages are embedded whole only: one or two sentences are not diluted.
LONG_PASSAGE_CHARS = 400
PART_CHARS = 350
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+|\n+")


def passage_parts(text: str) -> list[str]:
    """Consecutive sentences of a long text grouped into parts of at most PART_CHARS (a longer
    sentence is a part by itself); [] for a text short enough to embed whole, or of one sentence."""
    if len(text) <= LONG_PASSAGE_CHARS:
        return []
    parts: list[str] = []
    current = ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(text)):
        if not sentence:
            continue
        if current and len(current) + 1 + len(sentence) > PART_CHARS:
            parts.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}" if current else sentence
    if current:
        parts.append(current)
    return parts if len(parts) > 1 else []
