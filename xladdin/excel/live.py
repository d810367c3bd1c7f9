"""The workbook open in Excel, through xlwings: read its cells like a file, apply a write plan.

:class:`XlwingsSource` is the reader's ``CellSource`` over a live book, so
:func:`xladdin.workbook.reader.read_book` reads an open workbook exactly as it reads a file.
:func:`apply_plan_to_book` applies the same :class:`~xladdin.workbook.plan.WritePlan` the
headless patcher applies to a file, so Excel and batch mode cannot drift apart.

Only the xlwings object model is used (``book.sheets``, ``sheet.used_range``, ``range.value``,
``range.formula``, ``sheet.api`` for protection), so a stand-in with the same attributes can
run everything here in tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.errors import Location, WorkbookError
from ..core.numbers import NumberParseError, to_decimal
from ..workbook.cellref import col_letter
from ..workbook.cellxml import Cell
from ..workbook.layout import RUBRIC_SHEET
from ..workbook.plan import CellValue, WritePlan

# Excel's day 0 for serial dates (the 1900 system, past its leap-year bug).
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)

# Options of Worksheet.Protect that Worksheet.Protection reports (Excel's COM object model).
PROTECTION_OPTIONS = (
    "AllowFormattingCells",
    "AllowFormattingColumns",
    "AllowFormattingRows",
    "AllowInsertingColumns",
    "AllowInsertingRows",
    "AllowInsertingHyperlinks",
    "AllowDeletingColumns",
    "AllowDeletingRows",
    "AllowSorting",
    "AllowFiltering",
    "AllowUsingPivotTables",
)


def cell_value(value: Any) -> str | Decimal | bool | None:
    """A value as xlwings reads it → as the file reader reads it.

    Numbers arrive as floats: their shortest repr is what the user typed (0.93, not
    0.92999999999999994). Dates become Excel serial numbers, as they are stored in a file.
    Empty text is an empty cell. Text is kept as it is: the reader strips input cells itself,
    and the rubric sheet's chunks must not lose a space at their edges.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return Decimal(repr(float(value)))
    if isinstance(value, dt.datetime | dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(*value.timetuple()[:3])
        days = (moment.replace(tzinfo=None) - _EXCEL_EPOCH).total_seconds() / 86400
        return Decimal(repr(days))
    text = str(value)
    return text or None


def _rows(value: Any) -> list[list[Any]]:
    """xlwings' value or formula of a range as rows, whatever shape it came in."""
    if not isinstance(value, list | tuple):
        return [[value]]
    if value and not isinstance(value[0], list | tuple):
        return [list(value)]
    return [list(row) for row in value]


class XlwingsSource:
    """The reader's ``CellSource`` over a book open in Excel (an ``xlwings.Book``)."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def label(self) -> str:
        return str(getattr(self.book, "fullname", None) or self.book.name)

    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def has_sheet(self, sheet: str) -> bool:
        return sheet in self.sheet_names()

    def cells(
        self, sheet: str, columns: Iterable[str] | None = None, rows: Iterable[int] = ()
    ) -> dict[str, Cell]:
        """Every non-empty cell of ``sheet``, by reference; with ``columns``, only the cells in
        those columns or in ``rows`` (as :meth:`XlsxPackage.cells` reads a file).

        One read of the used range's values (errors as their text, as a file stores them) and
        one of its formulas. The hidden rubric sheet's formulas are not read: its cells hold up
        to 30,000 characters, and reading ``Range.Formula`` of a text over 8,221 characters
        fails in Excel (xlwings issue #887); the reader needs only its values.
        """
        if not self.has_sheet(sheet):
            raise WorkbookError(f"缺少工作表“{sheet}”", Location(file=self.label, sheet=sheet))
        used = self.book.sheets[sheet].used_range
        values = _rows(used.options(ndim=2, err_to_str=True).value)
        formulas = self._formulas(used) if sheet != RUBRIC_SHEET else None
        wanted = set(columns) if columns is not None else None
        whole_rows = set(rows)
        top, left = int(used.row), int(used.column)
        found: dict[str, Cell] = {}
        for i, row in enumerate(values):
            for j, raw in enumerate(row):
                letters = col_letter(left - 1 + j)
                if wanted is not None and letters not in wanted and top + i not in whole_rows:
                    continue
                formula = None
                if formulas is not None and i < len(formulas) and j < len(formulas[i]):
                    text = formulas[i][j]
                    # Range.Formula of a text constant such as "=100%" (a target) is that
                    # text; a real formula's value differs from its own text
                    if isinstance(text, str) and text.startswith("=") and raw != text:
                        formula = text[1:]
                value = cell_value(raw)
                if value is not None or formula is not None:
                    found[f"{letters}{top + i}"] = Cell(value, formula)
        return found

    @staticmethod
    def _formulas(used: Any) -> list[list[Any]] | None:
        try:
            return _rows(used.formula)
        except Exception:  # a long text elsewhere on the sheet: values are enough
            return None


def excel_value(value: CellValue) -> Any:
    """A planned value as it is assigned to ``Range.value``.

    Excel parses a text assigned to a cell as if it were typed ("25%" would become 0.25,
    "=…" a formula); texts that could be read so get the apostrophe that keeps them text
    (Excel does not store it in the value).
    """
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value and _would_be_parsed(value):
        return "'" + value
    return value


def _would_be_parsed(text: str) -> bool:
    if text[0] in "=+-@'":
        return True
    try:
        to_decimal(text)
    except NumberParseError:
        return False
    return True


@contextmanager
def unprotected(sheet: Any) -> Iterator[None]:
    """Lift a sheet's protection (the templates protect the 评分表 without a password) while
    the add-in writes its own cells, then protect it again with the same options.

    Uses Excel's COM object model through ``sheet.api`` (Windows). Where it is not available
    (macOS) nothing is changed: a protected sheet then makes the first write fail with a
    message that says what to do.
    """
    api: Any = getattr(sheet, "api", None)
    protected = bool(getattr(api, "ProtectContents", False))
    if not protected:
        yield
        return
    protection = api.Protection
    options = {name: bool(getattr(protection, name)) for name in PROTECTION_OPTIONS}
    options["DrawingObjects"] = bool(api.ProtectDrawingObjects)
    options["Scenarios"] = bool(api.ProtectScenarios)
    try:
        api.Unprotect()
    except Exception:
        raise WorkbookError(
            "工作表设置了保护密码，请先在 Excel 中撤消工作表保护（审阅 → 撤消工作表保护）后再运行",
            Location(sheet=sheet.name),
        ) from None
    try:
        yield
    finally:
        api.Protect(Password="", Contents=True, **options)


def apply_plan_to_book(book: Any, plan: WritePlan) -> int:
    """Write every cell of ``plan`` into the open ``book``; returns how many were written.

    Formulas are written as formulas ("=" + text) so Excel computes them; values as numbers or
    text. Screen updating is paused while writing and restored afterwards.
    """
    names = {sheet.name for sheet in book.sheets}
    missing = [sheet for sheet in plan.sheets() if sheet not in names]
    if missing:
        raise WorkbookError(
            f"缺少工作表“{missing[0]}”", Location(file=_label(book), sheet=missing[0])
        )
    app = getattr(book, "app", None)
    updating = getattr(app, "screen_updating", None)
    if app is not None:
        app.screen_updating = False
    written = 0
    try:
        for name in plan.sheets():
            sheet = book.sheets[name]
            with unprotected(sheet):
                for ref, write in plan.for_sheet(name).items():
                    target = sheet.range(ref)
                    try:
                        if write.formula is not None:
                            target.formula = "=" + write.formula
                        else:
                            target.value = excel_value(write.value)
                    except WorkbookError:
                        raise
                    except Exception as exc:
                        raise WorkbookError(
                            f"无法写入单元格（{exc}）：工作表可能受保护，请先撤消工作表保护（审阅 → 撤消工作表保护）后再运行",
                            Location(file=_label(book), sheet=name, cell=ref),
                        ) from None
                    written += 1
    finally:
        if app is not None and updating is not None:
            app.screen_updating = updating
    return written


def _label(book: Any) -> str:
    return str(getattr(book, "fullname", None) or getattr(book, "name", ""))


def book_folder(book: Any) -> Path | None:
    """The folder of a saved book; None for a book never saved (its fullname is a bare name)."""
    fullname = Path(_label(book))
    if fullname.is_absolute() and fullname.parent.is_dir():
        return fullname.parent
    return None
