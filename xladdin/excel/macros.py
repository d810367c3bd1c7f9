"""Macros for the workbook open in Excel: recalculate it, check it, create a new one.

The work is done by plain functions that take an ``xlwings.Book`` (or anything with its
attributes): :func:`recalc_book`, :func:`check_book`, :func:`new_workbook`. They are the
headless path with a different source and target: :func:`recalc_book` reads the open book with
the same reader, scores it with the same :func:`~xladdin.workbook.recalc.score_book` and applies
the same write plan that ``xladdin recalc`` applies to a file.

The macro entry points (``PERF_RECALC``, ``PERF_CHECK``, ``PERF_NEW``) are what Excel
runs: "Import Functions" in the xlwings add-in imports them with the worksheet functions
(``xladdin.excel.udfs`` re-exports them), and they appear under Alt+F8. They act on the active
workbook, tell the officer the outcome in a message box, and never show a Python traceback.
:func:`run_in_excel` does the same from the command line (``xladdin excel …``), which is the
way on macOS, where xlwings cannot import functions or macros into Excel.

Heavy imports happen inside the functions, so importing this module (and the UDF module, which
re-exports the entry points) stays cheap. Entry points are annotated ``-> Any``: on Windows
xlwings turns a return annotation into a converter, and ``None`` has none.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlwings as xw

from ..core.errors import Location, WorkbookError, XladdinError
from ..workbook.layout import CHECK_HEADERS as CHECK_HEADERS  # the 检查结果 sheet's header
from ..workbook.layout import CHECK_SHEET, RUBRIC_SHEET, SCORING_SHEET, CheckLayout

if TYPE_CHECKING:
    from ..core.result import Finding, Result
    from ..workbook.build import FunctionInfo
    from ..workbook.plan import WritePlan
    from ..workbook.reader import BookData

TITLE = "xladdin 预算绩效评分"


def _macro_decorator() -> Callable[[Any], Any]:
    """``@xw.script`` (the name since xlwings 0.33.17), ``@xw.sub`` where only that exists.

    Some xlwings builds have neither (``xlwings.server`` offers ``script`` only; older ones
    ``sub`` only): the entry points then stay plain functions, so importing this module (and
    the worksheet functions that re-export them) never fails for want of a decorator.
    """
    for name in ("script", "sub"):
        decorator = getattr(xw, name, None)
        if callable(decorator):
            return decorator
    return lambda func: func


macro = _macro_decorator()


@dataclass
class LiveRecalculated:
    """What :func:`recalc_book` did: the result, the linter's findings, the plan it applied."""

    result: Result
    findings: list[Finding]
    plan: WritePlan
    written: int


def read_live(book: Any) -> BookData:
    """Read an open book the way ``xladdin recalc`` reads a file."""
    from ..workbook.reader import read_book
    from .live import XlwingsSource

    return read_book(XlwingsSource(book))


def recalc_book(book: Any) -> LiveRecalculated:
    """Recalculate an open book: read its evidence, score it, write the owned cells back."""
    from ..workbook.recalc import score_book
    from .live import apply_plan_to_book

    data = read_live(book)
    result, findings, plan = score_book(data)
    written = apply_plan_to_book(book, plan)
    return LiveRecalculated(result, findings, plan, written)


# ---------------------------------------------------------------------------------------------
# Checking: the linter's findings on a sheet of their own.


def check_plan(findings: list[Finding], data: BookData | None) -> WritePlan:
    """The cells of the 检查结果 sheet: one row per finding, with a link to its row in the 评分表."""
    from ..core.result import SEVERITY_NAMES
    from ..workbook.plan import CellWrite, WritePlan

    check = CheckLayout()
    writes = [CellWrite(CHECK_SHEET, ref, header) for ref, header in check.header_cells()]
    if not findings:
        writes.append(CellWrite(CHECK_SHEET, check.nothing_found_cell, "未发现问题"))
    for number, finding in enumerate(findings, 1):
        row = check.finding_row(number)
        writes.append(CellWrite(CHECK_SHEET, check.cell("number", row), Decimal(number)))
        writes.append(
            CellWrite(CHECK_SHEET, check.cell("severity", row), SEVERITY_NAMES[finding.severity])
        )
        writes.append(CellWrite(CHECK_SHEET, check.cell("code", row), finding.code))
        where = _finding_cell(finding, data)
        if where is not None:
            shown = f"{SCORING_SHEET}!{where}"
            link = f'HYPERLINK("#\'{SCORING_SHEET}\'!{where}","{shown}")'
            writes.append(CellWrite(CHECK_SHEET, check.cell("where", row), shown, link))
        else:
            writes.append(CellWrite(CHECK_SHEET, check.cell("where", row), None))
        writes.append(CellWrite(CHECK_SHEET, check.cell("message", row), finding.message))
    return WritePlan(tuple(writes))


def _finding_cell(finding: Finding, data: BookData | None) -> str | None:
    if data is None or finding.code is None:
        return None
    row = data.rows.leaves.get(finding.code) or data.rows.adjustments.get(finding.code)
    if row is None:
        return None
    return data.layout.finding_cell(finding.field, row)


def check_book(book: Any) -> list[Finding]:
    """Check an open book as ``xladdin lint`` checks a file; list the findings on 检查结果.

    A workbook that cannot be read (a changed header, a wrong value in an input cell) gives
    one error finding that names the cell.
    """
    from ..core.lint import lint
    from ..core.result import Finding
    from .live import apply_plan_to_book

    data: BookData | None = None
    try:
        data = read_live(book)
    except XladdinError as exc:
        findings = [Finding(severity="error", check="workbook", message=str(exc))]
    else:
        findings = lint(data.rubric, data.evidence)
    sheet = _fresh_sheet(book, CHECK_SHEET)
    apply_plan_to_book(book, check_plan(findings, data))
    sheet.activate()
    return findings


def _fresh_sheet(book: Any, name: str) -> Any:
    """The sheet ``name``, emptied, or a new one after the last sheet."""
    if name in [sheet.name for sheet in book.sheets]:
        sheet = book.sheets[name]
        sheet.used_range.clear_contents()
        return sheet
    last = book.sheets[len(book.sheets) - 1]
    return book.sheets.add(name, after=last)


# ---------------------------------------------------------------------------------------------
# A new workbook from a bundled rubric.


# The worksheet functions' help for a new macro-enabled workbook's _IntelliSense_ sheet, set by
# the function module (which imports this one) so that the macros need not import it back.
FUNCTION_HELP: Callable[[], Sequence[FunctionInfo]] | None = None


def new_workbook(rubric_id: str, folder: Path, suffix: str = ".xlsx") -> Path:
    """Write the workbook of a bundled rubric (or a rubric YAML file) into ``folder``.

    The file is named after the rubric id; an existing file is never overwritten (a number is
    added instead). With ``suffix`` ".xlsm" it is the macro-enabled workbook (live scores,
    xlwings' VBA inside). Returns the path written.
    """
    from ..library import load_rubric
    from ..workbook.build import write_workbook

    rubric = load_rubric(rubric_id)
    target = folder / f"{rubric.id}{suffix}"
    number = 2
    while target.exists():
        target = folder / f"{rubric.id}-{number}{suffix}"
        number += 1
    functions = tuple(FUNCTION_HELP()) if suffix.lower() == ".xlsm" and FUNCTION_HELP else ()
    write_workbook(rubric, target, functions=functions)
    return target


def rubric_choices() -> str:
    from ..library import bundled

    return "\n".join(f"{entry.id}：{entry.title}" for entry in bundled())


# ---------------------------------------------------------------------------------------------
# Messages and the entry points Excel runs.


def recalc_message(done: LiveRecalculated) -> str:
    from ..core.numbers import fmt_number

    result = done.result
    if result.grade is None:
        missing = sum(line.status == "missing_evidence" for line in result.indicators)
        head = f"已重算，但还有{missing}项缺少佐证，等级暂显示为“未完成”。"
    else:
        head = f"已重算：总分 {fmt_number(result.total)}，等级 {result.grade}。"
    warnings = sum(f.severity != "info" for f in done.findings)
    tail = f"\n另有{warnings}条需要注意的检查结果，可运行 PERF_CHECK 查看。" if warnings else ""
    return f"{head}\n共写入{done.written}个单元格。{tail}"


def check_message(findings: list[Finding]) -> str:
    counts = {s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")}
    return (
        f"检查完成：{counts['error']}个错误，{counts['warning']}个警告，{counts['info']}个提示。"
        f"\n详见“{CHECK_SHEET}”工作表。"
    )


def target_book(caller: Any) -> Any:
    """The workbook a macro acts on: the active one when it is a scoring workbook (a macro run
    from another open workbook still acts on the table in front of the officer), else the
    calling one."""
    try:
        active = caller.app.books.active
    except Exception:
        return caller
    if active is not None and RUBRIC_SHEET in [sheet.name for sheet in active.sheets]:
        return active
    return caller


def run_macro(book: Any, action: Callable[[Any], str]) -> str:
    """Run ``action`` on ``book`` and show its message; a problem is shown in Chinese (and the
    cell it names selected), never as a traceback. Returns the message shown."""
    try:
        message = action(book)
    except XladdinError as exc:
        message = f"未能完成：{exc}"
        _select(book, exc.location)
        _alert(book, message, "critical")
        return message
    except Exception as exc:  # the officer must get a sentence, not a traceback
        message = f"内部错误：{type(exc).__name__}: {exc}\n请把此信息报告给维护人员。"
        _alert(book, message, "critical")
        return message
    _alert(book, message, "info")
    return message


def _alert(book: Any, message: str, mode: str) -> None:
    # no message box (Excel busy, say) loses nothing: the outcome is in the workbook
    with contextlib.suppress(Exception):
        book.app.alert(message, title=TITLE, mode=mode)


def _select(book: Any, location: Location) -> None:
    if not location.sheet or not location.cell:
        return
    try:
        sheet = book.sheets[location.sheet]
        sheet.activate()
        sheet.range(location.cell).select()
    except Exception:
        pass


def _recalc_action(book: Any) -> str:
    return recalc_message(recalc_book(book))


def _check_action(book: Any) -> str:
    return check_message(check_book(book))


def _new_action(book: Any) -> str:
    from ..library import find_bundled
    from .live import book_folder

    selection = getattr(book, "selection", None)
    chosen = getattr(selection, "value", None) if selection is not None else None
    rubric_id = chosen.strip() if isinstance(chosen, str) else ""
    if not rubric_id or find_bundled(rubric_id) is None:
        raise WorkbookError(
            "请先在任一单元格输入要使用的指标体系编号并选中该单元格，再运行 PERF_NEW。可用编号：\n"
            + rubric_choices()
        )
    folder = book_folder(book) or Path.home()
    # from a macro-enabled workbook, a macro-enabled one: its functions need only importing
    name = str(getattr(book, "fullname", "") or getattr(book, "name", ""))
    suffix = ".xlsm" if name.lower().endswith(".xlsm") else ".xlsx"
    path = new_workbook(rubric_id, folder, suffix)
    book.app.books.open(str(path))
    return f"已新建评分表：{path}"


@macro
def PERF_RECALC() -> Any:
    """重算当前评分表：按填写的佐证写回得分、扣分原因、小计、总分与等级。"""
    book = target_book(xw.Book.caller())
    run_macro(book, _recalc_action)


@macro
def PERF_CHECK() -> Any:
    """检查当前评分表：把权重、编码、评分规则与认定不一致之处列在“检查结果”工作表。"""
    book = target_book(xw.Book.caller())
    run_macro(book, _check_action)


@macro
def PERF_NEW() -> Any:
    """新建评分表：选中写有指标体系编号的单元格后运行，在本工作簿所在文件夹生成并打开新评分表。"""
    run_macro(xw.Book.caller(), _new_action)


def run_in_excel(action: str, rubric_id: str | None = None, folder: Path | None = None) -> str:
    """``xladdin excel recalc|check|new``: the macros, on the workbook active in Excel.

    For macOS (no imported macros) and for Windows without the VBA import. Raises a domain
    error when no Excel is running or the action fails.
    """
    book: Any = None
    try:
        app: Any = xw.apps.active if xw.apps.count else None
        book = app.books.active if app is not None else None
    except Exception:  # no Excel here (Linux) or none running
        book = None
    if action == "new":
        if not rubric_id:
            raise WorkbookError("请用 --rubric 指定指标体系编号。可用编号：\n" + rubric_choices())
        path = new_workbook(rubric_id, folder or Path.cwd())
        if book is not None:
            book.app.books.open(str(path))
        return f"已新建评分表：{path}"
    if book is None:
        raise WorkbookError("没有找到正在运行的 Excel：请先在 Excel 中打开评分表，再运行本命令")
    if action == "recalc":
        return recalc_message(recalc_book(book))
    if action == "check":
        return check_message(check_book(book))
    raise WorkbookError(f"未知的操作“{action}”，应为 recalc、check 或 new")
