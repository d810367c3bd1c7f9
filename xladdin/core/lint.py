"""The linter: what is wrong or doubtful in a rubric and in an evaluation's evidence.

Errors make a rubric unusable (weights that do not add up, duplicate codes); warnings point at
lines a reviewer should look at (a rule text that names 10 points on a 1-point line, an
evaluator's deduction that the rule's shares cannot produce). Findings carry the indicator code.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from typing import Literal

from . import methods as m
from .evidence import Evidence
from .numbers import CIRCLED, ZERO, divide, fmt_number, fmt_percent, fmt_percent_short, quantize
from .result import Finding, IndicatorResult, Result
from .rubric import ChecklistMethod, Node, RatioMethod, Rubric, ThresholdMethod
from .scoring import measured_value, score

# "得10分", "得 0.5 分", "得分=推进率*10分", "×10分"
_POINTS_IN_RULE = re.compile(r"(?:得|\*|×)\s*(\d+(?:\.\d+)?)\s*分")
_CIRCLED_IN_RULE = re.compile(f"[{CIRCLED}]")


def _error(check: str, message: str, code: str | None = None, field: str | None = None) -> Finding:
    return Finding(severity="error", check=check, message=message, code=code, field=field)


def _warning(
    check: str, message: str, code: str | None = None, field: str | None = None
) -> Finding:
    return Finding(severity="warning", check=check, message=message, code=code, field=field)


def _info(check: str, message: str, code: str | None = None) -> Finding:
    return Finding(severity="info", check=check, message=message, code=code)


def lint_rubric(rubric: Rubric) -> list[Finding]:
    """Structural and rule-text checks that need no evidence."""
    findings: list[Finding] = []
    top = sum((level.weight for level in rubric.levels), ZERO)
    if top != rubric.total_weight:
        findings.append(
            _error(
                "total-weight",
                f"一级指标权重合计{fmt_number(top)}，应为{fmt_number(rubric.total_weight)}",
            )
        )
    codes = Counter(node.code for node, _ in rubric.walk())
    codes.update(item.code for _, item in rubric.adjustment_items())
    for code, count in codes.items():
        if count > 1:
            findings.append(_error("duplicate-code", f"指标编码重复出现{count}次", code))
    for node, _ in rubric.walk():
        if node.children:
            children = sum((child.weight for child in node.children), ZERO)
            if children != node.weight:
                findings.append(
                    _error(
                        "weight-sum",
                        f"下级指标权重合计{fmt_number(children)}，与本级权重{fmt_number(node.weight)}不一致",
                        node.code,
                        "weight",
                    )
                )
        else:
            findings.extend(_lint_leaf(node))
    return findings


def _lint_leaf(node: Node) -> list[Finding]:
    findings: list[Finding] = []
    if node.code_assigned:
        findings.append(
            _info("code-assigned", f"原表未列编码，已补为{node.code}（{node.name}）", node.code)
        )
    named = [Decimal(x) for x in _POINTS_IN_RULE.findall(node.rule)]
    over = [x for x in named if x > node.weight]
    if over:
        findings.append(
            _warning(
                "rule-points",
                f"评分规则写“得{fmt_number(max(over))}分”，但权重为{fmt_number(node.weight)}",
                node.code,
                "rule",
            )
        )
    method = node.method
    if isinstance(method, ChecklistMethod):
        points = method.item_points(node.weight)
        if points is not None and sum(points, ZERO) != node.weight:
            findings.append(
                _error(
                    "checklist-points",
                    f"各要点分值合计{fmt_number(sum(points, ZERO))}，与权重{fmt_number(node.weight)}不一致",
                    node.code,
                    "method.items",
                )
            )
        listed = len(set(_CIRCLED_IN_RULE.findall(node.rule)))
        if listed > 1 and listed != method.item_count:
            findings.append(
                _warning(
                    "checklist-count",
                    f"评分规则列出{listed}个要点，评分方法按{method.item_count}个要点计分",
                    node.code,
                    "method.items",
                )
            )
    if method is not None and method.type == "bands":
        for band in method.bands:
            if band.points is not None and band.points > node.weight:
                findings.append(
                    _error(
                        "band-points",
                        f"分档分值{fmt_number(band.points)}超过权重{fmt_number(node.weight)}",
                        node.code,
                        "method.bands",
                    )
                )
    return findings


def achievable_checklist_scores(
    node: Node, method: ChecklistMethod, rubric: Rubric
) -> set[Decimal]:
    """Every score a strict checklist can give, rounded as the rubric rounds."""
    places, mode = rubric.rounding.score.places, rubric.rounding.score.mode
    points = method.item_points(node.weight)
    if points is None:
        n = method.item_count
        return {
            quantize(node.weight * divide(Decimal(k), Decimal(n)), places, mode)
            for k in range(n + 1)
        }
    sums: set[Decimal] = {ZERO}
    for item in points:
        sums |= {s + item for s in sums}
    return {quantize(s, places, mode) for s in sums}


def _share_text(node: Node, method: ChecklistMethod) -> str:
    points = method.item_points(node.weight)
    if points is None:
        n = method.item_count
        return f"{n}项各占1/{n}权重分（每项{fmt_number(quantize(divide(node.weight, Decimal(n)), 2, 'half_up'))}分）"
    return "各要点分值" + "、".join(fmt_number(p) for p in points) + "分"


RatioMode = Literal["proportional", "step_started", "step_full"]
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
    node: Node, method: RatioMethod, value: Decimal, rubric: Rubric
) -> dict[str, Decimal]:
    """What each ratio convention gives for ``value``, rounded as the rubric rounds."""
    policy = rubric.rounding.score
    reached = m.completion(value, method.target, method.direction, method.inverse)
    return {
        convention_name(mode, method): quantize(
            m.ratio_points(node.weight, reached, mode, method.step, method.step_deduct).points,
            policy.places,
            policy.mode,
        )
        for mode in RATIO_MODES
    }


def rule_allows_discretion(node: Node) -> bool:
    """Rules that leave the deduction to the evaluator: "否则酌情扣除", "未达标酌情扣分".

    On such lines an evaluator's figure below the rule's is not a departure from the rule.
    """
    method = node.method
    if isinstance(method, ChecklistMethod):
        return not method.strict
    return isinstance(method, ThresholdMethod) and method.otherwise == "judgement"


def _lint_line(
    rubric: Rubric, node: Node, line: IndicatorResult, evidence: Evidence
) -> list[Finding]:
    findings: list[Finding] = []
    code = node.code
    if line.status == "invalid_evidence":
        findings.append(_error("invalid-evidence", line.reason, code))
    elif line.status == "missing_evidence":
        findings.append(_warning("missing-evidence", line.reason, code))
    if line.declared is not None:
        if line.declared > node.weight:
            findings.append(
                _error(
                    "over-weight",
                    f"填报得分{fmt_number(line.declared)}超过权重{fmt_number(node.weight)}",
                    code,
                    "declared",
                )
            )
        elif line.score is not None and line.declared != line.score:
            findings.append(
                _warning(
                    "declared-differs",
                    f"填报得分{fmt_number(line.declared)}，按佐证计算为{fmt_number(line.score)}",
                    code,
                    "declared",
                )
            )
    if not line.decided or line.score is None:
        return findings
    method = node.method
    if isinstance(method, ChecklistMethod) and method.strict:
        achievable = achievable_checklist_scores(node, method, rubric)
        if line.score not in achievable:
            awarded = fmt_percent_short(divide(line.score, node.weight)) if node.weight else "0%"
            options = "、".join(fmt_number(s) for s in sorted(achievable))
            findings.append(
                _warning(
                    "decision-share",
                    f"评价人认定得{fmt_number(line.score)}分（{awarded}权重分），"
                    f"但评分规则为{_share_text(node, method)}，只能得{options}分",
                    code,
                    "decision",
                )
            )
            return findings
    if (
        line.rule_score is not None
        and line.rule_score != line.score
        and not rule_allows_discretion(node)
    ):
        message = (
            f"评价人认定得{fmt_number(line.score)}分，按评分规则计算应得{fmt_number(line.rule_score)}分"
            f"（{line.rule_reason or '未扣分'}）"
        )
        source = evidence.line(code)
        if isinstance(method, RatioMethod) and source is not None:
            measured = measured_value(source, rubric.rounding)
            if measured is not None:
                conventions = ratio_alternatives(node, method, measured[0], rubric)
                matches = [name for name, points in conventions.items() if points == line.score]
                if matches:
                    message += f"；认定得分与“{matches[0]}”一致（{fmt_percent(measured[1])}），与规则所述计分方式不同"
        findings.append(_warning("decision-differs", message, code, "decision"))
    return findings


def lint_evidence(
    rubric: Rubric, evidence: Evidence, result: Result | None = None
) -> list[Finding]:
    """Checks of an evaluation: evaluator decisions against their rules, declared scores, reasons."""
    result = result if result is not None else score(rubric, evidence)
    findings: list[Finding] = list(result.findings)
    nodes = {leaf.code: leaf for leaf in rubric.leaves()}
    for line in result.indicators:
        findings.extend(_lint_line(rubric, nodes[line.code], line, evidence))
    return findings


_RUBRIC_FINDINGS: dict[int, tuple[Rubric, list[Finding]]] = {}


def _rubric_findings(rubric: Rubric) -> list[Finding]:
    # A batch scores many evaluations of one rubric object: check the rubric itself once.
    cached = _RUBRIC_FINDINGS.get(id(rubric))
    if cached is None or cached[0] is not rubric:
        if len(_RUBRIC_FINDINGS) > 64:
            _RUBRIC_FINDINGS.clear()
        cached = (rubric, lint_rubric(rubric))
        _RUBRIC_FINDINGS[id(rubric)] = cached
    return list(cached[1])


def lint(
    rubric: Rubric, evidence: Evidence | None = None, result: Result | None = None
) -> list[Finding]:
    """All findings for a rubric and, when given, its evidence; ordered as the table reads."""
    findings = _rubric_findings(rubric)
    if evidence is not None and not any(f.check == "duplicate-code" for f in findings):
        findings.extend(lint_evidence(rubric, evidence, result))
    order = {node.code: i for i, (node, _) in enumerate(rubric.walk())}
    return sorted(findings, key=lambda f: (order.get(f.code or "", -1), f.severity != "error"))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
