"""Terminal output shared by the CLI modules: rich consoles and the one-line error format."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console

# Piped output gets a wide page rather than rich's default 80 columns: tables stay readable in a file.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 140

stdout = Console(highlight=False, soft_wrap=True, width=_WIDTH)
stderr = Console(stderr=True, highlight=False)


def error(message: str) -> None:
    """One plain line, never wrapped: scripts and people both read it."""
    sys.stderr.write(f"vanban: error: {' '.join(message.split())}\n")


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
