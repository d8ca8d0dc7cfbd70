"""Readers turn a file's bytes into a `RawDocument`: blocks of text in reading order.

One reader per format; `read_file` picks it from the file's content first (magic bytes)
and its extension second, so a PDF renamed to .txt is still read as a PDF. Every reader works
within a `Budget` (`ingest.limits`): a file that would cost more than its limits allow is refused
with `TooLarge`, naming the limit and the setting that raises it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from ingest.limits import Budget, Limits
from ingest.model import RawDocument, ReadError, TooLarge, UnsupportedFormat

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# (data, source path, sha256, budget) -> RawDocument
Reader = Callable[[bytes, str, str, Budget], RawDocument]

SUPPORTED_EXTENSIONS = (".txt", ".md", ".markdown", ".pdf", ".docx", ".png", ".jpg", ".jpeg", ".tif", ".tiff")
# Scans as image files: PNG, JPEG, TIFF (either byte order).
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def sniff_format(data: bytes, suffix: str) -> str:
    """Return "pdf", "docx", "image", "md" or "txt" for a file's bytes and extension."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(_IMAGE_MAGIC):
        return "image"
    if suffix in _IMAGE_EXTENSIONS:
        raise ReadError(f"not a {suffix.lstrip('.').upper()} image: the file is damaged or mislabelled")
    if data.startswith(b"PK\x03\x04"):
        if suffix == ".docx" or b"word/" in data[:4096]:
            return "docx"
        raise ReadError("a ZIP archive that is not a Word .docx document")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise ReadError("a password-protected Word file: remove the password, save it again and retry")
        raise ReadError("an old binary Word .doc (or other OLE) file: save it as .docx and try again")
    if suffix == ".pdf":
        raise ReadError("not a PDF file (no %PDF header): the file is damaged or mislabelled")
    if suffix == ".docx":
        raise ReadError("not a Word .docx file (not a ZIP package): the file is damaged or mislabelled")
    if suffix in (".md", ".markdown"):
        return "md"
    if suffix in (".txt", ""):
        return "txt"
    raise UnsupportedFormat(
        f"unsupported file type '{suffix}': vanban reads {', '.join(SUPPORTED_EXTENSIONS)}"
    )


def check_size(size: int, max_bytes: int) -> None:
    """Refuse a file over the size limit before any work is done on it."""
    if size > max_bytes:
        raise TooLarge(
            f"file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:.0f} MB limit "
            "(set VANBAN_MAX_FILE_MB to raise it)"
        )


def read_bytes(
    data: bytes,
    source_path: str,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits | None = None,
    *,
    budget: Budget | None = None,
) -> RawDocument:
    """Read a file's content; raise `ReadError` with a message a user can act on.

    `limits` bounds the work (default `Limits()`); `budget` is given instead by a caller that goes on
    with the document under the same clock (`ingest.pipeline`).
    """
    budget = budget or Budget(limits)
    check_size(len(data), max_bytes)
    if not data.strip():
        raise ReadError("file is empty")
    suffix = Path(source_path).suffix.lower()
    fmt = sniff_format(data, suffix)
    sha256 = hashlib.sha256(data).hexdigest()
    reader = _reader_for(fmt)
    raw = reader(data, source_path, sha256, budget)
    budget.check_blocks(raw.blocks)
    if not any(block.text.strip() for block in raw.blocks):
        raise ReadError("no text found in the file")
    return raw


def read_file(
    path: str | Path,
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits | None = None,
    *,
    budget: Budget | None = None,
) -> RawDocument:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ReadError(f"cannot open: {exc.strerror or exc}") from None
    check_size(size, max_bytes)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(f"cannot read: {exc.strerror or exc}") from None
    return read_bytes(data, str(path), max_bytes, limits, budget=budget)


def _reader_for(fmt: str) -> Reader:
    # Imported lazily so that reading a text file never pays for pdfplumber or python-docx.
    if fmt == "pdf":
        from ingest.readers.pdf import read_pdf

        return read_pdf
    if fmt == "image":
        from ingest.readers.scan import read_image

        return read_image
    if fmt == "docx":
        from ingest.readers.docx import read_docx

        return read_docx
    if fmt == "md":
        from ingest.readers.markdown import read_markdown

        return read_markdown
    from ingest.readers.text import read_text

    return read_text
