"""What every scoring method is made of: its evidence inputs, its outcome, its spec.

A method module (``ratio.py``, ``bands.py`` …) defines a pydantic model, its arithmetic, and a
:class:`MethodSpec` named ``SPEC`` that ties them together; :mod:`xladdin.core.methods` collects
the specs in the registry ``METHODS``. Nothing outside the method modules needs to know which
methods exist.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, Literal, Protocol, TypeVar

from ..evidence import LineEvidence
from ..fields import Model
from ..numbers import ZERO, divide, fmt_number, fmt_percent, fmt_percent_short, quantize
from ..policy import PlausibilityPolicy, RoundingPolicy, RoundingRule
from ..result import Finding
from ..ruletext import Inference


class LineNode(Protocol):
    """What a method sees of its rubric line (a leaf :class:`xladdin.core.rubric.Node`)."""

    @property
    def code(self) -> str: ...

    @property
    def weight(self) -> Decimal: ...

    @property
    def rule(self) -> str: ...

    @property
    def method(self) -> Any: ...


class Rounded(Protocol):
    """What a method sees of its rubric (an :class:`xladdin.core.rubric.Rubric`): the rounding."""

    @property
    def rounding(self) -> RoundingPolicy: ...


class MethodError(ValueError):
    """Inputs a method cannot score; the message is for the user."""


class MissingEvidence(Exception):
    """The line lacks what its method needs; the message says what."""


# ---------------------------------------------------------------------------------------------
# Evidence inputs: the cells an officer fills in for a line.

InputKind = Literal["number", "number_or_flag", "count", "flag", "choice", "text", "amounts"]
"""How an input is typed and checked.

``number``: a figure (``percent``: a rate, entered as 93.25% or 0.9325); ``number_or_flag``: a
figure, or √/× when only pass/fail is known; ``count``: a whole number ≥ 0; ``flag``: one of
``choices`` (√/×, 是/否); ``choice``: one of ``choices``; ``text``: free text; ``amounts``: one
amount or several joined by ``+`` (25%+25%, 0.5+0.5).
"""


@dataclass(frozen=True)
class EvidenceInput:
    """One evidence input of a line, by the layout column key it is entered in."""

    key: str
    """The layout column key: "value", "denominator", "count", "item1".."itemN",
    "decision_score", "decision_share", "deduct_share", "deduct_points", "band",
    "decision_reason", "not_applicable", "deviation_reason", "narrative"."""
    label: str
    """Chinese, e.g. "实际值", "要点1"."""
    help: str
    """Chinese prompt shown when the cell is selected ("" if none)."""
    kind: InputKind
    choices: tuple[str, ...] = ()
    required: bool = True
    percent: bool = False
    """A rate: shown as a percentage."""
    capped: bool = False
    """At most the whole: the line's weight for points, 100% for a percentage."""

    def needed(self) -> EvidenceInput:
        """The same input, required on this line."""
        return dataclasses.replace(self, required=True)


NOT_APPLICABLE = EvidenceInput("not_applicable", "不适用", "", "flag", ("是", "否"), False)
DECISION_SCORE = EvidenceInput("decision_score", "认定得分", "", "number", (), False, capped=True)
DECISION_SHARE = EvidenceInput(
    "decision_share", "得分比例", "", "number", (), False, percent=True, capped=True
)
DEDUCT_SHARE = EvidenceInput("deduct_share", "扣分比例", "", "amounts", (), False, percent=True)
DEDUCT_POINTS = EvidenceInput("deduct_points", "扣分", "", "amounts", (), False)
DECISION_REASON = EvidenceInput("decision_reason", "认定理由", "", "text", (), False)
DEVIATION_REASON = EvidenceInput("deviation_reason", "偏差原因", "", "text", (), False)
CONFIRMED = EvidenceInput(
    "confirmed",
    "已核对",
    "评分状态为“需核对”时：核对佐证无误后选“是”，本项即按所填佐证计分；有误请改正佐证",
    "flag",
    ("是", "否"),
    False,
)

OPTIONAL_INPUTS: tuple[EvidenceInput, ...] = (
    NOT_APPLICABLE,
    DECISION_SCORE,
    DECISION_SHARE,
    DEDUCT_SHARE,
    DEDUCT_POINTS,
    DECISION_REASON,
    DEVIATION_REASON,
)
"""Inputs any line may use: not applicable, the evaluator's decision, a deviation reason."""

LINE_INPUTS: tuple[EvidenceInput, ...] = (*OPTIONAL_INPUTS, CONFIRMED)
"""Every input a line has besides its method's: the optional ones, and the officer's
confirmation of evidence the method finds implausible (已核对)."""


# ---------------------------------------------------------------------------------------------
# Shared arithmetic and measurement.


def clamp(points: Decimal, weight: Decimal) -> Decimal:
    return max(ZERO, min(points, weight))


def check_weight(weight: Decimal) -> None:
    if weight < 0:
        raise MethodError("权重不能为负数")


def rate(numerator: Decimal, denominator: Decimal) -> Decimal:
    """执行率 = 实际支出 / 预算数, as a fraction."""
    if denominator == 0:
        raise MethodError("分母为0，无法计算比率")
    return divide(numerator, denominator)


def measured_value(line: LineEvidence, policy: RoundingPolicy) -> tuple[Decimal, Decimal] | None:
    """The line's measured value for scoring and for display, or None when not given.

    A rate from numerator / denominator is rounded by the rubric's value policy (the tables
    score from the rate they print: 1,689.29 / 1,811.58 = 93.25%).
    """
    if line.value is not None:
        return line.value, line.value
    if line.numerator is not None and line.denominator is not None:
        exact = rate(line.numerator, line.denominator)
        shown = quantize(exact, policy.value.places, policy.value.mode)
        return (shown if policy.score_on_rounded_value else exact), shown
    return None


def need_value(line: LineEvidence, label: str, policy: RoundingPolicy) -> tuple[Decimal, Decimal]:
    found = measured_value(line, policy)
    if found is None:
        raise MissingEvidence(f"缺少{label}")
    return found


def format_value(value: Decimal, percent: bool, unit: str, policy: RoundingPolicy) -> str:
    if percent:
        return fmt_percent(value, max(0, policy.value.places - 2))
    return f"{fmt_number(value)}{unit}"


NATIONAL_PLAUSIBILITY = PlausibilityPolicy()
_PLAUSIBILITY: ContextVar[PlausibilityPolicy | None] = ContextVar("plausibility", default=None)


def plausibility_policy() -> PlausibilityPolicy:
    """The thresholds the plausibility hooks apply: the rubric's being checked (see
    :func:`checking_with`), else the national defaults."""
    return _PLAUSIBILITY.get() or NATIONAL_PLAUSIBILITY


@contextmanager
def checking_with(policy: PlausibilityPolicy) -> Iterator[None]:
    """Run plausibility hooks with a rubric's thresholds (the hooks keep their signature, so a
    method module needs nothing to follow a province's settings)."""
    token = _PLAUSIBILITY.set(policy)
    try:
        yield
    finally:
        _PLAUSIBILITY.reset(token)


def measure_findings(
    node: LineNode, line: LineEvidence, label: str, percent: bool, policy: RoundingPolicy
) -> list[Finding]:
    """Impossible and implausible measured values: negative amounts or rates, and a rate that
    looks like a percentage typed as a whole number."""
    findings: list[Finding] = []
    for field, amount, name in (
        ("value", line.value, label),
        ("numerator", line.numerator, "分子"),
        ("denominator", line.denominator, "分母"),
    ):
        if amount is not None and amount < 0:
            findings.append(
                error("impossible-value", f"{name}为负数（{fmt_number(amount)}）", node.code, field)
            )
    as_number = plausibility_policy().percent_as_number
    if line.value is not None and percent and as_number is not None and line.value >= as_number:
        findings.append(
            warning(
                "percent-as-number",
                f"{label}填写为{fmt_number(line.value)}，即{fmt_percent_short(line.value)}："
                f"如为{fmt_number(line.value)}%，请填写“{fmt_number(line.value)}%”",
                node.code,
                "value",
            )
        )
    return findings


@dataclass
class Outcome:
    """What a line's rule gives: unrounded points and the reason for a deduction.

    ``states_deduction``: once the score is rounded, the reason ends with "，扣N分" naming the
    points deducted (the reason is dropped altogether when nothing is deducted).
    """

    points: Decimal
    reason: str
    value: Decimal | None = None
    completion: Decimal | None = None
    states_deduction: bool = False


def finish(outcome: Outcome, weight: Decimal, rule: RoundingRule) -> tuple[Decimal, str]:
    """The rounded score and the final reason of an outcome."""
    score = quantize(outcome.points, rule.places, rule.mode)
    deduction = weight - score
    if deduction <= 0:
        return score, ""
    if outcome.states_deduction:
        return score, f"{outcome.reason}，扣{fmt_number(deduction)}分"
    return score, outcome.reason


# ---------------------------------------------------------------------------------------------
# Findings and inference patterns.


def error(check: str, message: str, code: str | None = None, field: str | None = None) -> Finding:
    return Finding(severity="error", check=check, message=message, code=code, field=field)


def warning(check: str, message: str, code: str | None = None, field: str | None = None) -> Finding:
    return Finding(severity="warning", check=check, message=message, code=code, field=field)


InferRule = Callable[[str, str, "Decimal | None", str, "str | None"], "Inference | None"]
"""(rule as written, rule flattened, weight, indicator name, target) → an inference or None."""


@dataclass(frozen=True)
class Pattern:
    """A rule-text pattern; patterns of all methods are tried by ``order``, lowest first."""

    order: int
    infer: InferRule


# ---------------------------------------------------------------------------------------------
# The spec.

M = TypeVar("M", bound=Model)


def _nothing(*_: Any) -> list[Any]:
    return []


def _no(*_: Any) -> bool:
    return False


def _none(*_: Any) -> None:
    return None


@dataclass(frozen=True)
class MethodSpec(Generic[M]):
    """Everything about one scoring method.

    - ``type``, ``name``: the YAML ``type`` and the Chinese name; ``model``: the pydantic model.
    - ``needs(method)``: the evidence inputs a line with this method needs (see :meth:`inputs`).
    - ``rule(node, method, line, policy)``: what the rule gives from objective evidence; raises
      :class:`MissingEvidence` or :class:`MethodError`. None: the evaluator decides every line.
    - ``check(method, line)``: a reason the evidence is invalid before anything is scored.
    - ``lint(node, method)``: findings about the rubric line itself.
    - ``discretion(method)``: the rule lets the evaluator deduct below what it gives.
    - ``decision_check(node, method, score, rubric)``: why an evaluator's score cannot come
      from this rule (a strict checklist's achievable sums), or None.
    - ``decision_hint(node, method, line, score, rubric)``: text added when an evaluator's
      score differs from the rule's (which other convention it matches), or "".
    - ``patterns``: rule-text patterns that infer this method.
    - ``plausibility(node, method, line, policy)``: findings about the line's evidence itself:
      impossible values (errors) and implausible ones an officer should check (warnings).
    """

    type: str
    name: str
    model: builtins.type[M]
    needs: Callable[[M], list[EvidenceInput]]
    rule: Callable[[LineNode, M, LineEvidence, RoundingPolicy], Outcome] | None = None
    check: Callable[[M, LineEvidence], str | None] = _none
    lint: Callable[[LineNode, M], list[Finding]] = _nothing
    discretion: Callable[[M], bool] = _no
    decision_check: Callable[[LineNode, M, Decimal, Rounded], str | None] = _none
    decision_hint: Callable[[LineNode, M, LineEvidence, Decimal, Rounded], str] = lambda *_: ""
    patterns: tuple[Pattern, ...] = ()
    plausibility: Callable[[LineNode, M, LineEvidence, RoundingPolicy], list[Finding]] = _nothing

    @property
    def checks_plausibility(self) -> bool:
        """Whether the method has plausibility checks (else it finds nothing on any line)."""
        return self.plausibility is not _nothing

    def inputs(self, node: LineNode) -> list[EvidenceInput]:
        """The inputs this line's method needs, derived from its model (e.g. a ratio with a
        denominator label → value and denominator; a checklist → item1..itemN flags)."""
        assert node.method is not None and node.method.type == self.type
        return self.needs(node.method)
