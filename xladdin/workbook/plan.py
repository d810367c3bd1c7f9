"""Result → WritePlan: the list of cells the add-in writes, the only thing that writes.

The headless patcher, the xlwings macros and the template builder all apply the same plan, so
batch mode and Excel cannot drift apart. Line scores, reasons and statuses are values (the core's
numbers); subtotals, totals, rates and the grade are spreadsheet formulas with their values
cached, so viewers that do not recalculate show the right numbers and a spreadsheet that does
recalculate agrees (a LibreOffice test checks that).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

from ..core.numbers import ZERO, fmt_number
from ..core.result import STATUS_NAMES, UNFINISHED, Finding, IndicatorResult, Result
from ..core.rubric import RoundingRule, Rubric
from .layout import (
    GRADE_MARK,
    SCORING_SHEET,
    SUMMARY_SHEET,
    TOTAL_MARK,
    ScoringLayout,
    SheetRows,
    SummaryLayout,
)

INCOMPLETE_GRADE = "未完成"
# What a live score cell (=SCORE_LINE(…) in the macro-enabled workbook) shows for a line marked
# 不适用: a text the sums pass over, unlike a failure, which starts with its error code.
NOT_APPLICABLE_SCORE = STATUS_NAMES["not_applicable"]
FAILED_SCORE_CODE = "#VALUE!"
MAX_CELL_TEXT = 255  # what a classic xlwings function can return as text (xlwings issue #456)

CellValue = Decimal | str | None


class CellWrite(NamedTuple):
    """One owned cell: a value, or a formula (without "=") with its cached value."""

    sheet: str
    ref: str
    value: CellValue = None
    formula: str | None = None


@dataclass(frozen=True)
class WritePlan:
    writes: tuple[CellWrite, ...]

    def for_sheet(self, sheet: str) -> dict[str, CellWrite]:
        return {w.ref: w for w in self.writes if w.sheet == sheet}

    def sheets(self) -> list[str]:
        return list(dict.fromkeys(w.sheet for w in self.writes))

    def by_sheet(self) -> dict[str, dict[str, CellWrite]]:
        """Every sheet's writes by reference, in the plan's order (one pass)."""
        found: dict[str, dict[str, CellWrite]] = {}
        for w in self.writes:
            found.setdefault(w.sheet, {})[w.ref] = w
        return found


_EXCEL_ROUND = {
    "half_up": "ROUND",
    "truncate": "ROUNDDOWN",
    "up": "ROUNDUP",
    # for the non-negative numbers of a score table, ceiling and floor are up and down
    "ceiling": "ROUNDUP",
    "floor": "ROUNDDOWN",
}


def excel_round(expression: str, rule: RoundingRule) -> str | None:
    """The expression rounded as the rubric rounds, or None when Excel has no such function."""
    function = _EXCEL_ROUND.get(rule.mode)
    if function is None:
        return None
    return f"{function}({expression},{rule.places})"


def _quoted(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def grade_formula(rubric: Rubric, total_ref: str, status_ranges: list[str]) -> str:
    bands = sorted(rubric.grades, key=lambda g: g.min, reverse=True)
    expression = _text(bands[-1].grade)
    for band in reversed(bands[:-1]):
        expression = f"IF({total_ref}>={fmt_number(band.min)},{_text(band.grade)},{expression})"
    unfinished = "+".join(
        f"COUNTIF({status_range},{_text(STATUS_NAMES[s])})"
        for s in UNFINISHED
        for status_range in status_ranges
    )
    # A total that is not a number (未完成, or an error) compares greater than every number
    # in Excel; it must give 未完成, never 优.
    return (
        f"IF(OR(NOT(ISNUMBER({total_ref})),{unfinished}>0),{_text(INCOMPLETE_GRADE)},{expression})"
    )


def unfinished_or(score_ranges: list[str], formula: str, numbers: tuple[str, ...] = ()) -> str:
    """``formula``, or 未完成 when a score cell it adds up holds something that is not a number.

    A worksheet function that cannot score a line shows a text (its error code and why, see
    :mod:`xladdin.excel.udfs`), which ``SUM`` would silently skip: a smaller sum shown as
    final. ``COUNTA`` counts every non-empty cell (texts and errors included) and ``COUNT``
    only the numbers, so they differ exactly when such a cell is there, apart from the
    不适用 a live score shows for a line that does not apply. ``numbers`` are single cells
    (a subtotal) that must hold a number.
    """
    checks = []
    if score_ranges:
        joined = ",".join(score_ranges)
        passed = "".join(f"+COUNTIF({r},{_text(NOT_APPLICABLE_SCORE)})" for r in score_ranges)
        checks.append(f"COUNTA({joined})>COUNT({joined}){passed}")
    checks.extend(f"NOT(ISNUMBER({ref}))" for ref in numbers)
    if not checks:
        return formula
    condition = checks[0] if len(checks) == 1 else f"OR({','.join(checks)})"
    return f"IF({condition},{_text(INCOMPLETE_GRADE)},{formula})"


def live_score_value(status: str, score: Decimal | None, reason: str) -> CellValue:
    """What ``=SCORE_LINE("<code>")`` shows for a line of this status: its score; 不适用 for a line that
    does not apply; otherwise the failure text (error code, then the reason). The cached value
    the macro-enabled workbook carries, and the function's own result, so they cannot differ."""
    if status == "scored" and score is not None:
        return score
    if status == "not_applicable":
        return NOT_APPLICABLE_SCORE
    text = f"{FAILED_SCORE_CODE} {reason}"
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


def live_score_formula(code: str) -> str:
    """The formula of a live score cell: the line scored by the workbook's own rubric."""
    return f"SCORE_LINE({_text(code)})"


def _unless(unfinished: bool, value: CellValue) -> CellValue:
    return INCOMPLETE_GRADE if unfinished else value


def _failed(value: CellValue) -> bool:
    return isinstance(value, str) and value.startswith("#")


def _ranges(column: str, runs: list[tuple[int, int]], sheet: str = "") -> list[str]:
    return [f"{sheet}{column}{a}:{column}{b}" for a, b in runs]


def _sum_if_not_applicable(
    layout: ScoringLayout, rows: SheetRows, codes: list[str], sheet: str = ""
) -> str:
    """The weight of lines marked 不适用 among ``codes``, as a formula ("0" when none can be)."""
    capable = [code for code in codes if layout.na_capable(code)]
    if not capable:
        return "0"
    runs = rows.runs(capable)
    flags = _ranges(layout.col("not_applicable"), runs, sheet)
    weights = _ranges(layout.col("weight"), runs, sheet)
    return "+".join(f'SUMIF({f},"是",{w})' for f, w in zip(flags, weights, strict=True))


NOTE_LIMIT = 200
"""The most characters a line's 提示 shows; the messages beyond it are counted, not cut."""

NOTE_JOIN = "；"


def note_text(line: IndicatorResult, findings: list[Finding]) -> str | None:
    """The 提示 of a line: why it has no final score (unless the status says all of it), then
    the findings about it, each once (a message already said by an earlier one is left out),
    at most :data:`NOTE_LIMIT` characters of whole messages with the number of those left
    out. A score found in the
    得分 cell before it is written (``declared``) is not the line's: its findings stay out, so
    recalculating a recalculated workbook changes nothing."""
    unfinished = line.status in UNFINISHED and line.reason != STATUS_NAMES[line.status]
    messages = [line.reason] if unfinished and line.reason else []
    for finding in findings:
        if finding.code != line.code or finding.field == "declared":
            continue
        text = finding.message.strip().rstrip("。；")
        if text and not any(text in said for said in messages):
            messages.append(text)
    if not messages:
        return None
    shown: list[str] = []
    for message in messages:
        if shown and len(NOTE_JOIN.join([*shown, message])) > NOTE_LIMIT:
            break
        shown.append(message)
    text = NOTE_JOIN.join(shown)
    if len(text) > NOTE_LIMIT:
        text = text[: NOTE_LIMIT - 1] + "…"
    left = len(messages) - len(shown)
    return f"{text}（另有{left}条）" if left else text


def build_plan(
    rubric: Rubric,
    result: Result,
    rows: SheetRows,
    layout: ScoringLayout,
    live_scores: Collection[str] = (),
    findings: list[Finding] | None = None,
) -> WritePlan:
    """Every owned cell of the 评分表 and 得分情况 sheets for ``result``; each line's 提示
    shows ``findings`` about it (default: the result's own).

    The score cells of the lines in ``live_scores`` (codes) hold ``=SCORE_LINE("<code>")``
    (the macro-enabled workbook) with what it shows cached; a line it cannot score makes the
    cached sums 未完成, as their formulas compute.
    """
    frame = _frame(rubric, rows, layout)
    writes: list[CellWrite] = []
    write = writes.append
    sheet = SCORING_SHEET
    failed: set[str] = set()
    about: dict[str | None, list[Finding]] = {}  # the findings by the code they are about
    for finding in result.findings if findings is None else findings:
        about.setdefault(finding.code, []).append(finding)
    cells = frame.cells
    for line in result.indicators:
        code = line.code
        score, reason, status, note = cells.get(code) or frame.leaf(code)
        if code in live_scores:
            shown = live_score_value(line.status, line.score, line.reason)
            if _failed(shown):
                failed.add(code)
            write(CellWrite(sheet, score, shown, live_score_formula(code)))
        else:
            write(CellWrite(sheet, score, line.score))
        write(CellWrite(sheet, reason, line.reason or None))
        write(CellWrite(sheet, status, STATUS_NAMES[line.status]))
        write(CellWrite(sheet, note, note_text(line, about.get(code, []))))
    writes.extend(_funds_writes(rubric, result, layout))
    for adjustment in result.adjustments:
        row = rows.adjustments[adjustment.code]
        writes.append(CellWrite(sheet, layout.cell("score", row), adjustment.points))
        writes.append(CellWrite(sheet, layout.cell("reason", row), adjustment.reason or None))

    tail = frame.tail()
    unfinished = bool(failed)
    write(CellWrite(sheet, tail.subtotal_ref, _unless(unfinished, result.subtotal), tail.subtotal))
    total_value = _unless(unfinished and tail.total is not None, result.total)
    write(CellWrite(sheet, tail.total_ref, total_value, tail.total))
    write(CellWrite(sheet, tail.grade_ref, result.grade or INCOMPLETE_GRADE, tail.grade))
    writes.extend(_summary_writes(rubric, result, frame, failed, total_value))
    return WritePlan(tuple(writes))


@dataclass(frozen=True)
class _Tail:
    """The 小计, 总分 and 等级 cells of the 评分表 with their formulas, and the 得分情况
    sheet's cells."""

    subtotal_ref: str
    subtotal: str
    total_ref: str
    total: str | None
    grade_ref: str
    grade: str
    summary_total: str
    summary_total_formula: str
    summary_rate: str
    summary_rate_formula: str | None
    summary_grade: str
    summary_grade_formula: str


class _Frame:
    """What a plan writes where, and its formulas: they depend only on the rubric, the layout
    and the rows of the lines, so a batch's workbooks, which share them, compute them once.
    Filled as the plan asks for them, in the order it does."""

    def __init__(self, rubric: Rubric, rows: SheetRows, layout: ScoringLayout) -> None:
        self.rubric, self.layout = rubric, layout
        self.rows = SheetRows(
            dict(rows.leaves), dict(rows.adjustments), rows.subtotal, rows.total, rows.grade
        )
        self.cells: dict[str, tuple[str, str, str, str]] = {}
        self._tail: _Tail | None = None
        self._levels: dict[str, tuple[str, str, str, str | None, tuple[str, ...]]] | None = None

    def leaf(self, code: str) -> tuple[str, str, str, str]:
        """The 得分, 扣分原因, 评分状态 and 提示 cells of a line."""
        row, layout = self.rows.leaves[code], self.layout
        found = (
            layout.cell("score", row),
            layout.cell("reason", row),
            layout.cell("status", row),
            layout.cell("note", row),
        )
        self.cells[code] = found
        return found

    def tail(self) -> _Tail:
        if self._tail is None:
            self._tail = _tail(self.rubric, self.rows, self.layout)
        return self._tail

    def levels(self) -> dict[str, tuple[str, str, str, str | None, tuple[str, ...]]]:
        if self._levels is None:
            self._levels = _level_formulas(self.rubric, self.rows, self.layout)
        return self._levels


_FRAMES: dict[tuple[Any, ...], _Frame] = {}


def _frame(rubric: Rubric, rows: SheetRows, layout: ScoringLayout) -> _Frame:
    key = (
        id(rubric),
        id(layout),
        tuple(rows.leaves.items()),
        tuple(rows.adjustments.items()),
        rows.subtotal,
        rows.total,
        rows.grade,
    )
    found = _FRAMES.get(key)
    if found is not None and found.rubric is rubric and found.layout is layout:
        return found
    if len(_FRAMES) > 64:
        _FRAMES.clear()
    found = _FRAMES[key] = _Frame(rubric, rows, layout)
    return found


def _tail(rubric: Rubric, rows: SheetRows, layout: ScoringLayout) -> _Tail:
    score_col = layout.col("score")
    leaf_codes = list(rows.leaves)
    runs = rows.runs(leaf_codes)
    subtotal_ref = f"{score_col}{rows.subtotal}"
    score_ranges = _ranges(score_col, runs)
    subtotal = unfinished_or(score_ranges, f"SUM({','.join(score_ranges)})")

    total_weight = fmt_number(rubric.total_weight)
    applicable = f"({total_weight}-({_sum_if_not_applicable(layout, rows, leaf_codes)}))"
    base = excel_round(f"{subtotal_ref}*{total_weight}/{applicable}", rubric.rounding.score)
    total_formula = None
    adjustment_cells: list[str] = []
    # weight moved to named indicators (transfer_to) is not in the sheet's formula: value only
    if base is not None and not rubric.transfers():
        parts = [f"IF({applicable}=0,0,{base})"]
        for sign, rule in (("+", rubric.bonus), ("-", rubric.penalty)):
            if rule is None or not rule.items:
                continue
            cells = [f"{score_col}{rows.adjustments[item.code]}" for item in rule.items]
            summed = f"SUM({','.join(cells)})"
            if rule.cap is not None:
                summed = f"MIN({summed},{fmt_number(rule.cap)})"
            parts.append(f"{sign}{summed}")
            adjustment_cells.extend(cells)
        total_formula = f"MAX(0,{''.join(parts)})"
        total_formula = unfinished_or(adjustment_cells, total_formula, numbers=(subtotal_ref,))
    total_ref = f"{score_col}{rows.total}"
    status_ranges = _ranges(layout.col("status"), runs)
    grade_ref = f"{score_col}{rows.grade}"
    grade = grade_formula(rubric, total_ref, status_ranges)

    summary = SummaryLayout()
    where = summary.rows(rubric)
    scoring = _quoted(SCORING_SHEET) + "!"
    total_row = where[TOTAL_MARK]
    total_score = summary.cell("score", total_row)
    total_rate = excel_round(
        f"{total_score}/{summary.cell('weight', total_row)}", rubric.rounding.rate
    )
    return _Tail(
        subtotal_ref,
        subtotal,
        total_ref,
        total_formula,
        grade_ref,
        grade,
        total_score,
        f"{scoring}{total_ref}",
        summary.cell("rate", total_row),
        unfinished_or([], total_rate, numbers=(total_score,)) if total_rate else None,
        summary.cell("score", where[GRADE_MARK]),
        f"{scoring}{grade_ref}",
    )


def _funds_writes(rubric: Rubric, result: Result, layout: ScoringLayout) -> list[CellWrite]:
    """The funds block's 执行率(B/A): 全年执行数(B) / 全年预算数(A), blank unless both are numbers."""
    funds = layout.funds
    if funds is None or not layout.funds_code:
        return []
    line = result.indicator(layout.funds_code)
    spent, budget = funds.cell("value"), funds.cell("denominator")
    rate = excel_round(f"{spent}/{budget}", rubric.rounding.value)
    formula = f'IF(OR(N({budget})=0,NOT(ISNUMBER({spent}))),"",{rate})' if rate else None
    value = line.value if line.value is not None else ""
    return [CellWrite(SCORING_SHEET, funds.cell("exec_rate"), value, formula)]


def _summary_writes(
    rubric: Rubric,
    result: Result,
    frame: _Frame,
    failed: Collection[str] = (),
    total_value: CellValue = None,
) -> list[CellWrite]:
    tail = frame.tail()
    writes: list[CellWrite] = []
    formulas = frame.levels()
    for level in result.levels:
        cells = formulas.get(level.code)
        if cells is None or level.depth > 2:
            continue
        score, score_formula, rate, rate_formula, codes = cells
        writes.append(CellWrite(SUMMARY_SHEET, score, level.score, score_formula))
        writes.append(
            CellWrite(
                SUMMARY_SHEET,
                rate,
                _unless(
                    rate_formula is not None and any(code in failed for code in codes),
                    level.rate if level.rate is not None else "",
                ),
                rate_formula,
            )
        )
    writes.append(
        CellWrite(SUMMARY_SHEET, tail.summary_total, total_value, tail.summary_total_formula)
    )
    writes.append(
        CellWrite(
            SUMMARY_SHEET,
            tail.summary_rate,
            _unless(
                total_value == INCOMPLETE_GRADE and tail.summary_rate_formula is not None,
                result.rate if result.rate is not None else ZERO,
            ),
            tail.summary_rate_formula,
        )
    )
    writes.append(
        CellWrite(
            SUMMARY_SHEET,
            tail.summary_grade,
            result.grade or INCOMPLETE_GRADE,
            tail.summary_grade_formula,
        )
    )
    return writes


def _level_formulas(
    rubric: Rubric, rows: SheetRows, layout: ScoringLayout
) -> dict[str, tuple[str, str, str, str | None, tuple[str, ...]]]:
    """The 得分情况 sheet's cells of each level: level code → (score cell, its formula, rate
    cell, its formula, the level's leaf codes); kept by the plan's frame (see :class:`_Frame`)."""
    summary = SummaryLayout()
    scoring = _quoted(SCORING_SHEET) + "!"
    score_col = layout.col("score")
    where = summary.rows(rubric)
    formulas: dict[str, tuple[str, str, str, str | None, tuple[str, ...]]] = {}
    for node, depth in rubric.walk():
        row = where.get(node.code)
        if row is None or depth > 2:
            continue
        codes = [leaf.code for leaf in node.leaves()]
        weight, score = summary.cell("weight", row), summary.cell("score", row)
        level_ranges = _ranges(score_col, rows.runs(codes), scoring)
        score_formula = f"SUM({','.join(level_ranges)})"
        applicable = f"({weight}-({_sum_if_not_applicable(layout, rows, codes, scoring)}))"
        rounded = excel_round(f"{score}/{applicable}", rubric.rounding.rate)
        # The level's score stays a plain SUM (the chart plots it); its rate says 未完成
        # when one of its lines holds no number.
        rate_formula = (
            unfinished_or(level_ranges, f'IF({applicable}=0,"",{rounded})') if rounded else None
        )
        formulas[node.code] = (
            score,
            score_formula,
            summary.cell("rate", row),
            rate_formula,
            tuple(codes),
        )
    return formulas
