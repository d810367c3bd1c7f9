"""score(rubric, evidence) → Result: the one scoring core every surface calls."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from . import methods as m
from .evidence import Decision, Evidence, LineEvidence
from .numbers import ZERO, circled, divide, fmt_number, fmt_percent, fmt_percent_short, quantize
from .result import AdjustmentResult, Finding, IndicatorResult, LevelResult, Result, Status
from .rubric import (
    BandsMethod,
    ChecklistMethod,
    DeductionMethod,
    JudgementMethod,
    ManualMethod,
    Node,
    RatioMethod,
    RoundingPolicy,
    Rubric,
    ThresholdMethod,
)

# Stands for the line's deduction in a reason until the score has been rounded.
_DEDUCTION = "\x00deduction\x00"


class MissingEvidence(Exception):
    """The line lacks what its method needs; the message says what."""


@dataclass
class Outcome:
    points: Decimal
    reason: str
    value: Decimal | None = None
    completion: Decimal | None = None


def _round_score(value: Decimal, policy: RoundingPolicy) -> Decimal:
    return quantize(value, policy.score.places, policy.score.mode)


def _round_rate(value: Decimal, policy: RoundingPolicy) -> Decimal:
    return quantize(value, policy.rate.places, policy.rate.mode)


def measured_value(line: LineEvidence, policy: RoundingPolicy) -> tuple[Decimal, Decimal] | None:
    """The line's measured value for scoring and for display, or None when not given.

    A rate from numerator / denominator is rounded by the rubric's value policy (the tables
    score from the rate they print: 1,689.29 / 1,811.58 = 93.25%).
    """
    if line.value is not None:
        return line.value, line.value
    if line.numerator is not None and line.denominator is not None:
        exact = m.rate(line.numerator, line.denominator)
        shown = quantize(exact, policy.value.places, policy.value.mode)
        return (shown if policy.score_on_rounded_value else exact), shown
    return None


def format_value(value: Decimal, percent: bool, unit: str, policy: RoundingPolicy) -> str:
    if percent:
        return fmt_percent(value, max(0, policy.value.places - 2))
    return f"{fmt_number(value)}{unit}"


def _need_value(line: LineEvidence, label: str, policy: RoundingPolicy) -> tuple[Decimal, Decimal]:
    found = measured_value(line, policy)
    if found is None:
        raise MissingEvidence(f"缺少{label}")
    return found


def _ratio(node: Node, method: RatioMethod, line: LineEvidence, policy: RoundingPolicy) -> Outcome:
    value, shown = _need_value(line, method.value_label, policy)
    reached = m.completion(value, method.target, method.direction, method.inverse)
    points = m.ratio_points(node.weight, reached, method.mode, method.step, method.step_deduct)
    text = f"{method.value_label}{format_value(shown, method.percent, method.unit, policy)}"
    if points.deducted_share is not None:
        reason = f"{text}，扣{fmt_percent_short(points.deducted_share)}权重分"
    else:
        reason = f"{text}，扣{_DEDUCTION}分"
    raw = divide(value, method.target) if method.target else None
    return Outcome(points.points, reason, shown, raw)


def _bands(node: Node, method: BandsMethod, line: LineEvidence, policy: RoundingPolicy) -> Outcome:
    value, shown = _need_value(line, method.value_label, policy)
    amounts = [
        band.points if band.points is not None else node.weight * (band.share or ZERO)
        for band in method.bands
    ]
    points, _ = m.band_points(
        value,
        [band.bound for band in method.bands],
        amounts,
        [band.inclusive for band in method.bands],
        method.otherwise,
        method.direction,
    )
    text = f"{method.value_label}{format_value(shown, method.percent, method.unit, policy)}"
    return Outcome(min(points, node.weight), f"{text}，扣{_DEDUCTION}分", shown)


def checklist_flags(method: ChecklistMethod, line: LineEvidence) -> list[bool]:
    count = method.item_count
    if line.met is not None:
        if len(line.met) != count:
            raise m.MethodError(f"评分规则有{count}个要点，佐证填写了{len(line.met)}个")
        return list(line.met)
    if line.failed is not None:
        beyond = [n for n in line.failed if n > count]
        if beyond:
            raise m.MethodError(f"不符合的要点序号{beyond[0]}超出要点数{count}")
        return [(i + 1) not in line.failed for i in range(count)]
    raise MissingEvidence("缺少各要点是否符合的佐证")


def _checklist(
    node: Node, method: ChecklistMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    flags = checklist_flags(method, line)
    points = m.checklist_points(node.weight, flags, method.item_points(node.weight))
    failed = [circled(i + 1) for i, ok in enumerate(flags) if not ok]
    reason = f"第{'、'.join(failed)}项不符合，扣{_DEDUCTION}分" if failed else ""
    return Outcome(points, reason)


def _deduction(
    node: Node, method: DeductionMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    if line.count is None:
        raise MissingEvidence(f"缺少发现的{method.occurrence_label}数")
    points = m.deduction_points(node.weight, line.count, method.per_share, method.per_points)
    if line.count == 0:
        return Outcome(points, "")
    found = f"发现{method.occurrence_label}{line.count}{method.unit}"
    if method.per_share is not None:
        share = min(Decimal(1), line.count * method.per_share)
        return Outcome(points, f"{found}，扣{fmt_percent_short(share)}权重分")
    return Outcome(points, f"{found}，扣{_DEDUCTION}分")


OP_TEXT = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


def _threshold(
    node: Node, method: ThresholdMethod, line: LineEvidence, policy: RoundingPolicy
) -> Outcome:
    bound = f"{OP_TEXT[method.op]}{format_value(method.value, method.percent, method.unit, policy)}"
    found = measured_value(line, policy)
    if found is not None:
        value, shown = found
        ok = m.threshold_met(value, method.op, method.value)
        text = f"{method.value_label}{format_value(shown, method.percent, method.unit, policy)}"
        completion = divide(value, method.value) if method.value else None
    elif line.passed is not None:
        ok, shown, completion = line.passed, None, None
        text = f"{method.value_label}未达到{bound}" if not ok else ""
    else:
        raise MissingEvidence(f"缺少{method.value_label}")
    if ok:
        return Outcome(node.weight, "", shown, completion)
    if method.otherwise == "judgement":
        raise MissingEvidence(f"{text}，未达标，须由评价人酌情认定扣分")
    return Outcome(ZERO, f"{text}，未达到{bound}，不得分", shown, completion)


def decision_points(node: Node, decision: Decision) -> tuple[Decimal, str]:
    """Points and reason of an evaluator's decision on a line."""
    deductions = [(d.share, d.points) for d in decision.deductions] if decision.deductions else None
    points = m.judgement_points(
        node.weight,
        score=decision.score,
        share=decision.share,
        deduct_share=decision.deduct_share,
        deduct_points=decision.deduct_points,
        deductions=deductions,
        band=decision.band,
    )
    reason = decision.reason.strip().rstrip("。；;，,")
    if decision.deductions:
        parts = []
        for part in decision.deductions:
            amount = (
                f"{fmt_percent_short(part.share)}权重分"
                if part.share is not None
                else f"{fmt_number(part.points or ZERO)}分"
            )
            parts.append(f"{part.reason.strip().rstrip('。；;，,')}，扣{amount}")
        return points, "；".join(parts)
    if decision.deduct_share is not None:
        return points, f"{reason}，扣{fmt_percent_short(decision.deduct_share)}权重分"
    if decision.share is not None:
        band = f"{decision.band}，" if decision.band else ""
        return points, f"{reason}，{band}得{fmt_percent_short(decision.share)}权重分"
    return points, f"{reason}，扣{_DEDUCTION}分"


def rule_outcome(node: Node, line: LineEvidence, policy: RoundingPolicy) -> Outcome | None:
    """What the line's rule gives from its objective evidence; None for judgement lines.

    Raises MissingEvidence or MethodError when the evidence does not allow it.
    """
    method = node.method
    if isinstance(method, RatioMethod):
        return _ratio(node, method, line, policy)
    if isinstance(method, BandsMethod):
        return _bands(node, method, line, policy)
    if isinstance(method, ChecklistMethod):
        return _checklist(node, method, line, policy)
    if isinstance(method, DeductionMethod):
        return _deduction(node, method, line, policy)
    if isinstance(method, ThresholdMethod):
        return _threshold(node, method, line, policy)
    if isinstance(method, JudgementMethod | ManualMethod):
        return None
    raise AssertionError(f"unhandled method {method!r}")


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


def _finish(
    points: Decimal, reason: str, node: Node, policy: RoundingPolicy
) -> tuple[Decimal, str]:
    score = _round_score(points, policy)
    deduction = node.weight - score
    if deduction <= 0:
        return score, ""
    return score, reason.replace(_DEDUCTION, fmt_number(deduction))


def score_line(node: Node, line: LineEvidence | None, rubric: Rubric) -> LineScore:
    """Score one leaf from its evidence (None: nothing entered)."""
    policy = rubric.rounding
    if line is None:
        return LineScore("missing_evidence", None, "缺少佐证")
    if line.not_applicable:
        if rubric.not_applicable == "forbidden":
            return LineScore("invalid_evidence", None, "本指标体系不允许将指标标为不适用")
        why = f"：{line.na_reason}" if line.na_reason else ""
        return LineScore("not_applicable", None, f"不适用{why}")
    method = node.method
    if (
        isinstance(method, JudgementMethod)
        and method.scale == "national"
        and line.decision is not None
        and line.decision.band is None
    ):
        return LineScore("invalid_evidence", None, "定性指标须选择评价档次并给出该档内的得分比例")

    rule: Outcome | None = None
    rule_problem: str | None = None
    try:
        rule = rule_outcome(node, line, policy)
    except MissingEvidence as exc:
        rule_problem = str(exc)
    except m.MethodError as exc:
        if line.decision is None:
            return LineScore("invalid_evidence", None, str(exc))
        rule_problem = str(exc)

    rule_points = rule_reason = None
    if rule is not None:
        rule_points, rule_reason = _finish(rule.points, rule.reason, node, policy)

    if line.decision is not None:
        try:
            points, reason = decision_points(node, line.decision)
        except m.MethodError as exc:
            return LineScore("invalid_evidence", None, str(exc))
        score, reason = _finish(points, reason, node, policy)
        return LineScore(
            "scored",
            score,
            reason,
            rule.value if rule else None,
            rule.completion if rule else None,
            decided=True,
            rule_points=rule_points,
            rule_reason=rule_reason,
        )
    if rule is None:
        problem = rule_problem or (
            "缺少评价人认定（须填写认定得分或扣分，并说明理由）"
            if isinstance(method, JudgementMethod | ManualMethod)
            else "缺少佐证"
        )
        return LineScore("missing_evidence", None, problem)
    assert rule_points is not None and rule_reason is not None
    return LineScore("scored", rule_points, rule_reason, rule.value, rule.completion)


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


def score(rubric: Rubric, evidence: Evidence) -> Result:
    """Score every line of ``rubric`` from ``evidence``; never raises for bad evidence lines.

    Lines without evidence are reported as missing (never a silent zero) and make the result
    incomplete; a complete result has a grade.
    """
    policy = rubric.rounding
    findings: list[Finding] = []
    codes = [node.code for node, _ in rubric.walk()] + [
        item.code for _, item in rubric.adjustment_items()
    ]
    duplicates = sorted(code for code, n in Counter(codes).items() if n > 1)
    if duplicates:
        from .errors import RubricError

        raise RubricError(f"指标编码重复：{'、'.join(duplicates)}，无法对应佐证")
    known = set(codes)
    for code in evidence.lines:
        if code not in known:
            findings.append(
                Finding(
                    severity="error",
                    check="unknown-code",
                    code=code,
                    message=f"佐证中的指标编码“{code}”不在指标体系中",
                )
            )
    if evidence.rubric != rubric.id:
        findings.append(
            Finding(
                severity="warning",
                check="rubric-id",
                message=f"佐证对应的指标体系为“{evidence.rubric}”，与“{rubric.id}”不一致",
            )
        )

    lines: dict[str, LineScore] = {}
    for leaf in rubric.leaves():
        line = evidence.line(leaf.code)
        lines[leaf.code] = scored = score_line(leaf, line, rubric)
        findings.extend(_reason_findings(rubric, leaf, line, scored))

    applicable_total = sum(
        (leaf.weight for leaf in rubric.leaves() if lines[leaf.code].status != "not_applicable"),
        ZERO,
    )
    rescale = (
        applicable_total != rubric.total_weight
        and applicable_total > 0
        and any(s.status == "not_applicable" for s in lines.values())
    )

    indicators: list[IndicatorResult] = []
    levels: list[LevelResult] = []

    def visit(
        node: Node, depth: int, path: list[str]
    ) -> tuple[Decimal, Decimal, bool, Counter[int]]:
        """Returns (score, applicable weight, complete, sub-indicator counts by depth)."""
        if node.is_leaf:
            scored = lines[node.code]
            line = evidence.line(node.code)
            applicable = scored.status != "not_applicable"
            effective = ZERO
            if applicable:
                effective = (
                    quantize(node.weight * rubric.total_weight / applicable_total, 4, "half_up")
                    if rescale
                    else node.weight
                )
            assert node.method is not None
            indicators.append(
                IndicatorResult.model_construct(
                    code=node.code,
                    name=node.name,
                    path=path,
                    method=node.method.type,
                    weight=node.weight,
                    effective_weight=effective,
                    score=scored.points,
                    deduction=None if scored.points is None else node.weight - scored.points,
                    status=scored.status,
                    reason=scored.reason,
                    value=scored.value,
                    decided=scored.decided,
                    rule_score=scored.rule_points,
                    rule_reason=scored.rule_reason,
                    declared=line.declared if line else None,
                )
            )
            points = scored.points or ZERO
            complete = scored.status in ("scored", "not_applicable")
            weight = node.weight if applicable else ZERO
            if depth == 1:
                levels.append(
                    LevelResult.model_construct(
                        code=node.code,
                        name=node.name,
                        depth=depth,
                        weight=node.weight,
                        applicable_weight=weight,
                        score=points,
                        rate=_round_rate(divide(points, weight), policy) if weight else None,
                        complete=complete,
                        child_codes=[],
                        deducted=[node.code]
                        if scored.points is not None and scored.points < node.weight
                        else [],
                    )
                )
            return points, weight, complete, Counter()
        position = len(levels)
        total = ZERO
        weight = ZERO
        complete = True
        counts: Counter[int] = Counter()
        for child in node.children or []:
            child_score, child_weight, child_complete, child_counts = visit(
                child, depth + 1, [*path, node.code]
            )
            total += child_score
            weight += child_weight
            complete = complete and child_complete
            counts[depth + 1] += 1
            counts.update(child_counts)
        deducted = [child.code for child in node.children or [] if _deducted(child, lines)]
        levels.insert(
            position,
            LevelResult.model_construct(
                code=node.code,
                name=node.name,
                depth=depth,
                weight=node.weight,
                applicable_weight=weight,
                score=total,
                rate=_round_rate(divide(total, weight), policy) if weight else None,
                complete=complete,
                child_codes=[child.code for child in node.children or []],
                counts=dict(counts),
                deducted=deducted,
            ),
        )
        return total, weight, complete, counts

    subtotal = ZERO
    complete = True
    for level in rubric.levels:
        level_score, _, level_complete, _ = visit(level, 1, [])
        subtotal += level_score
        complete = complete and level_complete

    base = (
        _round_score(subtotal * rubric.total_weight / applicable_total, policy)
        if rescale
        else subtotal
    )
    adjustments, bonus, penalty = _adjustments(rubric, evidence)
    total = max(ZERO, base + bonus - penalty)
    incomplete = [
        i.code for i in indicators if i.status in ("missing_evidence", "invalid_evidence")
    ]
    if incomplete:
        complete = False
        findings.append(
            Finding(
                severity="warning",
                check="incomplete",
                message=f"{len(incomplete)}项指标未能评分（{'、'.join(incomplete)}），总分不完整",
            )
        )
    # Built from values the core computed itself: no need to validate them again.
    return Result.model_construct(
        rubric_id=rubric.id,
        title=rubric.title,
        subtotal=subtotal,
        bonus=bonus,
        penalty=penalty,
        total=total,
        total_weight=rubric.total_weight,
        rate=_round_rate(divide(total, rubric.total_weight), policy)
        if rubric.total_weight
        else None,
        grade=rubric.grade_for(total) if complete else None,
        complete=complete,
        levels=levels,
        indicators=indicators,
        adjustments=adjustments,
        findings=findings,
    )


def _deducted(node: Node, lines: dict[str, LineScore]) -> bool:
    for leaf in node.leaves():
        scored = lines[leaf.code]
        if scored.points is not None and scored.points < leaf.weight:
            return True
    return False


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
            AdjustmentResult.model_construct(
                kind=kind, code=item.code, name=item.name, points=points, reason=reason
            )
        )
        sums[kind] += points
    bonus, penalty = sums["bonus"], sums["penalty"]
    if rubric.bonus is not None and rubric.bonus.cap is not None:
        bonus = min(bonus, rubric.bonus.cap)
    if rubric.penalty is not None and rubric.penalty.cap is not None:
        penalty = min(penalty, rubric.penalty.cap)
    return results, bonus, penalty
