"""Settings from the environment, with the defaults a provincial office needs."""

from __future__ import annotations

import os
from pathlib import Path

from ingest.model import VanbanError


def home() -> Path:
    """Where the system of record and the index live: `$VANBAN_HOME`, default ./data."""
    return Path(os.environ.get("VANBAN_HOME", "").strip() or "data")  # set but empty means the default


def max_file_bytes() -> int:
    """The largest file `ingest` accepts: `$VANBAN_MAX_FILE_MB` megabytes, default 50."""
    raw = os.environ.get("VANBAN_MAX_FILE_MB", "50")
    try:
        megabytes = float(raw)
    except ValueError:
        raise VanbanError(f"VANBAN_MAX_FILE_MB must be a number of megabytes, not '{raw}'") from None
    if megabytes <= 0:
        raise VanbanError("VANBAN_MAX_FILE_MB must be positive")
    return int(megabytes * 1024 * 1024)
