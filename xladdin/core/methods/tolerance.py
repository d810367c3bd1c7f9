"""浮动扣分 (tolerance): full marks within a free band, then a deduction per point over it.

"浮动2%以内得8分；超过2%后每超过1%扣0.5分": a deviation of 2.5% is 0.5% over the free band. Some
tables deduct in proportion (0.5 × 0.5 = 0.25 → 7.75), others per started point (1 × 0.5 → 7.5)
or per full point (0 → 8); ``mode`` says which.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any, Literal

from pydantic import field_validator

from ..evidence import LineEvidence
from ..fields import Frozen, NonNeg
from ..numbers import HUNDRED, divide, fmt_number, fmt_percent_short
from ..policy import RoundingPolicy
from ..result import Finding
from ..ruletext import NUM, Inference, percent_text
from .base import (
    EvidenceInput,
    LineNode,
    MethodError,
    MethodSpec,
    Outcome,
    Pattern,
    check_weight,
    clamp,
    format_value,
    need_value,
    warning,
)

ToleranceMode = Literal["proportional", "step_started", "step_full"]

TOLERANCE_MODE_NAMES: dict[str, str] = {
    "proportional": "按超出幅度折算",
    "step_started": "不足一档按一档计",
    "step_full": "满一档才扣",
}


class ToleranceMethod(Frozen):
    """浮动扣分: |value| within ``free`` scores the weight; every ``per`` over it deducts
    ``per_points``, in proportion (``proportional``) or per started / full step; 扣完为止."""

    type: Literal["tolerance"]
    free: NonNeg
    per: NonNeg = Decimal("0.01")
    per_points: NonNeg
    mode: ToleranceMode = "proportional"
    value_label: str = "偏差率"
    percent: bool = True
    unit: str = ""

    @field_validator("per")
    @classmethod
    def _per_positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("每档幅度（per）必须大于0")
        return value


def tolerance_points(
    weight: Decimal,
    deviation: Decimal,
    free: Decimal,
    per: Decimal,
    per_points: Decimal,
    mode: ToleranceMode = "proportional",
) -> Decimal:
    """weight − steps × per_points, steps = (|deviation| − free) / per (exact, started or full)."""
    check_weight(weight)
    if per <= 0:
        raise MethodError("每档幅度必须大于0")
    over = abs(deviation) - free
    if over <= 0:
        return weight
    steps = divide(over, per)
    if mode == "step_started":
        steps = Decimal(math.ceil(steps))
    elif mode == "step_full":
        steps = Decimal(math.floor(steps))
    return clamp(weight - steps * per_points, weight)


def _amount(method: ToleranceMethod, value: Decimal) -> str:
    if method.percent:
        return fmt_percent_short(value)
    return f"{fmt_number(value)}{method.unit}"


def _score(
    node: LineNode, method: ToleranceMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    value, shown = need_value(line, method.value_label, policy)
    points = tolerance_points(
        node.weight, value, method.free, method.per, method.per_points, method.mode
    )
    text = f"{method.value_label}{format_value(shown, method.percent, method.unit, policy)}"
    if abs(value) > method.free:
        text += f"，超出{_amount(method, method.free)}的部分为{_amount(method, abs(value) - method.free)}"
    return Outcome(points, text, shown, states_deduction=True)


def _needs(method: ToleranceMethod) -> list[EvidenceInput]:
    help_text = f"{method.value_label}（{_amount(method, method.free)}以内不扣分）"
    if method.percent:
        help_text += "，可填 2.5% 或 0.025"
    return [EvidenceInput("value", method.value_label, help_text, "number", percent=method.percent)]


def _lint(node: LineNode, method: ToleranceMethod) -> list[Finding]:
    if method.per_points > node.weight:
        return [
            warning(
                "tolerance-points",
                f"每超出{_amount(method, method.per)}扣{fmt_number(method.per_points)}分，"
                f"超过权重{fmt_number(node.weight)}",
                node.code,
                "method.per_points",
            )
        ]
    return []


# ---------------------------------------------------------------------------------------------
# Rule-text pattern: "浮动2%以内得8分；超过2%后每超过1%扣0.5分".

_FREE = re.compile(
    rf"(?:浮动|偏差|偏离|误差|差异|调整|变动)\S{{0,8}}?(?:在|控制在)?(?:±)?{NUM}(%|个百分点)"
    r"(?:以内|之内|以下)(?:（含）|\(含\)|含)?的?[，,]?(?:得满分|得\d+(?:\.\d+)?分|不扣分|得全部分值)"
)
_OVER = re.compile(
    rf"每(?:超过|超出|增加|多|偏离|高出)(?:一|1)?{NUM}?(%|个百分点)[，,]?(?:扣除?|减){NUM}分"
)


def _tolerance(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    free, over = _FREE.search(text), _OVER.search(text)
    if free is None or over is None:
        return None
    per = Decimal(over.group(1) or "1") / HUNDRED
    method: dict[str, Any] = {
        "type": "tolerance",
        "free": percent_text(Decimal(free.group(1)) / HUNDRED),
        "per_points": Decimal(over.group(3)),
    }
    if per != Decimal("0.01"):
        method["per"] = percent_text(per)
    size = f"{fmt_number(per * HUNDRED)}%"
    doubts: list[str] = []
    confidence = 0.85
    if re.search(r"不足\S{0,6}?按\S{0,6}?计", text):
        method["mode"] = "step_started"
    elif re.search(r"不足\S{0,6}?(?:的)?不(?:扣|计)", text):
        method["mode"] = "step_full"
    elif not re.search("按比例|按实际|折算", text):
        confidence = 0.65
        doubts.append(
            f"规则未写不足{size}的部分如何扣分：按超出幅度折算（也有不足{size}按{size}扣的）"
        )
    mode = TOLERANCE_MODE_NAMES[method.get("mode", "proportional")]
    note = (
        f"浮动扣分：{method['free']}以内得满分，超出部分每{size}扣"
        f"{fmt_number(method['per_points'])}分（{mode}），扣完为止"
    )
    return Inference(method, confidence, note, doubts)


SPEC = MethodSpec(
    type="tolerance",
    name="浮动扣分",
    model=ToleranceMethod,
    needs=_needs,
    rule=_score,
    lint=_lint,
    patterns=(Pattern(25, _tolerance),),
)
