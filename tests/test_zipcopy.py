"""Rebuilding a workbook's zip: unchanged entries copied compressed, byte for byte."""

from __future__ import annotations

import io
import zipfile

import pytest

from xladdin.workbook.zipcopy import compressed_bytes, copy_zip, rebuild_zip


def _zip(*entries: tuple[str, bytes, int], comment: bytes = b"") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as book:
        for name, data, method in entries:
            info = zipfile.ZipInfo(name, (2024, 5, 17, 13, 45, 58))
            info.compress_type = method
            info.external_attr = 0o644 << 16
            info.comment = comment
            book.writestr(info, data)
    return buffer.getvalue()


ENTRIES = (
    ("[Content_Types].xml", b"<Types/>" * 50, zipfile.ZIP_DEFLATED),
    ("xl/worksheets/sheet1.xml", "<c>得分</c>".encode() * 200, zipfile.ZIP_DEFLATED),
    ("xl/media/image1.png", bytes(range(256)) * 4, zipfile.ZIP_STORED),
)


def test_unchanged_entries_keep_their_compressed_bytes_and_headers() -> None:
    source = _zip(*ENTRIES, comment=b"note")
    infos = zipfile.ZipFile(io.BytesIO(source)).infolist()
    new = b"<worksheet>changed</worksheet>"
    out = copy_zip(source, infos, {"xl/worksheets/sheet1.xml": new})
    assert out is not None
    with zipfile.ZipFile(io.BytesIO(out)) as book:
        assert book.testzip() is None
        assert book.namelist() == [name for name, _, _ in ENTRIES]
        assert book.read("xl/worksheets/sheet1.xml") == new
        for before, after in zip(infos, book.infolist(), strict=True):
            assert after.date_time == before.date_time
            assert after.compress_type == before.compress_type
            assert after.external_attr == before.external_attr
            assert after.comment == before.comment == b"note"
            if before.filename != "xl/worksheets/sheet1.xml":
                assert compressed_bytes(out, after) == compressed_bytes(source, before)
                assert book.read(after) == zipfile.ZipFile(io.BytesIO(source)).read(before)


def test_copying_with_nothing_changed_gives_the_same_entries() -> None:
    source = _zip(*ENTRIES)
    infos = zipfile.ZipFile(io.BytesIO(source)).infolist()
    out = copy_zip(source, infos, {})
    assert out is not None
    assert copy_zip(out, zipfile.ZipFile(io.BytesIO(out)).infolist(), {}) == out


def test_an_unusual_compression_falls_back_to_zipfile() -> None:
    source = _zip(("a.xml", b"<a/>" * 100, zipfile.ZIP_BZIP2), ("b.xml", b"<b/>", 8))
    book = zipfile.ZipFile(io.BytesIO(source))
    assert copy_zip(source, book.infolist(), {}) is None
    out = rebuild_zip(source, book.infolist(), {"b.xml": b"<b>new</b>"}, book.read)
    with zipfile.ZipFile(io.BytesIO(out)) as rebuilt:
        assert rebuilt.read("a.xml") == b"<a/>" * 100
        assert rebuilt.read("b.xml") == b"<b>new</b>"
        assert rebuilt.getinfo("a.xml").compress_type == zipfile.ZIP_BZIP2


@pytest.mark.parametrize("cut", [10, 40])
def test_a_broken_local_header_is_declined(cut: int) -> None:
    source = _zip(*ENTRIES)
    infos = zipfile.ZipFile(io.BytesIO(source)).infolist()
    broken = source[: infos[1].header_offset] + b"\0" * cut + source[infos[1].header_offset + cut :]
    assert compressed_bytes(broken, infos[1]) is None
    assert copy_zip(broken, infos, {}) is None
