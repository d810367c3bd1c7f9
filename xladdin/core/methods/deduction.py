"""逐项扣分 (deduction): every occurrence found deducts a share of the weight or points."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import model_validator

from ..evidence import LineEvidence
from ..fields import Frozen, NonNeg
from ..numbers import (
    HUNDRED,
    ONE,
    fmt_number,
    fmt_percent_short,
)
from ..policy import RoundingPolicy
from ..ruletext import (
    NUM,
    Inference,
    percent_text,
)
from .base import (
    EvidenceInput,
    LineNode,
    MethodError,
    MethodSpec,
    MissingEvidence,
    Outcome,
    Pattern,
    check_weight,
    clamp,
)


class DeductionMethod(Frozen):
    """每发现一例扣分: a share of the weight (``per_share: 25%``) or points per occurrence."""

    type: Literal["deduction"]
    per_share: NonNeg | None = None
    per_points: NonNeg | None = None
    occurrence_label: str = "问题"
    unit: str = "处"

    @model_validator(mode="after")
    def _one_amount(self) -> DeductionMethod:
        if (self.per_share is None) == (self.per_points is None):
            raise ValueError(
                "须且只须给出 per_share（每次扣权重比例）或 per_points（每次扣分）之一"
            )
        return self


def deduction_points(
    weight: Decimal,
    count: int,
    per_share: Decimal | None = None,
    per_points: Decimal | None = None,
) -> Decimal:
    """每发现一例扣分, floored at 0 (扣完为止)."""
    check_weight(weight)
    if count < 0:
        raise MethodError("发现次数不能为负数")
    if (per_share is None) == (per_points is None):
        raise MethodError("须给出每次扣权重比例或每次扣分之一")
    per = weight * per_share if per_share is not None else per_points
    assert per is not None
    return clamp(weight - count * per, weight)


def _score(
    node: LineNode, method: DeductionMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    if line.count is None:
        raise MissingEvidence(f"缺少发现的{method.occurrence_label}数")
    points = deduction_points(node.weight, line.count, method.per_share, method.per_points)
    if line.count == 0:
        return Outcome(points, "")
    found = f"发现{method.occurrence_label}{line.count}{method.unit}"
    if method.per_share is not None:
        share = min(ONE, line.count * method.per_share)
        return Outcome(points, f"{found}，扣{fmt_percent_short(share)}权重分")
    return Outcome(points, found, states_deduction=True)


COUNT = EvidenceInput("count", "发现问题数", "", "count")
"""The number of occurrences found; its column serves every deduction line."""


def _needs(method: DeductionMethod) -> list[EvidenceInput]:
    return [COUNT]


# ---------------------------------------------------------------------------------------------
# Rule-text patterns.

_DEDUCTION = re.compile(
    rf"每(?:发现|有|出现|存在|查出|查实)?(?:一|1)?(例|处|项|个|次|条|起|家|份|篇|笔)"
    rf"([^，,；;。扣]{{0,20}})[，,]?(?:扣除?|减)(?:权重分?的)?{NUM}(%|分)"
)


def _deduction(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    match = _DEDUCTION.search(text)
    if match is None:
        return None
    unit, label, amount, kind = match.groups()
    method: dict[str, Any] = {"type": "deduction"}
    value = Decimal(amount)
    if kind == "%":
        method["per_share"] = percent_text(value / HUNDRED)
        each = f"扣{fmt_number(value)}%权重分"
    else:
        method["per_points"] = value
        each = f"扣{fmt_number(value)}分"
    label = label.strip("的，, ")
    if label:
        method["occurrence_label"] = label
    method["unit"] = unit
    floored = "扣完为止" in text
    note = f"每{unit}{label}{each}" + ("，扣完为止" if floored else "")
    doubts = [] if floored else ["未写“扣完为止”，最低按0分计"]
    return Inference(method, 0.85, note, doubts)


SPEC = MethodSpec(
    type="deduction",
    name="逐项扣分",
    model=DeductionMethod,
    needs=_needs,
    rule=_score,
    patterns=(Pattern(60, _deduction),),
)
