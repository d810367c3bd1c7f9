"""分档 (bands): points by the band a value reaches."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from ..evidence import LineEvidence
from ..fields import Frozen, NonNeg, Num
from ..numbers import (
    HUNDRED,
    ZERO,
    fmt_number,
)
from ..policy import RoundingPolicy
from ..result import Finding
from ..ruletext import (
    INCL,
    NUM,
    Inference,
    find_formula,
    percent_text,
    rate_label,
)
from .base import (
    EvidenceInput,
    LineNode,
    MethodError,
    MethodSpec,
    Outcome,
    Pattern,
    error,
    format_value,
    measure_findings,
    need_value,
)

Direction = Literal["higher", "lower"]


class Band(Frozen):
    """One band: reaching ``bound`` (inclusive unless said otherwise) earns ``points`` or ``share``."""

    bound: Num
    inclusive: bool = True
    points: NonNeg | None = None
    share: NonNeg | None = None

    @model_validator(mode="after")
    def _one_amount(self) -> Band:
        if (self.points is None) == (self.share is None):
            raise ValueError("每档须且只须给出 points（分值）或 share（权重比例）之一")
        return self


class BandsMethod(Frozen):
    """分档: 001 D41 满意度 ≥90% → 7, 80–90% → 6 … below 50% → 0."""

    type: Literal["bands"]
    bands: list[Band] = Field(min_length=1)
    otherwise: NonNeg = Decimal(0)
    direction: Direction = "higher"
    value_label: str = "比值"
    percent: bool = True
    unit: str = ""

    def ordered(self) -> list[Band]:
        """Bands from the best one down."""
        return sorted(self.bands, key=lambda b: b.bound, reverse=self.direction == "higher")


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


def _score(
    node: LineNode, method: BandsMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    value, shown = need_value(line, method.value_label, policy)
    amounts = [
        band.points if band.points is not None else node.weight * (band.share or ZERO)
        for band in method.bands
    ]
    points, _ = band_points(
        value,
        [band.bound for band in method.bands],
        amounts,
        [band.inclusive for band in method.bands],
        method.otherwise,
        method.direction,
    )
    text = f"{method.value_label}{format_value(shown, method.percent, method.unit, policy)}"
    return Outcome(min(points, node.weight), text, shown, states_deduction=True)


def _needs(method: BandsMethod) -> list[EvidenceInput]:
    help_text = method.value_label + ("（百分比）" if method.percent else "")
    return [EvidenceInput("value", method.value_label, help_text, "number", percent=method.percent)]


def _lint(node: LineNode, method: BandsMethod) -> list[Finding]:
    return [
        error(
            "band-points",
            f"分档分值{fmt_number(band.points)}超过权重{fmt_number(node.weight)}",
            node.code,
            "method.bands",
        )
        for band in method.bands
        if band.points is not None and band.points > node.weight
    ]


# ---------------------------------------------------------------------------------------------
# Rule-text patterns.

_BAND_BOUND = re.compile(
    rf"{NUM}%({INCL})?[-－—~～至到]{NUM}%({INCL})?"  # 80%（含）-90%
    rf"|{NUM}%({INCL})?(及以上|以上|或以上)"  # 90%（含）以上
    rf"|(≥|>=|不低于|不少于|达到|>|高于|超过){NUM}%"  # ≥90%
    rf"|(不足|低于|小于|<|未达到|未满){NUM}%"  # 不足50%
)
_BAND_AMOUNT = re.compile(
    rf"不得分|得0分|得(?:满分|全部分值|全部权重分|权重分)|得{NUM}%的?权重分?|得{NUM}分"
)


def _amount(segment: str) -> tuple[str, Decimal] | None:
    match = _BAND_AMOUNT.search(segment)
    if match is None:
        return None
    whole = match.group(0)
    if whole in ("不得分", "得0分"):
        return "points", Decimal(0)
    if match.group(1) is not None:
        return "share", Decimal(match.group(1)) / HUNDRED
    if match.group(2) is not None:
        return "points", Decimal(match.group(2))
    return "share", Decimal(1)


def _bands(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    matches = list(_BAND_BOUND.finditer(text))
    if len(matches) < 2:
        return None
    bands: list[dict[str, Any]] = []
    otherwise: Decimal | None = None
    doubts: list[str] = []
    for i, match in enumerate(matches):
        following = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        amount = _amount(text[match.end() : following])
        if amount is None:
            return None
        kind, value = amount
        groups = match.groups()
        if groups[0] is not None:  # a range: its lower end is the bound
            bound, inclusive = Decimal(groups[0]), groups[1] is not None
            if groups[3] is not None:
                doubts.append(f"{groups[2]}%（含）为区间上端，下端{groups[0]}%按不含处理")
        elif groups[4] is not None:
            bound = Decimal(groups[4])
            inclusive = groups[5] is not None or groups[6] == "及以上"
            if not inclusive:
                inclusive = True
                doubts.append(f"“{groups[4]}%以上”未标（含），按含{groups[4]}%处理")
        elif groups[7] is not None:
            bound = Decimal(groups[8])
            inclusive = groups[7] not in (">", "高于", "超过")
        else:  # below the last band
            if kind == "share":
                if weight is None:
                    return None
                value = value * weight
            otherwise = value
            continue
        band: dict[str, Any] = {"bound": percent_text(bound / HUNDRED), "inclusive": inclusive}
        if kind == "points":
            band["points"] = value
        else:
            band["share"] = percent_text(value)
        bands.append(band)
    if len(bands) < 2:
        return None
    bands.sort(key=lambda b: Decimal(b["bound"][:-1]), reverse=True)
    method: dict[str, Any] = {"type": "bands"}
    formula = find_formula(rule)
    label = rate_label(formula, name)
    if label:
        method["value_label"] = label
    method["bands"] = bands
    method["otherwise"] = otherwise if otherwise is not None else Decimal(0)
    confidence = 0.9
    top = bands[0]
    if weight is not None and "points" in top and top["points"] != weight:
        confidence = 0.6
        doubts.append(f"最高档{fmt_number(top['points'])}分与权重{fmt_number(weight)}不一致")
    if otherwise is None:
        doubts.append("未写最低档以下的得分，按0分处理")
        confidence = min(confidence, 0.75)
    if doubts:
        confidence = min(confidence, 0.8)
    parts = []
    for band in bands:
        sign = "≥" if band["inclusive"] else ">"
        amount_text = (
            f"得{fmt_number(band['points'])}分" if "points" in band else f"得{band['share']}权重分"
        )
        parts.append(f"{sign}{band['bound']}{amount_text}")
    return Inference(method, confidence, "分档：" + "，".join(parts), doubts)


def _plausibility(
    node: LineNode, method: BandsMethod, line: LineEvidence, policy: RoundingPolicy
) -> list[Finding]:
    return measure_findings(node, line, method.value_label, method.percent, policy)


SPEC = MethodSpec(
    type="bands",
    name="分档",
    model=BandsMethod,
    needs=_needs,
    rule=_score,
    lint=_lint,
    plausibility=_plausibility,
    patterns=(Pattern(20, _bands),),
)
