"""Worksheet functions for Excel (xlwings classic UDFs): ``=SCORE_RATE(…)``, ``=PERF_GRADE(…)`` ….

This is the module the templates' ``xlwings.conf`` sheet names under ``UDF Modules``. Every
function is a thin call into :mod:`xladdin.core.methods`: convert what Excel hands over, call
the core, round half-up in Decimal, return a float or a text.

What arrives from Excel (xlwings' classic conversion): numbers as ``float`` (also integers),
an empty cell as ``None``, text as ``str``, TRUE/FALSE as ``bool``; a range of one row or one
column as a flat list, a larger range as a list of rows; an omitted optional argument as the
Python default. Ranges are read row by row.

The percent rule (the one of :mod:`xladdin.core.numbers`, used everywhere): a rate is a
fraction, as Excel stores a cell formatted as a percentage — 87.58% is ``0.8758``; text ending
in ``%`` is divided by 100 (``"87.58%"`` → 0.8758); a bare number is never guessed to be a
percentage. Where a guess would silently give a wrong score (``SCORE_BANDS`` with 87.58
against bounds ≤ 1) the function returns an error instead.

A bad argument returns ``"#VALUE! <原因>"`` in Chinese, never a traceback; text results are cut
to 255 characters because a classic xlwings UDF that returns a longer string shows #VALUE!
(xlwings issue #456). Docstrings and argument descriptions are what Excel's function wizard
shows (xlwings passes at most 255 characters of each to ``Application.MacroOptions``), so they
are short and written for finance officers.

Annotations are ``Any`` on purpose: on Windows xlwings turns parameter and return annotations
into converters, and ``Any`` is the one that means "the default conversion".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import xlwings as xw
from pydantic import ValidationError

from ..core import methods as m
from ..core.evidence import Decision, Deduction, LineEvidence
from ..core.numbers import ZERO, NumberParseError, fmt_number, quantize, to_decimal
from ..core.rubric import (
    NATIONAL_GRADES,
    NATIONAL_JUDGEMENT_BANDS,
    Band,
    BandsMethod,
    ChecklistItem,
    ChecklistMethod,
    DeductionMethod,
    GradeBand,
    JudgementMethod,
    Node,
    RatioMethod,
    RoundingPolicy,
    RoundingRule,
    Rubric,
)
from ..core.scoring import score_line
from ..workbook.layout import NO_WORDS, YES_WORDS

# The macros are imported into Excel together with the functions ("Import Functions" picks up
# every @xw.func and @xw.sub of the module named in xlwings.conf), so they are re-exported here.
from .macros import PERF_CHECK, PERF_NEW, PERF_RECALC

__all__ = [
    "EXEC_RATE",
    "PERF_CHECK",
    "PERF_GRADE",
    "PERF_NEW",
    "PERF_RECALC",
    "SCORE_BANDS",
    "SCORE_CHECKLIST",
    "SCORE_DEDUCT",
    "SCORE_JUDGE",
    "SCORE_RATE",
    "SCORE_REASON",
]

CATEGORY = "预算绩效评价"
MAX_TEXT = 255
ERROR_PREFIX = "#VALUE! "
SCORE_PLACES = 2
# A rate computed from two amounts is rounded as the table prints it (93.25%) before it is
# scored, as the rubric's default value policy does: the step modes depend on it.
RATE_PLACES = RoundingPolicy().value.places

F = TypeVar("F", bound=Callable[..., Any])


class ArgumentError(ValueError):
    """An argument the function cannot use; the message is shown in the cell."""


# ---------------------------------------------------------------------------------------------
# Registration: one place applies @xw.func and @xw.arg, and keeps the descriptions readable.


def cell_text(text: str) -> str:
    """A text as a cell can show it from a classic UDF: at most 255 characters."""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def error_text(message: str) -> str:
    return cell_text(ERROR_PREFIX + message)


def worksheet_function(**argument_docs: str) -> Callable[[F], F]:
    """Register ``func`` as an Excel function with a description for each argument.

    The descriptions are kept on the function as ``__excel_args__`` (the xlwings decorators are
    no-ops outside Windows, so tests read them there). Any domain error becomes
    ``"#VALUE! <原因>"``; anything unexpected too, so a cell never shows a traceback.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def guarded(*args: Any) -> Any:
            try:
                return func(*args)
            except (ArgumentError, m.MethodError, NumberParseError) as exc:
                return error_text(str(exc))
            except ValidationError as exc:
                error = exc.errors()[0]
                message = (error.get("ctx") or {}).get("error", error["msg"])
                return error_text(str(message))
            except Exception as exc:  # a cell must never show a traceback
                return error_text(f"内部错误（{type(exc).__name__}：{exc}），请报告此问题")

        registered: Any = guarded
        for name, doc in argument_docs.items():
            registered = xw.arg(name, doc=doc)(registered)
        registered = xw.func(category=CATEGORY)(registered)
        registered.__excel_args__ = dict(argument_docs)
        return registered

    return decorate


# ---------------------------------------------------------------------------------------------
# Argument conversion: what xlwings delivers → Decimal, bool, lists.


def flatten(value: Any) -> list[Any]:
    """A range as a flat list, row by row; a single value as a list of one."""
    if isinstance(value, list | tuple):
        cells: list[Any] = []
        for item in value:
            cells.extend(flatten(item))
        return cells
    return [value]


def _single(value: Any, what: str) -> Any:
    if isinstance(value, list | tuple):
        cells = flatten(value)
        if len(cells) == 1:
            return cells[0]
        raise ArgumentError(f"{what}应为一个单元格，实际为{len(cells)}个单元格的区域")
    return value


def number(value: Any, what: str) -> Decimal:
    """A required number: float, int or text such as "1,689.29" or "93.25%"."""
    value = _single(value, what)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ArgumentError(f"{what}为空")
    try:
        return to_decimal(value)
    except NumberParseError as exc:
        raise ArgumentError(f"{what}{exc}") from None


def optional_number(value: Any, what: str) -> Decimal | None:
    value = _single(value, what)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return number(value, what)


def non_negative(value: Any, what: str) -> Decimal:
    amount = number(value, what)
    if amount < 0:
        raise ArgumentError(f"{what}不能为负数（{fmt_number(amount)}）")
    return amount


def weight_of(value: Any) -> Decimal:
    return non_negative(value, "权重")


def places_of(value: Any, default: int) -> int:
    places = optional_number(value, "小数位数")
    if places is None:
        return default
    if places != places.to_integral_value() or not 0 <= places <= 10:
        raise ArgumentError(f"小数位数应为0到10的整数，实际为{fmt_number(places)}")
    return int(places)


def count_of(value: Any, what: str) -> int:
    count = number(value, what)
    if count != count.to_integral_value() or count < 0:
        raise ArgumentError(f"{what}应为不小于0的整数，实际为{fmt_number(count)}")
    return int(count)


def flag(value: Any, what: str) -> bool | None:
    """TRUE/FALSE, 1/0, 是/否, √/×, 符合/不符合; None for an empty cell."""
    value = _single(value, what)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int | Decimal):
        text = fmt_number(to_decimal(value))
    else:
        text = str(value).strip()
        if not text:
            return None
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise ArgumentError(
        f"{what}应填 √/×、是/否、符合/不符合、1/0 或 TRUE/FALSE，实际为“{cell_text(text)[:20]}”"
    )


def same_size(first: list[Any], second: list[Any], names: tuple[str, str]) -> None:
    if len(first) != len(second):
        raise ArgumentError(
            f"{names[0]}有{len(first)}个单元格，{names[1]}有{len(second)}个，两个区域大小须一致"
        )


def points_result(points: Decimal, places: int) -> float:
    """Points rounded half-up in Decimal (8.125 → 8.13), handed to Excel as a float."""
    return float(quantize(points, places, "half_up"))


# ---------------------------------------------------------------------------------------------
# Inputs of each method, shared by the score functions and SCORE_REASON.


@dataclass(frozen=True)
class RateMode:
    name: str
    ratio: m.RatioMode
    direction: m.Direction
    inverse: m.Inverse = "target_over_actual"


RATE_MODES: dict[int, RateMode] = {
    0: RateMode("按比例", "proportional", "higher"),
    1: RateMode("逐点扣分", "step_started", "higher"),
    2: RateMode("整点扣分", "step_full", "higher"),
    3: RateMode("反向", "proportional", "lower", "target_over_actual"),
    4: RateMode("反向线性", "proportional", "lower", "linear_to_double"),
}

_MODE_WORDS: dict[str, int] = {
    "按比例": 0,
    "比例": 0,
    "proportional": 0,
    "逐点扣分": 1,
    "逐点": 1,
    "step": 1,
    "step_started": 1,
    "整点扣分": 2,
    "整点": 2,
    "step_full": 2,
    "反向": 3,
    "inverse": 3,
    "lower": 3,
    "target_over_actual": 3,
    "反向线性": 4,
    "inverse_linear": 4,
    "linear_to_double": 4,
}


def rate_mode(value: Any) -> RateMode:
    value = _single(value, "计分方式")
    if value is None or (isinstance(value, str) and not value.strip()):
        return RATE_MODES[0]
    if isinstance(value, str) and value.strip().lower() in _MODE_WORDS:
        return RATE_MODES[_MODE_WORDS[value.strip().lower()]]
    try:
        code = to_decimal(value)
    except NumberParseError:
        code = None
    if code is not None and code == code.to_integral_value() and int(code) in RATE_MODES:
        return RATE_MODES[int(code)]
    names = "；".join(f"{k} 或“{mode.name}”" for k, mode in RATE_MODES.items())
    raise ArgumentError(f"计分方式应为：{names}，实际为“{cell_text(str(value))[:20]}”")


@dataclass(frozen=True)
class RateInputs:
    actual: Decimal
    target: Decimal
    weight: Decimal
    mode: RateMode
    places: int

    def reached(self) -> Decimal:
        """Completion as a fraction; a higher-is-better rate rounded as printed (93.25%)."""
        if self.mode.direction == "higher" and self.target == 0:
            raise ArgumentError("目标值为0，无法计算完成率")
        reached = m.completion(self.actual, self.target, self.mode.direction, self.mode.inverse)
        if self.mode.direction == "higher":
            reached = quantize(reached, RATE_PLACES, "half_up")
        return reached


def rate_inputs(actual: Any, target: Any, weight: Any, mode: Any, places: Any) -> RateInputs:
    inputs = RateInputs(
        number(actual, "实际值"),
        number(target, "目标值"),
        weight_of(weight),
        rate_mode(mode),
        places_of(places, SCORE_PLACES),
    )
    if inputs.target < 0:
        raise ArgumentError(f"目标值不能为负数（{fmt_number(inputs.target)}）")
    return inputs


@dataclass(frozen=True)
class BandInputs:
    value: Decimal
    bounds: list[Decimal]
    points: list[Decimal]

    @property
    def percent(self) -> bool:
        return all(ZERO <= bound <= 1 for bound in self.bounds)


def band_inputs(value: Any, lower_bounds: Any, points: Any) -> BandInputs:
    measured = number(value, "数值")
    bound_cells, point_cells = flatten(lower_bounds), flatten(points)
    same_size(bound_cells, point_cells, ("分档下限", "分值"))
    bounds: list[Decimal] = []
    amounts: list[Decimal] = []
    for index, (bound, amount) in enumerate(zip(bound_cells, point_cells, strict=True), 1):
        if bound is None and amount is None:
            continue
        if bound is None or amount is None:
            raise ArgumentError(f"第{index}档的{'下限' if bound is None else '分值'}为空")
        bounds.append(number(bound, f"第{index}档下限"))
        amounts.append(non_negative(amount, f"第{index}档分值"))
    if not bounds:
        raise ArgumentError("没有分档：分档下限与分值为空")
    inputs = BandInputs(measured, bounds, amounts)
    check_band_scale(inputs)
    return inputs


def check_band_scale(inputs: BandInputs) -> None:
    """Refuse a value written on another scale than its bounds rather than guess.

    Bounds within 0–1 are rates (0.9 = 90%): a value above 2 (200%) was written as a percent
    number (87.58). Bounds up to 100 with the top one at least 10 are percent numbers: a value
    strictly between 0 and 1 was written as a rate.
    """
    value, bounds = inputs.value, inputs.bounds
    shown = fmt_number(value)
    if inputs.percent and value > 2:
        raise ArgumentError(
            f"数值{shown}与分档下限不在同一尺度：下限是比率（0.9 即 90%），"
            f"数值应填 {fmt_number(value / 100)} 或“{shown}%”"
        )
    if all(ZERO <= bound <= 100 for bound in bounds) and max(bounds) >= 10 and 0 < value < 1:
        raise ArgumentError(
            f"数值{shown}是比率，分档下限却按百分数填写（如 90 表示 90%）："
            f"请把下限改为 0.9 或“90%”，或把数值填为 {fmt_number(value * 100)}"
        )


@dataclass(frozen=True)
class ChecklistInputs:
    met: list[bool]
    weight: Decimal
    item_points: list[Decimal] | None
    places: int


def checklist_inputs(flags: Any, weight: Any, item_points: Any, places: Any) -> ChecklistInputs:
    cells = flatten(flags)
    point_cells = None if item_points is None else flatten(item_points)
    if point_cells is not None:
        same_size(cells, point_cells, ("要点", "要点分值"))
    met: list[bool] = []
    points: list[Decimal] = []
    for index, cell in enumerate(cells, 1):
        ok = flag(cell, f"第{index}项")
        if ok is None:
            continue  # an empty cell: no such item on this line
        met.append(ok)
        if point_cells is not None:
            points.append(non_negative(point_cells[index - 1], f"第{index}项分值"))
    if not met:
        raise ArgumentError("没有填写任何要点（√/×）")
    inputs = ChecklistInputs(met, weight_of(weight), points or None, places_of(places, 2))
    if inputs.item_points is not None and sum(inputs.item_points, ZERO) > inputs.weight:
        total = fmt_number(sum(inputs.item_points, ZERO))
        raise ArgumentError(f"要点分值合计{total}超过权重{fmt_number(inputs.weight)}")
    return inputs


_DEDUCT_PREFIX = re.compile(r"^\s*扣\s*")
_DEDUCT_SUFFIX = re.compile(r"\s*(权重分|权重|分)\s*$")


def _amount_text(text: str) -> str:
    return _DEDUCT_SUFFIX.sub("", _DEDUCT_PREFIX.sub("", text))


@dataclass(frozen=True)
class Amount:
    """A deduction: a share of the weight (25%) or points (0.5)."""

    share: Decimal | None = None
    points: Decimal | None = None


def amount_of(value: Any, what: str, number_is_share: bool = False) -> Amount:
    """ "25%" or "扣25%权重分" → share; 0.5 or "扣0.5分" → points (share if ``number_is_share``)."""
    value = _single(value, what)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ArgumentError(f"{what}为空")
    if isinstance(value, str):
        text = _amount_text(value.strip())
        amount = number(text, what)
        percent = text.rstrip().endswith(("%", "％"))
    else:
        amount, percent = number(value, what), False
    if amount < 0:
        raise ArgumentError(f"{what}不能为负数（{fmt_number(amount)}）")
    if percent or number_is_share:
        if amount > 1:
            raise ArgumentError(f"{what}按权重比例不能超过100%（实际为{fmt_number(amount)}）")
        return Amount(share=amount)
    return Amount(points=amount)


@dataclass(frozen=True)
class DeductionInputs:
    count: int
    weight: Decimal
    per: Amount
    places: int


def deduction_inputs(
    count: Any, weight: Any, per: Any, per_is_share: Any, places: Any
) -> DeductionInputs:
    as_share = flag(per_is_share, "第4个参数（每次扣分是否为权重比例）") or False
    return DeductionInputs(
        count_of(count, "发现次数"),
        weight_of(weight),
        amount_of(per, "每次扣分", as_share),
        places_of(places, SCORE_PLACES),
    )


@dataclass(frozen=True)
class JudgementInputs:
    weight: Decimal
    band: str | None
    share: Decimal | None
    deductions: list[Amount]
    places: int


def judgement_inputs(
    weight: Any, band_or_deduction: Any, share: Any, places: Any
) -> JudgementInputs:
    w = weight_of(weight)
    given_share = optional_number(share, "得分比例")
    if given_share is not None and not ZERO <= given_share <= 1:
        raise ArgumentError(
            f"得分比例应为0到1之间的比率（如 0.9 或“90%”），实际为{fmt_number(given_share)}"
        )
    decision = _single(band_or_deduction, "评价档次或扣分")
    text = decision.strip() if isinstance(decision, str) else None
    band: str | None = None
    deductions: list[Amount] = []
    if text in NATIONAL_JUDGEMENT_BANDS:
        band = text
        if given_share is None:
            low, high = NATIONAL_JUDGEMENT_BANDS[text]
            raise ArgumentError(
                f"选择“{text}”时须在第3个参数填写该档内的得分比例"
                f"（{fmt_number(low * 100)}%–{fmt_number(high * 100)}%）"
            )
    elif text is not None and text:
        parts = [p for p in re.split(r"[+＋]", text) if p.strip()]
        try:
            deductions = [amount_of(p, "扣分") for p in parts]
        except ArgumentError:
            names = "、".join(NATIONAL_JUDGEMENT_BANDS)
            raise ArgumentError(
                f"应填评价档次（{names}）或扣分（如“25%”、0.5），实际为“{text[:20]}”"
            ) from None
    elif decision is not None and text is None:
        deductions = [amount_of(decision, "扣分")]
    if deductions and given_share is not None:
        raise ArgumentError("扣分与得分比例只能填写一项")
    if band is None and not deductions and given_share is None:
        raise ArgumentError("请填写评价档次、扣分（如“25%”或 0.5）或得分比例")
    return JudgementInputs(w, band, given_share, deductions, places_of(places, SCORE_PLACES))


def judgement_points(inputs: JudgementInputs) -> Decimal:
    w, ds = inputs.weight, inputs.deductions
    if inputs.band is not None or not ds:
        return m.judgement_points(w, share=inputs.share, band=inputs.band)
    if len(ds) == 1:
        return m.judgement_points(w, deduct_share=ds[0].share, deduct_points=ds[0].points)
    return m.judgement_points(w, deductions=[(d.share, d.points) for d in ds])


def grade_scale(value: Any) -> list[GradeBand]:
    """The grade bands: the national ones, text such as "优90,良80,中60,差0", or a range of
    rows (分数下限, 等级) in either column order."""
    if value is None:
        return list(NATIONAL_GRADES)
    cells = flatten(value)
    if len(cells) == 1 and isinstance(cells[0], str):
        text = cells[0]
        pairs = re.findall(r"([^\d\s,，;；:：≥>=]+)\s*[:：≥>=]*\s*(-?\d+(?:\.\d+)?)", text)
        if not pairs:
            raise ArgumentError(f"等级标准应写成“优90,良80,中60,差0”，实际为“{text[:20]}”")
        return [GradeBand(grade=name.strip(), min=Decimal(low)) for name, low in pairs]
    rows = value if isinstance(value, list) and value and isinstance(value[0], list) else [cells]
    if any(len(row) != 2 for row in rows):
        raise ArgumentError("等级标准应为两列的区域（一列分数下限、一列等级名称）")
    bands: list[GradeBand] = []
    for index, (first, second) in enumerate(rows, 1):
        if first is None and second is None:
            continue
        low, name = (second, first) if isinstance(first, str) else (first, second)
        if low is None or name is None:
            raise ArgumentError(f"等级标准第{index}行不完整")
        bands.append(GradeBand(grade=str(name).strip(), min=number(low, f"等级标准第{index}行")))
    if not bands:
        raise ArgumentError("等级标准为空")
    return bands


def label_text(value: Any) -> str | None:
    """A name typed in a cell or as a literal; numbers as written (2022, not 2022.0)."""
    value = _single(value, "名称")
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float | int):
        return fmt_number(to_decimal(value))
    return str(value).strip() or None


# ---------------------------------------------------------------------------------------------
# The worksheet functions.


@worksheet_function(
    actual="实际值（分子），如实际支出 1689.29、实际完成数 81.25",
    target="目标值（分母），如预算数 1811.58、计划数 100；不能为0",
    weight="本项权重（分值），如 1",
    mode="计分方式，可省略：0 或“按比例”（默认）；1 或“逐点扣分”：每降低1%扣1%权重分，不足1%按1%；2 或“整点扣分”：只计满1%；3 或“反向”：越低越好，得 权重×目标值/实际值；4 或“反向线性”：越低越好，两倍目标值得0分",
    places="得分保留的小数位数，可省略，默认2（四舍五入）",
)
def SCORE_RATE(actual: Any, target: Any, weight: Any, mode: Any = None, places: Any = 2) -> Any:
    """按比例计分：得分 = 权重 × 实际值/目标值（完成率先按 93.25% 这样保留两位百分数），不超过权重。也可选逐点扣分或反向指标。例：SCORE_RATE(1689.29,1811.58,1) = 0.93。"""
    inputs = rate_inputs(actual, target, weight, mode, places)
    points = m.ratio_points(inputs.weight, inputs.reached(), inputs.mode.ratio).points
    return points_result(points, inputs.places)


@worksheet_function(
    actual="实际支出（执行数），如 1689.29",
    budget="预算数，如 1811.58；不能为0",
    places="保留的小数位数，可省略，默认4（即百分数两位：0.9325 = 93.25%）",
)
def EXEC_RATE(actual: Any, budget: Any, places: Any = RATE_PLACES) -> Any:
    """预算执行率 = 实际支出 / 预算数，返回比率（0.9325，单元格设为百分比格式即显示 93.25%）。例：EXEC_RATE(1689.29,1811.58) = 0.9325。"""
    spent, planned = number(actual, "实际支出"), number(budget, "预算数")
    if planned == 0:
        raise ArgumentError("预算数为0，无法计算执行率")
    if planned < 0:
        raise ArgumentError(f"预算数不能为负数（{fmt_number(planned)}）")
    return float(quantize(m.rate(spent, planned), places_of(places, RATE_PLACES), "half_up"))


@worksheet_function(
    value="要分档的数值，比率填 0.8758 或“87.58%”（与分档下限同一尺度）",
    lower_bounds="各档下限的区域，如 {0.9;0.8;0.7;0.6;0.5}；达到下限（含）即得该档分值",
    points="各档分值的区域，与下限一一对应，如 {7;6;5;4;3}；低于所有下限得0分",
)
def SCORE_BANDS(value: Any, lower_bounds: Any, points: Any) -> Any:
    """分档计分：数值达到某档下限（含）得该档分值，取最高的一档；低于所有下限得0分。例：SCORE_BANDS(0.8758,{0.9;0.8;0.7;0.6;0.5},{7;6;5;4;3}) = 6。"""
    inputs = band_inputs(value, lower_bounds, points)
    awarded, _ = m.band_points(inputs.value, inputs.bounds, inputs.points)
    return float(awarded)


@worksheet_function(
    flags="各要点是否符合的区域：√/×、是/否、符合/不符合、1/0 或 TRUE/FALSE；空单元格不计",
    weight="本项权重（分值），如 2",
    item_points="各要点的分值区域，可省略；省略时各要点平分权重",
    places="得分保留的小数位数，可省略，默认2（四舍五入）",
)
def SCORE_CHECKLIST(flags: Any, weight: Any, item_points: Any = None, places: Any = 2) -> Any:
    """要点计分：N 个要点各占 1/N 权重分（或各自的分值），符合得对应分值。例：SCORE_CHECKLIST({1;1;0},2) = 1.33。"""
    inputs = checklist_inputs(flags, weight, item_points, places)
    points = m.checklist_points(inputs.weight, inputs.met, inputs.item_points)
    return points_result(points, inputs.places)


@worksheet_function(
    count="发现的问题（不规范事项）个数，不小于0的整数",
    weight="本项权重（分值），如 2",
    per="每发现一例扣分：“25%”（带百分号的文字）表示扣权重的25%，数字如 0.5 表示扣0.5分",
    per_is_share="可省略；填 TRUE 时数字按权重比例计（引用设为百分比格式的单元格时使用，0.25 即 25%）",
    places="得分保留的小数位数，可省略，默认2（四舍五入）",
)
def SCORE_DEDUCT(
    count: Any, weight: Any, per: Any, per_is_share: Any = None, places: Any = 2
) -> Any:
    """逐项扣分：每发现一例扣权重的一定比例或一定分数，扣完为止。例：SCORE_DEDUCT(1,2,"25%") = 1.5。"""
    inputs = deduction_inputs(count, weight, per, per_is_share, places)
    points = m.deduction_points(
        inputs.weight, inputs.count, per_share=inputs.per.share, per_points=inputs.per.points
    )
    return points_result(points, inputs.places)


@worksheet_function(
    weight="本项权重（分值），如 1",
    band_or_deduction="评价档次（达成年度指标 / 部分达成并具有一定效果 / 未达成且效果较差），或扣分：“25%”扣权重的25%，0.5 扣0.5分，“25%+25%”分项扣分；只填得分比例时留空",
    share="得分比例，可省略：选评价档次时必填且须在该档范围内（如 0.9 或“90%”）；不填档次和扣分时按此比例得分",
    places="得分保留的小数位数，可省略，默认2（四舍五入）",
)
def SCORE_JUDGE(weight: Any, band_or_deduction: Any, share: Any = None, places: Any = 2) -> Any:
    """定性/酌情计分：按全国三档（达成 80–100%、部分达成 60–80%、未达成 0–60%）内的得分比例，或按评价人认定的扣分。例：SCORE_JUDGE(1,"25%") = 0.75；SCORE_JUDGE(10,1) = 9。"""
    inputs = judgement_inputs(weight, band_or_deduction, share, places)
    return points_result(judgement_points(inputs), inputs.places)


@worksheet_function(
    total="总分，如 93.08",
    scale="等级标准，可省略：默认 90（含）以上优、80（含）以上良、60（含）以上中、60以下差；也可引用两列区域（分数下限、等级）或写“优90,良80,中60,差0”",
)
def PERF_GRADE(total: Any, scale: Any = None) -> Any:
    """绩效评价等级：按总分返回 优 / 良 / 中 / 差（90、80、60 分为各档下限，含本数）。例：PERF_GRADE(93.08) = 优。"""
    score = number(total, "总分")
    if score < 0:
        raise ArgumentError(f"总分不能为负数（{fmt_number(score)}）")
    # the core's rule (the highest band whose minimum the total reaches), on these bands
    scale_only = Rubric.model_construct(
        id="perf-grade", title="PERF_GRADE", kind="project", levels=[], grades=grade_scale(scale)
    )
    return cell_text(scale_only.grade_for(score))


# ---------------------------------------------------------------------------------------------
# SCORE_REASON: the deduction reason the core writes for the same inputs.


def _one_line(node: Node, places: int) -> Rubric:
    policy = RoundingPolicy(score=RoundingRule(places=places, mode="half_up"))
    return Rubric(
        id="worksheet-function", title=node.name, kind="project", levels=[node], rounding=policy
    )


def _rate_line(label: str | None, args: Sequence[Any]) -> tuple[Node, LineEvidence, int]:
    inputs = rate_inputs(*_padded(args, 5))
    inputs.reached()  # the same checks as SCORE_RATE
    mode = inputs.mode
    if mode.direction == "higher":
        method = RatioMethod(type="ratio", mode=mode.ratio, value_label=label or "完成率")
        line = LineEvidence(numerator=inputs.actual, denominator=inputs.target)
    else:
        method = RatioMethod(
            type="ratio",
            target=inputs.target,
            direction="lower",
            inverse=mode.inverse,
            value_label=label or "实际值",
            percent=False,
        )
        line = LineEvidence(value=inputs.actual)
    return _node(label, inputs.weight, method), line, inputs.places


def _bands_line(label: str | None, args: Sequence[Any]) -> tuple[Node, LineEvidence, int]:
    inputs = band_inputs(*_padded(args, 3))
    method = BandsMethod(
        type="bands",
        bands=[Band(bound=b, points=p) for b, p in zip(inputs.bounds, inputs.points, strict=True)],
        value_label=label or "数值",
        percent=inputs.percent,
    )
    weight = max(inputs.points)
    return _node(label, weight, method), LineEvidence(value=inputs.value), SCORE_PLACES


def _checklist_line(label: str | None, args: Sequence[Any]) -> tuple[Node, LineEvidence, int]:
    inputs = checklist_inputs(*_padded(args, 4))
    items: int | list[ChecklistItem] = len(inputs.met)
    if inputs.item_points is not None:
        items = [ChecklistItem(points=p) for p in inputs.item_points]
    method = ChecklistMethod(type="checklist", items=items)
    return _node(label, inputs.weight, method), LineEvidence(met=inputs.met), inputs.places


def _deduction_line(label: str | None, args: Sequence[Any]) -> tuple[Node, LineEvidence, int]:
    inputs = deduction_inputs(*_padded(args, 5))
    method = DeductionMethod(
        type="deduction",
        per_share=inputs.per.share,
        per_points=inputs.per.points,
        occurrence_label=label or "问题",
    )
    return _node(label, inputs.weight, method), LineEvidence(count=inputs.count), inputs.places


def _judgement_line(label: str | None, args: Sequence[Any]) -> tuple[Node, LineEvidence, int]:
    inputs = judgement_inputs(*_padded(args, 4))
    judgement_points(inputs)  # the same checks as SCORE_JUDGE
    reason = label or "评价人认定"
    ds = inputs.deductions
    if inputs.band is not None or not ds:
        decision = Decision(band=inputs.band, share=inputs.share, reason=reason)
    elif len(ds) == 1:
        decision = Decision(deduct_share=ds[0].share, deduct_points=ds[0].points, reason=reason)
    else:
        reasons = [r for r in reason.split("；") if r.strip()]
        if len(reasons) != len(ds):
            reasons = [reason] * len(ds)
        decision = Decision(
            deductions=[
                Deduction(share=d.share, points=d.points, reason=r)
                for d, r in zip(ds, reasons, strict=True)
            ]
        )
    node = _node(label, inputs.weight, JudgementMethod(type="judgement"))
    return node, LineEvidence(decision=decision), inputs.places


def _node(label: str | None, weight: Decimal, method: Any) -> Node:
    return Node(code="X", name=label or "本项", weight=weight, method=method)


def _padded(args: Sequence[Any], count: int) -> list[Any]:
    values = list(args[:count])
    return values + [None] * (count - len(values))


_REASON_LINES: dict[str, Callable[[str | None, Sequence[Any]], tuple[Node, LineEvidence, int]]] = {
    "SCORE_RATE": _rate_line,
    "SCORE_BANDS": _bands_line,
    "SCORE_CHECKLIST": _checklist_line,
    "SCORE_DEDUCT": _deduction_line,
    "SCORE_JUDGE": _judgement_line,
}


@worksheet_function(
    function_name='得分所用的函数名，如 "SCORE_RATE"（也可为 SCORE_BANDS、SCORE_CHECKLIST、SCORE_DEDUCT、SCORE_JUDGE）',
    label="指标或事项名称，如“预算执行率”“满意度”“不规范事项”；用于 SCORE_JUDGE 时填扣分理由；可留空",
    arg1="该函数的第1个参数（与得分公式相同）",
    arg2="该函数的第2个参数",
    arg3="该函数的第3个参数，可省略",
    arg4="该函数的第4个参数，可省略",
    arg5="该函数的第5个参数，可省略",
)
def SCORE_REASON(
    function_name: Any,
    label: Any,
    arg1: Any,
    arg2: Any,
    arg3: Any = None,
    arg4: Any = None,
    arg5: Any = None,
) -> Any:
    """扣分原因：用与得分公式相同的参数写出扣分原因（未扣分时为空）。例：SCORE_REASON("SCORE_RATE","预算执行率",1689.29,1811.58,1,1) = 预算执行率93.25%，扣7%权重分。"""
    name = _single(function_name, "函数名")
    key = str(name or "").strip().lstrip("=").split("(")[0].strip().upper()
    if key not in _REASON_LINES:
        raise ArgumentError(f"函数名应为 {'、'.join(_REASON_LINES)} 之一，实际为“{str(name)[:20]}”")
    node, line, places = _REASON_LINES[key](label_text(label), [arg1, arg2, arg3, arg4, arg5])
    scored = score_line(node, line, _one_line(node, places))
    if scored.status != "scored":
        raise ArgumentError(scored.reason)
    return cell_text(scored.reason)
