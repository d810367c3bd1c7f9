"""Worksheet functions for Excel (xlwings classic UDFs): ``=SCORE_RATE(…)``, ``=PERF_GRADE(…)`` ….

This is the module the templates' ``xlwings.conf`` sheet names under ``UDF Modules``.

**One scoring path.** Every score function turns its arguments into the line's method model
(a one-line rubric: the line, its evidence, the rounding) and calls the core's own
:func:`xladdin.core.scoring.score_line` on it, the call headless scoring makes for every
line; ``SCORE_LINE`` reads the line, the rubric and the evidence from the workbook itself.
A function cannot give another figure than the core for the same inputs.

**What arrives from Excel** (xlwings' classic conversion, every argument registered with
``err_to_str=True``): numbers as ``float``, an empty cell as ``None``, text as ``str``,
TRUE/FALSE as ``bool``, a cell error as its text (``"#N/A"``, ``"#DIV/0!"`` …; without
``err_to_str`` xlwings would hand over ``None``, indistinguishable from an empty cell); a
range of one row or one column as a flat list, a larger one as a list of rows; an omitted
optional argument as the Python default. Ranges are read row by row.

**Any error in any argument is an error of the result**, never a number computed from the
remaining cells. Classic xlwings cannot return a real Excel error value (xlwings issue #776:
whatever the function returns or raises reaches the cell as a number or a text), so a failure
is a text that starts with the error code, ``"#VALUE! <原因>"`` or the code of the erroneous
argument (``"#N/A 第2个参数是错误值#N/A…"``): it is never a number, ``ISNUMBER`` is FALSE
and ``COUNT`` skips it, which is how the table's subtotals notice it (see the Excel guide).
Text results are cut to 255 characters: a longer one shows #VALUE! (xlwings issue #456).

The percent rule (the one of :mod:`xladdin.core.numbers`, used everywhere): a rate is a
fraction, as Excel stores a cell formatted as a percentage — 87.58% is ``0.8758``; text ending
in ``%`` is divided by 100; a bare number is never guessed to be a percentage.

**Where the cell words are parsed**: the words officers type (√/×, 是/否, "25%+25%", "扣0.5分",
the national bands' names, "；"-joined reasons) are read by the evidence codec
(:mod:`xladdin.core.codec`), as the template and the reader read them; the "Reading Excel's
arguments" section below only adds what is particular to a function argument (a range where
one cell is expected, the argument's name in the message, the range a share must keep, the
modes and rounding words of the functions themselves).

Docstrings and argument descriptions are what Excel's function wizard shows (xlwings passes
at most 255 characters of each to ``Application.MacroOptions``): short, for finance officers.
Annotations are ``Any`` on purpose: on Windows xlwings turns annotations into converters, and
``Any`` is the one that means "the default conversion".
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

import xlwings as xw
from pydantic import ValidationError

from ..core import codec
from ..core import methods as m
from ..core.codec import BAND_NAMES, NO_WORDS, YES_WORDS
from ..core.errors import XladdinError
from ..core.evidence import Decision, Deduction, LineEvidence
from ..core.methods.ratio import ratio_value
from ..core.numbers import (
    ROUNDING_MODE_NAMES,
    ROUNDING_MODES,
    ZERO,
    NumberParseError,
    divide,
    fmt_number,
    to_decimal,
)
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
    ThresholdMethod,
    grade_for,
)
from ..core.scoring import measured_value, score_line
from ..workbook.plan import live_score_value

# "Import Functions" imports every function and macro of the module named in xlwings.conf, so
# the macros are re-exported here. Their module never fails to import for want of a decorator
# (it falls back from @xw.script to @xw.sub to none), so the functions always load.
from . import macros as _macros
from .macros import PERF_CHECK, PERF_NEW, PERF_RECALC

__all__ = [
    "CHILD_WEIGHT",
    "EXEC_RATE",
    "PERF_CHECK",
    "PERF_GRADE",
    "PERF_NEW",
    "PERF_RECALC",
    "SAVING_RATE",
    "SCORE_BANDS",
    "SCORE_CHECKLIST",
    "SCORE_DEDUCT",
    "SCORE_EXACT",
    "SCORE_JUDGE",
    "SCORE_LINE",
    "SCORE_QUALITATIVE",
    "SCORE_RATE",
    "SCORE_REASON",
    "SCORE_SURVEY",
    "SCORE_THRESHOLD",
    "SCORE_TOLERANCE",
]

CATEGORY = "预算绩效评价"
MAX_TEXT = 255
VALUE_ERROR = "#VALUE!"
SCORE_PLACES = 2
# A rate computed from two amounts is rounded as the table prints it (93.25%), as the
# rubric's default value policy does: the step modes depend on it.
RATE_PLACES = RoundingPolicy().value.places
RATE_ROUNDING = RoundingPolicy().value.mode

# Excel's cell errors. Through COM an error is a VT_ERROR whose code is 0x800A0000 + the
# number of VBA's CVErr (2042 for #N/A: -2146826246); with err_to_str xlwings turns the seven
# classic ones into their text and passes any other (#SPILL!, #CALC!, …) on as that integer.
_XL_ERROR_BASE = -2146828288  # 0x800A0000 as a signed 32-bit integer
XL_ERROR_NUMBERS: dict[int, str] = {
    2000: "#NULL!",
    2007: "#DIV/0!",
    2015: "#VALUE!",
    2023: "#REF!",
    2029: "#NAME?",
    2036: "#NUM!",
    2042: "#N/A",
    2043: "#GETTING_DATA",
    2045: "#SPILL!",
    2046: "#CONNECT!",
    2047: "#BLOCKED!",
    2048: "#UNKNOWN!",
    2049: "#FIELD!",
    2050: "#CALC!",
    2051: "#BUSY!",
}
ERROR_TEXTS = frozenset(XL_ERROR_NUMBERS.values())
_ERROR_AT_START = re.compile(r"^(#[A-Z0-9_/]+[!?]?|#N/A)(?:\s|$)")

F = TypeVar("F", bound=Callable[..., Any])


class ArgumentError(ValueError):
    """An argument the function cannot use; the message is shown in the cell."""


# ---------------------------------------------------------------------------------------------
# Results: numbers, texts, and failures that are never numbers.


def cell_text(text: str) -> str:
    """A text as a cell can show it from a classic UDF: at most 255 characters."""
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def failure(message: str, code: str = VALUE_ERROR) -> str:
    """What a cell shows when a function cannot give a result: the error code, then why.

    Classic xlwings cannot hand Excel a real error value (xlwings issue #776), so this is a
    text: never a number, FALSE for ``ISNUMBER``, skipped by ``COUNT``.
    """
    return cell_text(f"{code} {message}")


def is_failure(value: Any) -> bool:
    """True for what :func:`failure` returns (and for a bare error text such as "#N/A")."""
    return cell_error(value) is not None


def cell_error(value: Any) -> str | None:
    """The Excel error code a single argument value stands for, or None.

    An error as xlwings delivers it with ``err_to_str`` ("#N/A"), as the integer COM code
    it passes on for newer errors, or as a failure text of another of these functions
    ("#VALUE! 预算数为0…") in a cell this one reads.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and _XL_ERROR_BASE + 2000 <= value <= _XL_ERROR_BASE + 2100:
        number = value - _XL_ERROR_BASE
        return XL_ERROR_NUMBERS.get(number, f"#ERROR{number}")
    if isinstance(value, str):
        found = _ERROR_AT_START.match(value.strip())
        if found and found.group(1) in ERROR_TEXTS:
            return found.group(1)
    return None


def first_error(value: Any) -> str | None:
    """The first error code in an argument (a single value or a range), or None."""
    for item in flatten(value):
        code = cell_error(item)
        if code is not None:
            return code
    return None


def worksheet_function(*, volatile: bool = False, **argument_docs: str) -> Callable[[F], F]:
    """Register ``func`` as an Excel function with a description for each argument.

    Every argument is registered with ``err_to_str=True`` so that a cell error reaches the
    function as its text; an error in any argument makes the result a failure naming the
    argument. The descriptions are kept on the function as ``__excel_args__`` (the xlwings
    decorators are no-ops outside Windows, so tests read them there). A domain error, or
    anything unexpected, becomes :func:`failure`: a cell never shows a traceback. An argument
    named ``caller`` is xlwings' reserved one (the calling cell); Excel does not show it.
    """

    def decorate(func: F) -> F:
        names = list(inspect.signature(func).parameters)

        @functools.wraps(func)
        def guarded(*args: Any) -> Any:
            for position, (name, value) in enumerate(zip(names, args, strict=False), 1):
                if name == "caller":
                    continue
                code = first_error(value)
                if code is not None:
                    return failure(
                        f"第{position}个参数是错误值{code}，请先修正它引用的单元格", code
                    )
            try:
                return func(*args)
            except (ArgumentError, m.MethodError, NumberParseError, XladdinError) as exc:
                return failure(str(exc))
            except ValidationError as exc:
                error = exc.errors()[0]
                message = (error.get("ctx") or {}).get("error", error["msg"])
                return failure(str(message))
            except Exception as exc:  # a cell must never show a traceback
                return failure(f"内部错误（{type(exc).__name__}：{exc}），请报告此问题")

        registered: Any = guarded
        for name, doc in argument_docs.items():
            registered = xw.arg(name, doc=doc, err_to_str=True)(registered)
        registered = xw.func(category=CATEGORY, volatile=volatile)(registered)
        registered.__excel_args__ = dict(argument_docs)
        return registered

    return decorate


# ---------------------------------------------------------------------------------------------
# Reading Excel's arguments: what xlwings delivers → Decimal, bool, lists, modes. The one place
# the words officers type are parsed for the worksheet functions.


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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(value: Any, what: str) -> Decimal:
    """A required number: float, int or text such as "1,689.29" or "93.25%"."""
    value = _single(value, what)
    if _blank(value):
        raise ArgumentError(f"{what}为空")
    try:
        return to_decimal(value)
    except NumberParseError as exc:
        raise ArgumentError(f"{what}{exc}") from None


def optional_number(value: Any, what: str) -> Decimal | None:
    value = _single(value, what)
    if _blank(value):
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


_ROUNDING_WORDS: dict[str, str] = {
    **{key: key for key in ROUNDING_MODES},
    **{name: key for key, name in ROUNDING_MODE_NAMES.items()},
    "截断": "truncate",
    "舍去": "truncate",
}


def rounding_of(value: Any) -> str:
    """The rounding mode: 四舍五入 (default), 截尾, 四舍六入五成双, 进一 … or their English keys."""
    value = _single(value, "舍入方式")
    if _blank(value):
        return "half_up"
    text = str(value).strip()
    if text.lower() in _ROUNDING_WORDS:
        return _ROUNDING_WORDS[text.lower()]
    if text in _ROUNDING_WORDS:
        return _ROUNDING_WORDS[text]
    names = "、".join(ROUNDING_MODE_NAMES.values())
    raise ArgumentError(f"舍入方式应为 {names} 之一，实际为“{cell_text(text)[:20]}”")


def count_of(value: Any, what: str) -> int:
    count = number(value, what)
    if count != count.to_integral_value() or count < 0:
        raise ArgumentError(f"{what}应为不小于0的整数，实际为{fmt_number(count)}")
    return int(count)


def flag(value: Any, what: str) -> bool | None:
    """TRUE/FALSE, 1/0, 是/否, √/×, 符合/不符合; None for an empty cell."""
    try:
        return codec.parse_flag(_single(value, what))
    except (codec.WordError, NumberParseError) as exc:
        raise ArgumentError(
            f"{what}应填 √/×、是/否、符合/不符合、1/0 或 TRUE/FALSE，实际为“{cell_text(str(exc.args[0]))[:20]}”"
        ) from None


def share_of(value: Any, what: str, default: Decimal) -> Decimal:
    """A share of 100%: 0.01 or "1%"; greater than 0 and at most 1."""
    amount = optional_number(value, what)
    if amount is None:
        return default
    if not ZERO < amount <= 1:
        raise ArgumentError(
            f"{what}应为大于0、不超过100%的比率（如 0.01 或“1%”），实际为{fmt_number(amount)}"
        )
    return amount


def same_size(first: list[Any], second: list[Any], names: tuple[str, str]) -> None:
    if len(first) != len(second):
        raise ArgumentError(
            f"{names[0]}有{len(first)}个单元格，{names[1]}有{len(second)}个，两个区域大小须一致"
        )


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
    if _blank(value):
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


_HIGHER_WORDS = ("越高越好", "高", "higher", "正向", "≥", ">=")
_LOWER_WORDS = ("越低越好", "低", "lower", "反向", "≤", "<=")


def direction_of(value: Any) -> m.Direction:
    value = _single(value, "方向")
    if _blank(value):
        return "higher"
    text = str(value).strip().lower()
    if text in _HIGHER_WORDS:
        return "higher"
    if text in _LOWER_WORDS:
        return "lower"
    raise ArgumentError(f"方向应为“越高越好”或“越低越好”，实际为“{cell_text(str(value))[:20]}”")


_INCLUDED_WORDS = ("含", "包含", "（含）", "(含)", "≥", "≤", *YES_WORDS)
_EXCLUDED_WORDS = ("不含", "不包含", "（不含）", "(不含)", ">", "<", *NO_WORDS)


def inclusive_of(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    if _blank(value):
        return True
    text = fmt_number(to_decimal(value)) if isinstance(value, float | int) else str(value).strip()
    if text in _INCLUDED_WORDS:
        return True
    if text in _EXCLUDED_WORDS:
        return False
    raise ArgumentError(f"{what}应填“含”或“不含”（TRUE/FALSE），实际为“{cell_text(text)[:20]}”")


_OPS: dict[str, m.ThresholdOp] = {
    ">=": ">=",
    "≥": ">=",
    "≧": ">=",
    "＞＝": ">=",
    ">": ">",
    "＞": ">",
    "<=": "<=",
    "≤": "<=",
    "≦": "<=",
    "＜＝": "<=",
    "<": "<",
    "＜": "<",
    "=": "=",
    "＝": "=",
    "═": "=",
}


def op_of(value: Any) -> m.ThresholdOp:
    value = _single(value, "比较方式")
    if _blank(value):
        return ">="
    text = str(value).strip()
    if text in _OPS:
        return _OPS[text]
    raise ArgumentError(f"比较方式应为 ≥、>、≤、<、= 之一，实际为“{cell_text(text)[:20]}”")


Amount = codec.Amount


def amount_of(value: Any, what: str, number_is_share: bool = False) -> Amount:
    """ "25%" or "扣25%权重分" → share; 0.5 or "扣0.5分" → points (share if ``number_is_share``):
    the codec's reading, with the range a worksheet argument must keep."""
    value = _single(value, what)
    if _blank(value):
        raise ArgumentError(f"{what}为空")
    try:
        parsed = codec.parse_amount(value, number_is_share)
    except NumberParseError as exc:
        raise ArgumentError(f"{what}{exc}") from None
    amount = parsed.share if parsed.share is not None else parsed.points
    assert amount is not None
    if amount < 0:
        raise ArgumentError(f"{what}不能为负数（{fmt_number(amount)}）")
    if parsed.share is not None and amount > 1:
        raise ArgumentError(f"{what}按权重比例不能超过100%（实际为{fmt_number(amount)}）")
    return parsed


def label_text(value: Any) -> str | None:
    """A name typed in a cell or as a literal; numbers as written (2022, not 2022.0)."""
    value = _single(value, "名称")
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float | int):
        return fmt_number(to_decimal(value))
    return str(value).strip() or None


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


# ---------------------------------------------------------------------------------------------
# Each function's arguments → one line of a rubric, scored by the core.


@dataclass(frozen=True)
class OneLine:
    """A line as the core scores it: the leaf, its evidence and a rubric holding only it."""

    node: Node
    evidence: LineEvidence
    rubric: Rubric


def one_line(
    label: str | None, weight: Decimal, method: Any, evidence: LineEvidence, places: int, mode: str
) -> OneLine:
    node = Node(code="X", name=label or "本项", weight=weight, method=method)
    policy = RoundingPolicy(score=RoundingRule(places=places, mode=mode))
    rubric = Rubric(
        id="worksheet-function", title=node.name, kind="project", levels=[node], rounding=policy
    )
    return OneLine(node, evidence, rubric)


def line_score(line: OneLine) -> Decimal:
    """The core's score of the line; its reason as an error when it has none."""
    scored = score_line(line.node, line.evidence, line.rubric)
    if scored.status != "scored" or scored.points is None:
        raise ArgumentError(scored.reason)
    return scored.points


def rule_points(
    method: Any, weight: Any, evidence: LineEvidence, places: Any, rounding: Any
) -> Any:
    """The cell value of a one-line rubric's score: ``method`` over ``evidence``, the weight,
    places and rounding mode as the function's arguments give them."""
    line = one_line(
        None,
        weight_of(weight),
        method,
        evidence,
        places_of(places, SCORE_PLACES),
        rounding_of(rounding),
    )
    return points_result(line_score(line))


def line_reason(line: OneLine) -> str:
    scored = score_line(line.node, line.evidence, line.rubric)
    if scored.status != "scored":
        raise ArgumentError(scored.reason)
    return scored.reason


def rate_line(
    label: str | None,
    actual: Any,
    target: Any,
    weight: Any,
    mode: Any = None,
    places: Any = None,
    rounding: Any = None,
    step_size: Any = None,
    step_deduct: Any = None,
) -> OneLine:
    done, goal, w = number(actual, "实际值"), number(target, "目标值"), weight_of(weight)
    how = rate_mode(mode)
    if goal < 0:
        raise ArgumentError(f"目标值不能为负数（{fmt_number(goal)}）")
    step = share_of(step_size, "步长", Decimal("0.01"))
    step_share = share_of(step_deduct, "每步扣分比例", Decimal("0.01"))
    if how.direction == "higher":
        if goal == 0:
            raise ArgumentError("目标值为0，无法计算完成率")
        # the completion actual/target (unrounded, as the core computes it for a line with a
        # target) scored against 100%, so the reason shows it as a percentage
        method = RatioMethod(
            type="ratio",
            mode=how.ratio,
            step=step,
            step_deduct=step_share,
            value_label=label or "完成率",
        )
        evidence = LineEvidence(value=divide(done, goal))
    else:
        method = RatioMethod(
            type="ratio",
            mode=how.ratio,
            step=step,
            step_deduct=step_share,
            target=goal,
            direction="lower",
            inverse=how.inverse,
            value_label=label or "实际值",
            percent=False,
        )
        evidence = LineEvidence(value=done)
    return one_line(
        label, w, method, evidence, places_of(places, SCORE_PLACES), rounding_of(rounding)
    )


def _band_scale_check(value: Decimal, bounds: list[Decimal]) -> bool:
    """Refuse a value written on another scale than its bounds rather than guess; True when
    the bounds are rates.

    Bounds within 0–1 are rates (0.9 = 90%): a value above 2 (200%) was written as a percent
    number (87.58). Bounds up to 100 with the top one at least 10 are percent numbers: a value
    strictly between 0 and 1 was written as a rate.
    """
    percent = all(ZERO <= bound <= 1 for bound in bounds)
    shown = fmt_number(value)
    if percent and value > 2:
        raise ArgumentError(
            f"数值{shown}与分档下限不在同一尺度：下限是比率（0.9 即 90%），"
            f"数值应填 {fmt_number(value / 100)} 或“{shown}%”"
        )
    if all(ZERO <= bound <= 100 for bound in bounds) and max(bounds) >= 10 and 0 < value < 1:
        raise ArgumentError(
            f"数值{shown}是比率，分档下限却按百分数填写（如 90 表示 90%）："
            f"请把下限改为 0.9 或“90%”，或把数值填为 {fmt_number(value * 100)}"
        )
    return percent


def bands_line(
    label: str | None,
    value: Any,
    lower_bounds: Any,
    points: Any,
    inclusive: Any = None,
    direction: Any = None,
    otherwise: Any = None,
    places: Any = None,
    rounding: Any = None,
) -> OneLine:
    measured = number(value, "数值")
    bound_cells, point_cells = flatten(lower_bounds), flatten(points)
    same_size(bound_cells, point_cells, ("分档界限", "分值"))
    inclusive_cells = flatten(inclusive)
    if len(inclusive_cells) == 1:
        inclusive_cells = inclusive_cells * len(bound_cells)
    same_size(bound_cells, inclusive_cells, ("分档界限", "是否含界限"))
    bands: list[Band] = []
    for index, (bound, amount, included) in enumerate(
        zip(bound_cells, point_cells, inclusive_cells, strict=True), 1
    ):
        if bound is None and amount is None:
            continue
        if bound is None or amount is None:
            raise ArgumentError(f"第{index}档的{'界限' if bound is None else '分值'}为空")
        bands.append(
            Band(
                bound=number(bound, f"第{index}档界限"),
                points=non_negative(amount, f"第{index}档分值"),
                inclusive=inclusive_of(included, f"第{index}档是否含界限"),
            )
        )
    if not bands:
        raise ArgumentError("没有分档：分档界限与分值为空")
    rest = optional_number(otherwise, "未达到任何一档时的分值") or ZERO
    if rest < 0:
        raise ArgumentError(f"未达到任何一档时的分值不能为负数（{fmt_number(rest)}）")
    percent = _band_scale_check(measured, [band.bound for band in bands])
    method = BandsMethod(
        type="bands",
        bands=bands,
        otherwise=rest,
        direction=direction_of(direction),
        value_label=label or "数值",
        percent=percent,
    )
    weight = max([band.points or ZERO for band in bands] + [rest])
    return one_line(
        label,
        weight,
        method,
        LineEvidence(value=measured),
        places_of(places, SCORE_PLACES),
        rounding_of(rounding),
    )


def checklist_line(
    label: str | None,
    flags: Any,
    weight: Any,
    item_points: Any = None,
    places: Any = None,
    rounding: Any = None,
) -> OneLine:
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
    w = weight_of(weight)
    if points and sum(points, ZERO) > w:
        raise ArgumentError(f"要点分值合计{fmt_number(sum(points, ZERO))}超过权重{fmt_number(w)}")
    items: int | list[ChecklistItem] = len(met)
    if points:
        items = [ChecklistItem(points=p) for p in points]
    method = ChecklistMethod(type="checklist", items=items)
    return one_line(
        label,
        w,
        method,
        LineEvidence(met=met),
        places_of(places, SCORE_PLACES),
        rounding_of(rounding),
    )


def deduction_line(
    label: str | None,
    count: Any,
    weight: Any,
    per: Any,
    per_is_share: Any = None,
    places: Any = None,
    rounding: Any = None,
) -> OneLine:
    as_share = flag(per_is_share, "第4个参数（每次扣分是否为权重比例）") or False
    found, w = count_of(count, "发现次数"), weight_of(weight)
    amount = amount_of(per, "每次扣分", as_share)
    method = DeductionMethod(
        type="deduction",
        per_share=amount.share,
        per_points=amount.points,
        occurrence_label=label or "问题",
    )
    return one_line(
        label,
        w,
        method,
        LineEvidence(count=found),
        places_of(places, SCORE_PLACES),
        rounding_of(rounding),
    )


_OTHERWISE_WORDS: dict[str, str] = {
    "不得分": "zero",
    "0": "zero",
    "zero": "zero",
    "酌情": "judgement",
    "酌情扣分": "judgement",
    "评价人认定": "judgement",
    "judgement": "judgement",
}


def threshold_line(
    label: str | None,
    value: Any,
    bound: Any,
    weight: Any,
    op: Any = None,
    otherwise: Any = None,
) -> OneLine:
    limit, w, how = number(bound, "达标值"), weight_of(weight), op_of(op)
    rest = _single(otherwise, "未达标时")
    rest_text = "" if _blank(rest) else str(rest).strip()
    if isinstance(rest, float | int) and not isinstance(rest, bool):
        rest_text = fmt_number(to_decimal(rest))
    if rest_text and rest_text not in _OTHERWISE_WORDS:
        raise ArgumentError(f"未达标时应填“不得分”或“酌情”，实际为“{cell_text(rest_text)[:20]}”")
    measured = _single(value, "实际值")
    evidence: LineEvidence
    if codec.is_flag_word(measured):
        evidence = LineEvidence(passed=flag(measured, "是否达标"))
    else:
        evidence = LineEvidence(value=number(measured, "实际值"))
    method = ThresholdMethod(
        type="threshold",
        op=how,
        value=limit,
        otherwise=_OTHERWISE_WORDS.get(rest_text, "zero"),
        value_label=label or "实际值",
        percent=ZERO < abs(limit) <= 1,
    )
    return one_line(label, w, method, evidence, SCORE_PLACES, "half_up")


def judgement_line(
    label: str | None,
    weight: Any,
    band_or_deduction: Any,
    share: Any = None,
    places: Any = None,
    rounding: Any = None,
    awarded: Any = None,
) -> OneLine:
    w = weight_of(weight)
    given_share = optional_number(share, "得分比例")
    if given_share is not None and not ZERO <= given_share <= 1:
        raise ArgumentError(
            f"得分比例应为0到1之间的比率（如 0.9 或“90%”），实际为{fmt_number(given_share)}"
        )
    score = optional_number(awarded, "认定得分")
    decision_cell = _single(band_or_deduction, "评价档次或扣分")
    text = decision_cell.strip() if isinstance(decision_cell, str) else None
    band: str | None = None
    deductions: list[Amount] = []
    if text in BAND_NAMES:
        band = codec.parse_choice(text, BAND_NAMES)
        if given_share is None:
            low, high = NATIONAL_JUDGEMENT_BANDS[text]
            raise ArgumentError(
                f"选择“{text}”时须在第3个参数填写该档内的得分比例"
                f"（{fmt_number(low * 100)}%–{fmt_number(high * 100)}%）"
            )
    elif text:
        parts = codec.split_amounts(text)
        try:
            deductions = [amount_of(p, "扣分") for p in parts]
        except ArgumentError:
            names = "、".join(BAND_NAMES)
            raise ArgumentError(
                f"应填评价档次（{names}）或扣分（如“25%”、0.5），实际为“{text[:20]}”"
            ) from None
    elif decision_cell is not None and text is None:
        deductions = [amount_of(decision_cell, "扣分")]
    if deductions and given_share is not None:
        raise ArgumentError("扣分与得分比例只能填写一项")
    if score is not None and (deductions or given_share is not None):
        raise ArgumentError("认定得分与扣分、得分比例只能填写一项")
    if band is None and not deductions and given_share is None and score is None:
        raise ArgumentError("请填写评价档次、扣分（如“25%”或 0.5）、得分比例或认定得分")
    reason = label or "评价人认定"
    if score is not None:
        decision = Decision(score=score, reason=reason)
    elif band is not None or not deductions:
        decision = Decision(band=band, share=given_share, reason=reason)
    elif len(deductions) == 1:
        part = deductions[0]
        decision = Decision(deduct_share=part.share, deduct_points=part.points, reason=reason)
    else:
        reasons = codec.split_reasons(reason, len(deductions))
        decision = Decision(
            deductions=[
                Deduction(share=d.share, points=d.points, reason=r)
                for d, r in zip(deductions, reasons, strict=True)
            ]
        )
    return one_line(
        label,
        w,
        JudgementMethod(type="judgement"),
        LineEvidence(decision=decision),
        places_of(places, SCORE_PLACES),
        rounding_of(rounding),
    )


_TOLERANCE_WORDS: dict[str, m.ToleranceMode] = {
    "0": "proportional",
    "按比例": "proportional",
    "折算": "proportional",
    "proportional": "proportional",
    "1": "step_started",
    "不足按1计": "step_started",
    "逐点扣分": "step_started",
    "step_started": "step_started",
    "2": "step_full",
    "整点扣分": "step_full",
    "满才扣": "step_full",
    "step_full": "step_full",
}


def tolerance_line(
    label: str | None,
    deviation: Any,
    weight: Any,
    free: Any,
    per_points: Any,
    per: Any = None,
    mode: Any = None,
    places: Any = None,
    rounding: Any = None,
) -> OneLine:
    value, w = number(deviation, "偏差率"), weight_of(weight)
    how = _single(mode, "扣分方式")
    key = "" if _blank(how) else str(how).strip()
    if isinstance(how, float | int) and not isinstance(how, bool):
        key = fmt_number(to_decimal(how))
    if key and key not in _TOLERANCE_WORDS:
        raise ArgumentError(
            f"扣分方式应为 0“按比例”、1“逐点扣分”或 2“整点扣分”，实际为“{cell_text(key)[:20]}”"
        )
    method = m.ToleranceMethod(
        type="tolerance",
        free=share_of(free, "免扣幅度", ZERO),
        per=share_of(per, "每档幅度", Decimal("0.01")),
        per_points=non_negative(per_points, "每档扣分"),
        mode=_TOLERANCE_WORDS.get(key, "proportional"),
        value_label=label or "偏差率",
    )
    return one_line(
        label,
        w,
        method,
        LineEvidence(value=value),
        places_of(places, SCORE_PLACES),
        rounding_of(rounding),
    )


def points_result(points: Decimal) -> float:
    """A score (already rounded by the line's policy) handed to Excel as a float."""
    return float(points)


# ---------------------------------------------------------------------------------------------
# The worksheet functions.

_PLACES_DOC = "得分保留的小数位数，可省略，默认2"
_ROUNDING_DOC = "舍入方式，可省略：四舍五入（默认）、截尾、四舍六入五成双、进一"


@worksheet_function(
    actual="实际值，如实际完成数 81.25、成本 120；执行率等由金额算出的比率请用 EXEC_RATE 先算出",
    target="目标值，如计划数 100；比率对比率时填 1；不能为0",
    weight="本项权重（分值），如 1",
    mode="计分方式，可省略：0 或“按比例”（默认）；1 或“逐点扣分”：每降低1%扣1%权重分，不足1%按1%；2 或“整点扣分”：只计满1%；3 或“反向”：越低越好，得 权重×目标值/实际值；4 或“反向线性”：越低越好，两倍目标值得0分",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
    step_size="逐点/整点扣分的步长，可省略，默认 1%",
    step_deduct="每一步扣权重的比例，可省略，默认 1%",
)
def SCORE_RATE(
    actual: Any,
    target: Any,
    weight: Any,
    mode: Any = None,
    places: Any = 2,
    rounding: Any = None,
    step_size: Any = None,
    step_deduct: Any = None,
) -> Any:
    """按比例计分：得分 = 权重 × 实际值/目标值，不超过权重；也可逐点扣分或按反向指标计分。例：SCORE_RATE(81.25,100,10) = 8.13；SCORE_RATE(EXEC_RATE(1689.29,1811.58),1,1,1) = 0.93。"""
    return points_result(
        line_score(
            rate_line(None, actual, target, weight, mode, places, rounding, step_size, step_deduct)
        )
    )


@worksheet_function(
    actual="实际支出（执行数），如 1689.29",
    budget="预算数，如 1811.58；不能为0",
    places="保留的小数位数，可省略，默认4（即百分数两位：0.9325 = 93.25%）",
    rounding=_ROUNDING_DOC,
)
def EXEC_RATE(actual: Any, budget: Any, places: Any = RATE_PLACES, rounding: Any = None) -> Any:
    """预算执行率 = 实际支出 / 预算数，按表内显示的位数舍入，返回比率（0.9325，设为百分比格式即显示 93.25%）。例：EXEC_RATE(1689.29,1811.58) = 0.9325。"""
    spent, planned = number(actual, "实际支出"), number(budget, "预算数")
    if planned == 0:
        raise ArgumentError("预算数为0，无法计算执行率")
    if planned < 0:
        raise ArgumentError(f"预算数不能为负数（{fmt_number(planned)}）")
    mode = RATE_ROUNDING if _blank(_single(rounding, "舍入方式")) else rounding_of(rounding)
    rule = RoundingRule(places=places_of(places, RATE_PLACES), mode=mode)
    measured = measured_value(
        LineEvidence(numerator=spent, denominator=planned), RoundingPolicy(value=rule)
    )
    assert measured is not None
    return float(measured[1])


@worksheet_function(
    value="要分档的数值，比率填 0.8758 或“87.58%”（与分档界限同一尺度）",
    lower_bounds="各档界限的区域，如 {0.9;0.8;0.7;0.6;0.5}：越高越好时是下限，越低越好时是上限",
    points="各档分值的区域，与界限一一对应，如 {7;6;5;4;3}",
    inclusive="是否含界限，可省略（默认含）：一个 TRUE/FALSE 或“含/不含”，或与界限一一对应的区域",
    direction="方向，可省略：“越高越好”（默认）或“越低越好”",
    otherwise="未达到任何一档时的分值，可省略，默认0",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
)
def SCORE_BANDS(
    value: Any,
    lower_bounds: Any,
    points: Any,
    inclusive: Any = None,
    direction: Any = None,
    otherwise: Any = None,
    places: Any = 2,
    rounding: Any = None,
) -> Any:
    """分档计分：数值达到某档界限（默认含本数）得该档分值，取最好的一档；都未达到得“未达到时分值”（默认0）。例：SCORE_BANDS(0.8758,{0.9;0.8;0.7;0.6;0.5},{7;6;5;4;3}) = 6。"""
    return points_result(
        line_score(
            bands_line(
                None, value, lower_bounds, points, inclusive, direction, otherwise, places, rounding
            )
        )
    )


@worksheet_function(
    flags="各要点是否符合的区域：√/×、是/否、符合/不符合、1/0 或 TRUE/FALSE；空单元格不计",
    weight="本项权重（分值），如 2",
    item_points="各要点的分值区域，可省略；省略时各要点平分权重",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
)
def SCORE_CHECKLIST(
    flags: Any, weight: Any, item_points: Any = None, places: Any = 2, rounding: Any = None
) -> Any:
    """要点计分：N 个要点各占 1/N 权重分（或各自的分值），符合得对应分值。例：SCORE_CHECKLIST({1;1;0},2) = 1.33。"""
    return points_result(
        line_score(checklist_line(None, flags, weight, item_points, places, rounding))
    )


@worksheet_function(
    count="发现的问题（不规范事项）个数，不小于0的整数",
    weight="本项权重（分值），如 2",
    per="每发现一例扣分：“25%”（带百分号的文字）表示扣权重的25%，数字如 0.5 表示扣0.5分",
    per_is_share="可省略；填 TRUE 时数字按权重比例计（引用设为百分比格式的单元格时使用，0.25 即 25%）",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
)
def SCORE_DEDUCT(
    count: Any,
    weight: Any,
    per: Any,
    per_is_share: Any = None,
    places: Any = 2,
    rounding: Any = None,
) -> Any:
    """逐项扣分：每发现一例扣权重的一定比例或一定分数，扣完为止。例：SCORE_DEDUCT(1,2,"25%") = 1.5。"""
    return points_result(
        line_score(deduction_line(None, count, weight, per, per_is_share, places, rounding))
    )


@worksheet_function(
    value="实际值（如 101 家、0.98），或是否达标：√/×、是/否、TRUE/FALSE",
    bound="达标值，如 100；比率填 1 或“100%”",
    weight="本项权重（分值），如 1",
    op="比较方式，可省略：≥（默认）、>、≤、<、=",
    otherwise="未达标时，可省略：“不得分”（默认）或“酌情”（由评价人用 SCORE_JUDGE 认定，本函数显示原因）",
)
def SCORE_THRESHOLD(
    value: Any, bound: Any, weight: Any, op: Any = None, otherwise: Any = None
) -> Any:
    """达标计分：实际值达到达标值得全部权重分，否则不得分（或须酌情认定）。例：SCORE_THRESHOLD(101,100,3) = 3；SCORE_THRESHOLD(1.02,1,1,"≤") = 0。"""
    return points_result(line_score(threshold_line(None, value, bound, weight, op, otherwise)))


@worksheet_function(
    weight="本项权重（分值），如 1",
    band_or_deduction="评价档次（达成年度指标 / 部分达成并具有一定效果 / 未达成且效果较差），或扣分：“25%”扣权重的25%，0.5 扣0.5分，“25%+25%”分项扣分；只填得分比例或认定得分时留空",
    share="得分比例，可省略：选评价档次时必填且须在该档范围内（如 0.9 或“90%”）；不填档次和扣分时按此比例得分",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
    awarded="认定得分，可省略：评价人直接认定的分数（不超过权重）；填写时第2、3个参数留空",
)
def SCORE_JUDGE(
    weight: Any,
    band_or_deduction: Any,
    share: Any = None,
    places: Any = 2,
    rounding: Any = None,
    awarded: Any = None,
) -> Any:
    """定性/酌情计分：按全国三档（达成 80–100%、部分达成 60–80%、未达成 0–60%）内的得分比例、评价人认定的扣分或认定得分。例：SCORE_JUDGE(1,"25%") = 0.75；SCORE_JUDGE(10,1) = 9。"""
    return points_result(
        line_score(
            judgement_line(None, weight, band_or_deduction, share, places, rounding, awarded)
        )
    )


@worksheet_function(
    total="总分，如 93.08",
    scale="等级标准，可省略：默认 90（含）以上优、80（含）以上良、60（含）以上中、60以下差；也可引用两列区域（分数下限、等级）或写“优90,良80,中60,差0”",
)
def PERF_GRADE(total: Any, scale: Any = None) -> Any:
    """绩效评价等级：按总分返回 优 / 良 / 中 / 差（90、80、60 分为各档下限，含本数）。例：PERF_GRADE(93.08) = 优。"""
    score = number(total, "总分")
    if score < 0:
        raise ArgumentError(f"总分不能为负数（{fmt_number(score)}）")
    return cell_text(grade_for(score, grade_scale(scale)))


# ---------------------------------------------------------------------------------------------
# SCORE_REASON: the deduction reason the core writes for the same inputs.

_REASON_LINES: dict[str, Callable[..., OneLine]] = {
    "SCORE_RATE": rate_line,
    "SCORE_BANDS": bands_line,
    "SCORE_CHECKLIST": checklist_line,
    "SCORE_DEDUCT": deduction_line,
    "SCORE_THRESHOLD": threshold_line,
    "SCORE_JUDGE": judgement_line,
}


def _reason_arguments(builder: Callable[..., OneLine], args: Sequence[Any]) -> list[Any]:
    """The arguments the builder takes, trailing omitted ones dropped (so defaults apply)."""
    accepted = len(inspect.signature(builder).parameters) - 1  # without the label
    values = list(args[:accepted])
    while values and values[-1] is None:
        values.pop()
    return values


@worksheet_function(
    function_name='得分所用的函数名，如 "SCORE_RATE"（也可为 SCORE_BANDS、SCORE_CHECKLIST、SCORE_DEDUCT、SCORE_THRESHOLD、SCORE_JUDGE）',
    label="指标或事项名称，如“预算执行率”“满意度”“不规范事项”；用于 SCORE_JUDGE 时填扣分理由；可留空",
    arg1="该函数的第1个参数（与得分公式相同）",
    arg2="该函数的第2个参数",
    arg3="该函数的第3个参数，可省略",
    arg4="该函数的第4个参数，可省略",
    arg5="该函数的第5个参数，可省略",
    arg6="该函数的第6个参数，可省略",
    arg7="该函数的第7个参数，可省略",
    arg8="该函数的第8个参数，可省略",
)
def SCORE_REASON(
    function_name: Any,
    label: Any,
    arg1: Any,
    arg2: Any,
    arg3: Any = None,
    arg4: Any = None,
    arg5: Any = None,
    arg6: Any = None,
    arg7: Any = None,
    arg8: Any = None,
) -> Any:
    """扣分原因：用与得分公式相同的参数写出扣分原因（未扣分时为空）。例：SCORE_REASON("SCORE_RATE","预算执行率",EXEC_RATE(1689.29,1811.58),1,1,1) = 预算执行率93.25%，扣7%权重分。"""
    name = _single(function_name, "函数名")
    key = str(name or "").strip().lstrip("=").split("(")[0].strip().upper()
    if key not in _REASON_LINES:
        raise ArgumentError(f"函数名应为 {'、'.join(_REASON_LINES)} 之一，实际为“{str(name)[:20]}”")
    builder = _REASON_LINES[key]
    args = [arg1, arg2, arg3, arg4, arg5, arg6, arg7, arg8]
    line = builder(label_text(label), *_reason_arguments(builder, args))
    return cell_text(line_reason(line))


# ---------------------------------------------------------------------------------------------
# SCORE_LINE: a line of the workbook's own rubric, from the workbook's own evidence.


@worksheet_function(
    volatile=True,
    code='指标编码，如 "B11"（与评分表“指标编码”列相同）',
)
def SCORE_LINE(code: Any, caller: Any = None) -> Any:
    """按本工作簿的指标体系（隐藏的指标体系工作表）和该行填写的佐证计算一行的得分，与“重算”写入的得分相同。例：SCORE_LINE("B11") = 0.93。"""
    wanted = label_text(code)
    if not wanted:
        raise ArgumentError("请填写指标编码，如“B11”")
    if caller is None or not hasattr(caller, "sheet"):
        raise ArgumentError("SCORE_LINE 须在 Excel 的单元格公式中使用（需读取本工作簿）")
    from ..workbook.reader import read_book
    from .live import XlwingsSource

    data = read_book(XlwingsSource(caller.sheet.book))
    node = data.rubric.find(wanted)
    if node is None or node.children is not None:
        raise ArgumentError(f"本工作簿的指标体系中没有三级指标“{wanted}”")
    scored = score_line(node, data.evidence.line(wanted), data.rubric)
    reason = scored.reason
    if scored.status == "missing_evidence":
        reason = data.gaps.get(wanted, reason)  # the cell still empty, as recalculation says
    # the value the macro-enabled workbook caches for this cell, by construction
    shown = live_score_value(scored.status, scored.points, reason)
    return points_result(shown) if isinstance(shown, Decimal) else shown


# ---------------------------------------------------------------------------------------------
# Argument help for Excel-DNA IntelliSense (the ``_IntelliSense_`` sheet of the macro-enabled
# workbook).


@dataclass(frozen=True)
class FunctionHelp:
    """What Excel shows while a function is typed: its description and each argument's."""

    name: str
    description: str
    arguments: tuple[tuple[str, str], ...]


def function_help() -> list[FunctionHelp]:
    """Every worksheet function's help, from its docstring and ``__excel_args__``, the
    arguments in the order Excel takes them (xlwings' reserved ``caller`` left out)."""
    found: list[FunctionHelp] = []
    for name in __all__:
        function = globals()[name]
        described = getattr(function, "__excel_args__", None)
        if described is None:
            continue  # a macro
        order = [p for p in inspect.signature(function).parameters if p != "caller"]
        found.append(
            FunctionHelp(
                name,
                " ".join((function.__doc__ or "").split()),
                tuple((argument, described[argument]) for argument in order),
            )
        )
    return found


def workbook_function_help() -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    """:func:`function_help` as the workbook builder takes it (its ``_IntelliSense_`` sheet)."""
    return [(f.name, f.description, f.arguments) for f in function_help()]


_macros.FUNCTION_HELP = workbook_function_help


# ---------------------------------------------------------------------------------------------
# Rules beyond the seeds: each function scores a one-line rubric through the core, as above.


@worksheet_function(
    plan="计划数（预算成本、计划成本），如 200；不能为0",
    actual="实际数（实际成本、执行数），如 190",
    places="保留的小数位数，可省略，默认4（即百分数两位：0.05 = 5.00%）",
    rounding=_ROUNDING_DOC,
)
def SAVING_RATE(plan: Any, actual: Any, places: Any = RATE_PLACES, rounding: Any = None) -> Any:
    """成本节约率 =（计划数 − 实际数）/ 计划数，按表内显示的位数舍入，返回比率（超支时为负数）。例：SAVING_RATE(200,190) = 0.05。"""
    planned, spent = number(plan, "计划数"), number(actual, "实际数")
    if planned == 0:
        raise ArgumentError("计划数为0，无法计算节约率")
    if planned < 0:
        raise ArgumentError(f"计划数不能为负数（{fmt_number(planned)}）")
    mode = RATE_ROUNDING if _blank(_single(rounding, "舍入方式")) else rounding_of(rounding)
    rule = RoundingRule(places=places_of(places, RATE_PLACES), mode=mode)
    method = RatioMethod(
        type="ratio", formula="saving", numerator_label="实际数", denominator_label="计划数"
    )
    evidence = LineEvidence(numerator=spent, denominator=planned)
    measured = ratio_value(method, evidence, RoundingPolicy(value=rule))
    assert measured is not None
    return float(measured[1])


@worksheet_function(
    deviation="偏差率（浮动幅度），如 0.025 或“2.5%”；负数按其绝对值计",
    weight="本项权重（分值），如 8",
    free="免扣幅度，如“2%”或 0.02：偏差在此以内得全部权重分",
    per_points="超出部分每一档扣的分数，如 0.5",
    per="每档幅度，可省略，默认 1%",
    mode="扣分方式，可省略：0 或“按比例”（默认，超出2.5%扣2.5档）；1 或“逐点扣分”（不足一档按一档）；2 或“整点扣分”（只计满一档）",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
)
def SCORE_TOLERANCE(
    deviation: Any,
    weight: Any,
    free: Any,
    per_points: Any,
    per: Any = None,
    mode: Any = None,
    places: Any = 2,
    rounding: Any = None,
) -> Any:
    """浮动扣分：偏差在免扣幅度以内得全部权重分，超出部分每一档扣一定分数，扣完为止。例：SCORE_TOLERANCE("2.5%",8,"2%",0.5) = 7.75；SCORE_TOLERANCE("2.5%",8,"2%",0.5,,1) = 7.5。"""
    return points_result(
        line_score(
            tolerance_line(None, deviation, weight, free, per_points, per, mode, places, rounding)
        )
    )


@worksheet_function(
    parent_weight="上级指标（如二级指标）的分值，如 10",
    count="下级指标（如三级指标）的个数，如 3",
    places="分值保留的小数位数，可省略，默认0（保留整数）",
    rounding=_ROUNDING_DOC,
)
def CHILD_WEIGHT(parent_weight: Any, count: Any, places: Any = 0, rounding: Any = None) -> Any:
    """下级指标分值 = 上级指标分值 ÷ 下级指标个数，按规定位数舍入（默认四舍五入保留整数）。例：CHILD_WEIGHT(10,3) = 3；CHILD_WEIGHT(10,4) = 3。"""
    parent, n = weight_of(parent_weight), count_of(count, "下级指标个数")
    if n < 1:
        raise ArgumentError("下级指标个数应至少为1")
    rule = {"places": places_of(places, 0), "mode": rounding_of(rounding)}
    leaves = [
        {"code": f"X{i}", "name": f"指标{i}", "method": {"type": "manual"}} for i in range(1, n + 1)
    ]
    group = Node.model_validate(
        {"code": "X", "name": "本项", "weight": parent, "child_weights": rule, "children": leaves}
    )
    assert group.children is not None
    return float(group.children[0].weight)


@worksheet_function(
    rates="各调查项满意率的区域，如 {0.95;0.8;1} 或“80%”；空单元格不计",
    item_points="各调查项分值的区域，与满意率一一对应，如 {2;2;1}",
    weight="本项权重（分值），如 5",
    pass_rate="满意率达到多少不扣分，可省略：省略时每项均扣 分值×（1−满意率）",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
)
def SCORE_SURVEY(
    rates: Any,
    item_points: Any,
    weight: Any,
    pass_rate: Any = None,
    places: Any = 2,
    rounding: Any = None,
) -> Any:
    """满意度扣分：满意率未达标的调查项扣 该项分值×（1−满意率），扣完为止。例：SCORE_SURVEY({0.95;0.8;1},{2;2;1},5,0.9) = 4.6。"""
    rate_cells, point_cells = flatten(rates), flatten(item_points)
    same_size(rate_cells, point_cells, ("满意率", "调查项分值"))
    found: list[Decimal] = []
    items: list[m.SurveyItem] = []
    for index, (rate, amount) in enumerate(zip(rate_cells, point_cells, strict=True), 1):
        if _blank(rate) and _blank(amount):
            continue
        found.append(number(rate, f"第{index}项满意率"))
        items.append(
            m.SurveyItem(label=f"第{index}项", points=non_negative(amount, f"第{index}项分值"))
        )
    if not items:
        raise ArgumentError("没有填写任何调查项的满意率")
    passing = optional_number(pass_rate, "不扣分的满意率")
    method = m.SurveyMethod(type="survey", items=items, pass_rate=passing)
    return rule_points(method, weight, LineEvidence(rates=found), places, rounding)


@worksheet_function(
    weight="本项权重（分值），如 5",
    band="评价档次：达成年度指标、部分达成并具有一定效果、未达成且效果较差",
    share="该档内的得分比例，如 0.55 或“55%”",
    edges="分档界限，两个比例由高到低，如 {0.8;0.5}（100%-80%、80%-50%、50%-0%）；可省略，默认全国三档 {0.8;0.6}",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
)
def SCORE_QUALITATIVE(
    weight: Any,
    band: Any,
    share: Any,
    edges: Any = None,
    places: Any = 2,
    rounding: Any = None,
) -> Any:
    """定性指标分档计分：在所选档次的比例范围内按得分比例得分，分档界限可按各省规定设置。例：SCORE_QUALITATIVE(5,"部分达成并具有一定效果",0.55,{0.8;0.5}) = 2.75。"""
    chosen = label_text(band)
    if not chosen:
        raise ArgumentError("请填写评价档次")
    given = number(share, "得分比例")
    edge_cells = [cell for cell in flatten(edges) if not _blank(cell)]
    bounds = [number(cell, f"第{i}个分档界限") for i, cell in enumerate(edge_cells, 1)]
    if len(bounds) not in (0, 2):
        raise ArgumentError(f"分档界限应为两个比例（如 {{0.8;0.5}}），实际为{len(bounds)}个")
    method = JudgementMethod(type="judgement", scale="national", edges=bounds or None)
    decision = Decision(band=chosen, share=given, reason="评价人认定")
    return rule_points(method, weight, LineEvidence(decision=decision), places, rounding)


@worksheet_function(
    actual="实际值，如 105",
    target="目标值（“=”指标的年度指标值），如 100；不能为0",
    weight="本项权重（分值），如 5",
    inverse="高于目标值时，可省略：“目标值/实际值”（默认）或“两倍目标值得0分”",
    places=_PLACES_DOC,
    rounding=_ROUNDING_DOC,
)
def SCORE_EXACT(
    actual: Any,
    target: Any,
    weight: Any,
    inverse: Any = None,
    places: Any = 2,
    rounding: Any = None,
) -> Any:
    """等于目标值得满分：低于的得 权重×实际值/目标值，高于的得 权重×目标值/实际值（或两倍目标值得0分）。例：SCORE_EXACT(95,100,5) = 4.75；SCORE_EXACT(125,100,5) = 4。"""
    done, goal = number(actual, "实际值"), number(target, "目标值")
    if goal <= 0:
        raise ArgumentError(f"目标值应大于0（{fmt_number(goal)}）")
    how = _single(inverse, "高于目标值时")
    text = "" if _blank(how) else str(how).strip()
    if text not in ("", "目标值/实际值", "两倍目标值得0分", "反向线性"):
        raise ArgumentError(
            f"高于目标值时应填“目标值/实际值”或“两倍目标值得0分”，实际为“{cell_text(text)[:20]}”"
        )
    method = RatioMethod(
        type="ratio",
        target=goal,
        direction="exact",
        inverse="target_over_actual" if text in ("", "目标值/实际值") else "linear_to_double",
        value_label="实际值",
        percent=False,
    )
    return rule_points(method, weight, LineEvidence(value=done), places, rounding)
