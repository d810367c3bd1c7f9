"""Read a worksheet into a :class:`~.table.Grid` with openpyxl (merged ranges from ``ws.merged_cells``).

Numbers are written as the table shows them: a percentage-formatted 1 is "100%", a float comes
through its shortest repr (0.93 stays "0.93"). Formulas give their cached values.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..core.errors import Location, WorkbookError
from ..core.numbers import HUNDRED, NumberParseError, fmt_number, to_decimal
from ..workbook.cellref import col_letter
from ..workbook.layout import RUBRIC_MARKER, RUBRIC_SHEET, SCORING_SHEET, RubricSheetLayout
from .table import Grid, Merge


def cell_text(value: Any, number_format: str | None = None) -> str:
    """A cell's value as the text the table shows."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int | float | Decimal):
        try:
            number = to_decimal(value)
        except NumberParseError:
            return str(value)
        if number_format and "%" in number_format:
            return f"{fmt_number(number * HUNDRED)}%"
        return fmt_number(number)
    return str(value).strip()


def open_workbook(path: Path) -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, data_only=True)
    except FileNotFoundError:
        raise WorkbookError("文件不存在", Location(file=str(path))) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookError(
            f"无法读取 Excel 文件（{type(exc).__name__}）：请确认是 .xlsx 格式且未损坏",
            Location(file=str(path)),
        ) from None


def has_embedded_rubric(book: Any) -> bool:
    """True for a workbook made by ``xladdin template`` (its hidden 指标体系 sheet is present)."""
    if RUBRIC_SHEET not in book.sheetnames:
        return False
    return bool(book[RUBRIC_SHEET][RubricSheetLayout().marker_cell].value == RUBRIC_MARKER)


def sheet_grid(path: Path, sheet: Any) -> Grid:
    """The used area of ``sheet`` as a grid; merged ranges keep their text in the top-left cell."""
    max_row = sheet.max_row or 0
    max_col = sheet.max_column or 0
    rows: list[list[str]] = []
    for row in sheet.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        rows.append([cell_text(cell.value, getattr(cell, "number_format", None)) for cell in row])
    while rows and not any(rows[-1]):
        rows.pop()
    merges = [
        Merge(rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1)
        for rng in sheet.merged_cells.ranges
        if rng.min_row - 1 < len(rows)
    ]
    return Grid(
        source=str(path),
        sheet=sheet.title,
        rows=rows,
        merges=merges,
        locate=lambda r, c: f"{col_letter(c)}{r + 1}",
        locate_row=lambda r: f"第{r + 1}行",
        a1=True,
    )


def candidate_sheets(book: Any, wanted: str | None, path: Path) -> list[Any]:
    """The sheets to look for a scoring table in: the one asked for, else visible sheets, 评分表 first."""
    if wanted is not None:
        if wanted not in book.sheetnames:
            names = "、".join(book.sheetnames)
            raise WorkbookError(
                f"找不到工作表“{wanted}”（有：{names}）", Location(file=str(path), sheet=wanted)
            )
        return [book[wanted]]
    sheets = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
    sheets.sort(key=lambda ws: ws.title != SCORING_SHEET)
    return sheets
