"""The scoring methods as pure functions of Decimals.

These are the arithmetic the rubric methods and the worksheet functions share. They return
unrounded points; rounding is the caller's policy. Each function raises :class:`MethodError`
with a Chinese message when its inputs make no sense.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from .numbers import ONE, ZERO, divide
from .rubric import NATIONAL_JUDGEMENT_BANDS

RatioMode = Literal["proportional", "step_started", "step_full"]
Direction = Literal["higher", "lower"]
Inverse = Literal["target_over_actual", "linear_to_double"]
ThresholdOp = Literal[">=", "<=", "=", ">", "<"]


class MethodError(ValueError):
    """Inputs a method cannot score; the message is for the user."""


def _clamp(points: Decimal, weight: Decimal) -> Decimal:
    return max(ZERO, min(points, weight))


def _check_weight(weight: Decimal) -> None:
    if weight < 0:
        raise MethodError("权重不能为负数")


def rate(numerator: Decimal, denominator: Decimal) -> Decimal:
    """执行率 = 实际支出 / 预算数, as a fraction."""
    if denominator == 0:
        raise MethodError("分母为0，无法计算比率")
    return divide(numerator, denominator)


def completion(
    value: Decimal,
    target: Decimal,
    direction: Direction = "higher",
    inverse: Inverse = "target_over_actual",
) -> Decimal:
    """How far ``value`` reaches ``target``, as a fraction (1 = reached; may exceed 1).

    Lower-is-better values: ``target_over_actual`` gives target / value; ``linear_to_double``
    gives 1 at the target falling to 0 at twice the target.
    """
    if direction == "higher":
        if target == 0:
            raise MethodError("目标值为0，无法计算完成率")
        return divide(value, target)
    if value <= target:
        return ONE
    if inverse == "target_over_actual":
        return divide(target, value)
    if target == 0:
        raise MethodError("目标值为0，无法按“两倍目标值得0分”计算")
    return max(ZERO, 2 - divide(value, target))


@dataclass(frozen=True)
class RatioPoints:
    points: Decimal
    steps: int | None = None
    deducted_share: Decimal | None = None


def ratio_points(
    weight: Decimal,
    reached: Decimal,
    mode: RatioMode = "proportional",
    step: Decimal = Decimal("0.01"),
    step_deduct: Decimal = Decimal("0.01"),
) -> RatioPoints:
    """Points for a completion ``reached`` (a fraction), capped at the weight, floored at 0.

    Step modes: every started (``step_started``) or full (``step_full``) ``step`` below 100%
    deducts ``step_deduct`` of the weight: 93.25% → 7 started points → 7% deducted.
    """
    _check_weight(weight)
    capped = max(ZERO, min(reached, ONE))
    if mode == "proportional":
        return RatioPoints(weight * capped)
    if step <= 0:
        raise MethodError("步长必须大于0")
    shortfall = divide(ONE - capped, step)
    steps = math.ceil(shortfall) if mode == "step_started" else math.floor(shortfall)
    share = min(ONE, steps * step_deduct)
    return RatioPoints(_clamp(weight * (ONE - share), weight), steps, share)


def band_points(
    value: Decimal,
    bounds: Sequence[Decimal],
    amounts: Sequence[Decimal],
    inclusive: Sequence[bool] | None = None,
    otherwise: Decimal = ZERO,
    direction: Direction = "higher",
) -> tuple[Decimal, int | None]:
    """Points of the best band ``value`` reaches, and that band's index (None: no band).

    For ``higher``, band *i* is reached when ``value ≥ bounds[i]`` (``>`` when not inclusive);
    for ``lower``, when ``value ≤ bounds[i]``. Bands are tried from the best bound down.
    """
    if len(bounds) != len(amounts):
        raise MethodError(f"分档下限有{len(bounds)}个，分值有{len(amounts)}个，数量须一致")
    flags = list(inclusive) if inclusive is not None else [True] * len(bounds)
    order = sorted(range(len(bounds)), key=lambda i: bounds[i], reverse=direction == "higher")
    for index in order:
        bound = bounds[index]
        if direction == "higher":
            reached = value > bound or (flags[index] and value == bound)
        else:
            reached = value < bound or (flags[index] and value == bound)
        if reached:
            return amounts[index], index
    return otherwise, None


def checklist_points(
    weight: Decimal, met: Sequence[bool], item_points: Sequence[Decimal] | None = None
) -> Decimal:
    """要点: equal shares of the weight, or the explicit points of the items met."""
    _check_weight(weight)
    if not met:
        raise MethodError("没有可计分的要点")
    if item_points is None:
        return weight * divide(Decimal(sum(met)), Decimal(len(met)))
    if len(item_points) != len(met):
        raise MethodError(f"要点有{len(met)}项，分值有{len(item_points)}个，数量须一致")
    return sum((p for p, ok in zip(item_points, met, strict=True) if ok), ZERO)


def deduction_points(
    weight: Decimal,
    count: int,
    per_share: Decimal | None = None,
    per_points: Decimal | None = None,
) -> Decimal:
    """每发现一例扣分, floored at 0 (扣完为止)."""
    _check_weight(weight)
    if count < 0:
        raise MethodError("发现次数不能为负数")
    if (per_share is None) == (per_points is None):
        raise MethodError("须给出每次扣权重比例或每次扣分之一")
    per = weight * per_share if per_share is not None else per_points
    assert per is not None
    return _clamp(weight - count * per, weight)


def threshold_met(value: Decimal, op: ThresholdOp, bound: Decimal) -> bool:
    """达标 test: value op bound."""
    return {
        ">=": value >= bound,
        "<=": value <= bound,
        "=": value == bound,
        ">": value > bound,
        "<": value < bound,
    }[op]


def judgement_points(
    weight: Decimal,
    *,
    score: Decimal | None = None,
    share: Decimal | None = None,
    deduct_share: Decimal | None = None,
    deduct_points: Decimal | None = None,
    deductions: Sequence[tuple[Decimal | None, Decimal | None]] | None = None,
    band: str | None = None,
) -> Decimal:
    """The evaluator's decision in points, floored at 0.

    ``deductions`` is a list of (share, points) pairs, one of each pair given.
    A ``band`` must be a national qualitative band and ``share`` must lie inside it.
    """
    _check_weight(weight)
    if band is not None:
        if band not in NATIONAL_JUDGEMENT_BANDS:
            names = "、".join(NATIONAL_JUDGEMENT_BANDS)
            raise MethodError(f"未知的评价档次“{band}”，应为：{names}")
        low, high = NATIONAL_JUDGEMENT_BANDS[band]
        if share is None or not low <= share <= high:
            raise MethodError(f"“{band}”的得分比例应在{low * 100:.0f}%–{high * 100:.0f}%之间")
    if score is not None:
        if score > weight:
            raise MethodError(f"认定得分{score}超过权重{weight}")
        return score
    if share is not None:
        if share > 1:
            raise MethodError("得分比例不能超过100%")
        return weight * share
    if deduct_share is not None:
        return _clamp(weight * (ONE - deduct_share), weight)
    if deduct_points is not None:
        return _clamp(weight - deduct_points, weight)
    if deductions is not None:
        total = ZERO
        for part_share, part_points in deductions:
            total += weight * part_share if part_share is not None else (part_points or ZERO)
        return _clamp(weight - total, weight)
    raise MethodError("评价人认定须给出分值")
