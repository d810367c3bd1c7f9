"""score(rubric, evidence) → Result: the one scoring core every surface calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .evidence import Decision, Evidence, LineEvidence
from .methods import (
    OP_TEXT,
    MethodError,
    MethodSpec,
    MissingEvidence,
    Outcome,
    checklist_flags,
    finish,
    format_value,
    judgement_bands,
    judgement_points,
    measured_value,
    method_spec,
)
from .methods.base import checking_with
from .numbers import ZERO, divide, fmt_number, fmt_percent, fmt_percent_short, quantize
from .plausibility import line_plausibility
from .result import (
    AdjustmentResult,
    Finding,
    IndicatorResult,
    LevelResult,
    Result,
    Status,
    trusted,
)
from .rubric import Node, RoundingPolicy, RoundingRule, Rubric

__all__ = [
    "OP_TEXT",
    "LineScore",
    "MissingEvidence",
    "Outcome",
    "checklist_flags",
    "decision_points",
    "format_value",
    "measured_value",
    "rule_outcome",
    "score",
    "score_line",
]


def _round(value: Decimal, rule: RoundingRule) -> Decimal:
    return quantize(value, rule.places, rule.mode)


def rule_outcome(node: Node, line: LineEvidence, policy: RoundingPolicy) -> Outcome | None:
    """What the line's rule gives from its objective evidence; None for judgement lines.

    Raises MissingEvidence or MethodError when the evidence does not allow it.
    """
    return _rule_outcome(method_spec(node), node, line, policy)


def _rule_outcome(
    spec: MethodSpec[Any], node: Node, line: LineEvidence, policy: RoundingPolicy
) -> Outcome | None:
    return None if spec.rule is None else spec.rule(node, node.method, line, policy)


def _clean(reason: str) -> str:
    return reason.strip().rstrip("。；;，,")


def decision_points(
    node: Node, decision: Decision, edges: Sequence[Decimal] | None = None
) -> Outcome:
    """Points and reason of an evaluator's decision on a line (unrounded, see ``finish``);
    ``edges``: the rubric's qualitative band edges when the line sets none."""
    deductions = [(d.share, d.points) for d in decision.deductions] if decision.deductions else None
    points = judgement_points(
        node.weight,
        score=decision.score,
        share=decision.share,
        deduct_share=decision.deduct_share,
        deduct_points=decision.deduct_points,
        deductions=deductions,
        band=decision.band,
        bands=judgement_bands(node.method, edges),
    )
    reason = _clean(decision.reason)
    if decision.deductions:
        parts = []
        for part in decision.deductions:
            amount = (
                f"{fmt_percent_short(part.share)}权重分"
                if part.share is not None
                else f"{fmt_number(part.points or ZERO)}分"
            )
            parts.append(f"{_clean(part.reason)}，扣{amount}")
        return Outcome(points, "；".join(parts))
    if decision.deduct_share is not None:
        return Outcome(points, f"{reason}，扣{fmt_percent_short(decision.deduct_share)}权重分")
    if decision.share is not None:
        band = f"{decision.band}，" if decision.band else ""
        return Outcome(points, f"{reason}，{band}得{fmt_percent_short(decision.share)}权重分")
    return Outcome(points, reason, states_deduction=True)


@dataclass
class LineScore:
    status: Status
    points: Decimal | None
    reason: str
    value: Decimal | None = None
    completion: Decimal | None = None
    decided: bool = False
    rule_points: Decimal | None = None
    rule_reason: str | None = None
    field: str | None = None
    confirmed: bool = False


CONFIRM_HINT = "核对无误请在“已核对”一栏填“是”，有误请改正"


def _messages(findings: list[Finding]) -> str:
    return "；".join(_clean(finding.message) for finding in findings)


def score_line(node: Node, line: LineEvidence | None, rubric: Rubric) -> LineScore:
    """Score one leaf from its evidence (None: nothing entered).

    Evidence the line's method finds impossible makes it ``invalid_evidence``; implausible
    evidence makes a scored line ``needs_check`` (需核对: the score is not final) until the
    officer confirms it (``confirmed``), when it is scored and its reason says so.
    """
    scored = _score_line(node, line, rubric)
    if line is None or scored.status in ("not_applicable", "invalid_evidence"):
        return scored
    findings = line_plausibility(node, line, rubric)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        return LineScore("invalid_evidence", None, _messages(errors), field=errors[0].field)
    doubts = [f for f in findings if f.severity == "warning"]
    if not doubts or scored.status != "scored":
        return scored
    if line.confirmed:
        note = f"已核对确认：{_messages(doubts)}"
        scored.reason = f"{scored.reason}；{note}" if scored.reason else note
        scored.confirmed = True
        return scored
    scored.status = "needs_check"
    scored.reason = f"需核对：{_messages(doubts)}；{CONFIRM_HINT}"
    scored.field = doubts[0].field
    return scored


def _score_line(node: Node, line: LineEvidence | None, rubric: Rubric) -> LineScore:
    policy = rubric.rounding
    if line is None:
        return LineScore("missing_evidence", None, "缺少佐证")
    if line.not_applicable:
        if rubric.not_applicable == "forbidden":
            return LineScore("invalid_evidence", None, "本指标体系不允许将指标标为不适用")
        why = f"：{line.na_reason}" if line.na_reason else ""
        return LineScore("not_applicable", None, f"不适用{why}")
    spec = method_spec(node)
    problem = spec.check(node.method, line)
    if problem is not None:
        return LineScore("invalid_evidence", None, problem)

    rule: Outcome | None = None
    rule_problem: str | None = None
    try:
        rule = _rule_outcome(spec, node, line, policy)
    except MissingEvidence as exc:
        rule_problem = str(exc)
    except MethodError as exc:
        if line.decision is None:
            return LineScore("invalid_evidence", None, str(exc))
        rule_problem = str(exc)

    rule_points = rule_reason = None
    if rule is not None:
        rule_points, rule_reason = finish(rule, node.weight, rubric.score_rule(node))
    value = rule.value if rule else None
    completion = rule.completion if rule else None

    if line.decision is not None:
        try:
            decided = decision_points(node, line.decision, rubric.judgement_edges)
        except MethodError as exc:
            return LineScore("invalid_evidence", None, str(exc))
        points, reason = finish(decided, node.weight, rubric.score_rule(node))
        return LineScore(
            "scored", points, reason, value, completion, True, rule_points, rule_reason
        )
    if rule_points is None or rule_reason is None:
        problem = rule_problem or (
            "缺少评价人认定（须填写认定得分或扣分，并说明理由）"
            if spec.rule is None
            else "缺少佐证"
        )
        return LineScore("missing_evidence", None, problem)
    return LineScore("scored", rule_points, rule_reason, value, completion)


def _reason_findings(
    rubric: Rubric, node: Node, line: LineEvidence | None, scored: LineScore
) -> list[Finding]:
    findings: list[Finding] = []
    if scored.completion is None or line is None or (line.deviation_reason or "").strip():
        return findings
    for rule in rubric.reason_rules:
        if rule.codes is not None and node.code not in rule.codes:
            continue
        share = fmt_percent_short(rule.threshold)
        if rule.when == "completion_at_least" and scored.completion >= rule.threshold:
            text = f"完成值达到目标值的{share}及以上（{fmt_percent(scored.completion)}），须填写{rule.label}"
        elif rule.when == "completion_below" and scored.completion < rule.threshold:
            text = (
                f"完成值低于目标值的{share}（{fmt_percent(scored.completion)}），须填写{rule.label}"
            )
        else:
            continue
        findings.append(
            Finding(
                severity="warning",
                check="reason-required",
                code=node.code,
                field="deviation_reason",
                message=text,
            )
        )
    return findings


def _code_findings(rubric: Rubric, evidence: Evidence) -> list[Finding]:
    """Evidence for codes the rubric does not have, and evidence of another rubric."""
    known = {node.code for node, _ in rubric.walk()}
    known |= {item.code for _, item in rubric.adjustment_items()}
    findings = [
        Finding(
            severity="error",
            check="unknown-code",
            code=code,
            message=f"佐证中的指标编码“{code}”不在指标体系中",
        )
        for code in evidence.lines
        if code not in known
    ]
    if evidence.rubric != rubric.id:
        findings.append(
            Finding(
                severity="warning",
                check="rubric-id",
                message=f"佐证对应的指标体系为“{evidence.rubric}”，与“{rubric.id}”不一致",
            )
        )
    return findings


@dataclass(frozen=True)
class _Scored:
    """What the roll-up knows once every leaf is scored."""

    rubric: Rubric
    evidence: Evidence
    lines: dict[str, LineScore]
    applicable_total: Decimal | None
    """The applicable weight when not-applicable lines rescale the others, else None."""
    received: dict[str, Decimal]
    """Weight moved to a node (its code) from indicators that do not apply (``transfer_to``)."""
    factors: dict[str, Decimal]
    """Leaf code → how much its weight grows with the weight its group received."""

    def rescaled(self, subtotal: Decimal) -> Decimal:
        """The subtotal over the applicable weight, brought back to the total weight."""
        if self.applicable_total is None:
            return subtotal
        scaled = subtotal * self.rubric.total_weight / self.applicable_total
        return _round(scaled, self.rubric.rounding.score)

    def effective_weight(self, node: Node) -> Decimal:
        if self.lines[node.code].status == "not_applicable":
            return ZERO
        factor = self.factors.get(node.code)
        if self.applicable_total is None and factor is None:
            return node.weight
        scaled = node.weight * (factor or 1)
        if self.applicable_total is not None:
            scaled = scaled * self.rubric.total_weight / self.applicable_total
        return _round(scaled, self.rubric.rounding.effective_weight)

    def receive(self, node: Node, up: _Rollup) -> None:
        """A node that receives the weight of indicators that do not apply: its applicable
        weight grows by it and its score in proportion."""
        if not self.received:  # no weight moved (no rubric transfer applied): the common case
            return
        moved = self.received.get(node.code)
        if moved is None or not up.weight:
            return
        grown = up.weight + moved
        up.score = _round(up.score * grown / up.weight, self.rubric.score_rule(node))
        up.weight = grown


@dataclass
class _Rollup:
    """A node's roll-up: score and applicable weight, and the results of it and below."""

    score: Decimal
    weight: Decimal
    complete: bool
    deducted: bool
    counts: dict[int, int]  # lines below, by depth
    levels: list[LevelResult]
    indicators: list[IndicatorResult]


def _level(
    node: Node, depth: int, up: _Rollup, deducted: list[str], rate: RoundingRule
) -> LevelResult:
    return trusted(
        LevelResult,
        code=node.code,
        name=node.name,
        depth=depth,
        weight=node.weight,
        applicable_weight=up.weight,
        score=up.score,
        rate=_round(divide(up.score, up.weight), rate) if up.weight else None,
        complete=up.complete,
        child_codes=[child.code for child in node.children or []],
        counts=dict(up.counts),
        deducted=deducted,
    )


def _roll_leaf(node: Node, depth: int, path: list[str], scored: _Scored) -> _Rollup:
    line = scored.lines[node.code]
    source = scored.evidence.line(node.code)
    assert node.method is not None
    indicator = trusted(
        IndicatorResult,
        code=node.code,
        name=node.name,
        path=path,
        method=node.method.type,
        weight=node.weight,
        effective_weight=scored.effective_weight(node),
        score=line.points,
        deduction=None if line.points is None else node.weight - line.points,
        status=line.status,
        reason=line.reason,
        value=line.value,
        decided=line.decided,
        rule_score=line.rule_points,
        rule_reason=line.rule_reason,
        declared=source.declared if source else None,
        field=line.field,
        confirmed=line.confirmed,
    )
    up = _Rollup(
        score=line.points or ZERO,
        weight=ZERO if line.status == "not_applicable" else node.weight,
        complete=line.status in ("scored", "not_applicable"),
        deducted=line.points is not None and line.points < node.weight,
        counts={},
        levels=[],
        indicators=[indicator],
    )
    scored.receive(node, up)
    if depth == 1:  # a leaf at the top is a level of its own
        deducted = [node.code] if up.deducted else []
        up.levels.append(_level(node, depth, up, deducted, scored.rubric.rounding.rate))
    return up


def _roll(node: Node, depth: int, path: list[str], scored: _Scored) -> _Rollup:
    """Score, applicable weight and results of ``node`` and everything below it (pre-order)."""
    if node.children is None:
        return _roll_leaf(node, depth, path, scored)
    parts = [_roll(child, depth + 1, [*path, node.code], scored) for child in node.children]
    counts = {depth + 1: len(parts)}
    for part in parts:
        for below, count in part.counts.items():
            counts[below] = counts.get(below, 0) + count
    up = _Rollup(
        score=sum((part.score for part in parts), ZERO),
        weight=sum((part.weight for part in parts), ZERO),
        complete=all(part.complete for part in parts),
        deducted=any(part.deducted for part in parts),
        counts=counts,
        levels=[],
        indicators=[line for part in parts for line in part.indicators],
    )
    scored.receive(node, up)
    deducted = [
        child.code for child, part in zip(node.children, parts, strict=True) if part.deducted
    ]
    up.levels.append(_level(node, depth, up, deducted, scored.rubric.rounding.rate))
    up.levels.extend(level for part in parts for level in part.levels)
    return up


def _score_leaves(rubric: Rubric, evidence: Evidence) -> _Scored:
    """Every leaf scored, and the applicable weight when not-applicable lines rescale."""
    with checking_with(rubric.plausibility):  # once, not once per line
        lines = {
            leaf.code: score_line(leaf, evidence.line(leaf.code), rubric)
            for leaf in rubric.leaves()
        }
    applicable = [
        leaf.weight for leaf in rubric.leaves() if lines[leaf.code].status != "not_applicable"
    ]
    received, factors = _transfers(rubric, lines)
    total = sum(applicable, ZERO) + sum(received.values(), ZERO)
    rescale = len(applicable) < len(lines) and total not in (ZERO, rubric.total_weight)
    return _Scored(rubric, evidence, lines, total if rescale else None, received, factors)


def _transfers(
    rubric: Rubric, lines: dict[str, LineScore]
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """The weight each node receives from indicators that do not apply, and the factor by
    which the weights of the leaves under it grow."""

    def applicable(node: Node) -> Decimal:
        return sum(
            (leaf.weight for leaf in node.leaves() if lines[leaf.code].status != "not_applicable"),
            ZERO,
        )

    received: dict[str, Decimal] = {}
    for source, target in rubric.transfers():
        if applicable(source) == 0 and applicable(target) > 0:
            received[target.code] = received.get(target.code, ZERO) + source.weight
    factors: dict[str, Decimal] = {}
    for code, moved in received.items():
        receiver = rubric.find(code)
        assert receiver is not None
        factor = divide(applicable(receiver) + moved, applicable(receiver))
        for leaf in receiver.leaves():
            factors[leaf.code] = factors.get(leaf.code, Decimal(1)) * factor
    return received, factors


def _line_findings(scored: _Scored, indicators: list[IndicatorResult]) -> list[Finding]:
    """Reasons the evidence must give, and the lines that could not be scored."""
    findings = [
        finding
        for leaf in scored.rubric.leaves()
        for finding in _reason_findings(
            scored.rubric, leaf, scored.evidence.line(leaf.code), scored.lines[leaf.code]
        )
    ]
    unscored = [i.code for i in indicators if i.status in ("missing_evidence", "invalid_evidence")]
    doubtful = [i.code for i in indicators if i.status == "needs_check"]
    if doubtful:
        findings.append(
            Finding(
                severity="warning",
                check="needs-check",
                message=f"{len(doubtful)}项指标的佐证需核对（{'、'.join(doubtful)}），总分不是最终结果",
            )
        )
    if unscored:
        findings.append(
            Finding(
                severity="warning",
                check="incomplete",
                message=f"{len(unscored)}项指标未能评分（{'、'.join(unscored)}），总分不完整",
            )
        )
    return findings


def score(rubric: Rubric, evidence: Evidence) -> Result:
    """Score every line of ``rubric`` from ``evidence``; never raises for bad evidence lines.

    Lines without evidence are reported as missing (never a silent zero) and make the result
    incomplete; a complete result has a grade.
    """
    policy = rubric.rounding
    scored = _score_leaves(rubric, evidence)
    tops = [_roll(level, 1, [], scored) for level in rubric.levels]
    indicators = [line for top in tops for line in top.indicators]
    findings = _code_findings(rubric, evidence) + _line_findings(scored, indicators)
    subtotal = sum((top.score for top in tops), ZERO)
    adjustments, bonus, penalty = _adjustments(rubric, evidence)
    total = max(ZERO, scored.rescaled(subtotal) + bonus - penalty)
    complete = all(top.complete for top in tops)
    # Built from values the core computed itself: no need to validate them again.
    return trusted(
        Result,
        rubric_id=rubric.id,
        title=rubric.title,
        subtotal=subtotal,
        bonus=bonus,
        penalty=penalty,
        total=total,
        total_weight=rubric.total_weight,
        rate=_round(divide(total, rubric.total_weight), policy.rate)
        if rubric.total_weight
        else None,
        grade=rubric.grade_for(total) if complete else None,
        complete=complete,
        levels=[level for top in tops for level in top.levels],
        indicators=indicators,
        adjustments=adjustments,
        findings=findings,
    )


def _adjustments(
    rubric: Rubric, evidence: Evidence
) -> tuple[list[AdjustmentResult], Decimal, Decimal]:
    results: list[AdjustmentResult] = []
    sums = {"bonus": ZERO, "penalty": ZERO}
    for kind, item in rubric.adjustment_items():
        line = evidence.line(item.code)
        points = line.points if line is not None and line.points is not None else ZERO
        if item.max_points is not None:
            points = min(points, item.max_points)
        reason = (line.narrative or "") if line is not None else ""
        results.append(
            trusted(
                AdjustmentResult,
                kind=kind,
                code=item.code,
                name=item.name,
                points=points,
                reason=reason,
            )
        )
        sums[kind] += points
    bonus, penalty = sums["bonus"], sums["penalty"]
    if rubric.bonus is not None and rubric.bonus.cap is not None:
        bonus = min(bonus, rubric.bonus.cap)
    if rubric.penalty is not None and rubric.penalty.cap is not None:
        penalty = min(penalty, rubric.penalty.cap)
    return results, bonus, penalty
