"""Text from outside (a file name, a document's words) made safe to show on a terminal or a page."""

from __future__ import annotations

import unicodedata

# Characters that must not reach a terminal or a page as they are: controls (escape sequences), format
# characters (the bidi overrides U+202A-U+202E and isolates U+2066-U+2069 that reorder what follows, zero
# width ones), surrogates, and line and paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(text: object, limit: int | None = None, keep_newlines: bool = False) -> str:
    """Untrusted text (a file name, a document's words) made safe to show: every control, bidi or
    invisible character as a visible escape (U+202E becomes `\\u202e`), cut to `limit` characters
    with "…". The one helper for everything the CLI and the service show from outside."""
    text = str(text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 1, 0)] + "…"
    return "".join(_shown(char, keep_newlines) for char in text)


def _shown(char: str, keep_newlines: bool) -> str:
    if unicodedata.category(char) not in _HIDDEN_CATEGORIES or (keep_newlines and char == "\n"):
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
