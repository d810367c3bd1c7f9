"""分项扣分 (itemized): each kind of shortcoming deducts its own points per occurrence.

"缺一项扣0.5分，不规范扣0.5分，逾期扣1分，扣完为止": the evidence counts each kind; the line
scores weight − Σ count × points, floored at 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ..evidence import LineEvidence
from ..fields import Frozen, NonNeg
from ..numbers import ZERO, fmt_number
from ..policy import RoundingPolicy
from ..result import Finding
from ..ruletext import Inference
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
    warning,
)


class DeductionItem(Frozen):
    """One kind of shortcoming and the points each occurrence deducts."""

    label: str = Field(min_length=1)
    points: NonNeg


class ItemizedDeductionMethod(Frozen):
    """分项扣分: ``items`` each with a ``label`` and ``points`` per occurrence; 扣完为止."""

    type: Literal["itemized"]
    items: list[DeductionItem] = Field(min_length=1)
    unit: str = "次"


def itemized_points(weight: Decimal, counts: Sequence[int], points: Sequence[Decimal]) -> Decimal:
    """weight − Σ count × points, floored at 0 (扣完为止)."""
    check_weight(weight)
    if len(counts) != len(points):
        raise MethodError(f"扣分项有{len(points)}项，佐证填写了{len(counts)}项")
    if any(count < 0 for count in counts):
        raise MethodError("发现次数不能为负数")
    deducted = sum((count * each for count, each in zip(counts, points, strict=True)), ZERO)
    return clamp(weight - deducted, weight)


def _score(
    node: LineNode, method: ItemizedDeductionMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    if line.counts is None:
        raise MissingEvidence("缺少各扣分项的发现次数")
    points = itemized_points(node.weight, line.counts, [item.points for item in method.items])
    found = [
        f"{item.label}{count}{method.unit}"
        for item, count in zip(method.items, line.counts, strict=True)
        if count
    ]
    return Outcome(points, "、".join(found), states_deduction=True)


def _needs(method: ItemizedDeductionMethod) -> list[EvidenceInput]:
    return [
        EvidenceInput(
            f"item{i}",
            item.label,
            f"{item.label}的次数（每{method.unit}扣{fmt_number(item.points)}分）",
            "count",
        )
        for i, item in enumerate(method.items, start=1)
    ]


def _lint(node: LineNode, method: ItemizedDeductionMethod) -> list[Finding]:
    return [
        warning(
            "itemized-points",
            f"扣分项“{item.label}”每{method.unit}扣{fmt_number(item.points)}分，"
            f"超过权重{fmt_number(node.weight)}",
            node.code,
            "method.items",
        )
        for item in method.items
        if item.points > node.weight
    ]


# ---------------------------------------------------------------------------------------------
# Rule-text pattern: at least two "<shortcoming>扣N分" parts with different labels.

_PART = re.compile(
    r"每?(?P<label>[^，,；;。：:]{1,12}?)的?[，,]?(?:扣除?|减)(?P<points>\d+(?:\.\d+)?)分"
)
_SEPARATORS = re.compile(r"[，,；;。]")
_FLOOR = ("扣完为止", "扣完即止", "扣至0分为止", "最低0分", "最低为0分")


def _itemized(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    parts = [part for part in _SEPARATORS.split(text) if part]
    items: list[dict[str, str | Decimal]] = []
    other: list[str] = []
    for part in parts:
        match = _PART.fullmatch(part)
        if match is not None:
            items.append({"label": match["label"], "points": Decimal(match["points"])})
        elif part not in _FLOOR:
            other.append(part)
    labels = [item["label"] for item in items]
    if len(items) < 2 or len(set(labels)) != len(labels):
        return None
    doubts: list[str] = []
    confidence = 0.85
    if other:
        confidence = 0.6
        doubts.append(f"规则中另有文字未识别：{'，'.join(other)}")
    if not any(part in _FLOOR for part in parts):
        confidence = min(confidence, 0.7)
        doubts.append("未写“扣完为止”，最低按0分计")
    listed = "，".join(
        f"{item['label']}扣{fmt_number(Decimal(item['points']))}分" for item in items
    )
    method = {"type": "itemized", "items": items}
    return Inference(method, confidence, f"分项扣分：{listed}，扣完为止", doubts)


SPEC = MethodSpec(
    type="itemized",
    name="分项扣分",
    model=ItemizedDeductionMethod,
    needs=_needs,
    rule=_score,
    lint=_lint,
    patterns=(Pattern(55, _itemized),),
)
