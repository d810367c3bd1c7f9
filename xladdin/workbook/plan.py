"""Result → WritePlan: the list of cells the add-in writes, the only thing that writes.

The headless patcher, the xlwings macros and the template builder all apply the same plan, so
batch mode and Excel cannot drift apart. Line scores, reasons and statuses are values (the core's
numbers); subtotals, totals, rates and the grade are spreadsheet formulas with their values
cached, so viewers that do not recalculate show the right numbers and a spreadsheet that does
recalculate agrees (a LibreOffice test checks that).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..core.numbers import ZERO, fmt_number
from ..core.result import STATUS_NAMES, Result
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

CellValue = Decimal | str | None


@dataclass(frozen=True)
class CellWrite:
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
        for s in ("missing_evidence", "invalid_evidence")
        for status_range in status_ranges
    )
    return f"IF({unfinished}>0,{_text(INCOMPLETE_GRADE)},{expression})"


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


def build_plan(rubric: Rubric, result: Result, rows: SheetRows, layout: ScoringLayout) -> WritePlan:
    """Every owned cell of the 评分表 and 得分情况 sheets for ``result``."""
    writes: list[CellWrite] = []
    sheet = SCORING_SHEET
    for line in result.indicators:
        row = rows.leaves[line.code]
        writes.append(CellWrite(sheet, layout.cell("score", row), line.score))
        writes.append(CellWrite(sheet, layout.cell("reason", row), line.reason or None))
        writes.append(CellWrite(sheet, layout.cell("status", row), STATUS_NAMES[line.status]))
    writes.extend(_funds_writes(rubric, result, layout))
    for adjustment in result.adjustments:
        row = rows.adjustments[adjustment.code]
        writes.append(CellWrite(sheet, layout.cell("score", row), adjustment.points))
        writes.append(CellWrite(sheet, layout.cell("reason", row), adjustment.reason or None))

    score_col = layout.col("score")
    leaf_codes = list(rows.leaves)
    runs = rows.runs(leaf_codes)
    subtotal_ref = f"{score_col}{rows.subtotal}"
    writes.append(
        CellWrite(
            sheet, subtotal_ref, result.subtotal, f"SUM({','.join(_ranges(score_col, runs))})"
        )
    )

    total_weight = fmt_number(rubric.total_weight)
    applicable = f"({total_weight}-({_sum_if_not_applicable(layout, rows, leaf_codes)}))"
    base = excel_round(f"{subtotal_ref}*{total_weight}/{applicable}", rubric.rounding.score)
    total_formula = None
    if base is not None:
        parts = [f"IF({applicable}=0,0,{base})"]
        for sign, rule in (("+", rubric.bonus), ("-", rubric.penalty)):
            if rule is None or not rule.items:
                continue
            cells = [f"{score_col}{rows.adjustments[item.code]}" for item in rule.items]
            summed = f"SUM({','.join(cells)})"
            if rule.cap is not None:
                summed = f"MIN({summed},{fmt_number(rule.cap)})"
            parts.append(f"{sign}{summed}")
        total_formula = f"MAX(0,{''.join(parts)})"
    total_ref = f"{score_col}{rows.total}"
    writes.append(CellWrite(sheet, total_ref, result.total, total_formula))
    status_ranges = _ranges(layout.col("status"), runs)
    writes.append(
        CellWrite(
            sheet,
            f"{score_col}{rows.grade}",
            result.grade or INCOMPLETE_GRADE,
            grade_formula(rubric, total_ref, status_ranges),
        )
    )
    writes.extend(
        _summary_writes(rubric, result, rows, layout, total_ref, f"{score_col}{rows.grade}")
    )
    return WritePlan(tuple(writes))


def _funds_writes(rubric: Rubric, result: Result, layout: ScoringLayout) -> list[CellWrite]:
    """The funds block's 执行率(B/A): 全年执行数(B) / 全年预算数(A), blank without a budget."""
    funds = layout.funds
    if funds is None or not layout.funds_code:
        return []
    line = result.indicator(layout.funds_code)
    spent, budget = funds.cell("value"), funds.cell("denominator")
    rate = excel_round(f"{spent}/{budget}", rubric.rounding.value)
    formula = f'IF(N({budget})=0,"",{rate})' if rate else None
    value = line.value if line.value is not None else ""
    return [CellWrite(SCORING_SHEET, funds.cell("exec_rate"), value, formula)]


def _summary_writes(
    rubric: Rubric,
    result: Result,
    rows: SheetRows,
    layout: ScoringLayout,
    total_ref: str,
    grade_ref: str,
) -> list[CellWrite]:
    summary = SummaryLayout()
    where = summary.rows(rubric)
    scoring = _quoted(SCORING_SHEET) + "!"
    writes: list[CellWrite] = []
    formulas = _level_formulas(rubric, rows, layout)
    for level in result.levels:
        cells = formulas.get(level.code)
        if cells is None or level.depth > 2:
            continue
        score, score_formula, rate, rate_formula = cells
        writes.append(CellWrite(SUMMARY_SHEET, score, level.score, score_formula))
        writes.append(
            CellWrite(
                SUMMARY_SHEET, rate, level.rate if level.rate is not None else "", rate_formula
            )
        )
    total_row = where[TOTAL_MARK]
    total_score = summary.cell("score", total_row)
    writes.append(CellWrite(SUMMARY_SHEET, total_score, result.total, f"{scoring}{total_ref}"))
    total_rate = excel_round(
        f"{total_score}/{summary.cell('weight', total_row)}", rubric.rounding.rate
    )
    writes.append(
        CellWrite(
            SUMMARY_SHEET,
            summary.cell("rate", total_row),
            result.rate if result.rate is not None else ZERO,
            total_rate,
        )
    )
    writes.append(
        CellWrite(
            SUMMARY_SHEET,
            summary.cell("score", where[GRADE_MARK]),
            result.grade or INCOMPLETE_GRADE,
            f"{scoring}{grade_ref}",
        )
    )
    return writes


_LEVEL_FORMULAS: dict[tuple[int, int, tuple[tuple[str, int], ...]], tuple[Any, ...]] = {}


def _level_formulas(
    rubric: Rubric, rows: SheetRows, layout: ScoringLayout
) -> dict[str, tuple[str, str, str, str | None]]:
    """The 得分情况 sheet's cells of each level: level code → (score cell, its formula, rate
    cell, its formula). They depend only on the rubric and the row arrangement, so they are
    computed once per both (a batch's workbooks share them); the mapping returned is shared,
    not to be changed."""
    key = (id(rubric), id(layout), tuple(rows.leaves.items()))
    cached = _LEVEL_FORMULAS.get(key)
    if cached is not None and cached[0] is rubric and cached[1] is layout:
        return cached[2]
    summary = SummaryLayout()
    scoring = _quoted(SCORING_SHEET) + "!"
    score_col = layout.col("score")
    where = summary.rows(rubric)
    formulas: dict[str, tuple[str, str, str, str | None]] = {}
    for node, depth in rubric.walk():
        row = where.get(node.code)
        if row is None or depth > 2:
            continue
        codes = [leaf.code for leaf in node.leaves()]
        weight, score = summary.cell("weight", row), summary.cell("score", row)
        score_formula = f"SUM({','.join(_ranges(score_col, rows.runs(codes), scoring))})"
        applicable = f"({weight}-({_sum_if_not_applicable(layout, rows, codes, scoring)}))"
        rounded = excel_round(f"{score}/{applicable}", rubric.rounding.rate)
        rate_formula = f'IF({applicable}=0,"",{rounded})' if rounded else None
        formulas[node.code] = (score, score_formula, summary.cell("rate", row), rate_formula)
    if len(_LEVEL_FORMULAS) > 64:
        _LEVEL_FORMULAS.clear()
    _LEVEL_FORMULAS[key] = (rubric, layout, formulas)
    return formulas
