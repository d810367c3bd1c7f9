"""Stand-ins for Excel through xlwings, so the add-in's Excel code runs on any machine.

The stand-in is only as good as its likeness, so whatever xlwings itself decides runs xlwings'
own code, loaded from the installed package with the pywin32 modules stubbed out:

* **Value conversion.** Every value that reaches Python (a cell read through ``Range.value``,
  a UDF argument, a UDF result) goes through the installed ``xlwings.conversion`` pipeline with
  the Windows engine of the installed ``xlwings/_xlwindows.py`` (its ``clean_value_data`` turns
  COM's error integers into ``"#N/A"`` … with ``err_to_str`` and into ``None`` without, empty
  cells into ``None``; its ``prepare_xl_data_element`` prepares results). The stand-in only
  plays COM: it hands over what ``Range.Value`` gives on Windows (a float for every number, an
  error as its VT_ERROR integer, a scalar for one cell, a tuple of row tuples otherwise).
* **Decorators and VBA.** ``windows_udfs()`` decorates the add-in's modules with the real
  ``@xw.func``/``@xw.arg``/``@xw.script`` of ``xlwings/udfs.py`` and generates the VBA module
  "Import Functions" writes (``generate_vba_wrapper``).

What needs a running Excel is pinned instead, to the installed version's rules, by
``tests/test_udfs.py`` (a test fails when an upgrade changes them): ``call_udf``'s handling of
an omitted argument (``MISSING``) and of the reserved ``caller`` argument, which
``call_like_excel`` repeats, and the VBA wrapper's ``On Error … = Err.Description``, which makes
anything a function raises a text in the cell.

``FakeApp`` / ``FakeBook`` / ``FakeSheets`` / ``FakeSheet`` / ``FakeRange`` are the slice of
xlwings' object model the macros use, backed by a real workbook file loaded with openpyxl:
``Range.formula`` is what Excel's ``Range.Formula`` returns, every write is recorded, a
protected sheet refuses writes to locked cells as Excel does, and ``sheet.api`` records
Unprotect/Protect calls.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import importlib.util
import io
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import openpyxl
import xlwings
import xlwings.conversion as xlconversion
import xlwings.main
from openpyxl.utils import get_column_letter, range_boundaries

# Excel's Range.Formula fails on a cell whose text is longer than this (xlwings issue #887).
FORMULA_TEXT_LIMIT = 8221


class FakeComError(Exception):
    """What pywin32 raises when Excel refuses a call."""


@dataclass
class Write:
    sheet: str
    ref: str
    kind: str  # "value" or "formula"
    payload: Any


@dataclass
class Alert:
    prompt: str
    title: str | None
    mode: str | None


class FakeApp:
    def __init__(self) -> None:
        self.books = FakeBooks(self)
        self.screen_updating = True
        self.alerts: list[Alert] = []
        self.updating_while_writing: list[bool] = []

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        self.alerts.append(Alert(prompt, title, mode))
        return "ok"


class FakeBooks:
    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.items: list[FakeBook] = []
        self.active: FakeBook | None = None
        self.opened: list[str] = []

    def open(self, fullname: str) -> FakeBook:
        self.opened.append(fullname)
        return FakeBook(Path(fullname), self.app)

    def __iter__(self) -> Iterator[FakeBook]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class FakeBook:
    """An open workbook: the file's formulas and cached values, and what was written since."""

    def __init__(self, path: Path, app: FakeApp | None = None) -> None:
        self.fullname = str(path)
        self.name = path.name
        self.formulas = openpyxl.load_workbook(path)  # what Range.formula / constants read
        self.cached = openpyxl.load_workbook(path, data_only=True)  # formulas' last values
        self.app = app or FakeApp()
        self.app.books.items.append(self)
        self.app.books.active = self
        self.sheets = FakeSheets(self)
        self.writes: list[Write] = []
        self.selection: FakeRange | None = None
        self.active_sheet: str | None = None
        self.api_calls: list[tuple[str, str, dict[str, Any]]] = []

    def save(self, path: Path) -> None:
        self.formulas.save(path)


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def _all(self) -> list[FakeSheet]:
        return [FakeSheet(self.book, ws.title) for ws in self.book.formulas.worksheets]

    def __getitem__(self, key: str | int) -> FakeSheet:
        if isinstance(key, int):
            return self._all()[key]
        if key not in self.book.formulas.sheetnames:
            raise KeyError(key)
        return FakeSheet(self.book, key)

    def __iter__(self) -> Iterator[FakeSheet]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self.book.formulas.worksheets)

    def add(
        self,
        name: str | None = None,
        before: FakeSheet | None = None,
        after: FakeSheet | None = None,
    ) -> FakeSheet:
        if name is not None and name in self.book.formulas.sheetnames:
            raise ValueError(f"Sheet named '{name}' already present in workbook")
        index = len(self.book.formulas.worksheets)
        if after is not None:
            index = self.book.formulas.sheetnames.index(after.name) + 1
        elif before is not None:
            index = self.book.formulas.sheetnames.index(before.name)
        created = self.book.formulas.create_sheet(name, index)
        self.book.cached.create_sheet(created.title, index)
        return FakeSheet(self.book, created.title)


class FakeProtection:
    """Worksheet.Protection: what is still allowed on a protected sheet."""

    def __init__(self, ws: Any) -> None:
        p = ws.protection
        # In the file a true flag means "locked"; Excel's Allow… properties are the reverse.
        self.AllowFormattingCells = not p.formatCells
        self.AllowFormattingColumns = not p.formatColumns
        self.AllowFormattingRows = not p.formatRows
        self.AllowInsertingColumns = not p.insertColumns
        self.AllowInsertingRows = not p.insertRows
        self.AllowInsertingHyperlinks = not p.insertHyperlinks
        self.AllowDeletingColumns = not p.deleteColumns
        self.AllowDeletingRows = not p.deleteRows
        self.AllowSorting = not p.sort
        self.AllowFiltering = not p.autoFilter
        self.AllowUsingPivotTables = not p.pivotTables


class FakeSheetApi:
    """The COM Worksheet object behind ``sheet.api``: protection only, every call recorded."""

    def __init__(self, book: FakeBook, name: str) -> None:
        self._ws = book.formulas[name]
        self.calls = book.api_calls
        self._name = name

    @property
    def ProtectContents(self) -> bool:
        return bool(self._ws.protection.sheet)

    @property
    def ProtectDrawingObjects(self) -> bool:
        return bool(self._ws.protection.sheet and self._ws.protection.objects)

    @property
    def ProtectScenarios(self) -> bool:
        return bool(self._ws.protection.sheet and self._ws.protection.scenarios)

    @property
    def Protection(self) -> FakeProtection:
        return FakeProtection(self._ws)

    def Unprotect(self, Password: str | None = None) -> None:
        if self._ws.protection.password and Password is None:
            raise FakeComError("The password you supplied is not correct.")
        self.calls.append((self._name, "Unprotect", {}))
        self._ws.protection.sheet = False

    def Protect(self, **options: Any) -> None:
        self.calls.append((self._name, "Protect", dict(options)))
        p = self._ws.protection
        p.sheet = bool(options.get("Contents", True))
        p.objects = bool(options.get("DrawingObjects", False))
        p.scenarios = bool(options.get("Scenarios", False))
        p.formatCells = not options.get("AllowFormattingCells", False)
        p.formatColumns = not options.get("AllowFormattingColumns", False)
        p.formatRows = not options.get("AllowFormattingRows", False)
        p.insertColumns = not options.get("AllowInsertingColumns", False)
        p.insertRows = not options.get("AllowInsertingRows", False)
        p.insertHyperlinks = not options.get("AllowInsertingHyperlinks", False)
        p.deleteColumns = not options.get("AllowDeletingColumns", False)
        p.deleteRows = not options.get("AllowDeletingRows", False)
        p.sort = not options.get("AllowSorting", False)
        p.autoFilter = not options.get("AllowFiltering", False)
        p.pivotTables = not options.get("AllowUsingPivotTables", False)


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book = book
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FakeSheet) and (other.book, other.name) == (self.book, self.name)

    @property
    def api(self) -> FakeSheetApi:
        return FakeSheetApi(self.book, self.name)

    def range(self, ref: str) -> FakeRange:
        return FakeRange(self, ref)

    @property
    def used_range(self) -> FakeRange:
        ws = self.book.formulas[self.name]
        first = f"{get_column_letter(ws.min_column)}{ws.min_row}"
        last = f"{get_column_letter(ws.max_column)}{ws.max_row}"
        return FakeRange(self, first if first == last else f"{first}:{last}")

    def activate(self) -> None:
        self.book.active_sheet = self.name

    def clear_contents(self) -> None:
        self.used_range.clear_contents()


def com_value(value: Any) -> Any:
    """A cell's content as ``Range.Value`` hands it over through COM on Windows.

    Numbers are doubles, an error is its VT_ERROR code (the integer xlwings' Windows engine
    looks up in its ``cell_errors``), an empty cell is None; dates arrive as datetimes.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        if value in ERROR_CODES:
            return ERROR_CODES[value]
        return None if value == "" else value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


class FakeRange:
    def __init__(self, sheet: FakeSheet, ref: str, options: dict[str, Any] | None = None) -> None:
        self.sheet = sheet
        self.ref = ref.replace("$", "")
        self._options = dict(options or {})
        min_col, min_row, max_col, max_row = range_boundaries(self.ref)
        assert min_col is not None and min_row is not None
        self.column, self.row = min_col, min_row
        self._last = (max_col or min_col, max_row or min_row)

    # -- shape ------------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        return self._last[1] - self.row + 1, self._last[0] - self.column + 1

    @property
    def address(self) -> str:
        return self.ref

    def _refs(self) -> list[list[str]]:
        return [
            [f"{get_column_letter(c)}{r}" for c in range(self.column, self._last[0] + 1)]
            for r in range(self.row, self._last[1] + 1)
        ]

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        return FakeRange(self.sheet, self.ref, {**self._options, **options})

    # -- reading ----------------------------------------------------------------------------

    def _cell_value(self, ref: str) -> Any:
        constant = self.sheet.book.formulas[self.sheet.name][ref].value
        if isinstance(constant, str) and constant.startswith("="):
            constant = self.sheet.book.cached[self.sheet.name][ref].value
        return com_value(constant)

    @property
    def raw_value(self) -> Any:
        """What COM's ``Range.Value`` returns: a scalar, or a tuple of row tuples."""
        rows = tuple(tuple(self._cell_value(ref) for ref in row) for row in self._refs())
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    @property
    def value(self) -> Any:
        """``Range.value`` as xlwings returns it: COM's value through xlwings' own reader."""
        return read_argument(self.raw_value, self._options)

    @value.setter
    def value(self, value: Any) -> None:
        (ref,) = [r for row in self._refs() for r in row]  # the add-in writes single cells
        self._check_writable(ref)
        if isinstance(value, str) and value.startswith("'"):
            value = value[1:]  # Excel keeps the apostrophe as a prefix, not in the value
        elif isinstance(value, str) and value.startswith("="):
            raise AssertionError("a text starting with = would become a formula in Excel")
        self._store(ref, value, value)
        self.sheet.book.writes.append(Write(self.sheet.name, ref, "value", value))

    @property
    def formula(self) -> Any:
        rows = []
        for refs in self._refs():
            row = []
            for ref in refs:
                content = self.sheet.book.formulas[self.sheet.name][ref].value
                if isinstance(content, str) and len(content) > FORMULA_TEXT_LIMIT:
                    raise FakeComError("Range.Formula failed on a long text (xlwings #887)")
                if content is None:
                    row.append("")
                elif isinstance(content, bool):
                    row.append("TRUE" if content else "FALSE")
                else:
                    row.append(str(content))
            rows.append(tuple(row))
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        return tuple(rows)

    @formula.setter
    def formula(self, formula: str) -> None:
        (ref,) = [r for row in self._refs() for r in row]
        self._check_writable(ref)
        assert formula.startswith("="), "Range.formula takes the formula with its ="
        self._store(ref, formula, None)  # Excel would compute it; nothing here does
        self.sheet.book.writes.append(Write(self.sheet.name, ref, "formula", formula))

    # -- what a write needs -----------------------------------------------------------------

    def _check_writable(self, ref: str) -> None:
        ws = self.sheet.book.formulas[self.sheet.name]
        self.sheet.book.app.updating_while_writing.append(self.sheet.book.app.screen_updating)
        if ws.protection.sheet and ws[ref].protection.locked:
            raise FakeComError("The cell or chart you're trying to change is on a protected sheet.")

    def _store(self, ref: str, content: Any, cached: Any) -> None:
        self.sheet.book.formulas[self.sheet.name][ref].value = content
        self.sheet.book.cached[self.sheet.name][ref].value = cached

    def clear_contents(self) -> None:
        for row in self._refs():
            for ref in row:
                self._store(ref, None, None)

    def select(self) -> None:
        self.sheet.book.selection = self


# ---------------------------------------------------------------------------------------------
# xlwings' Windows UDF machinery, without Windows.

MISSING = -2147352572  # what VBA passes for an omitted Optional argument (DISP_E_PARAMNOTFOUND)


def _pywin32_stubs() -> dict[str, types.ModuleType]:
    pythoncom = types.ModuleType("pythoncom")
    pythoncom.CoInitialize = lambda: None  # type: ignore[attr-defined]
    pywintypes = types.ModuleType("pywintypes")
    pywintypes.com_error = FakeComError  # type: ignore[attr-defined]
    win32com = types.ModuleType("win32com")
    client = types.ModuleType("win32com.client")
    client.Dispatch = lambda *args, **kwargs: None  # type: ignore[attr-defined]
    win32com.client = client  # type: ignore[attr-defined]
    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
    }


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class WindowsUdfs:
    """The add-in's modules as xlwings on Windows decorates them, and xlwings' own udfs module."""

    xlwings_udfs: types.ModuleType
    udfs: types.ModuleType
    macros: types.ModuleType

    def vba(self, workbook_name: str = "评分表.xlsm") -> str:
        """The VBA module "Import Functions" would write into the workbook."""
        out = io.StringIO()
        book = types.SimpleNamespace(Name=workbook_name)
        self.xlwings_udfs.generate_vba_wrapper("xladdin.excel.udfs", self.udfs, out, book)
        return out.getvalue()


def windows_udfs() -> WindowsUdfs:
    """Load ``xladdin.excel.udfs`` (and the macros it re-exports) under xlwings' real Windows
    decorators. The normal modules in ``sys.modules`` are left as they were."""
    import xladdin.excel.macros
    import xladdin.excel.udfs

    xlwings_dir = Path(xlwings.__file__).parent
    with mock.patch.dict(sys.modules, _pywin32_stubs()):
        real = _load("xlwings._udfs_windows", xlwings_dir / "udfs.py")
    saved = {name: sys.modules[name] for name in ("xladdin.excel.macros", "xladdin.excel.udfs")}
    try:
        with (
            mock.patch.object(xlwings, "func", real.xlfunc),
            mock.patch.object(xlwings, "arg", real.xlarg),
            mock.patch.object(xlwings, "sub", real.xlsub),
            mock.patch.object(xlwings, "script", real.xlsub),  # xlwings/__init__.py on Windows
            mock.patch.object(xlwings, "ret", real.xlret),
        ):
            macros = _load("xladdin.excel.macros", Path(xladdin.excel.macros.__file__))
            udfs = _load("xladdin.excel.udfs", Path(xladdin.excel.udfs.__file__))
    finally:
        sys.modules.update(saved)
        sys.modules.pop("xlwings._udfs_windows", None)
    return WindowsUdfs(real, udfs, macros)


def _windows_engine_module() -> types.ModuleType:
    """The installed ``xlwings/_xlwindows.py``, imported with pywin32 and Windows' DLLs stubbed.

    Only its pure parts are used: ``cell_errors`` and the ``Engine`` whose cleaning and
    preparing steps the conversion pipeline calls.
    """

    class TimeType:  # pywintypes.TimeType: no value here is one
        pass

    stubs: dict[str, Any] = {
        name: mock.MagicMock(name=name)
        for name in (
            "pythoncom",
            "win32api",
            "win32con",
            "win32com",
            "win32com.client",
            "win32gui",
            "win32process",
            "win32timezone",
        )
    }
    stubs["pythoncom"].__file__ = "pythoncom.dll"
    stubs["pywintypes"] = mock.MagicMock(name="pywintypes", TimeType=TimeType)
    path = Path(xlwings.__file__).parent / "_xlwindows.py"
    with (
        mock.patch.dict(sys.modules, stubs),
        mock.patch.object(ctypes, "PyDLL", mock.MagicMock()),
        mock.patch.object(ctypes, "oledll", mock.MagicMock(), create=True),
        mock.patch.object(ctypes, "windll", mock.MagicMock(), create=True),
    ):
        spec = importlib.util.spec_from_file_location("xlwings._xlwindows_on_linux", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


XLWINDOWS = _windows_engine_module()
WINDOWS_ENGINE = xlwings.main.Engine(impl=XLWINDOWS.engine)
# Excel's error texts and the VT_ERROR codes COM hands over for them, from xlwings itself.
ERROR_CODES: dict[str, int] = {text: code for code, text in XLWINDOWS.cell_errors.items()}
ERROR_TEXTS = tuple(ERROR_CODES)


def _engines() -> Any:
    return mock.patch.object(xlwings, "engines", {"excel": WINDOWS_ENGINE})


def read_argument(raw: Any, options: dict[str, Any]) -> Any:
    """``xlwings.conversion.read(None, raw, options)`` as ``call_udf`` calls it for a value
    COM delivered, with the Windows engine."""
    with _engines():
        return xlconversion.read(None, raw, options)


def write_result(value: Any, options: dict[str, Any]) -> Any:
    """``xlwings.conversion.write(value, None, options)``: what ``call_udf`` hands back to VBA."""
    with _engines():
        return xlconversion.write(value, None, options)


def call_like_excel(func: Any, *raw_args: Any, caller: Any = None) -> Any:
    """Call a decorated UDF as ``xlwings.udfs.call_udf`` does for a cell.

    ``raw_args`` are what COM delivers: floats, strings, booleans, None for an empty cell,
    an error's VT_ERROR code (``ERROR_CODES["#N/A"]``), tuples of row tuples for a range or an
    array constant such as {0.9;0.8}; ``MISSING`` (or leaving trailing arguments out) for an
    omitted optional argument. ``caller`` is the calling cell, handed to an argument named
    ``caller`` (VBA passes ``Nothing`` there). Returns the 2-D list VBA receives, e.g.
    ``[[0.93]]``.
    """
    info = func.__xlfunc__
    declared = info["args"]
    raw = list(raw_args) + [MISSING] * (len(declared) - len(raw_args))
    for arg_info in declared:
        if arg_info["name"] == "caller":
            raw[arg_info["pos"]] = caller
    args = []
    for i, arg in enumerate(raw):
        arg_info = declared[min(i, len(declared) - 1)]
        if isinstance(arg, int) and not isinstance(arg, bool) and arg == MISSING:
            args.append(arg_info.get("optional", None))
        else:
            args.append(read_argument(arg, arg_info["options"]))
    return write_result(func(*args), info["ret"]["options"])
