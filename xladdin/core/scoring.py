"""score(rubric, evidence) → Result: the one scoring core every surface calls."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

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
from .methods.base import checking_with, plausibility_policy
from .numbers import ZERO, divide, fmt_number, fmt_percent, fmt_percent_short, quantize
from .once import per_object
from .plausibility import line_plausibility
from .result import (
    AdjustmentResult,
    Finding,
    IndicatorResult,
    LevelResult,
    Result,
    Status,
    indicator_result,
    level_result,
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
        # the bands matter only to a decision that names one
        bands=None if decision.band is None else judgement_bands(node.method, edges),
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
    return _checked_line(node, None, rubric.score_rule(node), line, rubric, False)


def _checked_line(
    node: Node,
    spec: MethodSpec[Any] | None,
    rule: RoundingRule,
    line: LineEvidence | None,
    rubric: Rubric,
    checking: bool,
) -> LineScore:
    """:func:`score_line` with the line's method spec (None: looked up) and score rounding;
    ``checking``: the caller runs it inside ``checking_with(rubric.plausibility)``."""
    if line is None:
        return LineScore("missing_evidence", None, "缺少佐证")
    if line.not_applicable:
        if rubric.not_applicable == "forbidden":
            return LineScore("invalid_evidence", None, "本指标体系不允许将指标标为不适用")
        why = f"：{line.na_reason}" if line.na_reason else ""
        return LineScore("not_applicable", None, f"不适用{why}")
    if spec is None:
        spec = method_spec(node)
    scored = _score_line(node, spec, rule, line, rubric)
    if scored.status == "invalid_evidence":
        return scored
    if checking or plausibility_policy() is rubric.plausibility:  # set for every line
        findings = spec.plausibility(node, node.method, line, rubric.rounding)
    else:
        findings = line_plausibility(node, line, rubric)
    if not findings:
        return scored
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


def _score_line(
    node: Node, spec: MethodSpec[Any], rule: RoundingRule, line: LineEvidence, rubric: Rubric
) -> LineScore:
    """The line's score from its method and the evaluator's decision (an applicable line)."""
    problem = spec.check(node.method, line)
    if problem is not None:
        return LineScore("invalid_evidence", None, problem)

    outcome: Outcome | None = None
    rule_problem: str | None = None
    try:
        if spec.rule is not None:
            outcome = spec.rule(node, node.method, line, rubric.rounding)
    except MissingEvidence as exc:
        rule_problem = str(exc)
    except MethodError as exc:
        if line.decision is None:
            return LineScore("invalid_evidence", None, str(exc))
        rule_problem = str(exc)

    rule_points = rule_reason = None
    value = completion = None
    if outcome is not None:
        rule_points, rule_reason = finish(outcome, node.weight, rule)
        value, completion = outcome.value, outcome.completion

    if line.decision is not None:
        try:
            decided = decision_points(node, line.decision, rubric.judgement_edges)
        except MethodError as exc:
            return LineScore("invalid_evidence", None, str(exc))
        points, reason = finish(decided, node.weight, rule)
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


def _code_findings(rubric: Rubric, evidence: Evidence, known: frozenset[str]) -> list[Finding]:
    """Evidence for codes the rubric does not have (``known``: the codes it has), and
    evidence of another rubric."""
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


class _Leaf(NamedTuple):
    """A leaf as scoring sees it, computed once per rubric (see :func:`_shape`)."""

    node: Node
    spec: MethodSpec[Any]
    rule: RoundingRule
    """How the leaf's score is rounded (``Rubric.score_rule``)."""
    path: tuple[str, ...]
    """The codes of the groups above it, from the top."""


class _Place(NamedTuple):
    """A node of the tree in pre-order, with what its roll-up needs of the structure."""

    node: Node
    depth: int
    children: tuple[int, ...]
    """The places of its children in ``_Shape.nodes``."""
    leaf: bool
    counts: dict[int, int]
    """Lines below, by depth (shared: copied into each result)."""
    rule: RoundingRule


@dataclass(frozen=True)
class _Shape:
    """What scoring needs of a rubric's structure; it depends on the rubric only, so a batch's
    workbooks, which share their rubric, compute it once."""

    rubric: Rubric
    leaves: tuple[_Leaf, ...]
    nodes: tuple[_Place, ...]
    tops: tuple[int, ...]
    known: frozenset[str]
    """Every code evidence may name: the indicators and the adjustment items."""
    transfers: tuple[tuple[Node, Node], ...]


@per_object
def _shape(rubric: Rubric) -> _Shape:
    """The scoring shape of ``rubric``, computed once per rubric object."""
    leaves: list[_Leaf] = []
    nodes: list[_Place] = []

    def visit(node: Node, depth: int, path: tuple[str, ...]) -> tuple[int, dict[int, int]]:
        place = len(nodes)
        nodes.append(_Place(node, depth, (), node.children is None, {}, rubric.score_rule(node)))
        if node.children is None:
            leaves.append(_Leaf(node, method_spec(node), rubric.score_rule(node), path))
            return place, {}
        children: list[int] = []
        counts = {depth + 1: len(node.children)}
        for child in node.children:
            at, below = visit(child, depth + 1, (*path, node.code))
            children.append(at)
            for level, count in below.items():
                counts[level] = counts.get(level, 0) + count
        nodes[place] = nodes[place]._replace(children=tuple(children), counts=counts)
        return place, counts

    tops = tuple(visit(level, 1, ())[0] for level in rubric.levels)
    known = {node.code for node, _ in rubric.walk()}
    known |= {item.code for _, item in rubric.adjustment_items()}
    return _Shape(
        rubric, tuple(leaves), tuple(nodes), tops, frozenset(known), tuple(rubric.transfers())
    )


@dataclass(frozen=True)
class _Scored:
    """What the roll-up knows once every leaf is scored."""

    shape: _Shape
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
        rubric = self.shape.rubric
        scaled = subtotal * rubric.total_weight / self.applicable_total
        return _round(scaled, rubric.rounding.score)

    def effective_weight(self, node: Node, line: LineScore) -> Decimal:
        if line.status == "not_applicable":
            return ZERO
        factor = self.factors.get(node.code) if self.factors else None
        if self.applicable_total is None and factor is None:
            return node.weight
        rubric = self.shape.rubric
        scaled = node.weight * (factor or 1)
        if self.applicable_total is not None:
            scaled = scaled * rubric.total_weight / self.applicable_total
        return _round(scaled, rubric.rounding.effective_weight)


def _indicators(scored: _Scored) -> list[IndicatorResult]:
    """Every leaf's result, in rubric order."""
    lines, sources = scored.lines, scored.evidence.lines
    plain = scored.applicable_total is None and not scored.factors
    indicators: list[IndicatorResult] = []
    for leaf in scored.shape.leaves:
        node = leaf.node
        line = lines[node.code]
        source = sources.get(node.code)
        points = line.points
        if plain:  # nothing rescales: a line weighs its weight, or nothing if it does not apply
            effective = ZERO if line.status == "not_applicable" else node.weight
        else:
            effective = scored.effective_weight(node, line)
        # Built from values the core computed itself: no need to validate them again.
        indicators.append(
            indicator_result(
                code=node.code,
                name=node.name,
                path=list(leaf.path),
                method=leaf.spec.type,
                weight=node.weight,
                effective_weight=effective,
                score=points,
                deduction=None if points is None else node.weight - points,
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
        )
    return indicators


def _roll(scored: _Scored) -> tuple[list[LevelResult], Decimal, bool]:
    """Every group's (and top-level leaf's) result in pre-order, the sum of the top levels'
    scores, and whether every line has a final score or does not apply."""
    shape = scored.shape
    sums = _sums(scored)
    scores, _, complete, _ = sums
    levels = _level_results(shape, sums)
    subtotal = ZERO
    for top in shape.tops:
        subtotal = subtotal + scores[top]
    return levels, subtotal, all(complete[top] for top in shape.tops)


_Sums = tuple[list[Decimal], list[Decimal], list[bool], list[bool]]


def _sums(scored: _Scored) -> _Sums:
    """Per node of the shape (pre-order): its score, applicable weight, whether all its lines
    are final, whether any lost points.

    A node's score and applicable weight are its children's sums; a node that receives the
    weight of indicators that do not apply grows by it, and its score in proportion.
    """
    nodes, lines, received = scored.shape.nodes, scored.lines, scored.received
    size = len(nodes)
    scores: list[Decimal] = [ZERO] * size
    weights: list[Decimal] = [ZERO] * size
    complete = [True] * size
    deducted = [False] * size
    for at in range(size - 1, -1, -1):  # children before their parent
        place = nodes[at]
        node = place.node
        if place.leaf:
            line = lines[node.code]
            points = line.points
            score = points or ZERO
            weight = ZERO if line.status == "not_applicable" else node.weight
            whole = line.status in ("scored", "not_applicable")
            less = points is not None and points < node.weight
        else:
            score = weight = ZERO
            whole, less = True, False
            for child in place.children:
                score = score + scores[child]
                weight = weight + weights[child]
                whole = whole and complete[child]
                less = less or deducted[child]
        if received:
            moved = received.get(node.code)
            if moved is not None and weight:
                grown = weight + moved
                score = _round(score * grown / weight, place.rule)
                weight = grown
        scores[at], weights[at], complete[at], deducted[at] = score, weight, whole, less
    return scores, weights, complete, deducted


def _level_results(shape: _Shape, sums: _Sums) -> list[LevelResult]:
    """The groups' results (and a top-level leaf's, a level of its own), in pre-order."""
    scores, weights, complete, deducted = sums
    nodes = shape.nodes
    rate = shape.rubric.rounding.rate
    levels: list[LevelResult] = []
    for at, place in enumerate(nodes):
        if place.leaf and place.depth != 1:
            continue
        node, score, weight = place.node, scores[at], weights[at]
        if place.leaf:
            below = [node.code] if deducted[at] else []
        else:
            below = [nodes[child].node.code for child in place.children if deducted[child]]
        levels.append(
            level_result(
                code=node.code,
                name=node.name,
                depth=place.depth,
                weight=node.weight,
                applicable_weight=weight,
                score=score,
                rate=_round(divide(score, weight), rate) if weight else None,
                complete=complete[at],
                child_codes=[child.code for child in node.children or []],
                counts=dict(place.counts),
                deducted=below,
            )
        )
    return levels


def _score_leaves(shape: _Shape, evidence: Evidence) -> _Scored:
    """Every leaf scored, and the applicable weight when not-applicable lines rescale."""
    rubric = shape.rubric
    sources = evidence.lines
    with checking_with(rubric.plausibility):  # once, not once per line
        lines = {
            leaf.node.code: _checked_line(
                leaf.node, leaf.spec, leaf.rule, sources.get(leaf.node.code), rubric, True
            )
            for leaf in shape.leaves
        }
    applicable = [
        leaf.node.weight
        for leaf in shape.leaves
        if lines[leaf.node.code].status != "not_applicable"
    ]
    every = len(applicable) == len(lines)
    if every and not shape.transfers:  # the common case: nothing moves, nothing rescales
        return _Scored(shape, evidence, lines, None, {}, {})
    received, factors = _transfers(shape, lines)
    total = sum(applicable, ZERO) + sum(received.values(), ZERO)
    rescale = not every and total not in (ZERO, rubric.total_weight)
    return _Scored(shape, evidence, lines, total if rescale else None, received, factors)


def _transfers(
    shape: _Shape, lines: dict[str, LineScore]
) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """The weight each node receives from indicators that do not apply, and the factor by
    which the weights of the leaves under it grow."""

    def applicable(node: Node) -> Decimal:
        return sum(
            (leaf.weight for leaf in node.leaves() if lines[leaf.code].status != "not_applicable"),
            ZERO,
        )

    received: dict[str, Decimal] = {}
    for source, target in shape.transfers:
        if applicable(source) == 0 and applicable(target) > 0:
            received[target.code] = received.get(target.code, ZERO) + source.weight
    factors: dict[str, Decimal] = {}
    for code, moved in received.items():
        receiver = shape.rubric.find(code)
        assert receiver is not None
        factor = divide(applicable(receiver) + moved, applicable(receiver))
        for leaf in receiver.leaves():
            factors[leaf.code] = factors.get(leaf.code, Decimal(1)) * factor
    return received, factors


def _line_findings(scored: _Scored, indicators: list[IndicatorResult]) -> list[Finding]:
    """Reasons the evidence must give, and the lines that could not be scored."""
    rubric = scored.shape.rubric
    findings: list[Finding] = []
    if rubric.reason_rules:
        sources = scored.evidence.lines
        findings = [
            finding
            for leaf in scored.shape.leaves
            for finding in _reason_findings(
                rubric, leaf.node, sources.get(leaf.node.code), scored.lines[leaf.node.code]
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
    shape = _shape(rubric)
    scored = _score_leaves(shape, evidence)
    indicators = _indicators(scored)
    levels, subtotal, complete = _roll(scored)
    findings = _code_findings(rubric, evidence, shape.known) + _line_findings(scored, indicators)
    adjustments, bonus, penalty = _adjustments(rubric, evidence)
    total = max(ZERO, scored.rescaled(subtotal) + bonus - penalty)
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
        levels=levels,
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
