"""Progress of OCR, page by page, for callers that show it (the command line): a 100-page scan
takes minutes. Kept apart from the engines so that showing it loads nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[int, int], None]  # (pages done, pages in all)

_current: Progress | None = None


@contextmanager
def ocr_progress(callback: Progress) -> Iterator[None]:
    """Within the block, each page recognised is reported to `callback(pages done, pages in all)`."""
    global _current
    previous, _current = _current, callback
    try:
        yield
    finally:
        _current = previous


def report_page(done: int, total: int) -> None:
    if _current is not None:
        _current(done, total)


def report_pages_to(callback: Progress) -> None:
    """For the whole process, each page recognised is reported to `callback` (the service's reader
    process, whose pages the service shows as an upload's progress)."""
    global _current
    _current = callback
