"""Terminal output shared by the CLI modules: rich consoles and the one-line error format."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Piped output gets a wide page rather than rich's default 80 columns: tables stay readable in a file.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 140

stdout = Console(highlight=False, soft_wrap=True, width=_WIDTH)
stderr = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    """One plain line, never wrapped: scripts and people both read it."""
    sys.stderr.write(f"vanban: error: {' '.join(message.split())}\n")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def progress_bar(disable: bool = False) -> Progress:
    """The progress bar of long commands, on stderr so that stdout stays clean for --json."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=disable,
    )
