"""达标 (threshold): full marks when the value meets the bar, else 0 or judgement."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Literal

from ..evidence import LineEvidence
from ..fields import Frozen, Num
from ..numbers import (
    HUNDRED,
    ZERO,
    divide,
    fmt_number,
)
from ..policy import RoundingPolicy
from ..result import Finding
from ..ruletext import (
    LABEL_STOP,
    MEASURE_WORDS,
    NUM,
    Inference,
    clean_text,
    find_formula,
    percent_text,
    rate_label,
    strip_quotes,
    target_number,
    target_percent,
)
from .base import (
    EvidenceInput,
    LineNode,
    MethodSpec,
    MissingEvidence,
    Outcome,
    Pattern,
    format_value,
    measure_findings,
    measured_value,
)

ThresholdOp = Literal[">=", "<=", "=", ">", "<"]

OP_TEXT = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


class ThresholdMethod(Frozen):
    """达标: full marks when the value meets ``op value`` (000 C42: ≥100家), else 0 or judgement."""

    type: Literal["threshold"]
    op: ThresholdOp
    value: Num
    otherwise: Literal["zero", "judgement"] = "zero"
    value_label: str = "实际值"
    percent: bool = False
    unit: str = ""


def threshold_met(value: Decimal, op: ThresholdOp, bound: Decimal) -> bool:
    """达标 test: value op bound."""
    return {
        ">=": value >= bound,
        "<=": value <= bound,
        "=": value == bound,
        ">": value > bound,
        "<": value < bound,
    }[op]


def _score(
    node: LineNode, method: ThresholdMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    bound = f"{OP_TEXT[method.op]}{format_value(method.value, method.percent, method.unit, policy)}"
    found = measured_value(line, policy)
    if found is not None:
        value, shown = found
        ok = threshold_met(value, method.op, method.value)
        text = f"{method.value_label}{format_value(shown, method.percent, method.unit, policy)}"
        reached = divide(value, method.value) if method.value else None
    elif line.passed is not None:
        ok, shown, reached = line.passed, None, None
        text = f"{method.value_label}未达到{bound}" if not ok else ""
    else:
        raise MissingEvidence(f"缺少{method.value_label}")
    if ok:
        return Outcome(node.weight, "", shown, reached)
    if method.otherwise == "judgement":
        raise MissingEvidence(f"{text}，未达标，须由评价人酌情认定扣分")
    return Outcome(ZERO, f"{text}，未达到{bound}，不得分", shown, reached)


def _needs(method: ThresholdMethod) -> list[EvidenceInput]:
    help_text = method.value_label + ("（百分比）" if method.percent else "")
    help_text += "；只知是否达标时填 √ 或 ×"
    return [
        EvidenceInput(
            "value", method.value_label, help_text, "number_or_flag", percent=method.percent
        )
    ]


def _discretion(method: ThresholdMethod) -> bool:
    return method.otherwise == "judgement"


# ---------------------------------------------------------------------------------------------
# Rule-text patterns.

_OPS = {
    "≥": ">=",
    ">=": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "≤": "<=",
    "<=": "<=",
    "不高于": "<=",
    "不超过": "<=",
    ">": ">",
    "<": "<",
}
_THRESHOLD = re.compile(rf"(≥|>=|≤|<=|不低于|不少于|不高于|不超过|>|<){NUM}(%|[{MEASURE_WORDS}])?")
_FULL_MARKS = re.compile(r"得(?:权重分|满分|全部分值|该指标全部分值)")


def _threshold_method(
    op: str, value: Decimal, unit: str, percent: bool, label: str | None, judged: bool
) -> dict[str, Any]:
    method: dict[str, Any] = {"type": "threshold", "op": op}
    method["value"] = percent_text(value) if percent else value
    if percent:
        method["percent"] = True
    if unit and not percent:
        method["unit"] = unit
    if label:
        method["value_label"] = label
    if judged:
        method["otherwise"] = "judgement"
    return method


def _threshold_note(op: str, value: Decimal, unit: str, percent: bool, judged: bool) -> str:
    sign = {">=": "≥", "<=": "≤"}.get(op, op)
    shown = percent_text(value) if percent else f"{fmt_number(value)}{unit}"
    otherwise = "否则酌情扣分" if judged else "否则不得分"
    return f"{sign}{shown}得权重分，{otherwise}"


def _threshold(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    if _FULL_MARKS.search(text) is None:
        return None
    judged = "酌情" in text
    match = _THRESHOLD.search(text)
    if match is not None:
        op = _OPS[match.group(1)]
        value = Decimal(match.group(2))
        unit = match.group(3) or ""
        formula = find_formula(rule)
        before = text[: match.start()]
        start = len(before)
        while start > 0 and before[start - 1] not in LABEL_STOP + "（(":
            start -= 1
        named = strip_quotes(before[start:])
        percent = unit == "%" or (unit == "" and (named or name).endswith("率"))
        if unit == "%":
            value = value / HUNDRED
        if 2 <= len(named) <= 12 and not clean_text(name).endswith(named):
            label: str | None = named
        else:
            label = rate_label(formula, name)
        method = _threshold_method(op, value, unit, percent, label, judged)
        return Inference(method, 0.8, _threshold_note(op, value, unit, percent, judged))
    if re.search(r"(?:未|不)超(?:过|出)?(?:预算|计划)", text):
        percent_target = target_percent(target)
        value = percent_target if percent_target is not None else Decimal(1)
        formula = find_formula(rule)
        label = rate_label(formula, name)
        method = _threshold_method("<=", value, "", True, label, judged)
        return Inference(
            method,
            0.75,
            _threshold_note("<=", value, "", True, judged) + "（未超预算）",
        )
    return None


def _target_threshold(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    """ "符合得权重分，否则酌情扣除" with the bar only in the 目标值 column ("≥6篇")."""
    parsed = target_number(target)
    if parsed is None or _FULL_MARKS.search(text) is None:
        return None
    op, value, unit = parsed
    percent = unit == "%"
    judged = "酌情" in text
    label = rate_label(None, name)
    method = _threshold_method(op, value, unit, percent, label, judged)
    note = _threshold_note(op, value, unit, percent, judged) + "（标准取自目标值列）"
    return Inference(method, 0.65, note)


def _plausibility(
    node: LineNode, method: ThresholdMethod, line: LineEvidence, policy: RoundingPolicy
) -> list[Finding]:
    return measure_findings(node, line, method.value_label, method.percent, policy)


SPEC = MethodSpec(
    type="threshold",
    name="达标",
    model=ThresholdMethod,
    needs=_needs,
    rule=_score,
    discretion=_discretion,
    plausibility=_plausibility,
    patterns=(Pattern(70, _threshold), Pattern(100, _target_threshold)),
)
