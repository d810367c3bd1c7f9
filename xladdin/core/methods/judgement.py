"""酌情认定 (judgement): the evaluator decides, always with a reason."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from ..evidence import LineEvidence
from ..fields import Model
from ..numbers import (
    ONE,
    ZERO,
)
from ..ruletext import (
    Inference,
)
from .base import (
    DECISION_REASON,
    DECISION_SHARE,
    EvidenceInput,
    MethodError,
    MethodSpec,
    Pattern,
    check_weight,
    clamp,
)

NATIONAL_JUDGEMENT_BANDS: dict[str, tuple[Decimal, Decimal]] = {
    "达成年度指标": (Decimal("0.8"), Decimal("1")),
    "部分达成并具有一定效果": (Decimal("0.6"), Decimal("0.8")),
    "未达成且效果较差": (Decimal("0"), Decimal("0.6")),
}


class JudgementMethod(Model):
    """酌情扣分 / 定性: the evaluator decides, always with a reason.

    ``scale: national`` asks for one of the national three bands and a share within it.
    """

    type: Literal["judgement"]
    scale: Literal["national"] | None = None


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
    check_weight(weight)
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
        return clamp(weight * (ONE - deduct_share), weight)
    if deduct_points is not None:
        return clamp(weight - deduct_points, weight)
    if deductions is not None:
        total = ZERO
        for part_share, part_points in deductions:
            total += weight * part_share if part_share is not None else (part_points or ZERO)
        return clamp(weight - total, weight)
    raise MethodError("评价人认定须给出分值")


BAND = EvidenceInput("band", "评价档次", "", "choice", tuple(NATIONAL_JUDGEMENT_BANDS))
"""The national qualitative band; its column serves every line of a form."""


def _needs(method: JudgementMethod) -> list[EvidenceInput]:
    if method.scale == "national":
        return [DECISION_REASON.needed(), BAND, DECISION_SHARE.needed()]
    return [DECISION_REASON.needed()]


def _check(method: JudgementMethod, line: LineEvidence) -> str | None:
    if method.scale == "national" and line.decision is not None and line.decision.band is None:
        return "定性指标须选择评价档次并给出该档内的得分比例"
    return None


# ---------------------------------------------------------------------------------------------
# Rule-text patterns.


def _national_scale(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    if "达成年度指标" in text and "部分达成" in text:
        return Inference(
            {"type": "judgement", "scale": "national"},
            0.9,
            "定性指标三档：达成年度指标80%-100%、部分达成60%-80%、未达成0-60%",
        )
    return None


SPEC = MethodSpec(
    type="judgement",
    name="酌情认定",
    model=JudgementMethod,
    needs=_needs,
    check=_check,
    patterns=(Pattern(10, _national_scale),),
)
