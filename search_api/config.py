"""Settings from the environment, with the defaults a provincial office needs."""

from __future__ import annotations

import math
import os
from dataclasses import fields
from pathlib import Path

from ingest.limits import Limits
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


def max_concurrent_uploads() -> int:
    """How many uploads the HTTP service handles at once (more are answered 429): `$VANBAN_MAX_UPLOADS`,
    default 2 (parsing is CPU work, and ingests are stored one at a time)."""
    raw = os.environ.get("VANBAN_MAX_UPLOADS", "").strip() or "2"
    try:
        uploads = int(raw)
    except ValueError:
        uploads = 0
    if uploads < 1:
        raise VanbanError(f"VANBAN_MAX_UPLOADS must be a whole number of at least 1, not '{raw}'")
    return uploads


def reader_memory_bytes() -> int:
    """The address space of the process that reads uploads: `$VANBAN_READER_MEMORY_MB`, default 2048.
    It idles near 780 MB of address space (340 MB resident) with its libraries loaded; a file that needs
    more than the rest fails with a clear error, and the service and other uploads go on."""
    raw = os.environ.get("VANBAN_READER_MEMORY_MB", "").strip() or "2048"
    return int(_positive("VANBAN_READER_MEMORY_MB", raw, "megabytes", whole=False) * 1024 * 1024)


def limits() -> Limits:
    """The work one document may cost (`ingest.limits.Limits`), each limit from its `VANBAN_MAX_…`
    variable when set: VANBAN_MAX_UNPACKED_MB, VANBAN_MAX_WORD_PARTS, VANBAN_MAX_ZIP_RATIO,
    VANBAN_MAX_XML_NODES, VANBAN_MAX_PARAGRAPHS, VANBAN_MAX_TABLE_CELLS, VANBAN_MAX_PAGES,
    VANBAN_MAX_CHARACTERS, VANBAN_MAX_SECONDS. A value that is not a positive number is an error."""
    values: dict[str, float] = {}
    for limit in fields(Limits):
        name = str(limit.metadata["setting"])
        raw = os.environ.get(name, "").strip()  # set but empty means the default
        if raw:
            values[limit.name] = _positive(
                name, raw, str(limit.metadata["unit"]), isinstance(limit.default, int)
            )
    return Limits(**values)  # type: ignore[arg-type]


def _positive(name: str, raw: str, unit: str, whole: bool) -> float:
    kind = "a positive whole number" if whole else "a positive number"
    try:
        value = float(raw.replace("_", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or (whole and not value.is_integer()):
        raise VanbanError(f"{name} must be {kind} of {unit}, not '{raw}'")
    return int(value) if whole else value


def max_queued_uploads() -> int:
    """How many uploads may wait to be read or be read at once, beyond which an upload is answered
    429: `$VANBAN_MAX_QUEUED_UPLOADS`, default 20 (each waits as a copy on disk)."""
    raw = os.environ.get("VANBAN_MAX_QUEUED_UPLOADS", "").strip() or "20"
    return int(_positive("VANBAN_MAX_QUEUED_UPLOADS", raw, "uploads", whole=True))


def upload_wait_seconds() -> float:
    """How long an upload request waits for its file to be read and stored before it answers 202 with
    the address to ask for it later: `$VANBAN_UPLOAD_WAIT_SECONDS`, default 20 (0: never waits)."""
    raw = os.environ.get("VANBAN_UPLOAD_WAIT_SECONDS", "").strip() or "20"
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds <= 600:
        raise VanbanError(
            f"VANBAN_UPLOAD_WAIT_SECONDS must be a number of seconds from 0 to 600, not '{raw}'"
        )
    return seconds
