"""满意度扣分 (survey): each failing item deducts its points × (1 − the item's satisfaction rate).

"对各项服务开展满意度调查，每项不满意的，按该项分值×（1−满意率）扣分": the evidence is each
item's satisfaction rate; an item below ``pass_rate`` (every item, when none is set) deducts
its points × (1 − rate); the line scores weight − Σ deductions, floored at 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from ..evidence import LineEvidence
from ..fields import Frozen, NonNeg
from ..numbers import ONE, ZERO, fmt_number, fmt_percent_short
from ..policy import RoundingPolicy
from ..result import Finding
from ..ruletext import NUM, Inference, percent_text
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


class SurveyItem(Frozen):
    """One surveyed item and the points it deducts at 0% satisfaction."""

    label: str = Field(min_length=1)
    points: NonNeg


class SurveyMethod(Frozen):
    """满意度扣分: ``items`` each with a ``label`` and ``points``; an item whose satisfaction rate
    is below ``pass_rate`` (every item when it is not set) deducts points × (1 − rate)."""

    type: Literal["survey"]
    items: list[SurveyItem] = Field(min_length=1)
    pass_rate: NonNeg | None = None


def survey_points(
    weight: Decimal,
    rates: Sequence[Decimal],
    points: Sequence[Decimal],
    pass_rate: Decimal | None = None,
) -> Decimal:
    """weight − Σ points × (1 − rate) over the failing items, floored at 0 (扣完为止)."""
    check_weight(weight)
    if len(rates) != len(points):
        raise MethodError(f"满意度调查有{len(points)}项，佐证填写了{len(rates)}项满意率")
    for rate in rates:
        if not ZERO <= rate <= ONE:
            raise MethodError(f"满意率应在0到100%之间，实际为{fmt_number(rate)}")
    deducted = sum(
        (
            each * (ONE - rate)
            for rate, each in zip(rates, points, strict=True)
            if pass_rate is None or rate < pass_rate
        ),
        ZERO,
    )
    return clamp(weight - deducted, weight)


def _score(
    node: LineNode, method: SurveyMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    if line.rates is None:
        raise MissingEvidence("缺少各调查项的满意率")
    points = survey_points(
        node.weight, line.rates, [item.points for item in method.items], method.pass_rate
    )
    failing = [
        f"{item.label}满意率{fmt_percent_short(rate)}"
        for item, rate in zip(method.items, line.rates, strict=True)
        if (method.pass_rate is None or rate < method.pass_rate) and rate < ONE
    ]
    return Outcome(points, "、".join(failing), states_deduction=True)


def _needs(method: SurveyMethod) -> list[EvidenceInput]:
    return [
        EvidenceInput(
            f"item{i}",
            item.label,
            f"{item.label}的满意率，可填 85% 或 0.85（不满意时扣{fmt_number(item.points)}分×（1−满意率））",
            "number",
            percent=True,
            capped=True,
        )
        for i, item in enumerate(method.items, start=1)
    ]


def _lint(node: LineNode, method: SurveyMethod) -> list[Finding]:
    total = sum((item.points for item in method.items), ZERO)
    if total > node.weight:
        return [
            warning(
                "survey-points",
                f"各调查项分值合计{fmt_number(total)}，超过权重{fmt_number(node.weight)}",
                node.code,
                "method.items",
            )
        ]
    return []


# ---------------------------------------------------------------------------------------------
# Rule-text pattern: "…分值×（1−满意率）扣分", with the items as "A（2分）、B（3分）".

_WEIGHTED = re.compile(r"[×*xX][(（]?(?:1|100%)[-－−]\S{0,6}?满意(?:率|度)[)）]?")
_ITEM = re.compile(rf"(?P<label>[^，,；;。、：:（(]{{1,12}})[（(]{NUM}分[）)]")
_PASS = re.compile(rf"满意(?:率|度)(?:低于|不足|未达到?|小于){NUM}%")


def _survey(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    if _WEIGHTED.search(text) is None:
        return None
    items = [
        {"label": match["label"], "points": Decimal(match.group(2))}
        for match in _ITEM.finditer(text)
    ]
    method: dict[str, Any] = {"type": "survey", "items": items}
    doubts: list[str] = []
    confidence = 0.85
    if not items:
        confidence = 0.5
        doubts.append("规则未列出各调查项及其分值，请补充 items")
        method["items"] = [{"label": "调查项1", "points": weight or ONE}]
    passing = _PASS.search(text)
    if passing is not None:
        method["pass_rate"] = percent_text(Decimal(passing.group(1)) / 100)
    elif confidence > 0.7:
        confidence = 0.75
        doubts.append("规则未写满意率低于多少为不满意：各项均按分值×（1−满意率）扣分")
    note = "满意度扣分：不满意的调查项扣其分值×（1−满意率），扣完为止"
    return Inference(method, confidence, note, doubts)


SPEC = MethodSpec(
    type="survey",
    name="满意度扣分",
    model=SurveyMethod,
    needs=_needs,
    rule=_score,
    lint=_lint,
    patterns=(Pattern(20, _survey),),
)
