"""The review (复核): each line's declared score against what its rule gives from the evidence.

A finance bureau keeps three figures per line when it reviews a self-evaluation: the unit's
自评得分 (what the unit typed in 得分), its own 复核得分 and the difference with its reason. Here
the 复核得分 is what the rule gives from the objective evidence: where an evaluator's decision
overrides a rule that can compute on its own, the rule's figure; otherwise the scored figure.
The reasons come from the comparison itself and from the linter's findings about the line,
the reviewer's checks among them (:mod:`xladdin.core.review`); their :class:`Risk` ranks a batch.

``compare_conventions`` looks across evaluations: the same kind of ratio line (执行率) scored
under different conventions (000 B12 deducts every started 1%, 001 B12 scores in proportion).

Pure: no files, no workbooks.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from . import methods as m
from .evidence import Evidence
from .lint import lint, ratio_alternatives, rule_allows_discretion
from .numbers import ZERO, fmt_number, fmt_percent
from .result import Finding, IndicatorResult, Result, Status
from .review import Risk, risk
from .rubric import Node, RatioMethod, Rubric
from .scoring import measured_value, score


def ratio_kind(value_label: str) -> str:
    """The kind of rate a label names: 预算执行率 and 专项资金执行率 are both "执行率".

    The last word of a rate label (two characters and 率) says what is measured; the words
    before it say of what. A label that is not a rate is its own kind.
    """
    label = value_label.strip()
    if label.endswith("率") and len(label) > 3:
        return label[-3:]
    return label


class ConventionUse(BaseModel):
    """How one ratio line's applied figure relates to the ratio conventions."""

    model_config = ConfigDict(frozen=True)

    workbook: str
    code: str
    name: str
    kind: str
    value_label: str
    value: Decimal
    value_text: str
    figure: Decimal
    matches: list[str]
    alternatives: dict[str, Decimal]

    @property
    def informative(self) -> bool:
        """True when the figure tells conventions apart (not every convention gives it)."""
        return bool(self.matches) and len(self.matches) < len(self.alternatives)


class ConventionDifference(BaseModel):
    """The same kind of ratio scored under different conventions in different evaluations."""

    kind: str
    uses: list[ConventionUse]
    message: str


class AuditLine(BaseModel):
    """One line of the review: 自评得分, 复核得分 and why they (or the rule) disagree."""

    code: str
    name: str
    path: list[str]
    weight: Decimal
    status: Status
    declared: Decimal | None
    computed: Decimal | None
    review: Decimal | None
    review_reason: str
    findings: list[Finding] = Field(default_factory=list)
    notes: list[Finding] = Field(default_factory=list)

    @property
    def difference(self) -> Decimal | None:
        """自评得分 − 复核得分, when both are known."""
        if self.declared is None or self.review is None:
            return None
        return self.declared - self.review

    @property
    def differs(self) -> bool:
        return bool(self.findings)

    def explanation(self) -> str:
        """The 差异说明: every reason, then the notes."""
        parts = [f.message for f in self.findings]
        parts += [f"提示：{f.message}" for f in self.notes]
        return "；".join(parts)


class Audit(BaseModel):
    """The review of one evaluation."""

    workbook: str
    rubric_id: str
    title: str
    unit: str | None = None
    project: str | None = None
    lines: list[AuditLine]
    findings: list[Finding] = Field(default_factory=list)
    notes: list[Finding] = Field(default_factory=list)
    ratio_uses: list[ConventionUse] = Field(default_factory=list)
    result: Result
    risk: Risk = Risk(score=0, reasons=[])

    @property
    def all_findings(self) -> list[Finding]:
        """Every finding of the review: the lines' reasons and notes, then the general ones."""
        found = [f for line in self.lines for f in (*line.findings, *line.notes)]
        return found + self.findings + self.notes

    @property
    def differing(self) -> list[AuditLine]:
        return [line for line in self.lines if line.differs]

    @property
    def difference_count(self) -> int:
        return len(self.differing) + len(self.findings)

    @property
    def declared_sum(self) -> Decimal:
        return sum((line.declared or ZERO for line in self.lines), ZERO)

    @property
    def review_sum(self) -> Decimal:
        return sum((line.review or ZERO for line in self.lines), ZERO)

    @property
    def weight_sum(self) -> Decimal:
        return sum((line.weight for line in self.lines), ZERO)


def review_figure(node: Node, line: IndicatorResult) -> tuple[Decimal | None, str]:
    """The 复核得分 of a line and the reason that goes with it."""
    if line.decided and line.rule_score is not None and not rule_allows_discretion(node):
        return line.rule_score, line.rule_reason or ""
    return line.score, line.reason


def _review_differs(line: AuditLine) -> Finding:
    assert line.declared is not None and line.review is not None
    return Finding(
        severity="warning",
        check="review-differs",
        code=line.code,
        field="declared",
        message=f"自评得分{fmt_number(line.declared)}，复核得分{fmt_number(line.review)}",
    )


def _ratio_use(
    workbook: str, rubric: Rubric, node: Node, evidence: Evidence, line: IndicatorResult
) -> ConventionUse | None:
    method = node.method
    if not isinstance(method, RatioMethod) or line.status != "scored":
        return None
    figure = line.declared if line.declared is not None else line.score
    source = evidence.line(node.code)
    if figure is None or source is None:
        return None
    measured = measured_value(source, rubric.rounding)
    if measured is None:
        return None
    value, shown = measured
    try:
        alternatives = ratio_alternatives(node, method, value, rubric)
    except m.MethodError:
        return None
    if method.percent:
        text = fmt_percent(shown, max(0, rubric.rounding.value.places - 2))
    else:
        text = f"{fmt_number(shown)}{method.unit}"
    return ConventionUse(
        workbook=workbook,
        code=node.code,
        name=node.name,
        kind=ratio_kind(method.value_label),
        value_label=method.value_label,
        value=shown,
        value_text=text,
        figure=figure,
        matches=[name for name, points in alternatives.items() if points == figure],
        alternatives=alternatives,
    )


def audit(
    rubric: Rubric,
    evidence: Evidence,
    workbook: str | None = None,
    result: Result | None = None,
) -> Audit:
    """Review one evaluation: every line with 自评得分, 复核得分 and the reasons they differ.

    A line differs when its declared score is not the review figure, or when the linter has a
    warning or error about it (a decision the rule's shares cannot give, a rule text naming more
    points than the weight). Info findings (a code assigned to an uncoded line) are notes.
    """
    result = result if result is not None else score(rubric, evidence)
    label = workbook or evidence.project or evidence.unit or rubric.id
    findings = lint(rubric, evidence, result)
    nodes = {leaf.code: leaf for leaf in rubric.leaves()}
    by_code: dict[str, list[Finding]] = {}
    general: list[Finding] = []
    general_notes: list[Finding] = []
    for finding in findings:
        if finding.code in nodes:
            by_code.setdefault(finding.code, []).append(finding)
        elif finding.severity == "info":
            general_notes.append(finding)
        else:
            general.append(finding)

    lines: list[AuditLine] = []
    uses: list[ConventionUse] = []
    for indicator in result.indicators:
        node = nodes[indicator.code]
        review, reason = review_figure(node, indicator)
        found = by_code.get(indicator.code, [])
        line = AuditLine(
            code=indicator.code,
            name=indicator.name,
            path=indicator.path,
            weight=indicator.weight,
            status=indicator.status,
            declared=indicator.declared,
            computed=indicator.score,
            review=review,
            review_reason=reason,
            findings=[f for f in found if f.severity != "info"],
            notes=[f for f in found if f.severity == "info"],
        )
        if line.difference and not line.findings:
            line.findings.append(_review_differs(line))
        lines.append(line)
        use = _ratio_use(label, rubric, node, evidence, indicator)
        if use is not None:
            uses.append(use)

    reviewed = [f for line in lines for f in (*line.findings, *line.notes)]
    return Audit(
        risk=risk([*reviewed, *general, *general_notes]),
        workbook=label,
        rubric_id=rubric.id,
        title=rubric.title,
        unit=evidence.unit,
        project=evidence.project,
        lines=lines,
        findings=general,
        notes=general_notes,
        ratio_uses=uses,
        result=result,
    )


def _describe_use(use: ConventionUse) -> str:
    others = "，".join(
        f"按“{name}”为{fmt_number(points)}分"
        for name, points in use.alternatives.items()
        if points != use.figure
    )
    matched = "”或“".join(use.matches)
    return (
        f"{use.workbook} {use.code}{use.name}{use.value_text}得{fmt_number(use.figure)}分，"
        f"按“{matched}”计（{others}）"
    )


def compare_conventions(audits: Sequence[Audit]) -> list[ConventionDifference]:
    """Ratio lines of the same kind scored under conventions that cannot both hold.

    Two lines of different evaluations conflict when no convention gives both their figures
    (000 B12 97.98% → 0.97 only by the started-step rule; 001 B12 94.34% → 1.89 only in
    proportion). Lines at full marks, or whose figure no convention gives, say nothing here.
    """
    kinds: dict[str, list[tuple[int, ConventionUse]]] = {}
    for position, one in enumerate(audits):
        for use in one.ratio_uses:
            if use.informative:
                kinds.setdefault(use.kind, []).append((position, use))
    differences: list[ConventionDifference] = []
    for kind, uses in kinds.items():
        involved: list[tuple[int, ConventionUse]] = []
        for i, first in enumerate(uses):
            for second in uses[i + 1 :]:
                if first[0] == second[0] or set(first[1].matches) & set(second[1].matches):
                    continue
                involved += [pair for pair in (first, second) if pair not in involved]
        if not involved:
            continue
        ordered = [use for _, use in sorted(involved, key=lambda pair: pair[0])]
        message = f"同类比率指标“{kind}”在各评价中计分口径不一致：" + "；".join(
            _describe_use(use) for use in ordered
        )
        differences.append(ConventionDifference(kind=kind, uses=ordered, message=message))
    return differences
