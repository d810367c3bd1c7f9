"""The linter: what is wrong or doubtful in a rubric and in an evaluation's evidence.

Errors make a rubric unusable (weights that do not add up); warnings point at
lines a reviewer should look at (a rule text that names 10 points on a 1-point line, an
evaluator's deduction that the rule's shares cannot produce). Findings carry the indicator code.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .evidence import Evidence
from .methods import method_spec
from .methods.base import error, warning
from .methods.checklist import achievable_checklist_scores
from .methods.ratio import RATIO_MODES, RatioMode, convention_name, ratio_alternatives
from .numbers import ZERO, fmt_number
from .once import per_object
from .plausibility import plausibility
from .result import Finding, IndicatorResult, Result
from .review import review_evidence, review_targets
from .rubric import Node, Rubric, option_findings
from .scoring import score

__all__ = [
    "RATIO_MODES",
    "RatioMode",
    "achievable_checklist_scores",
    "convention_name",
    "has_errors",
    "lint",
    "lint_evidence",
    "lint_rubric",
    "ratio_alternatives",
    "rule_allows_discretion",
]

# "得10分", "得 0.5 分", "得分=推进率*10分", "×10分"
_POINTS_IN_RULE = re.compile(r"(?:得|\*|×)\s*(\d+(?:\.\d+)?)\s*分")


def _info(check: str, message: str, code: str | None = None) -> Finding:
    return Finding(severity="info", check=check, message=message, code=code)


def lint_rubric(rubric: Rubric) -> list[Finding]:
    """Structural and rule-text checks that need no evidence."""
    findings: list[Finding] = []
    top = sum((level.weight for level in rubric.levels), ZERO)
    if top != rubric.total_weight:
        findings.append(
            error(
                "total-weight",
                f"一级指标权重合计{fmt_number(top)}，应为{fmt_number(rubric.total_weight)}",
            )
        )
    for node, _ in rubric.walk():
        if node.children:
            children = sum((child.weight for child in node.children), ZERO)
            if children != node.weight:
                findings.append(
                    error(
                        "weight-sum",
                        f"下级指标权重合计{fmt_number(children)}，与本级权重{fmt_number(node.weight)}不一致",
                        node.code,
                        "weight",
                    )
                )
        else:
            findings.extend(_lint_leaf(node))
    findings.extend(review_targets(rubric))
    findings.extend(option_findings(rubric))
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
            warning(
                "rule-points",
                f"评分规则写“得{fmt_number(max(over))}分”，但权重为{fmt_number(node.weight)}",
                node.code,
                "rule",
            )
        )
    findings.extend(method_spec(node).lint(node, node.method))
    return findings


def rule_allows_discretion(node: Node) -> bool:
    """Rules that leave the deduction to the evaluator: "否则酌情扣除", "未达标酌情扣分".

    On such lines an evaluator's figure below the rule's is not a departure from the rule.
    """
    return method_spec(node).discretion(node.method)


def _lint_line(
    rubric: Rubric, node: Node, line: IndicatorResult, evidence: Evidence, reported: set[str]
) -> list[Finding]:
    findings: list[Finding] = []
    code = node.code
    if line.status == "invalid_evidence" and code not in reported:
        findings.append(error("invalid-evidence", line.reason, code))
    elif line.status == "missing_evidence":
        findings.append(warning("missing-evidence", line.reason, code))
    if line.declared is not None:
        if line.declared > node.weight:
            findings.append(
                error(
                    "over-weight",
                    f"填报得分{fmt_number(line.declared)}超过权重{fmt_number(node.weight)}",
                    code,
                    "declared",
                )
            )
        elif line.score is not None and line.declared != line.score:
            findings.append(
                warning(
                    "declared-differs",
                    f"填报得分{fmt_number(line.declared)}，按佐证计算为{fmt_number(line.score)}",
                    code,
                    "declared",
                )
            )
    if not line.decided or line.score is None:
        return findings
    spec = method_spec(node)
    impossible = spec.decision_check(node, node.method, line.score, rubric)
    if impossible is not None:
        findings.append(warning("decision-share", impossible, code, "decision"))
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
        if source is not None:
            message += spec.decision_hint(node, node.method, source, line.score, rubric)
        findings.append(warning("decision-differs", message, code, "decision"))
    return findings


def lint_evidence(
    rubric: Rubric, evidence: Evidence, result: Result | None = None
) -> list[Finding]:
    """Checks of an evaluation: evaluator decisions against their rules, declared scores,
    reasons, and evidence that is impossible or implausible."""
    result = result if result is not None else score(rubric, evidence)
    findings: list[Finding] = list(result.findings)
    plausible = plausibility(rubric, evidence)
    findings.extend(plausible)
    # a line made invalid by impossible evidence is reported once, by its plausibility errors
    impossible = {f.code for f in plausible if f.severity == "error" and f.code}
    for line in result.indicators:
        node = rubric.find(line.code)
        assert node is not None and node.children is None, line.code
        declared = line.declared
        if (
            not line.decided
            and line.status in _QUIET
            and (declared is None or (declared <= node.weight and declared == line.score))
        ):
            continue  # nothing for _lint_line to say: no decision, the declared score agrees
        findings.extend(_lint_line(rubric, node, line, evidence, impossible))
    findings.extend(review_evidence(rubric, evidence, result))
    return findings


# Statuses _lint_line reports nothing about on a line without a declared score or a decision.
_QUIET = frozenset(("scored", "needs_check", "not_applicable"))


@per_object
def _rubric_findings(rubric: Rubric) -> tuple[list[Finding], dict[str, int]]:
    """The rubric's own findings and each code's place in the table (shared: not changed)."""
    # A batch scores many evaluations of one rubric object: check the rubric itself once.
    order = {node.code: i for i, (node, _) in enumerate(rubric.walk())}
    return lint_rubric(rubric), order


def lint(
    rubric: Rubric, evidence: Evidence | None = None, result: Result | None = None
) -> list[Finding]:
    """All findings for a rubric and, when given, its evidence; ordered as the table reads."""
    own, order = _rubric_findings(rubric)
    findings = list(own)
    if evidence is not None:
        findings.extend(lint_evidence(rubric, evidence, result))
    return sorted(findings, key=lambda f: (order.get(f.code or "", -1), f.severity != "error"))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)
