"""酌情认定 (judgement): the evaluator decides, always with a reason."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any, Literal

from pydantic import field_validator

from ..evidence import LineEvidence
from ..fields import Frozen, NonNeg
from ..numbers import (
    HUNDRED,
    ONE,
    ZERO,
    fmt_number,
)
from ..result import Finding
from ..ruletext import (
    Inference,
    percent_text,
)
from .base import (
    DECISION_REASON,
    DECISION_SHARE,
    EvidenceInput,
    LineNode,
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


class JudgementMethod(Frozen):
    """酌情扣分 / 定性: the evaluator decides, always with a reason.

    ``scale: national`` asks for one of the national three bands and a share within it;
    ``edges`` moves the bands' inner edges (``[80%, 50%]``: 100–80% / 80–50% / 50–0%, as some
    provinces print them, instead of the national 100–80% / 80–60% / 60–0%).
    """

    type: Literal["judgement"]
    scale: Literal["national"] | None = None
    edges: list[NonNeg] | None = None

    @field_validator("edges")
    @classmethod
    def _two_edges(cls, value: list[Decimal] | None) -> list[Decimal] | None:
        return check_edges(value)

    @property
    def banded(self) -> bool:
        """The evaluator picks one of three bands and a share within it."""
        return self.scale == "national" or self.edges is not None


def check_edges(value: list[Decimal] | None) -> list[Decimal] | None:
    """Two inner band edges, the higher first, both strictly between 0 and 100%."""
    if value is not None and (len(value) != 2 or not ONE > value[0] > value[1] > ZERO):
        raise ValueError(
            "定性指标分档 edges 须为两个比例，由高到低，均在0与100%之间（如 [80%, 50%]）"
        )
    return value


def band_table(edges: Sequence[Decimal] | None) -> dict[str, tuple[Decimal, Decimal]]:
    """The three qualitative bands by name: the national ones, or with other inner edges."""
    if edges is None:
        return dict(NATIONAL_JUDGEMENT_BANDS)
    high, low = edges
    names = list(NATIONAL_JUDGEMENT_BANDS)
    return {names[0]: (high, ONE), names[1]: (low, high), names[2]: (ZERO, low)}


def judgement_bands(
    method: Any, default: Sequence[Decimal] | None = None
) -> dict[str, tuple[Decimal, Decimal]]:
    """The qualitative bands of a line's method: its ``edges``, else the rubric's ``default``
    edges, else the national bands."""
    edges = method.edges if isinstance(method, JudgementMethod) else None
    return band_table(edges if edges is not None else default)


def bands_text(bands: Mapping[str, tuple[Decimal, Decimal]]) -> str:
    """ "达成年度指标80%-100%、部分达成并具有一定效果50%-80%、…"."""
    return "、".join(
        f"{name}{fmt_number(low * HUNDRED)}%-{fmt_number(high * HUNDRED)}%"
        for name, (low, high) in bands.items()
    )


def judgement_points(
    weight: Decimal,
    *,
    score: Decimal | None = None,
    share: Decimal | None = None,
    deduct_share: Decimal | None = None,
    deduct_points: Decimal | None = None,
    deductions: Sequence[tuple[Decimal | None, Decimal | None]] | None = None,
    band: str | None = None,
    bands: Mapping[str, tuple[Decimal, Decimal]] | None = None,
) -> Decimal:
    """The evaluator's decision in points, floored at 0.

    ``deductions`` is a list of (share, points) pairs, one of each pair given.
    A ``band`` must be one of ``bands`` (the national qualitative bands unless given) and
    ``share`` must lie inside it.
    """
    check_weight(weight)
    table = NATIONAL_JUDGEMENT_BANDS if bands is None else bands
    if band is not None:
        if band not in table:
            names = "、".join(table)
            raise MethodError(f"未知的评价档次“{band}”，应为：{names}")
        low, high = table[band]
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
    if method.edges is not None:
        help_text = bands_text(judgement_bands(method))
        return [DECISION_REASON.needed(), replace(BAND, help=help_text), DECISION_SHARE.needed()]
    if method.scale == "national":
        return [DECISION_REASON.needed(), BAND, DECISION_SHARE.needed()]
    return [DECISION_REASON.needed()]


def _check(method: JudgementMethod, line: LineEvidence) -> str | None:
    if method.banded and line.decision is not None and line.decision.band is None:
        return "定性指标须选择评价档次并给出该档内的得分比例"
    return None


# ---------------------------------------------------------------------------------------------
# Rule-text patterns.


_RANGE = re.compile(r"(\d+(?:\.\d+)?)%?(?:（含）|\(含\))?[-–—~～至到](\d+(?:\.\d+)?)%")


def read_edges(text: str) -> tuple[Decimal, Decimal] | None:
    """Three ranges covering 100–0% ("100-80%（含）、80-50%（含）、50-0%"): their inner edges,
    the higher first; None when the text does not print exactly that."""
    ranges = sorted(
        (tuple(sorted((Decimal(a), Decimal(b)))) for a, b in _RANGE.findall(text)),
        key=lambda pair: pair[1],
        reverse=True,
    )
    if len(ranges) != 3:
        return None
    (low1, high1), (low2, high2), (low3, high3) = ranges
    if high1 != HUNDRED or low3 != 0 or low1 != high2 or low2 != high3 or not low1 > low2 > 0:
        return None
    return low1 / HUNDRED, low2 / HUNDRED


def _national_scale(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    if "达成年度指标" in text and "部分达成" in text:
        edges = read_edges(text)
        national = tuple(
            NATIONAL_JUDGEMENT_BANDS[key][0] for key in list(NATIONAL_JUDGEMENT_BANDS)[:2]
        )
        if edges is None or edges == national:
            return Inference(
                {"type": "judgement", "scale": "national"},
                0.9,
                "定性指标三档：达成年度指标80%-100%、部分达成60%-80%、未达成0-60%",
            )
        method = {
            "type": "judgement",
            "scale": "national",
            "edges": [percent_text(e) for e in edges],
        }
        return Inference(method, 0.9, f"定性指标三档：{bands_text(band_table(list(edges)))}")
    return None


def _lint(node: LineNode, method: JudgementMethod) -> list[Finding]:
    if method.edges is None:
        return []
    return [
        Finding(
            severity="info",
            check="judgement-edges",
            message=f"定性指标分档：{bands_text(judgement_bands(method))}（与全国三档不同）",
            code=node.code,
            field="method.edges",
        )
    ]


SPEC = MethodSpec(
    type="judgement",
    name="酌情认定",
    model=JudgementMethod,
    needs=_needs,
    check=_check,
    lint=_lint,
    patterns=(Pattern(10, _national_scale),),
)
