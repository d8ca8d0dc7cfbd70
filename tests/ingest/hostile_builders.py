"""Hostile files for the limits tests and `benchmarks/hostile_files.py`, built small and fast.

Not a test module. A zip bomb's `document.xml` is GBs of spaces, yet it is written in well under a
second in a few MB of memory: deflate output for a run of spaces after a full flush is the same
bytes every time, so one compressed MB is written as many times as needed, and the CRC of the
whole is combined from the CRC of one MB (zlib's crc32_combine, written out here) instead of
computed over GBs. The ZIP itself is written by hand (local headers, central directory, ZIP64
sizes), so its directory can also be made to lie about a part's size.
"""

from __future__ import annotations

import base64
import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from docx import Document

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT_XML = "word/document.xml"
XML_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W_NS}"><w:body>'
).encode()
XML_TAIL = b"<w:sectPr/></w:body></w:document>"
GIB = 1024**3
MIB = 1024**2


@dataclass
class _Entry:
    name: str
    chunks: Iterable[bytes]  # the packed (raw deflate) data
    crc: int
    size: int  # unpacked size
    packed: int
    declared: int | None = None  # the unpacked size the central directory gives, when it lies


def docx_parts() -> list[tuple[str, bytes]]:
    """The parts of python-docx's empty document: a valid Word package to put a body into."""
    buffer = io.BytesIO()
    Document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def zip_bomb_docx(path: Path, unpacked: int = 4 * GIB, declared: int | None = None) -> Path:
    """A Word file whose `document.xml` is one text run of `unpacked` bytes of spaces (4 GiB: a 4 MB
    file). `declared`: the size the central directory gives instead of the true one (a lying bomb)."""
    filler = unpacked - len(XML_HEAD) - len(XML_TAIL) - len(b"<w:p><w:r><w:t></w:t></w:r></w:p>")
    head = XML_HEAD + b'<w:p><w:r><w:t xml:space="preserve">'
    tail = b"</w:t></w:r></w:p>" + XML_TAIL
    entries = [_deflated(name, data) for name, data in docx_parts() if name != DOCUMENT_XML]
    entries.append(_repeated(DOCUMENT_XML, head, filler, tail, declared))
    return _write_zip(path, entries)


def paragraph_bomb_docx(path: Path, paragraphs: int = 344_064) -> Path:
    """A Word file of `paragraphs` short numbered paragraphs: under 1 MB on disk for 344,064."""
    body = b"".join(b"<w:p><w:r><w:t>%d.</w:t></w:r></w:p>" % n for n in range(1, paragraphs + 1))
    return docx_with_body(path, body)


def docx_with_body(path: Path, body: bytes) -> Path:
    """A Word file whose body is the given WordprocessingML (the `w` prefix is declared)."""
    entries = [_deflated(name, data) for name, data in docx_parts() if name != DOCUMENT_XML]
    entries.append(_deflated(DOCUMENT_XML, XML_HEAD + body + XML_TAIL))
    return _write_zip(path, entries)


def node_bomb_docx(path: Path, nodes: int) -> Path:
    """A Word file of about `nodes` XML elements and attributes packed as densely as XML allows (an
    empty run property with four attributes: the most nodes lxml builds per byte); its single
    paragraph holds no text, so only the package checks and the memory of the parse are at stake."""
    unit = b'<w:b w:val="1" w:a="2" w:c="3" w:d="4"/>'  # 5 nodes
    body = b"<w:p><w:pPr><w:rPr>" + unit * (nodes // 5) + b"</w:rPr></w:pPr><w:r><w:t>x</w:t></w:r></w:p>"
    return docx_with_body(path, body)


# --- writing a ZIP by hand ----------------------------------------------------------------------


def _deflated(name: str, data: bytes) -> _Entry:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    packed = compressor.compress(data) + compressor.flush()
    return _Entry(name, [packed], zlib.crc32(data), len(data), len(packed))


def _repeated(name: str, head: bytes, filler: int, tail: bytes, declared: int | None) -> _Entry:
    """`head`, `filler` spaces and `tail`, deflated from one compressed MB of spaces repeated."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    packed_head = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = b" " * MIB
    packed_block = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert again == packed_block, "deflate after a full flush is expected to repeat itself"
    blocks, rest = divmod(filler, MIB)
    packed_rest = compressor.compress(b" " * rest) + compressor.flush(zlib.Z_FULL_FLUSH) if rest else b""
    packed_tail = compressor.compress(tail) + compressor.flush()

    crc = zlib.crc32(head)
    crc = _crc32_combine(crc, _crc32_repeated(zlib.crc32(block), MIB, blocks), blocks * MIB)
    crc = _crc32_combine(crc, zlib.crc32(b" " * rest), rest)
    crc = _crc32_combine(crc, zlib.crc32(tail), len(tail))

    def chunks() -> Iterator[bytes]:
        yield packed_head
        for _ in range(blocks):
            yield packed_block
        yield packed_rest
        yield packed_tail

    packed = len(packed_head) + blocks * len(packed_block) + len(packed_rest) + len(packed_tail)
    return _Entry(name, chunks(), crc, len(head) + filler + len(tail), packed, declared)


def _write_zip(path: Path, entries: list[_Entry]) -> Path:
    central = io.BytesIO()
    with path.open("wb") as out:
        for entry in entries:
            offset = out.tell()
            name = entry.name.encode()
            big = entry.size >= 0xFFFFFFFF or entry.packed >= 0xFFFFFFFF
            extra = struct.pack("<HHQQ", 1, 16, entry.size, entry.packed) if big else b""
            sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (entry.packed, entry.size)
            version = 45 if big else 20
            out.write(
                struct.pack(
                    "<IHHHHHIIIHH",
                    0x04034B50,
                    version,
                    0,
                    8,
                    0,
                    0x21,
                    entry.crc,
                    *sizes,
                    len(name),
                    len(extra),
                )
            )
            out.write(name + extra)
            for chunk in entry.chunks:
                out.write(chunk)
            size = entry.size if entry.declared is None else entry.declared
            big = size >= 0xFFFFFFFF or entry.packed >= 0xFFFFFFFF
            extra = struct.pack("<HHQQ", 1, 16, size, entry.packed) if big else b""
            sizes = (0xFFFFFFFF, 0xFFFFFFFF) if big else (entry.packed, size)
            central.write(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII",
                    0x02014B50,
                    version,
                    version,
                    0,
                    8,
                    0,
                    0x21,
                    entry.crc,
                    *sizes,
                    len(name),
                    len(extra),
                    0,
                    0,
                    0,
                    0,
                    offset,
                )
            )
            central.write(name + extra)
        start = out.tell()
        out.write(central.getvalue())
        count = len(entries)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central.getvalue()), start, 0))
    return path


# --- CRC-32 of repeated data, as zlib's crc32_combine computes it --------------------------------


def _gf2_times(matrix: list[int], vector: int) -> int:
    total = 0
    row = 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def _crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A followed by B from crc(A), crc(B) and len(B)."""
    if length2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four
    while True:
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _crc32_repeated(crc: int, length: int, times: int) -> int:
    """The CRC-32 of `times` copies of data of `length` bytes whose CRC-32 is `crc`."""
    result, result_length = 0, 0
    while times:
        if times & 1:
            result = _crc32_combine(result, crc, length) if result_length else crc
            result_length += length
        times >>= 1
        if times:
            crc = _crc32_combine(crc, crc, length)
            length *= 2
    return result


def repack(source: Path, target: Path, compression: int) -> Path:
    """The same Word file with every part packed with another ZIP method (bzip2, LZMA ...)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", compression) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
    return target


def mark_encrypted(path: Path, name: str = DOCUMENT_XML) -> Path:
    """Set the "encrypted" flag of a part in its local header and the central directory."""
    data = bytearray(path.read_bytes())
    encoded = name.encode()
    for signature, flag_offset, name_offset in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        position = data.find(signature)
        while position >= 0:
            if data[position + name_offset : position + name_offset + len(encoded)] == encoded:
                data[position + flag_offset] |= 0x1
            position = data.find(signature, position + 1)
    path.write_bytes(bytes(data))
    return path


def pdf_bomb(
    path: Path, unpacked: int = 512 * MIB, armoured: bool = False, labelled_image: bool = False
) -> Path:
    """A one-page PDF whose content stream draws one line of text, then inflates to `unpacked` bytes of
    spaces (512 MB: a 0.5 MB file). The stream is deflated 1 MB at a time, never held whole.
    `armoured`: the packed stream is ASCII85-encoded too, as some writers do; `labelled_image`: its
    dictionary says it is an image (which would excuse it from the count)."""
    text = b"BT /F1 12 Tf 72 720 Td (Ke hoach trien khai) Tj ET\n"
    packer = zlib.compressobj(9)
    packed = [packer.compress(text)]
    spaces = b" " * MIB
    left = unpacked - len(text)
    while left > 0:
        packed.append(packer.compress(spaces[: min(left, MIB)]))
        left -= MIB
    packed.append(packer.flush())
    content = b"".join(packed)
    filters = b"/FlateDecode"
    if armoured:
        content, filters = base64.a85encode(content) + b"~>", b"[/ASCII85Decode /FlateDecode]"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s%s >>\nstream\n"
        % (len(content), filters, b" /Subtype /Image" if labelled_image else b"")
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    path.write_bytes(out.getvalue())
    return path
