"""Terminal output shared by the CLI modules: rich consoles, the one-line error format, and how
untrusted text (file names, document words) is shown."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from search_api.untrusted import printable

# Piped output gets a wide page rather than rich's default 80 columns: tables stay readable in a file.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 140

stdout = Console(highlight=False, soft_wrap=True, width=_WIDTH)
stderr = Console(stderr=True, highlight=False)


def literal(text: object, limit: int | None = None, keep_newlines: bool = False) -> str:
    """`printable` for rich output: markup in the text (a file named "[bold]x.txt") shows as written."""
    return escape(printable(text, limit, keep_newlines))


def error(message: str) -> None:
    """One plain line, never wrapped: scripts and people both read it. Whatever the message quotes
    (file names, document text) is shown escaped by `printable`."""
    sys.stderr.write(f"vanban: error: {printable(' '.join(message.split()))}\n")


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
