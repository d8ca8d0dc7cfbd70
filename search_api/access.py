"""Access levels and API keys.

Documents are public, internal or confidential ("Mật"). A caller without a key sees public
documents only and cannot write; each key in `VANBAN_API_KEYS` ("key=level,key2=level2")
sees its own level and those below, and may write. The CLI, run by whoever owns the store,
sees everything.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass

from ingest.model import VanbanError

# Access levels, lowest first, with how the page names them.
LEVEL_LABELS: dict[str, str] = {"public": "Công khai", "internal": "Nội bộ", "confidential": "Mật"}
LEVELS: tuple[str, ...] = tuple(LEVEL_LABELS)
EVERYTHING: tuple[str, ...] = LEVELS


@dataclass(frozen=True)
class Caller:
    level: str
    can_write: bool

    @property
    def levels(self) -> tuple[str, ...]:
        """The access levels this caller may see."""
        return LEVELS[: LEVELS.index(self.level) + 1]

    def may_see(self, level: str) -> bool:
        return level in self.levels


ANONYMOUS = Caller("public", can_write=False)


def check_level(level: str) -> str:
    if level not in LEVELS:
        raise VanbanError(f"unknown access level '{level}': one of {', '.join(LEVELS)}")
    return level


def parse_api_keys(raw: str | None = None) -> dict[str, Caller]:
    """`VANBAN_API_KEYS` as {key: caller}; a key without "=level" sees everything. A bad entry is one
    VanbanError naming the variable and the entry's position, never the key itself."""
    raw = os.environ.get("VANBAN_API_KEYS", "") if raw is None else raw
    keys: dict[str, Caller] = {}
    for number, entry in enumerate((e.strip() for e in raw.split(",") if e.strip()), 1):
        key, _, level = entry.partition("=")
        key, level = key.strip(), (level.strip() or "confidential")
        if len(key) < 8:
            raise VanbanError(
                f"VANBAN_API_KEYS: key {number} is {len(key)} characters long; each key needs at least 8"
            )
        if level not in LEVELS:
            raise VanbanError(
                f"VANBAN_API_KEYS: key {number} has the unknown access level '{level}': "
                f"one of {', '.join(LEVELS)}"
            )
        keys[key] = Caller(level, can_write=True)
    return keys


def caller_for(key: str | None, keys: dict[str, Caller]) -> Caller | None:
    """The caller a presented key stands for; None for a wrong key (anonymous when no key is given)."""
    if not key:
        return ANONYMOUS
    for known, caller in keys.items():
        if hmac.compare_digest(known.encode(), key.encode()):
            return caller
    return None
