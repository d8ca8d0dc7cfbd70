"""A Word file's ZIP package checked against the limits before python-docx or lxml reads any of it.

First the ZIP directory: the number of parts, their unpacked sizes and how many times each XML part
unpacks its packed size (a zip bomb is a few MB of zeros that unpack to GBs). The directory can lie,
so every part is then unpacked here in chunks, with the bytes it really gives counted against the
same limits and thrown away as they come: a part that unpacks to more than its directory says can
cost at most the limit in time and one chunk in memory. The chunks of XML parts are counted for
elements, attributes and texts, an upper bound on the nodes lxml would build (about 200 bytes each).

Last, the main document part is parsed as a stream (elements cleared as they end, entities not
expanded) to count its paragraphs outside tables and its table cells, stopping at the first one past
a limit: a file of hundreds of thousands of paragraphs is refused in a fraction of a second, before
python-docx builds a tree of them.

Anything else wrong with the package (not a ZIP, a damaged part, an encrypted one) is left to the
Word reader, which says what it is.
"""

from __future__ import annotations

import bz2
import io
import posixpath
import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import IO

from lxml import etree

from ingest.limits import Budget, count, megabytes, more_than, over
from ingest.model import ReadError

CHUNK = 1024 * 1024
RATIO_FLOOR = 1024 * 1024  # parts that unpack to less than this are never too compressed
XML_NAMES = (".xml", ".rels")
BOM_UTF8 = b"\xef\xbb\xbf"
WHITE_SPACE = b" \t\r\n\x00\xff\xfe"  # and the bytes of a UTF-16 byte order mark
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the name and extra field lengths
_LOCAL_SIGNATURE = b"PK\x03\x04"
STAGE = "unpacking the Word file"
MAIN_DOCUMENT = "word/document.xml"
OFFICE_DOCUMENT = "/officeDocument"  # the end of the package relationship type that names it
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_TBL, W_TC = _W + "p", _W + "tbl", _W + "tc"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# What reading a damaged, encrypted or oddly packed part raises; python-docx then reports it.
_UNREADABLE = (
    etree.LxmlError,
    zipfile.BadZipFile,
    OSError,
    EOFError,
    zlib.error,
    ValueError,
    KeyError,
    RuntimeError,
    NotImplementedError,
)


def check_word_package(data: bytes, budget: Budget) -> None:
    """Raise `TooLarge` for a Word package over the limits; return quietly for anything else."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a readable ZIP: the reader says so
    with archive:
        infos = archive.infolist()
        _check_directory(infos, budget)
        unpacked = nodes = 0
        for info in infos:
            for chunk, is_xml in _part_chunks(archive, info, budget.limits.unpacked_bytes - unpacked, budget):
                unpacked += len(chunk)
                if is_xml:
                    nodes += _nodes(chunk)
        if nodes > budget.limits.xml_nodes:
            raise over(
                f"the Word file's XML holds about {count(nodes)} elements, attributes and texts",
                count(budget.limits.xml_nodes),
                "xml_nodes",
            )
        _count_body(archive, budget)


def _count_body(archive: zipfile.ZipFile, budget: Budget) -> None:
    """Count the main document's paragraphs (outside tables) and table cells, stopping past a limit."""
    name = _main_part(archive)
    if name is None:
        return
    paragraphs = cells = depth = 0
    limits = budget.limits
    try:
        with archive.open(name) as part:
            events = etree.iterparse(
                part, events=("start", "end"), tag=(W_P, W_TBL, W_TC), resolve_entities=False, no_network=True
            )
            for event, element in events:
                if element.tag == W_TBL:
                    depth += 1 if event == "start" else -1
                if event == "start":
                    continue
                if element.tag == W_P and depth == 0:
                    paragraphs += 1
                    if paragraphs > limits.paragraphs:
                        raise more_than(
                            "the document has", f"{count(limits.paragraphs)} paragraphs", "paragraphs"
                        )
                elif element.tag == W_TC:
                    cells += 1
                    if cells > limits.table_cells:
                        raise more_than(
                            "the document's tables have", f"{count(limits.table_cells)} cells", "table_cells"
                        )
                if (paragraphs + cells) % 1000 == 0:
                    budget.tick(STAGE)
                element.clear()
                if depth == 0:  # what has been counted goes: memory stays that of one paragraph or table
                    while element.getprevious() is not None:
                        del element.getparent()[0]
    except _UNREADABLE:
        return  # malformed: python-docx reports it as it always has


def _main_part(archive: zipfile.ZipFile) -> str | None:
    """The part the package relationships name as the document (word/document.xml as a rule)."""
    names = set(archive.namelist())
    try:
        root = etree.fromstring(archive.read("_rels/.rels"), etree.XMLParser(resolve_entities=False))
    except _UNREADABLE:
        root = None
    for relationship in [] if root is None else root.iter(_RELATIONSHIP):
        if relationship.get("Type", "").endswith(OFFICE_DOCUMENT):
            target = posixpath.normpath(relationship.get("Target", "").lstrip("/"))
            return target if target in names else None
    return MAIN_DOCUMENT if MAIN_DOCUMENT in names else None


def _nodes(xml: bytes) -> int:
    """An upper bound on the nodes lxml builds for this XML: every element has one "<" not followed by
    "/", every attribute one "=", every text one ">" not followed by "<" (a tag cut between two chunks
    is counted as more, never as less)."""
    return xml.count(b"<") - xml.count(b"</") + xml.count(b"=") + xml.count(b">") - xml.count(b"><")


def _check_directory(infos: list[zipfile.ZipInfo], budget: Budget) -> None:
    limits = budget.limits
    if len(infos) > limits.word_parts:
        raise over(f"the Word file has {count(len(infos))} parts", count(limits.word_parts), "word_parts")
    declared = sum(info.file_size for info in infos)
    if declared > limits.unpacked_bytes:
        raise over(
            f"the Word file unpacks to {megabytes(declared)}", megabytes(limits.unpacked_bytes), "unpacked_mb"
        )
    for info in infos:
        if info.filename.lower().endswith(XML_NAMES):
            _check_ratio(info.filename, info.file_size, info.compress_size, limits.zip_ratio)


def _check_ratio(name: str, unpacked: int, packed: int, limit: float) -> None:
    if unpacked > RATIO_FLOOR and unpacked > packed * limit:
        ratio = unpacked / max(packed, 1)
        raise over(
            f"the Word file's part {name} expands {count(ratio)}-fold when unpacked",
            f"{limit:g}-fold",
            "zip_ratio",
        )


def _part_chunks(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, room: int, budget: Budget
) -> Iterator[tuple[bytes, bool]]:
    """The part's unpacked bytes in chunks, and whether it may be XML; `TooLarge` past `room` bytes."""
    produced = 0
    is_xml: bool | None = None  # undecided until the first byte that is not white space
    for chunk, consumed in _unpack(archive, info):
        if is_xml is None:
            start = (chunk.removeprefix(BOM_UTF8) if produced == 0 else chunk).lstrip(WHITE_SPACE)
            if start:
                is_xml = start.startswith(b"<")
        produced += len(chunk)
        if produced > room:
            limit = budget.limits.unpacked_bytes
            said = (
                f", though its ZIP directory says {megabytes(info.file_size)}"
                if produced > info.file_size
                else ""
            )
            raise more_than("the Word file unpacks to", megabytes(limit), "unpacked_mb", said)
        if is_xml is not False:
            _check_ratio(info.filename, produced, consumed, budget.limits.zip_ratio)
        budget.tick(STAGE)
        yield chunk, is_xml is not False


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """(chunk, packed bytes consumed so far) for a part, trusting nothing but its packed size.

    Parts are unpacked here from the raw data, one capped chunk at a time, so that the bytes counted
    are the ones really there: `zipfile` itself trusts the directory and, on a part that unpacks to
    more than the directory says, hands out all of it at once at the end of the data. Stored and
    deflated parts are all Word writes; bzip2 is unpacked as carefully; LZMA, which `zipfile` could
    only unpack without a cap, is refused. Encrypted parts and methods `zipfile` cannot read yield
    nothing: the reader reports them.
    """
    if info.flag_bits & 0x1:
        return
    if info.compress_type == zipfile.ZIP_LZMA:
        raise ReadError(
            f"the Word file packs its part {info.filename} with LZMA, which Word never uses and vanban does "
            "not unpack: open the document in Word and save it again"
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2):
        return
    source = archive.fp
    if source is None:
        return
    source.seek(info.header_offset)
    header = source.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size:
        return
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != _LOCAL_SIGNATURE:
        return
    source.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
    left = info.compress_size
    consumed = 0
    if info.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            chunk = source.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            consumed += len(chunk)
            yield chunk, consumed
        return
    if info.compress_type == zipfile.ZIP_BZIP2:
        yield from _bunzip(source, left)
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = b""
    while not inflater.eof:
        if not pending and left > 0:
            pending = source.read(min(CHUNK, left))
            if not pending:
                return  # the archive ends early: python-docx reports it
            left -= len(pending)
            consumed += len(pending)
        try:
            chunk = inflater.decompress(pending, CHUNK)
        except zlib.error:
            return  # damaged data: python-docx reports it
        pending = inflater.unconsumed_tail
        if chunk:
            yield chunk, consumed - len(pending)
        elif not pending and left <= 0:
            return


def _bunzip(source: IO[bytes], left: int) -> Iterator[tuple[bytes, int]]:
    """As `_unpack`, for a bzip2 part: fresh input only when the decompressor has no output left."""
    unpacker = bz2.BZ2Decompressor()
    consumed = 0
    while not unpacker.eof:
        data = b""
        if unpacker.needs_input:
            data = source.read(min(CHUNK, left)) if left > 0 else b""
            if not data:
                return
            left -= len(data)
            consumed += len(data)
        try:
            chunk = unpacker.decompress(data, CHUNK)
        except (OSError, EOFError, ValueError):
            return
        if chunk:
            yield chunk, consumed
