"""Rebuild a workbook's zip with some parts replaced and every other entry copied compressed.

The standard library's ``zipfile`` can only write an entry from its uncompressed bytes, so
keeping the other entries byte for byte (and not paying to inflate and deflate each of them)
needs their compressed bytes copied as they are, under headers packed here. Anything unusual
(ZIP64, encryption, a compression other than stored or deflated) goes to ``zipfile`` instead.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_MAGIC = 0x04034B50
_CENTRAL_MAGIC = 0x02014B50
_END_MAGIC = 0x06054B50
_LIMIT = 0xFFFFFFFF


def _local_entry(source: bytes, info: zipfile.ZipInfo) -> tuple[bytes, bytes] | None:
    """(name, compressed data) of an entry as its local header gives them, None if broken."""
    offset = info.header_offset
    if offset + _LOCAL.size > len(source):
        return None
    header = _LOCAL.unpack_from(source, offset)
    if header[0] != _LOCAL_MAGIC:
        return None
    name_end = offset + _LOCAL.size + header[9]
    start = name_end + header[10]
    data = source[start : start + info.compress_size]
    if len(data) != info.compress_size:
        return None
    return source[offset + _LOCAL.size : name_end], data


def compressed_bytes(source: bytes, info: zipfile.ZipInfo) -> bytes | None:
    """The entry's data exactly as stored in ``source``, or None when it cannot be located."""
    entry = _local_entry(source, info)
    return None if entry is None else entry[1]


def deflate(data: bytes) -> bytes:
    """Raw deflate at zlib's default level, as ``zipfile`` writes it."""
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def _dos_stamp(info: zipfile.ZipInfo) -> tuple[int, int]:
    year, month, day, hour, minute, second = info.date_time
    return (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day


def copy_zip(
    source: bytes, infos: list[zipfile.ZipInfo], changed: dict[str, bytes]
) -> bytes | None:
    """The zip of ``infos`` with ``changed`` parts replaced, unchanged entries copied verbatim.

    Returns None for anything unusual (ZIP64, encryption, unknown compression); the caller
    then uses :func:`rewrite_zip`.
    """
    if len(source) >= _LIMIT or len(infos) >= 0xFFFF:
        return None
    out = bytearray()
    central = bytearray()
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            return None
        if info.file_size >= _LIMIT or info.compress_size >= _LIMIT or info.header_offset >= _LIMIT:
            return None
        entry = _local_entry(source, info)
        if entry is None:
            return None
        name, stored = entry
        flags = info.flag_bits & ~0x08  # sizes go in the local header, no data descriptor
        method = info.compress_type
        if info.filename in changed:
            data = changed[info.filename]
            crc, size = zlib.crc32(data), len(data)
            payload = deflate(data) if method == zipfile.ZIP_DEFLATED else data
        else:
            payload, crc, size = stored, info.CRC, info.file_size
        # the fields the local header and the central directory entry share
        common = (flags, method, *_dos_stamp(info), crc, len(payload), size, len(name))
        local_offset = len(out)
        out += _LOCAL.pack(_LOCAL_MAGIC, 20, *common, 0)
        out += name
        out += payload
        comment = info.comment or b""
        central += _CENTRAL.pack(
            _CENTRAL_MAGIC,
            (info.create_system << 8) | 20,
            20,
            *common,
            0,
            len(comment),
            0,
            info.internal_attr,
            info.external_attr,
            local_offset,
        )
        central += name + comment
    directory_offset = len(out)
    out += central
    out += _END.pack(_END_MAGIC, 0, 0, len(infos), len(infos), len(central), directory_offset, 0)
    return bytes(out)


def rewrite_zip(
    infos: list[zipfile.ZipInfo], changed: dict[str, bytes], read: Callable[[str], bytes]
) -> bytes:
    """The same zip written entry by entry with ``zipfile`` (every entry deflated again);
    ``read`` gives an unchanged entry's uncompressed bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in infos:
            data = changed[info.filename] if info.filename in changed else read(info.filename)
            clone = zipfile.ZipInfo(info.filename, info.date_time)
            clone.compress_type = info.compress_type
            clone.external_attr = info.external_attr
            clone.create_system = info.create_system
            clone.comment = info.comment
            clone.extra = info.extra
            out.writestr(clone, data)
    return buffer.getvalue()


def rebuild_zip(
    source: bytes,
    infos: list[zipfile.ZipInfo],
    changed: dict[str, bytes],
    read: Callable[[str], bytes],
) -> bytes:
    """``source`` (whose entries are ``infos``) with ``changed`` parts replaced."""
    copied = copy_zip(source, infos, changed)
    return copied if copied is not None else rewrite_zip(infos, changed, read)
