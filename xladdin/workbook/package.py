"""An .xlsx/.xlsm file as its zip parts, read and patched without a spreadsheet library.

Only the worksheet parts that hold owned cells (and chart caches that mirror them) are
rewritten; every other part is copied as it was, so charts, images, comments, validation,
conditional formats, names, protection, print settings and VBA projects survive untouched.
"""

from __future__ import annotations

import html
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from itertools import accumulate
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape as xml_escape

from lxml import etree

from ..core.errors import Location, WorkbookError
from ..core.numbers import fmt_number
from .cellref import col_index, col_letter, split_ref

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

_M = f"{{{MAIN_NS}}}"
_C = f"{{{CHART_NS}}}"
_SHEET_DATA = f"{_M}sheetData"
_ROW = f"{_M}row"
_CELL = f"{_M}c"
_V = f"{_M}v"
_F = f"{_M}f"
_IS = f"{_M}is"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False
)

CellContent = tuple[str | None, str | None, str | None]  # (type, value text, formula)


class Cell(NamedTuple):
    """What a cell holds: its value as read (str, Decimal or bool; None when empty) and formula."""

    value: str | Decimal | bool | None
    formula: str | None = None


def _number(text: str) -> Decimal:
    # Excel writes up to 17 significant digits (0.92999999999999994); the shortest repr of the
    # double is what the user typed.
    try:
        return Decimal(repr(float(text)))
    except ValueError:
        try:
            return Decimal(text)
        except InvalidOperation:
            return Decimal(0)


class XlsxPackage:
    """The parts of one workbook file, with the worksheets it needs parsed on demand."""

    def __init__(self, path: Path, data: bytes | None = None) -> None:
        self.path = path
        where = Location(file=str(path))
        if data is None:
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                raise WorkbookError("文件不存在", where) from None
            except IsADirectoryError:
                raise WorkbookError("这是一个文件夹，不是工作簿", where) from None
            except OSError as exc:
                raise WorkbookError(f"无法读取文件（{exc.strerror}）", where) from None
        if not data:
            raise WorkbookError("文件为空（0字节）", where)
        if data.startswith(OLE_MAGIC):
            raise WorkbookError(
                "文件已加密（设置了打开密码）或为旧版 .xls 格式：请在 Excel 中取消密码，或另存为 .xlsx 后再处理",
                where,
            )
        if not data.startswith(ZIP_MAGIC):
            raise WorkbookError("不是 Excel 工作簿（.xlsx/.xlsm）文件", where)
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            self.infos = self.zip.infolist()
            names = {info.filename for info in self.infos}
        except (zipfile.BadZipFile, EOFError, ValueError):
            raise WorkbookError("文件已损坏或不完整（无法解压）", where) from None
        if "xl/workbook.xml" not in names:
            raise WorkbookError("不是 Excel 工作簿：缺少 xl/workbook.xml", where)
        self.names = names
        self.data = data
        self.trees: dict[str, Any] = {}
        self._indexes: dict[str, tuple[Any, dict[int, Any], dict[str, Any]]] = {}
        self._texts: dict[str, SheetXml | None] = {}
        self.changed: set[str] = set()
        self._shared: SharedStrings | None = None
        self._sheets: dict[str, str] | None = None

    # -- reading ---------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return str(self.path)

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(name)
        except KeyError:
            raise WorkbookError(f"缺少部件 {name}", Location(file=str(self.path))) from None
        except (zipfile.BadZipFile, EOFError, OSError, zlib.error):
            raise WorkbookError(
                "文件已损坏或不完整（解压失败）", Location(file=str(self.path))
            ) from None

    def tree(self, name: str) -> Any:
        if name not in self.trees:
            try:
                self.trees[name] = etree.fromstring(self.read(name), _PARSER)
            except etree.XMLSyntaxError:
                raise WorkbookError(
                    f"部件 {name} 不是有效的 XML，文件可能已损坏", Location(file=str(self.path))
                ) from None
            if self.trees[name].tag.startswith(f"{{{STRICT_NS}}}"):
                raise WorkbookError(
                    "不支持“严格 Open XML”格式，请在 Excel 中另存为普通 .xlsx",
                    Location(file=str(self.path)),
                )
        return self.trees[name]

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name → part name, from workbook.xml and its relationships."""
        if self._sheets is None:
            workbook = self.tree("xl/workbook.xml")
            rels = (
                self.tree("xl/_rels/workbook.xml.rels")
                if "xl/_rels/workbook.xml.rels" in self.names
                else None
            )
            targets: dict[str, str] = {}
            if rels is not None:
                for rel in rels:
                    target = rel.get("Target", "")
                    if target.startswith("/"):
                        part = target.lstrip("/")
                    else:
                        part = posixpath.normpath(posixpath.join("xl", target))
                    targets[rel.get("Id", "")] = part
            sheets: dict[str, str] = {}
            for sheet in workbook.iter(f"{_M}sheet"):
                rid = sheet.get(f"{{{REL_NS}}}id", "")
                if rid in targets:
                    sheets[sheet.get("name", "")] = targets[rid]
            self._sheets = sheets
        return self._sheets

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self.sheet_parts()

    def shared_strings(self) -> SharedStrings:
        if self._shared is None:
            name = "xl/sharedStrings.xml"
            items = list(self.tree(name).iterchildren(f"{_M}si")) if name in self.names else []
            self._shared = SharedStrings(items)
        return self._shared

    def sheet_tree(self, sheet: str) -> Any:
        parts = self.sheet_parts()
        if sheet not in parts:
            raise WorkbookError(f"缺少工作表“{sheet}”", Location(file=str(self.path), sheet=sheet))
        return self.tree(parts[sheet])

    def _sheet_xml(self, part: str) -> SheetXml | None:
        """The worksheet as patchable text, or None when only the tree path can handle it."""
        if part not in self._texts:
            self._texts[part] = None if part in self.trees else SheetXml.parse(self.read(part))
        return self._texts[part]

    def _index(self, part: str) -> tuple[Any, dict[int, Any], dict[str, Any]]:
        """A worksheet's sheetData, its rows by number and its cells by reference (built once).

        Cells without an ``r`` attribute (allowed by the format) take the next position.
        """
        if part not in self._indexes:
            root = self.tree(part)
            data = root.find(_SHEET_DATA)
            if data is None:
                data = etree.SubElement(root, _SHEET_DATA)
            rows: dict[int, Any] = {}
            cells: dict[str, Any] = {}
            row_number = 0
            for row in data.iterchildren(_ROW):
                r = row.get("r")
                row_number = int(r) if r else row_number + 1
                rows[row_number] = row
                column = -1
                previous = ""
                for c in row.iterchildren(_CELL):
                    ref = c.get("r")
                    if ref:
                        column = -2  # known; computed only if a later cell omits r
                    else:
                        if column == -2:
                            column = col_index(previous.rstrip("0123456789"))
                        column += 1
                        ref = f"{col_letter(column)}{row_number}"
                    previous = ref
                    cells[ref] = c
            self._indexes[part] = (data, rows, cells)
        return self._indexes[part]

    def cells(
        self, sheet: str, columns: Iterable[str] | None = None, rows: Iterable[int] = ()
    ) -> Mapping[str, Cell]:
        """Every non-empty cell of ``sheet``, by reference; with ``columns``, only the cells in
        those columns or in ``rows``."""
        wanted = set(columns) if columns is not None else None
        whole_rows = {str(r) for r in rows}
        parts = self.sheet_parts()
        if sheet not in parts:
            raise WorkbookError(f"缺少工作表“{sheet}”", Location(file=str(self.path), sheet=sheet))
        text = self._sheet_xml(parts[sheet])
        if text is not None:

            def keep(ref: str) -> bool:
                if wanted is None:
                    return True
                letters = ref.rstrip("0123456789")
                return letters in wanted or ref[len(letters) :] in whole_rows

            return LazyCells(text, self.shared_strings, keep)
        found: dict[str, Cell] = {}
        _, _, elements = self._index(parts[sheet])
        for ref, c in elements.items():
            if not len(c):
                continue  # a styled blank cell
            if wanted is not None:
                letters = ref.rstrip("0123456789")
                if letters not in wanted and ref[len(letters) :] not in whole_rows:
                    continue
            v_text = formula = None
            inline = None
            for child in c:
                tag = child.tag
                if tag == _V:
                    v_text = child.text
                elif tag == _F:
                    formula = child.text
                elif tag == _IS:
                    inline = child
            inline_text = _inline_text(inline) if inline is not None else None
            value = cell_value(c.get("t"), v_text, inline_text, self.shared_strings)
            if value is not None or formula is not None:
                found[ref] = Cell(value, formula)
        return found

    # -- patching --------------------------------------------------------------------------

    def write_cells(self, sheet: str, writes: dict[str, tuple[Any, str | None]]) -> int:
        """Set owned cells of ``sheet``: ref → (value, formula). Returns how many changed.

        Cells are patched in the worksheet's XML text, leaving every other byte as it was; a
        worksheet the text patcher cannot handle (a cell to create, cells without positions)
        is rewritten through an XML tree instead.
        """
        part = self.sheet_parts()[sheet]
        text = self._sheet_xml(part)
        if text is not None and all(text.has(ref) for ref in writes):
            changed = 0
            for ref, (value, formula) in writes.items():
                if text.is_shared_master(ref):
                    raise WorkbookError(
                        SHARED_MASTER, Location(file=str(self.path), sheet=sheet, cell=ref)
                    )
                if text.same(ref, value, formula, self.shared_strings):
                    continue
                text.set(ref, value, formula)
                changed += 1
            if changed:
                self.changed.add(part)
            return changed
        if text is not None:  # continue on a tree, from the text as edited so far
            self.trees[part] = etree.fromstring(text.to_bytes(), _PARSER)
            self._texts[part] = None
            self._indexes.pop(part, None)
        data, rows, cells = self._index(part)
        changed = 0
        for ref, (value, formula) in writes.items():
            cell = cells.get(ref)
            if cell is None:
                letters, number = split_ref(ref)
                row = rows.get(number)
                if row is None:
                    row = _insert_row(data, number)
                    rows[number] = row
                cell = _find_or_insert_cell(row, ref, letters)
                cells[ref] = cell
            master = cell.find(f"{_M}f")
            if master is not None and master.get("t") == "shared" and master.get("ref"):
                raise WorkbookError(
                    SHARED_MASTER, Location(file=str(self.path), sheet=sheet, cell=ref)
                )
            if _same_content(cell, value, formula, self):
                continue
            _set_cell(cell, value, formula)
            changed += 1
        if changed:
            self.changed.add(part)
        return changed

    def refresh_chart_caches(self, values: dict[tuple[str, str], Any]) -> None:
        """Update cached points of charts whose series read cells the add-in wrote."""
        sheet_names = {sheet for sheet, _ in values}
        for name in sorted(self.names):
            if not (name.startswith("xl/charts/chart") and name.endswith(".xml")):
                continue
            raw = self.read(name)
            if not any(s.encode("utf-8") in raw for s in sheet_names):
                continue
            root = self.tree(name)
            touched = False
            for num_ref in root.iter(f"{_C}numRef"):
                formula = num_ref.find(f"{_C}f")
                cache = num_ref.find(f"{_C}numCache")
                if formula is None or cache is None or not formula.text:
                    continue
                refs = _expand_range(formula.text)
                if refs is None:
                    continue
                sheet, cells = refs
                if not any((sheet, ref) in values for ref in cells):
                    continue
                points = {int(pt.get("idx", "-1")): pt for pt in cache.iter(f"{_C}pt")}
                for index, ref in enumerate(cells):
                    if (sheet, ref) not in values:
                        continue
                    value = values[(sheet, ref)]
                    text = fmt_number(value) if isinstance(value, Decimal) else None
                    pt = points.get(index)
                    if text is None:
                        if pt is not None:
                            cache.remove(pt)
                            touched = True
                        continue
                    if pt is None:
                        pt = etree.SubElement(cache, f"{_C}pt", idx=str(index))
                        etree.SubElement(pt, f"{_C}v")
                        touched = True
                    v = pt.find(f"{_C}v")
                    if v is not None and not _numbers_equal(v.text, text):
                        v.text = text
                        touched = True
            if touched:
                self.changed.add(name)

    def save(self, target: Path) -> None:
        """Write the package to ``target`` safely (:func:`xladdin.files.write_file`)."""
        from ..files import write_file

        write_file(target, self.to_bytes())

    def to_bytes(self) -> bytes:
        """The package as zip bytes: unchanged parts copied compressed as they were."""
        changed: dict[str, bytes] = {}
        for name in self.changed:
            text = self._texts.get(name)
            if text is not None:
                changed[name] = text.to_bytes()
            else:
                changed[name] = etree.tostring(
                    self.trees[name], xml_declaration=True, encoding="UTF-8", standalone=True
                )
        raw = _copy_zip(self.data, self.infos, changed)
        if raw is not None:
            return raw
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as out:
            for info in self.infos:
                data = (
                    changed[info.filename] if info.filename in changed else self.read(info.filename)
                )
                clone = zipfile.ZipInfo(info.filename, info.date_time)
                clone.compress_type = info.compress_type
                clone.external_attr = info.external_attr
                clone.create_system = info.create_system
                clone.comment = info.comment
                clone.extra = info.extra
                out.writestr(clone, data)
        return buffer.getvalue()


SHARED_MASTER = "该单元格是 Excel 共享公式的起始单元格，改写会破坏其他单元格的公式；请在 Excel 中重新输入该公式后再试"

_NAME = r"(?:[A-Za-z_][\w.\-]*:)?"
_T_ATTR = re.compile(r'\st="([^"]*)"')
_V_RE = re.compile(rf"<{_NAME}v(?:\s[^>]*)?>(.*?)</{_NAME}v>", re.S)
_F_RE = re.compile(rf"<({_NAME})f\b([^>]*?)(?:/>|>(.*?)</\1f>)", re.S)
_IS_RE = re.compile(rf"<({_NAME})is\b[^>]*>(.*?)</\1is>", re.S)
_RPH_RE = re.compile(rf"<({_NAME})rPh\b.*?</\1rPh>", re.S)
_TEXT_RE = re.compile(rf"<({_NAME})t\b[^>]*?(?:/>|>(.*?)</\1t>)", re.S)
_DECLARED_ENCODING = re.compile(rb'^\s*<\?xml[^>]*encoding="([^"]+)"')


_START_TAG = re.compile(r'<c r="([A-Z]{1,3}[0-9]{1,7})"([^>]*)>')
_ROOT = re.compile(r"<(?!\?|!)([^\s>/]+)")


def cell_value(
    kind: str | None, v_text: str | None, inline: str | None, shared: Callable[[], SharedStrings]
) -> str | Decimal | bool | None:
    """A cell's value from its type attribute and texts; None for an empty cell."""
    value: str | Decimal | bool | None = None
    if kind == "s":
        if v_text is not None:
            table = shared()
            index = int(v_text)
            value = table[index] if 0 <= index < len(table) else None
    elif kind == "inlineStr":
        value = inline
    elif kind == "b":
        value = v_text == "1"
    elif kind in ("str", "e"):
        value = v_text
    elif v_text is not None:
        value = _number(v_text)
    return None if value == "" else value


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


class SheetXml:
    """A worksheet part as text cut at every cell, patched cell by cell.

    ``re.split`` on the cells' start tags gives, per cell, its reference, the rest of its start
    tag, and the text that follows up to the next cell. Only the owned cells' XML changes;
    every other byte of the part stays as it was. Worksheets written differently (a namespace
    prefix, ``r`` not the first attribute, a non-UTF-8 encoding) get None from :meth:`parse`
    and go through the XML tree instead.
    """

    def __init__(
        self, text: str, head: str, refs: list[str], attrs: list[str], follows: list[str]
    ) -> None:
        self.text = text
        self.head = head
        self.refs = refs
        self.attrs = attrs  # the rest of each start tag, ending in "/" for an empty cell
        self.follows = follows  # "inner</c>" then the text up to the next cell
        self.position = {ref: k for k, ref in enumerate(refs)}
        # cells with content (an empty cell's start tag ends in "/")
        self.filled = {ref for ref, attr in zip(refs, attrs, strict=True) if attr[-1:] != "/"}
        self.edits: dict[int, str] = {}

    @classmethod
    def parse(cls, raw: bytes) -> SheetXml | None:
        declared = _DECLARED_ENCODING.match(raw)
        if (
            declared
            and declared.group(1).decode("ascii", "replace").lower().replace("-", "") != "utf8"
        ):
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return None
        root = _ROOT.search(text)
        if root is None or root.group(1) != "worksheet":
            return None
        pieces = _START_TAG.split(text)
        refs, attrs, follows = pieces[1::3], pieces[2::3], pieces[3::3]
        if len(refs) != text.count("<c ") + text.count("<c>"):
            return None
        return cls(text, pieces[0], refs, attrs, follows)

    def has(self, ref: str) -> bool:
        return ref in self.position

    def _inner(self, k: int) -> str | None:
        if self.attrs[k].endswith("/"):
            return None
        follow = self.follows[k]
        end = follow.find("</c>")
        return follow[:end] if end >= 0 else None

    def _parts(self, k: int) -> tuple[str | None, str | None, str | None, str | None]:
        """(type, value text, formula text, inline string text) of cell ``k``."""
        attributes = self.attrs[k]
        at = attributes.find(' t="')
        kind = attributes[at + 4 : attributes.find('"', at + 4)] if at >= 0 else None
        inner = self._inner(k)
        if not inner:
            return kind, None, None, None
        if inner.startswith("<v>") and inner.endswith("</v>") and inner.count("<") == 2:
            return kind, _unescape(inner[3:-4]), None, None  # the common case: a plain value
        v = _V_RE.search(inner)
        f = _F_RE.search(inner)
        value = _unescape(v.group(1)) if v else None
        formula = _unescape(f.group(3)) if f and f.group(3) is not None else None
        inline = None
        if kind == "inlineStr":
            found = _IS_RE.search(inner)
            if found:
                body = _RPH_RE.sub("", found.group(2))
                inline = "".join(_unescape(t.group(2) or "") for t in _TEXT_RE.finditer(body))
        return kind, value, formula, inline

    def cell(self, k: int, shared: Callable[[], SharedStrings]) -> Cell | None:
        """Cell ``k``'s value and formula, or None when it is empty."""
        if self.attrs[k].endswith("/"):
            return None  # a styled blank cell
        kind, v_text, formula, inline = self._parts(k)
        value = cell_value(kind, v_text, inline, shared)
        if value is None and formula is None:
            return None
        return Cell(value, formula)

    def is_shared_master(self, ref: str) -> bool:
        inner = self._inner(self.position[ref])
        if not inner:
            return False
        f = _F_RE.search(inner)
        return bool(f and 't="shared"' in f.group(2) and " ref=" in f.group(2))

    def same(
        self, ref: str, value: Any, formula: str | None, shared: Callable[[], SharedStrings]
    ) -> bool:
        """Whether cell ``ref`` already holds ``value`` and ``formula``."""
        k = self.position[ref]
        if k in self.edits:
            return False
        kind, v_text, current_formula, inline = self._parts(k)
        if current_formula != formula or 't="shared"' in (self._inner(k) or ""):
            return False
        if value is None:
            return kind in (None, "n", "str") and not v_text and inline is None
        if isinstance(value, Decimal):
            return kind in (None, "n") and _numbers_equal(v_text, fmt_number(value))
        if kind == "s" and v_text is not None:
            table = shared()
            index = int(v_text)
            return 0 <= index < len(table) and table[index] == value
        if kind == "inlineStr":
            return inline == value
        if kind == "str":
            return (v_text or "") == value
        return False

    def set(self, ref: str, value: Any, formula: str | None) -> None:
        """Replace the cell's type and content, keeping its other attributes (style…)."""
        k = self.position[ref]
        attributes = _T_ATTR.sub("", self.attrs[k].rstrip("/"))
        inner = ""
        kind = ""
        if formula is not None:
            inner = f"<f>{xml_escape(formula)}</f>"
            if isinstance(value, str):
                kind = ' t="str"'
                inner += f"<v>{xml_escape(value)}</v>"
            elif value is not None:
                inner += f"<v>{fmt_number(value)}</v>"
        elif isinstance(value, Decimal):
            inner = f"<v>{fmt_number(value)}</v>"
        elif value is not None:
            kind = ' t="inlineStr"'
            text = str(value)
            space = ' xml:space="preserve"' if text != text.strip() else ""
            inner = f"<is><t{space}>{xml_escape(text)}</t></is>"
        start = f'<c r="{ref}"{attributes}{kind}'
        self.edits[k] = f"{start}>{inner}</c>" if inner else f"{start}/>"

    def to_bytes(self) -> bytes:
        """The part with the edited cells replaced and every other byte as it was."""
        if not self.edits:
            return self.text.encode("utf-8")
        # each cell's size in the original text: start tag (<c r="…"…>) and what follows it
        sizes = [
            8 + len(ref) + len(attr) + len(follow)
            for ref, attr, follow in zip(self.refs, self.attrs, self.follows, strict=True)
        ]
        starts = list(accumulate(sizes, initial=len(self.head)))
        pieces: list[str] = []
        position = 0
        for k in sorted(self.edits):
            start = starts[k]
            end = start + 8 + len(self.refs[k]) + len(self.attrs[k])
            if not self.attrs[k].endswith("/"):
                end += self.follows[k].find("</c>") + 4
            pieces.append(self.text[position:start])
            pieces.append(self.edits[k])
            position = end
        pieces.append(self.text[position:])
        return "".join(pieces).encode("utf-8")


class LazyCells(Mapping[str, Cell]):
    """The non-empty cells of a text-patched worksheet, each read when first asked for."""

    def __init__(
        self, sheet: SheetXml, shared: Callable[[], SharedStrings], keep: Callable[[str], bool]
    ) -> None:
        self._sheet = sheet
        self._shared = shared
        self._keep = keep
        self._memo: dict[str, Cell | None] = {}

    def get(self, ref: str, default: Any = None) -> Any:
        if ref not in self._sheet.filled:
            return default
        if ref not in self._memo:
            k = self._sheet.position.get(ref)
            keep = k is not None and self._keep(ref)
            self._memo[ref] = self._sheet.cell(k, self._shared) if keep and k is not None else None
        found = self._memo[ref]
        return default if found is None else found

    def __getitem__(self, ref: str) -> Cell:
        found = self.get(ref)
        if found is None:
            raise KeyError(ref)
        return found

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self.get(ref) is not None

    def __iter__(self) -> Iterator[str]:
        for ref in self._sheet.refs:
            if ref in self:
                yield ref

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def in_column(self, letters: str) -> Iterator[tuple[str, Cell]]:
        """The non-empty cells of one column, top to bottom."""
        digits = "0123456789"
        for ref in self._sheet.refs:
            if ref in self._sheet.filled and ref.rstrip(digits) == letters:
                found = self.get(ref)
                if found is not None:
                    yield ref, found


class SharedStrings:
    """The shared-string table, each text resolved only when a cell asks for it."""

    def __init__(self, items: list[Any]) -> None:
        self._items = items
        self._texts: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> str:
        text = self._texts.get(index)
        if text is None:
            text = self._texts[index] = _inline_text(self._items[index])
        return text


_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LIMIT = 0xFFFFFFFF


def _copy_zip(
    source: bytes, infos: list[zipfile.ZipInfo], changed: dict[str, bytes]
) -> bytes | None:
    """Rebuild the zip with unchanged entries' compressed bytes copied verbatim.

    Returns None for anything unusual (ZIP64, encryption, unknown compression), where the
    caller falls back to the standard library's writer.
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
        offset = info.header_offset
        header = _LOCAL.unpack_from(source, offset)
        if header[0] != 0x04034B50:
            return None
        name_length, extra_length = header[9], header[10]
        name = source[offset + 30 : offset + 30 + name_length]
        flags = info.flag_bits & ~0x08  # sizes go in the local header, no data descriptor
        method = info.compress_type
        if info.filename in changed:
            data = changed[info.filename]
            crc, size = zlib.crc32(data), len(data)
            if method == zipfile.ZIP_DEFLATED:
                packer = zlib.compressobj(6, zlib.DEFLATED, -15)
                payload = packer.compress(data) + packer.flush()
            else:
                payload = data
        else:
            start = offset + 30 + name_length + extra_length
            payload = source[start : start + info.compress_size]
            crc, size = info.CRC, info.file_size
        dos_time = (info.date_time[3] << 11) | (info.date_time[4] << 5) | (info.date_time[5] // 2)
        dos_date = ((info.date_time[0] - 1980) << 9) | (info.date_time[1] << 5) | info.date_time[2]
        local_offset = len(out)
        out += _LOCAL.pack(
            0x04034B50, 20, flags, method, dos_time, dos_date, crc, len(payload), size, len(name), 0
        )
        out += name
        out += payload
        comment = info.comment or b""
        central += _CENTRAL.pack(
            0x02014B50,
            (info.create_system << 8) | 20,
            20,
            flags,
            method,
            dos_time,
            dos_date,
            crc,
            len(payload),
            size,
            len(name),
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
    out += _END.pack(0x06054B50, 0, 0, len(infos), len(infos), len(central), directory_offset, 0)
    return bytes(out)


def _inline_text(node: Any) -> str:
    """Text of an <si> or <is>: plain <t>, or rich-text runs, skipping phonetic runs."""
    parts: list[str] = []
    for child in node:
        if child.tag == f"{_M}t":
            parts.append(child.text or "")
        elif child.tag == f"{_M}r":
            t = child.find(f"{_M}t")
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)


def _insert_row(data: Any, number: int) -> Any:
    row = etree.Element(f"{_M}row", r=str(number))
    for index, existing in enumerate(data):
        if existing.tag == f"{_M}row" and int(existing.get("r", "0")) > number:
            data.insert(index, row)
            return row
    data.append(row)
    return row


def _find_or_insert_cell(row: Any, ref: str, letters: str) -> Any:
    target = col_index(letters)
    for index, cell in enumerate(row):
        if cell.tag != f"{_M}c":
            continue
        other = cell.get("r")
        if other == ref:
            return cell
        if other is not None and col_index(split_ref(other)[0]) > target:
            new = etree.Element(f"{_M}c", r=ref)
            row.insert(index, new)
            return new
    new = etree.SubElement(row, f"{_M}c", r=ref)
    return new


def _numbers_equal(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return a == b
    try:
        return Decimal(a) == Decimal(b)
    except InvalidOperation:
        return a == b


def _same_content(cell: Any, value: Any, formula: str | None, package: XlsxPackage) -> bool:
    f = cell.find(f"{_M}f")
    if (f.text if f is not None else None) != formula:
        return False
    if f is not None and f.get("t") == "shared":
        return False
    kind = cell.get("t")
    v = cell.find(f"{_M}v")
    text = v.text if v is not None else None
    if value is None:
        return kind in (None, "n", "str") and not text and cell.find(f"{_M}is") is None
    if isinstance(value, Decimal):
        return kind in (None, "n") and _numbers_equal(text, fmt_number(value))
    if kind == "s" and text is not None:
        shared = package.shared_strings()
        index = int(text)
        return 0 <= index < len(shared) and shared[index] == value
    if kind == "inlineStr":
        node = cell.find(f"{_M}is")
        return node is not None and _inline_text(node) == value
    if kind == "str":
        return (text or "") == value
    return False


def _set_cell(cell: Any, value: Any, formula: str | None) -> None:
    for child in list(cell):
        cell.remove(child)
    if "t" in cell.attrib:
        del cell.attrib["t"]
    if formula is not None:
        f = etree.SubElement(cell, f"{_M}f")
        f.text = formula
        if isinstance(value, str):
            cell.set("t", "str")
            v = etree.SubElement(cell, f"{_M}v")
            v.text = value
        elif value is not None:
            v = etree.SubElement(cell, f"{_M}v")
            v.text = fmt_number(value)
        return
    if value is None:
        return
    if isinstance(value, Decimal):
        v = etree.SubElement(cell, f"{_M}v")
        v.text = fmt_number(value)
        return
    cell.set("t", "inlineStr")
    node = etree.SubElement(cell, f"{_M}is")
    t = etree.SubElement(node, f"{_M}t")
    t.text = str(value)
    if t.text != t.text.strip():
        t.set(XML_SPACE, "preserve")


_RANGE = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def _expand_range(text: str) -> tuple[str, list[str]] | None:
    """ "'得分情况'!$C$4:$C$8" → ("得分情况", ["C4", …, "C8"]); None for anything else."""
    match = _RANGE.match(text.strip())
    if match is None:
        return None
    sheet = (match.group(1) or "").replace("''", "'") or (match.group(2) or "")
    c1, r1 = match.group(3), int(match.group(4))
    c2, r2 = match.group(5) or c1, int(match.group(6) or r1)
    cells = [
        f"{col_letter(c)}{r}"
        for c in range(col_index(c1), col_index(c2) + 1)
        for r in range(r1, r2 + 1)
    ]
    return sheet, cells
