"""Who may read what: the one visibility rule every read of the store applies.

A document is visible to a caller whose access levels include the document's level; a segment, a
catalog fact and a catalog edge are visible when the document that holds or states them is.
"""

from __future__ import annotations

from collections.abc import Collection

from search_api.access import LEVELS


def levels_up_to(level: str) -> tuple[str, ...]:
    """The levels a reader cleared for `level` may read: it and every level below it."""
    return LEVELS[: LEVELS.index(level) + 1]


def may_read(levels: Collection[str] | None, access_level: str) -> bool:
    """The rule of `visible` for a level already read: whether `levels` may read a document at
    `access_level` (None: the owner, who reads everything)."""
    return levels is None or access_level in levels


def visible(levels: Collection[str], column: str = "access_level") -> tuple[str, tuple[str, ...]]:
    """The SQL condition on a documents `column` and its parameters: no levels see nothing."""
    levels = tuple(levels)
    if not levels:
        return "0", ()
    return f"{column} IN ({','.join('?' for _ in levels)})", levels


def visible_document_ids(levels: Collection[str]) -> tuple[str, tuple[str, ...]]:
    """A sub-select of the ids of the documents `levels` may read, for facts keyed by document id."""
    condition, params = visible(levels)
    return f"SELECT id FROM documents WHERE {condition}", params
