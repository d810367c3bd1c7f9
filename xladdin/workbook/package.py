"""An .xlsx/.xlsm file as its zip parts, read and patched without a spreadsheet library.

Only the worksheet parts that hold owned cells (and chart caches that mirror them) are
rewritten; every other part is copied as it was, so charts, images, comments, validation,
conditional formats, names, protection, print settings and VBA projects survive untouched.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from decimal import Decimal
from pathlib import Path
from typing import Any

from lxml import etree

from ..core.errors import Location, WorkbookError
from ..core.numbers import fmt_number
from .cellref import col_index, col_letter, split_ref
from .cellxml import (
    MAIN_NS,
    Cell,
    CellXml,
    SharedStrings,
    SheetXml,
    decode,
    numbers_equal,
    read_cell,
    render,
    same,
    utf8_text,
)
from .zipcopy import compressed_bytes, rebuild_zip

__all__ = ["SHARED_MASTER", "Cell", "XlsxPackage"]

STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"

_M = f"{{{MAIN_NS}}}"
_C = f"{{{CHART_NS}}}"
_SHEET_DATA = f"{_M}sheetData"
_ROW = f"{_M}row"
_CELL = f"{_M}c"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False
)

# Shared-string tables by their stored bytes: a batch's workbooks made from one template and
# filled by the add-in share theirs, which is then decoded once.
_SHARED_TABLES: dict[tuple[int, bytes], SharedStrings] = {}
_SHARED_TABLES_KEPT = 8
# Sheet names and parts by the stored bytes of workbook.xml and its relationships.
_SHEET_PARTS: dict[tuple[tuple[int, bytes] | None, tuple[int, bytes] | None], dict[str, str]] = {}


class XlsxPackage:
    """The parts of one workbook file, with the worksheets it needs parsed on demand."""

    # A file's formulas may be saved without their results (openpyxl and scripts write them so);
    # the reader then leaves those cells unread instead of taking them as 0.
    formulas_may_lack_results = True

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
        self._patched: dict[str, bytes] = {}  # parts other than worksheets, patched as bytes

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

    def tree(self, name: str, raw: bytes | None = None) -> Any:
        """The part parsed (once); ``raw``: its bytes, when already read."""
        if name not in self.trees:
            try:
                self.trees[name] = etree.fromstring(
                    self.read(name) if raw is None else raw, _PARSER
                )
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

    def _stored(self, name: str) -> tuple[int, bytes] | None:
        """A part's bytes as stored in the zip, with their compression (a cache key for what
        is read from the part: a batch's workbooks share most parts byte for byte)."""
        if name not in self.names:
            return None
        info = self.zip.getinfo(name)
        stored = compressed_bytes(self.data, info)
        return None if stored is None else (info.compress_type, stored)

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name → part name, from workbook.xml and its relationships."""
        if self._sheets is None:
            key = (self._stored("xl/workbook.xml"), self._stored("xl/_rels/workbook.xml.rels"))
            if key[0] is not None and key in _SHEET_PARTS:
                self._sheets = _SHEET_PARTS[key]
                return self._sheets
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
            if key[0] is not None:
                while len(_SHEET_PARTS) >= _SHARED_TABLES_KEPT:
                    del _SHEET_PARTS[next(iter(_SHEET_PARTS))]
                _SHEET_PARTS[key] = sheets
        return self._sheets

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self.sheet_parts()

    def shared_strings(self) -> SharedStrings:
        if self._shared is None:
            self._shared = self._read_shared_strings("xl/sharedStrings.xml")
        return self._shared

    def _read_shared_strings(self, name: str) -> SharedStrings:
        if name not in self.names:
            return SharedStrings([])
        key = self._stored(name)
        if key is not None and key in _SHARED_TABLES:
            return _SHARED_TABLES[key]
        text = utf8_text(self.read(name))
        if text is None:  # another encoding: let the XML parser decode it
            text = etree.tostring(self.tree(name), encoding="unicode")
        table = SharedStrings.parse(text)
        if key is not None:
            while len(_SHARED_TABLES) >= _SHARED_TABLES_KEPT:
                del _SHARED_TABLES[next(iter(_SHARED_TABLES))]
            _SHARED_TABLES[key] = table
        return table

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
        """Every non-empty cell of ``sheet``, by reference in document order; with ``columns``,
        only the cells in those columns or in ``rows``."""
        parts = self.sheet_parts()
        if sheet not in parts:
            raise WorkbookError(f"缺少工作表“{sheet}”", Location(file=str(self.path), sheet=sheet))
        wanted = set(columns) if columns is not None else None
        whole_rows = {str(r) for r in rows}
        text = self._sheet_xml(parts[sheet])
        if text is not None:
            return text.read(self.shared_strings, wanted, whole_rows)
        found: dict[str, Cell] = {}
        for ref, c in self._index(parts[sheet])[2].items():
            if not len(c):
                continue  # a styled blank cell
            if wanted is not None:
                letters = ref.rstrip("0123456789")
                if letters not in wanted and ref[len(letters) :] not in whole_rows:
                    continue
            cell = read_cell(_content(c), self.shared_strings)
            if cell is not None:
                found[ref] = cell
        return found

    def cell_view(self, sheet: str) -> Mapping[str, Cell]:
        """The cells of ``sheet``, read as asked for (:class:`SheetCells`); a worksheet only
        the tree can read is read whole."""
        parts = self.sheet_parts()
        if sheet not in parts:
            raise WorkbookError(f"缺少工作表“{sheet}”", Location(file=str(self.path), sheet=sheet))
        text = self._sheet_xml(parts[sheet])
        if text is None:
            return self.cells(sheet)
        return SheetCells(text, self.shared_strings)

    # -- patching --------------------------------------------------------------------------

    def write_cells(self, sheet: str, writes: dict[str, tuple[Any, str | None]]) -> int:
        """Set owned cells of ``sheet``: ref → (value, formula). Returns how many changed.

        Cells are patched in the worksheet's XML text, leaving every other byte as it was; a
        worksheet the text patcher cannot handle (a cell to create, cells without positions)
        is rewritten through an XML tree instead. Both write what :func:`cellxml.render`
        gives, and only where :func:`cellxml.same` says the cell shows something else.
        """
        part = self.sheet_parts()[sheet]
        text = self._sheet_xml(part)
        changed = 0
        if text is not None and text.position.keys() >= writes.keys():
            for ref, (value, formula) in writes.items():
                k = text.position[ref]
                if text.unchanged(k, value, formula, self.shared_strings):
                    continue
                # A shared-string cell's text is never what render writes (it writes no
                # t="s"): compare what it shows first, and render only if it changes.
                shared = k not in text.edits and ' t="s"' in text.attrs[k]
                new = None if shared else text.rendered(k, value, formula)
                if (new is not None and new == text.element(k)) or self._holds(
                    sheet, ref, text.content(k), value, formula
                ):
                    continue
                text.edits[k] = new if new is not None else text.rendered(k, value, formula)
                changed += 1
        else:
            if text is not None:  # continue on a tree, from the text as edited so far
                self.trees[part] = etree.fromstring(text.to_bytes(), _PARSER)
                self._texts[part] = None
                self._indexes.pop(part, None)
            data, rows, cells = self._index(part)
            for ref, (value, formula) in writes.items():
                cell = cells.get(ref)
                if cell is None:
                    letters, number = split_ref(ref)
                    row = rows.get(number)
                    if row is None:
                        row = rows[number] = _insert_row(data, number)
                    cell = cells[ref] = _find_or_insert_cell(row, ref, letters)
                if self._holds(sheet, ref, _content(cell), value, formula):
                    continue
                _replace_content(cell, ref, value, formula)
                changed += 1
        if changed:
            self.changed.add(part)
        return changed

    def _holds(
        self, sheet: str, ref: str, content: CellXml, value: Any, formula: str | None
    ) -> bool:
        """Whether the cell already shows what would be written; a shared formula's master
        cell is refused, since rewriting it would break the cells that share its formula."""
        if content.shared_master:
            raise WorkbookError(SHARED_MASTER, Location(file=str(self.path), sheet=sheet, cell=ref))
        return same(content, value, formula, self.shared_strings)

    def refresh_chart_caches(self, values: dict[tuple[str, str], Any]) -> None:
        """Update cached points of charts whose series read cells the add-in wrote."""
        sheet_names = {sheet for sheet, _ in values}
        for name in sorted(self.names):
            if not (name.startswith("xl/charts/chart") and name.endswith(".xml")):
                continue
            raw = self.read(name)
            if not any(s.encode("utf-8") in raw for s in sheet_names):
                continue
            root = self.tree(name, raw)
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
                    if v is not None and not numbers_equal(v.text, text):
                        v.text = text
                        touched = True
            if touched:
                self.changed.add(name)

    def calls_worksheet_functions(self) -> bool:
        """Whether a worksheet formula calls the add-in's worksheet functions (SCORE_RATE…)."""
        return any(
            _CALLS_ADD_IN.search(self.read(part))
            for part in self.sheet_parts().values()
            if part in self.names
        )

    def has_formulas_besides(self, owned: Set[tuple[str, str]]) -> bool:
        """Whether a worksheet holds a formula cell other than ``owned`` (sheet, reference):
        the user's own formulas, whose saved results the add-in does not compute."""
        owned_sheets = {name for name, _ in owned}
        for sheet, part in self.sheet_parts().items():
            if part not in self.names:
                continue
            owns = sheet in owned_sheets
            text = self._texts.get(part) if owns else None
            if text is None:
                # not cut into cells yet: its bytes are searched first (most parts hold none)
                if not _FORMULA.search(self.read(part)):
                    continue
                if not owns:
                    return True
                text = self._sheet_xml(part)
            if text is not None:  # the cells' text, without decoding their values
                if any((sheet, ref) not in owned for ref in text.formula_refs()):
                    return True
                continue
            for ref, cell in self.cells(sheet).items():
                if cell.formula is not None and (sheet, ref) not in owned:
                    return True
        return False

    def recalculate_on_open(self) -> bool:
        """Ask spreadsheets to recalculate every formula when they open the file
        (``<calcPr fullCalcOnLoad="1"/>`` in xl/workbook.xml), so formulas over cells the add-in
        wrote do not show their old results. Only that attribute changes: every other byte of
        the part stays as it was. Returns whether the part changed."""
        name = "xl/workbook.xml"
        raw = self._patched.get(name) or self.read(name)
        if utf8_text(raw) is None:
            return False  # another encoding: left as it is
        found = _CALC_PR.search(raw)
        if found is not None:
            tag = found.group(0)
            setting = _FULL_CALC.search(tag)
            if setting is not None and setting.group(1) in (b"1", b"true"):
                return False
            if setting is not None:
                new = tag[: setting.start()] + b' fullCalcOnLoad="1"' + tag[setting.end() :]
            else:
                end = len(tag) - (2 if tag.endswith(b"/>") else 1)
                new = tag[:end].rstrip() + b' fullCalcOnLoad="1"' + tag[end:]
            patched = raw[: found.start()] + new + raw[found.end() :]
        else:
            start = max((m.end() for m in _BEFORE_CALC_PR.finditer(raw)), default=-1)
            after = _AFTER_CALC_PR.search(raw, start) if start >= 0 else None
            if after is None:
                return False
            prefix = after.group(1) or after.group(2) or b""  # the workbook's, if it has one
            element = b"<" + prefix + b'calcPr fullCalcOnLoad="1"/>'
            patched = raw[: after.start()] + element + raw[after.start() :]
        self._patched[name] = patched
        self.changed.add(name)
        return True

    def save(self, target: Path) -> None:
        """Write the package to ``target`` safely (:func:`xladdin.files.write_file`)."""
        from ..files import write_file

        write_file(target, self.to_bytes())

    def to_bytes(self) -> bytes:
        """The package as zip bytes: unchanged parts copied compressed as they were."""
        changed: dict[str, bytes] = {}
        for name in self.changed:
            text = self._texts.get(name)
            if name in self._patched:
                changed[name] = self._patched[name]
            elif text is not None:
                changed[name] = text.to_bytes()
            else:
                changed[name] = etree.tostring(
                    self.trees[name], xml_declaration=True, encoding="UTF-8", standalone=True
                )
        return rebuild_zip(self.data, self.infos, changed, self.read)


class SheetCells(Mapping[str, Cell]):
    """A worksheet's non-empty cells as read, each decoded once, when first asked for or
    when loaded with others (:meth:`load`): the reader needs a few hundred cells of a sheet of
    thousands. Iterating reads the sheet whole."""

    def __init__(self, text: SheetXml, shared: Callable[[], SharedStrings]) -> None:
        self._text = text
        self._shared = shared
        self._read: dict[str, Cell | None] = {}
        self._whole: dict[str, Cell] | None = None

    def load(self, refs: Sequence[str]) -> list[Cell | None]:
        """Read ``refs`` at once; what each holds, in their order."""
        found = self._text.cells_at(refs, self._shared)
        self._read.update(zip(refs, found, strict=True))
        return found

    def get(self, ref: str, default: Any = None) -> Any:
        cell = self._read.get(ref, _UNREAD)
        if cell is _UNREAD:
            cell = self._read[ref] = self._text.cells_at((ref,), self._shared)[0]
        return default if cell is None else cell

    def __getitem__(self, ref: str) -> Cell:
        cell = self.get(ref)
        if cell is None:
            raise KeyError(ref)
        return cell

    def __contains__(self, ref: object) -> bool:
        return isinstance(ref, str) and self.get(ref) is not None

    def _all(self) -> dict[str, Cell]:
        if self._whole is None:
            self._whole = self._text.read(self._shared)
        return self._whole

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def last_row(self) -> int:
        return self._text.last_row()

    def formulas(self) -> frozenset[str]:
        """The cells holding a formula element."""
        return frozenset(self._text.formula_refs())

    def in_column(self, letters: str) -> Iterator[tuple[str, Cell]]:
        """The column's non-empty cells, row by row."""
        for row in range(1, self.last_row() + 1):
            ref = f"{letters}{row}"
            cell = self.get(ref)
            if cell is not None:
                yield ref, cell


_UNREAD: Any = object()
_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?f[\s>/]")
# the add-in's worksheet function names (xladdin.excel.udfs): by prefix, or one by one
ADD_IN_FUNCTION_NAMES = ("SCORE_", "PERF_", "EXEC_RATE", "SAVING_RATE", "CHILD_WEIGHT")
# a formula calling one of the add-in's worksheet functions
_CALLS_ADD_IN = re.compile(
    rb"<(?:[A-Za-z_][\w.\-]*:)?f\b[^>]*>[^<]*?\b(?:"
    + "|".join(n + "[A-Z_]+" if n.endswith("_") else n for n in ADD_IN_FUNCTION_NAMES).encode()
    + rb")\s*\("
)
_CALC_PR = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?calcPr\b[^>]*>")
_FULL_CALC = re.compile(rb'\sfullCalcOnLoad\s*=\s*["\']([^"\']*)["\']')
# calcPr's place in the workbook part: after the last of the first pattern's elements, before
# the first of the second's (or the end tag)
_BEFORE_CALC_PR = re.compile(
    rb"</(?:[A-Za-z_][\w.\-]*:)?(?:sheets|functionGroups|externalReferences|definedNames)>"
    rb"|<(?:[A-Za-z_][\w.\-]*:)?definedNames\s*/>"
)
_AFTER_CALC_PR = re.compile(
    rb"<([A-Za-z_][\w.\-]*:)?(?:oleSize|customWorkbookViews|pivotCaches|smartTagPr|"
    rb"smartTagTypes|webPublishing|fileRecoveryPr|webPublishObjects|extLst)\b"
    rb"|</([A-Za-z_][\w.\-]*:)?workbook>"
)

SHARED_MASTER = "该单元格是 Excel 共享公式的起始单元格，改写会破坏其他单元格的公式；请在 Excel 中重新输入该公式后再试"


def _content(cell: Any) -> CellXml:
    """A tree's ``<c>`` element read by the same decoder as the text patcher's cells."""
    if not len(cell):
        return decode(cell.get("t"), None)
    text = etree.tostring(cell, encoding="unicode", with_tail=False)
    return decode(cell.get("t"), text[text.find(">") + 1 : text.rfind("</")])


def _replace_content(cell: Any, ref: str, value: Any, formula: str | None) -> None:
    """Give a tree's ``<c>`` element the content :func:`cellxml.render` writes, keeping its
    other attributes (style…)."""
    prefix = cell.prefix
    tag = f"{prefix}:" if prefix else ""
    declare = f"xmlns:{prefix}" if prefix else "xmlns"
    wrapper = f'<{tag}w {declare}="{MAIN_NS}">{render(ref, "", value, formula, tag)}</{tag}w>'
    fresh = etree.fromstring(wrapper, _PARSER)[0]
    for child in list(cell):
        cell.remove(child)
    cell.attrib.pop("t", None)
    if fresh.get("t") is not None:
        cell.set("t", fresh.get("t"))
    cell.extend(list(fresh))


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
