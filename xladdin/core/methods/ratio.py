"""按比例 / 逐点扣分 (ratio): score from how far a value reaches its target."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import field_validator

from ..evidence import LineEvidence
from ..fields import Frozen, NonNeg
from ..numbers import (
    HUNDRED,
    ONE,
    ZERO,
    divide,
    fmt_number,
    fmt_percent,
    fmt_percent_short,
    quantize,
)
from ..policy import RoundingPolicy
from ..result import Finding
from ..ruletext import (
    NUM,
    Formula,
    Inference,
    find_formula,
    flat,
    percent_text,
    rate_label,
    target_number,
    target_percent,
)
from .base import (
    EvidenceInput,
    LineNode,
    MethodError,
    MethodSpec,
    MissingEvidence,
    Outcome,
    Pattern,
    Rounded,
    check_weight,
    clamp,
    format_value,
    measure_findings,
    measured_value,
    need_value,
    plausibility_policy,
    warning,
)

RatioMode = Literal["proportional", "step_started", "step_full"]
Direction = Literal["higher", "lower", "exact"]
Inverse = Literal["target_over_actual", "linear_to_double"]
RateFormula = Literal["quotient", "saving"]


class RatioMethod(Frozen):
    """按比例 / 逐点扣分: score from how far a value reaches its target.

    ``proportional``: weight × completion (001 C11: 81.25% × 10 = 8.13).
    ``step_started``: every started step below the target deducts ``step_deduct`` of the weight
    (000 B11: 93.25% → 7% deducted → 0.93). ``step_full``: only full steps count.
    ``direction: lower`` for lower-is-better values (成本, 超支率): ``target_over_actual`` gives
    weight × target / actual, ``linear_to_double`` falls linearly to 0 at twice the target.
    ``direction: exact`` for "=" targets: full marks at the target, in proportion below it
    (value / target) and, above it, as a lower-is-better value (``inverse``).
    ``formula: saving`` computes the value from the two figures as (denominator − numerator) /
    denominator (成本节约率 = (计划成本 − 实际成本) / 计划成本) instead of their quotient.
    """

    type: Literal["ratio"]
    target: NonNeg = Decimal(1)
    mode: RatioMode = "proportional"
    step: NonNeg = Decimal("0.01")
    step_deduct: NonNeg = Decimal("0.01")
    direction: Direction = "higher"
    inverse: Inverse = "target_over_actual"
    value_label: str = "完成率"
    numerator_label: str | None = None
    denominator_label: str | None = None
    percent: bool = True
    unit: str = ""
    formula: RateFormula = "quotient"

    @field_validator("step")
    @classmethod
    def _step_positive(cls, value: Decimal) -> Decimal:
        if value <= 0:
            raise ValueError("步长必须大于0")
        return value


# ---------------------------------------------------------------------------------------------
# Arithmetic (shared with the worksheet functions).


def completion(
    value: Decimal,
    target: Decimal,
    direction: Direction = "higher",
    inverse: Inverse = "target_over_actual",
) -> Decimal:
    """How far ``value`` reaches ``target``, as a fraction (1 = reached; may exceed 1).

    Lower-is-better values: ``target_over_actual`` gives target / value; ``linear_to_double``
    gives 1 at the target falling to 0 at twice the target. ``exact`` ("=" targets): value /
    target below the target, 1 at it, and above it as a lower-is-better value.
    """
    if direction == "higher" or (direction == "exact" and value < target):
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
    check_weight(weight)
    capped = max(ZERO, min(reached, ONE))
    if mode == "proportional":
        return RatioPoints(weight * capped)
    if step <= 0:
        raise MethodError("步长必须大于0")
    shortfall = divide(ONE - capped, step)
    steps = math.ceil(shortfall) if mode == "step_started" else math.floor(shortfall)
    share = min(ONE, steps * step_deduct)
    return RatioPoints(clamp(weight * (ONE - share), weight), steps, share)


def saving_rate(plan: Decimal, actual: Decimal) -> Decimal:
    """成本节约率 and the like: (plan − actual) / plan, as a fraction (negative when overspent)."""
    if plan == 0:
        raise MethodError("计划数为0，无法计算节约率")
    return divide(plan - actual, plan)


def ratio_value(
    method: RatioMethod, line: LineEvidence, policy: RoundingPolicy
) -> tuple[Decimal, Decimal] | None:
    """The line's value for scoring and for display: the measured value, or for
    ``formula: saving`` (plan − actual) / plan of its two figures, rounded as the rubric rounds
    computed rates."""
    if method.formula == "saving" and line.numerator is not None and line.denominator is not None:
        exact = saving_rate(line.denominator, line.numerator)
        shown = quantize(exact, policy.value.places, policy.value.mode)
        return (shown if policy.score_on_rounded_value else exact), shown
    return measured_value(line, policy)


# ---------------------------------------------------------------------------------------------
# Scoring a line.


def _score(
    node: LineNode, method: RatioMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    if method.formula == "saving":
        found = ratio_value(method, line, policy)
        if found is None:
            raise MissingEvidence(f"缺少{method.value_label}")
        value, shown = found
    else:
        value, shown = need_value(line, method.value_label, policy)
    reached = completion(value, method.target, method.direction, method.inverse)
    points = ratio_points(node.weight, reached, method.mode, method.step, method.step_deduct)
    text = f"{method.value_label}{format_value(shown, method.percent, method.unit, policy)}"
    raw = divide(value, method.target) if method.target else None
    if points.deducted_share is not None:
        reason = f"{text}，扣{fmt_percent_short(points.deducted_share)}权重分"
        return Outcome(points.points, reason, shown, raw)
    return Outcome(points.points, text, shown, raw, states_deduction=True)


def _needs(method: RatioMethod) -> list[EvidenceInput]:
    if method.denominator_label and method.formula == "saving":
        actual = method.numerator_label or "实际数"
        formula = f"{method.value_label}=（{method.denominator_label}−{actual}）/{method.denominator_label}"
        return [
            EvidenceInput("value", actual, f"{actual}（{formula}）", "number"),
            EvidenceInput(
                "denominator",
                method.denominator_label,
                f"{method.denominator_label}（{formula}）",
                "number",
            ),
        ]
    if method.denominator_label:
        numerator = method.numerator_label or "分子"
        return [
            EvidenceInput(
                "value", numerator, f"{numerator}（{method.value_label}的分子）", "number"
            ),
            EvidenceInput(
                "denominator",
                method.denominator_label,
                f"{method.denominator_label}（{method.value_label}的分母）",
                "number",
            ),
        ]
    help_text = method.value_label + ("，可填 93.25% 或 0.9325" if method.percent else "")
    return [EvidenceInput("value", method.value_label, help_text, "number", percent=method.percent)]


# ---------------------------------------------------------------------------------------------
# Reviewing an evaluator's decision: which convention gives the evaluator's figure.

RATIO_MODES: tuple[RatioMode, ...] = ("proportional", "step_started", "step_full")


def convention_name(mode: RatioMode, method: RatioMethod) -> str:
    """How a ratio convention is said in a review: "每降低1%扣1%权重分（不足1%按1%计）"."""
    if mode == "proportional":
        return "按比例计分"
    step, deduct = fmt_percent_short(method.step), fmt_percent_short(method.step_deduct)
    if mode == "step_started":
        return f"每降低{step}扣{deduct}权重分（不足{step}按{step}计）"
    return f"每降低满{step}扣{deduct}权重分"


def ratio_alternatives(
    node: LineNode, method: RatioMethod, value: Decimal, rubric: Rounded
) -> dict[str, Decimal]:
    """What each ratio convention gives for ``value``, rounded as the rubric rounds."""
    policy = rubric.rounding.score
    reached = completion(value, method.target, method.direction, method.inverse)
    return {
        convention_name(mode, method): quantize(
            ratio_points(node.weight, reached, mode, method.step, method.step_deduct).points,
            policy.places,
            policy.mode,
        )
        for mode in RATIO_MODES
    }


def _decision_hint(
    node: LineNode, method: RatioMethod, line: LineEvidence, score: Decimal, rubric: Rounded
) -> str:
    measured = ratio_value(method, line, rubric.rounding)
    if measured is None:
        return ""
    conventions = ratio_alternatives(node, method, measured[0], rubric)
    matches = [name for name, points in conventions.items() if points == score]
    if not matches:
        return ""
    return f"；认定得分与“{matches[0]}”一致（{fmt_percent(measured[1])}），与规则所述计分方式不同"


# ---------------------------------------------------------------------------------------------
# Rule-text patterns.

_STEP = re.compile(
    rf"每(?:降低|低于|减少|下降|少)[^，,；;。\d]{{0,8}}?{NUM}(?:%|个百分点)"
    rf"[，,]?(?:扣除?|减)(?:权重分?的)?{NUM}(%|分)"
)


def _ratio_labels(method: dict[str, Any], rule: str, name: str) -> Formula | None:
    formula = find_formula(rule)
    label = rate_label(formula, name)
    if formula is None and "实际完成值" in flat(rule):
        label = "实际完成值"  # the national form's wording: 实际完成值(B) / 年度指标值(A)
    if label:
        method["value_label"] = label
    if formula is not None:
        method["numerator_label"] = formula.numerator
        method["denominator_label"] = formula.denominator
        saving = _SAVING.fullmatch(formula.numerator)
        if saving is not None and saving["plan"] == formula.denominator:
            method["formula"] = "saving"
            method["numerator_label"] = saving["actual"]
    return formula


_SAVING = re.compile(r"(?P<plan>[^-－−]{1,16})[-－−](?P<actual>[^-－−]{1,16})")


def _ratio_target(method: dict[str, Any], text: str, target: str | None) -> None:
    """A target other than 100% when the rule measures against the 目标值/标准值 column."""
    percent = target_percent(target)
    if percent is not None and percent != 1 and re.search("(标准|目标|指标)值", text):
        method["target"] = percent_text(percent)
        return
    if percent is None and re.search("年度指标值", text):
        number = target_number(f"={flat(target or '')}")
        if number is not None:
            method["target"] = number[1]
            method["percent"] = False


def _ratio_step(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    match = _STEP.search(text)
    if match is None:
        return None
    step = Decimal(match.group(1)) / HUNDRED
    amount = Decimal(match.group(2))
    doubts: list[str] = []
    if match.group(3) == "%":
        deduct = amount / HUNDRED
    else:
        if not weight:
            return None
        deduct = amount / weight
        doubts.append(f"每步扣{fmt_number(amount)}分，折合权重的{percent_text(deduct)}")
    full_only = re.search(r"不足\d+(?:\.\d+)?(?:%|个百分点)的?不(?:扣|计)", text) is not None
    method: dict[str, Any] = {
        "type": "ratio",
        "mode": "step_full" if full_only else "step_started",
    }
    if step != Decimal("0.01"):
        method["step"] = percent_text(step)
    if deduct != Decimal("0.01"):
        method["step_deduct"] = percent_text(deduct)
    _ratio_labels(method, rule, name)
    _ratio_target(method, text, target)
    size = f"{fmt_number(step * HUNDRED)}%"
    counting = f"满{size}才扣" if full_only else f"不足{size}按{size}计"
    note = (
        f"每降低{fmt_number(step * HUNDRED)}%扣{fmt_number(deduct * HUNDRED)}%权重分"
        f"（{counting}），扣完为止"
    )
    return Inference(method, 0.85, note, doubts)


_EXACT = re.compile(
    r"(?:偏离|高于或低于|低于或高于|超过或低于|超出或未达到|未达到或超过)\S{0,8}?(?:目标|指标|计划)值"
)

_PROPORTIONAL = re.compile(
    r"得分=[^；;。，,]{0,30}?[×*xX]|按(?:实际完成值与\S{0,10}的)?比例(?:得分|计分|计算|折算)"
    r"|(?:比例|比率|完成率)[×*xX](?:权重|分值)"
)


def _ratio_proportional(
    rule: str, text: str, weight: Decimal | None, name: str, target: str | None
) -> Inference | None:
    explicit = _PROPORTIONAL.search(text) is not None
    formula = find_formula(rule)
    full_at_target = re.search(r"100%[的，,]?得(?:\d+(?:\.\d+)?分|满分|权重分)", text)
    if not explicit and not (formula is not None and full_at_target):
        return None
    method: dict[str, Any] = {"type": "ratio", "mode": "proportional"}
    doubts: list[str] = []
    lower = re.search(r"得分=(?:A/B|\S{0,8}指标值/\S{0,8}实际)", text) or re.search(
        r"(?:不高于|不超过|低于)\S{0,10}得(?:该指标)?(?:满分|全部分值)", text
    )
    if lower:
        method["direction"] = "lower"
        if re.search("两倍|2倍", text):
            method["inverse"] = "linear_to_double"
    elif _EXACT.search(text):
        method["direction"] = "exact"
    _ratio_labels(method, rule, name)
    _ratio_target(method, text, target)
    confidence = 0.85
    if not explicit:
        confidence = 0.6
        doubts.append("规则只写达到100%得满分，未写未达到时的计分，按比例计分")
    numbers = re.findall(r"得分=\S{0,12}?[×*xX](\d+(?:\.\d+)?)分", text)
    if weight is not None and any(Decimal(n) != weight for n in numbers):
        doubts.append(f"规则写{numbers[0]}分，本行权重为{fmt_number(weight)}：按权重计分")
    if target and not re.search(r"\d", flat(target)):
        confidence = min(confidence, 0.5)
        doubts.append(f"目标值“{target}”不是数值，按比例计分需要完成率")
    label = method.get("value_label", "完成率")
    if method.get("direction") == "lower":
        note = "按比例计分（越低越好）：未超过目标值得满分，否则得分=目标值/实际值×权重"
    elif method.get("direction") == "exact":
        note = "按比例计分（等于目标值得满分）：低于的得分=实际值/目标值×权重，高于的得分=目标值/实际值×权重"
    else:
        note = f"按比例计分：得分={label}×权重，最高为权重分"
    return Inference(method, confidence, note, doubts)


def _plausibility(
    node: LineNode, method: RatioMethod, line: LineEvidence, policy: RoundingPolicy
) -> list[Finding]:
    findings = measure_findings(node, line, method.value_label, method.percent, policy)
    if findings:
        return findings
    measured = ratio_value(method, line, policy)
    if measured is None:
        return findings
    value, shown = measured
    settings = plausibility_policy()
    over_whole, far_above = settings.rate_over_whole, settings.far_above_target
    quotient = method.formula != "saving"  # a saving rate is not numerator / denominator
    if quotient and line.numerator is not None and over_whole is not None and value > over_whole:
        findings.append(
            warning(
                "rate-over-whole",
                f"{method.value_label}为{fmt_percent(shown)}："
                f"{method.numerator_label or '分子'}超过{method.denominator_label or '分母'}，请核对",
                node.code,
                "value",
            )
        )
    elif (
        method.direction == "higher"
        and method.target
        and far_above is not None
        and value >= far_above * method.target
    ):
        findings.append(
            warning(
                "far-above-target",
                f"{method.value_label}{format_value(shown, method.percent, method.unit, policy)}"
                f"为目标值的{fmt_number(quantize(divide(value, method.target), 1, 'half_up'))}倍，请核对",
                node.code,
                "value",
            )
        )
    return findings


SPEC = MethodSpec(
    type="ratio",
    name="按比例",
    model=RatioMethod,
    needs=_needs,
    rule=_score,
    decision_hint=_decision_hint,
    plausibility=_plausibility,
    patterns=(Pattern(30, _ratio_step), Pattern(80, _ratio_proportional)),
)
