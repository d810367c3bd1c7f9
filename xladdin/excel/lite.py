"""xlwings Lite: the worksheet functions and a "重算本工作簿" script, for Excel without a local Python.

xlwings Lite runs Python inside Excel (Pyodide, in Excel 365 on Windows and Mac and in Excel on
the web). Its code editor holds one ``main.py``; an officer's ``main.py`` is one line::

    from xladdin.excel.lite import *

and its ``requirements.txt`` names xladdin's wheel (see docs/excel-lite-guide.md). Lite registers
every function of ``main.py`` decorated with ``@func`` as a worksheet function and every
``@script`` as a script to run from its task pane.

Written against the decorators of xlwings 0.37 (``xlwings/pro/udfs_officejs.py``: ``func``,
``arg(name, doc=…)``, ``script(name=…)``; a script receives the open workbook as its one
parameter annotated ``xw.Book``, with every sheet's values loaded, and its writes are applied
to the workbook after it returns).

* The worksheet functions are the classic ones of :mod:`xladdin.excel.udfs` (same names, same
  arguments, same results and error texts), registered with Lite's decorators.
* :func:`recalc_this_book` is the classic ``PERF_RECALC`` without VBA and without
  ``Book.caller()``: it reads the evidence and the hidden rubric sheet of the book Lite hands
  over with the same reader, scores it with the same :func:`~xladdin.workbook.recalc.score_book`
  and writes the same :class:`~xladdin.workbook.plan.WritePlan` as ``xladdin recalc``.
  Lite cannot lift a sheet's protection (its object model has no such call); the cells the
  plan writes are unlocked in the templates, so it need not. Messages go to Lite's output pane
  with ``print``, as Lite shows them. Reading the open book needs no lxml (only reading a
  workbook file does), so ``pydantic`` is all the script needs besides xladdin.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import xlwings as xw
from xlwings import arg, func, script

from ..core.errors import Location, WorkbookError, XladdinError
from . import udfs

if TYPE_CHECKING:
    from ..core.result import Finding, Result
    from ..workbook.plan import WritePlan

__all__ = [
    "CHILD_WEIGHT",
    "EXEC_RATE",
    "PERF_GRADE",
    "SAVING_RATE",
    "SCORE_BANDS",
    "SCORE_CHECKLIST",
    "SCORE_DEDUCT",
    "SCORE_EXACT",
    "SCORE_JUDGE",
    "SCORE_QUALITATIVE",
    "SCORE_RATE",
    "SCORE_REASON",
    "SCORE_SURVEY",
    "SCORE_THRESHOLD",
    "SCORE_TOLERANCE",
    "recalc_this_book",
]

# Classic functions Lite cannot offer: SCORE_LINE reads the calling cell's workbook through
# ``caller``, which Lite's functions are not given.
CLASSIC_ONLY = ("SCORE_LINE",)


SCRIPT_NAME = "重算本工作簿"


# ---------------------------------------------------------------------------------------------
# Worksheet functions.


def lite_function(classic: Callable[..., Any]) -> Callable[..., Any]:
    """``classic`` (a function of :mod:`xladdin.excel.udfs`) registered with Lite's decorators.

    The signature, the docstring (the function's description in Excel) and each argument's
    description are the classic function's, so both add-ins show the same help.
    """

    @functools.wraps(classic, updated=())
    def worksheet_function(*args: Any) -> Any:
        return classic(*args)

    worksheet_function.__module__ = __name__
    registered: Any = worksheet_function
    argument_docs: dict[str, str] = getattr(classic, "__excel_args__", {})
    for name, doc in argument_docs.items():
        registered = arg(name, doc=doc)(registered)
    registered = func(registered)
    return registered


SCORE_RATE = lite_function(udfs.SCORE_RATE)
EXEC_RATE = lite_function(udfs.EXEC_RATE)
SCORE_BANDS = lite_function(udfs.SCORE_BANDS)
SCORE_CHECKLIST = lite_function(udfs.SCORE_CHECKLIST)
SCORE_DEDUCT = lite_function(udfs.SCORE_DEDUCT)
SCORE_JUDGE = lite_function(udfs.SCORE_JUDGE)
PERF_GRADE = lite_function(udfs.PERF_GRADE)
SCORE_REASON = lite_function(udfs.SCORE_REASON)
SCORE_THRESHOLD = lite_function(udfs.SCORE_THRESHOLD)
SAVING_RATE = lite_function(udfs.SAVING_RATE)
SCORE_TOLERANCE = lite_function(udfs.SCORE_TOLERANCE)
CHILD_WEIGHT = lite_function(udfs.CHILD_WEIGHT)
SCORE_SURVEY = lite_function(udfs.SCORE_SURVEY)
SCORE_QUALITATIVE = lite_function(udfs.SCORE_QUALITATIVE)
SCORE_EXACT = lite_function(udfs.SCORE_EXACT)


# ---------------------------------------------------------------------------------------------
# The script.


@dataclass
class LiteRecalculated:
    """What :func:`recalc_lite` did: the result, the linter's findings, the plan it wrote."""

    result: Result
    findings: list[Finding]
    plan: WritePlan
    written: int


def write_plan(book: Any, plan: WritePlan) -> int:
    """Write every cell of ``plan`` into ``book``; returns how many were written.

    Formulas are written as formulas ("=" + text) so Excel computes them; values as numbers or
    text, as the classic macros write them. In Lite the writes reach Excel when the script
    returns, all together.
    """
    from .live import excel_value

    names = [sheet.name for sheet in book.sheets]
    missing = [sheet for sheet in plan.sheets() if sheet not in names]
    if missing:
        raise WorkbookError(
            f"缺少工作表“{missing[0]}”", Location(file=str(book.name), sheet=missing[0])
        )
    written = 0
    for name in plan.sheets():
        sheet = book.sheets[name]
        for ref, write in plan.for_sheet(name).items():
            target = sheet.range(ref)
            if write.formula is not None:
                target.formula = "=" + write.formula
            else:
                target.value = excel_value(write.value)
            written += 1
    return written


def recalc_lite(book: Any) -> LiteRecalculated:
    """Read the open book's evidence and rubric, score it, write the owned cells back.

    Everything is read and scored before the first write, so a workbook that cannot be read
    gets no cell written.
    """
    from ..workbook.reader import read_book
    from ..workbook.recalc import score_book
    from .live import XlwingsSource

    data = read_book(XlwingsSource(book))
    # Lite has no SCORE_LINE (it needs the calling cell): in a macro-enabled workbook opened
    # under Lite, the live score formulas would show #NAME?, so the scores are written as values.
    data = dataclasses.replace(data, live_scores=frozenset())
    result, findings, plan = score_book(data)
    return LiteRecalculated(result, findings, plan, write_plan(book, plan))


def lite_message(done: LiteRecalculated) -> str:
    """The outcome as the output pane shows it, with the findings that need attention."""
    from ..core.numbers import fmt_number

    result = done.result
    if result.grade is None:
        missing = sum(line.status == "missing_evidence" for line in result.indicators)
        lines = [f"已重算，但还有{missing}项缺少佐证，等级暂显示为“未完成”。"]
    else:
        lines = [f"已重算：总分 {fmt_number(result.total)}，等级 {result.grade}。"]
    lines.append(f"共写入{done.written}个单元格。")
    notable = [finding for finding in done.findings if finding.severity != "info"]
    if notable:
        lines.append(f"需要注意的检查结果（{len(notable)}条）：")
        lines.extend(finding.line() for finding in notable)
    return "\n".join(lines)


def run_lite_recalc(book: Any) -> str:
    """:func:`recalc_lite` with its outcome or its problem as one Chinese message."""
    try:
        return lite_message(recalc_lite(book))
    except XladdinError as exc:
        return f"未能完成：{exc}"
    except Exception as exc:  # the officer must get a sentence, not a traceback
        return f"内部错误：{type(exc).__name__}: {exc}\n请把此信息报告给维护人员。"


@script(name=SCRIPT_NAME)
def recalc_this_book(book: xw.Book) -> None:
    """重算本工作簿：按填写的佐证写回得分、扣分原因、小计、总分与等级（运行前请先撤消“评分表”的工作表保护）。"""
    print(run_lite_recalc(book))
