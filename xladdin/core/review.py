"""What a reviewer (复核/抽查) checks in a self-evaluation, beyond the scores themselves.

Finance bureaus re-check the forms they collect for defects that public material on
self-evaluation quality keeps naming: a line below full marks without a 偏差原因, boilerplate
reasons ("暂无", "见附件", the same text on every line), inflated scores (every line at full
marks, a qualitative line at full marks with a vague completion value such as "达成", a declared
score above the rule's), and targets that cannot be judged (placeholders, no number, no unit,
a percentage above 100%, a cost line set with ≥, a deadline after the year, a missing
dimension, weights off the defaults).

Every check gives a :class:`Finding` with the indicator code and the field, at the severity
"info" (提示): a signal for the reviewer to look at, not a defect of the scoring, so it neither
makes ``--strict`` fail nor counts as a difference in ``audit``. :func:`risk` turns a workbook's
findings into a score for ranking a batch. What provinces differ on is the rubric's
:class:`~xladdin.core.rubric.ReviewSettings`.

Pure: no files, no workbooks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from .evidence import Evidence, LineEvidence
from .numbers import ZERO, fmt_number
from .once import per_object
from .result import Finding, IndicatorResult, Result
from .rubric import DeductionMethod, JudgementMethod, Node, RatioMethod, ReviewSettings, Rubric

__all__ = [
    "RISK_WEIGHTS",
    "TARGET_CHECKS",
    "Risk",
    "review_evidence",
    "review_targets",
    "risk",
    "target_suggestion",
]

# The importer writes this as the reason of a qualitative line's printed score: it says where
# the figure came from, not why the line fell short.
_IMPORTED_DECISION = "原表自评得分（评价人认定）"

_PLACEHOLDER = re.compile(r"××|XX|xx|＊|\*|…|\.\.\.|某某|〇〇")
_DIGIT = re.compile(r"[0-9０-９]")
_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*[%％]")
_YEAR = re.compile(r"((?:19|20)[0-9]{2})\s*年")
_PUNCTUATION = re.compile(r"[\s，。、；：,.;:！!（）()“”\"'「」]+")

TARGET_CHECKS = (
    "target-placeholder",
    "target-no-number",
    "target-no-unit",
    "target-over-100",
    "target-cost-at-least",
    "target-deadline",
    "dimension-missing",
    "weights-off-default",
)

# How much each finding adds to a workbook's risk score: inflated or unsupported scores count
# most, thin reasons and target defects less. Checks not named weigh by severity.
RISK_WEIGHTS: dict[str, int] = {
    "declared-above": 4,
    "all-full-marks": 4,
    "vague-full-marks": 3,
    "funds-reconcile": 3,
    "over-weight": 3,
    "declared-differs": 2,
    "review-differs": 2,
    "decision-differs": 2,
    "reason-missing": 2,
    "reason-repeated": 2,
    "reason-boilerplate": 2,
    "weights-off-default": 2,
    "dimension-missing": 2,
    "target-placeholder": 1,
    "target-no-number": 1,
    "target-no-unit": 1,
    "target-over-100": 1,
    "target-cost-at-least": 1,
    "target-deadline": 1,
    "target-count": 0,  # a summary of the target findings already counted
    "code-assigned": 0,
}
_SEVERITY_WEIGHTS = {"error": 3, "warning": 1, "info": 0}
RISK_REPEATS = 3  # occurrences of one check that add to the risk

CHECK_NAMES: dict[str, str] = {
    "declared-above": "自评得分高于复算",
    "all-full-marks": "全部满分",
    "vague-full-marks": "定性指标满分但完成值笼统",
    "funds-reconcile": "资金总额与来源不符",
    "over-weight": "得分超过分值",
    "declared-differs": "自评得分与复算不一致",
    "review-differs": "自评得分与复核得分不一致",
    "decision-differs": "认定得分与评分规则不符",
    "reason-missing": "扣分未说明偏差原因",
    "reason-repeated": "偏差原因千篇一律",
    "reason-boilerplate": "偏差原因为套话",
    "weights-off-default": "分值与默认不符",
    "dimension-missing": "缺少指标类别",
    "target-placeholder": "指标名称或指标值含占位符",
    "target-no-number": "定量指标无数值",
    "target-no-unit": "定量指标无单位",
    "target-over-100": "百分比指标值超过100%",
    "target-cost-at-least": "成本指标用“≥”",
    "target-deadline": "时效期限晚于评价年度",
    "decision-share": "认定得分不是评分规则可给的分值",
    "rule-points": "评分规则所写分数超过权重",
    "missing-evidence": "缺少佐证",
    "invalid-evidence": "佐证有误",
    "impossible-value": "佐证数值不可能",
    "implausible-value": "佐证数值存疑",
    "reason-required": "按规定须说明偏差原因",
    "total-weight": "一级指标权重合计不符",
    "weight-sum": "下级指标权重合计不符",
    "incomplete": "评分未完成",
}


def _info(check: str, message: str, code: str | None = None, field: str | None = None) -> Finding:
    return Finding(severity="info", check=check, message=message, code=code, field=field)


# ---------------------------------------------------------------------------------------------
# Targets: on a rubric, a template or an imported form.


def _quantitative(node: Node) -> bool:
    """A line set with ≥ ≤ = (whatever method scores it), or a ratio line without a nature."""
    if node.nature is not None:
        return node.nature != "定性"
    return isinstance(node.method, RatioMethod)


def _parents(rubric: Rubric) -> dict[str, str]:
    """Each leaf's code → the name of the group right above it (its 二级指标)."""
    return {
        child.code: group.name
        for group, _ in rubric.walk()
        for child in group.children or []
        if child.is_leaf
    }


def _target_line(node: Node, level2: str, year: int | None) -> list[Finding]:
    findings: list[Finding] = []
    code = node.code
    target = (node.target or "").strip()
    where = f"“{node.name}”"
    for text, what, field in ((node.name, "指标名称", "name"), (target, "年度指标值", "target")):
        placeholder = _PLACEHOLDER.search(text)
        if placeholder:
            findings.append(
                _info(
                    "target-placeholder",
                    f"{what}“{text}”含占位符“{placeholder.group()}”，未按绩效目标填写",
                    code,
                    field,
                )
            )
    if _quantitative(node):
        if target and not _DIGIT.search(target):
            findings.append(
                _info(
                    "target-no-number",
                    f"定量指标{where}的年度指标值“{target}”没有数值",
                    code,
                    "target",
                )
            )
        percent = isinstance(node.method, RatioMethod) and node.method.percent
        if (
            target
            and not node.unit
            and not percent
            and "%" not in target
            and not re.search(r"[0-9]\s*[^\s0-9.%]", target)
        ):
            findings.append(_info("target-no-unit", f"定量指标{where}未写度量单位", code, "target"))
        if "成本" in node.name or "成本" in level2:
            higher = isinstance(node.method, RatioMethod) and node.method.direction == "higher"
            if (
                node.nature == "≥"
                or target.startswith(("≥", "≧", ">", "＞"))
                or (higher and node.nature != "=")
            ):
                findings.append(
                    _info(
                        "target-cost-at-least",
                        f"成本指标{where}按“≥”设置（成本应为越低越好，用“≤”）",
                        code,
                        "target",
                    )
                )
    percents = _PERCENT.findall(target)
    if node.unit in ("%", "％") and not percents:  # "95" under a 度量单位 of %
        percents = re.findall(r"[0-9]+(?:\.[0-9]+)?", target)
    over = [Decimal(x) for x in percents if Decimal(x) > 100]
    if over:
        findings.append(
            _info(
                "target-over-100",
                f"指标{where}的年度指标值为{fmt_number(max(over))}%，百分比超过100%",
                code,
                "target",
            )
        )
    if year is not None and ("时效" in level2 or "时效" in node.name):
        later = [int(y) for y in _YEAR.findall(f"{node.name} {target}") if int(y) > year]
        if later:
            findings.append(
                _info(
                    "target-deadline",
                    f"时效指标{where}（年度指标值“{target}”）的期限晚于评价年度{year}年",
                    code,
                    "target",
                )
            )
    return findings


def _dimensions(rubric: Rubric) -> list[Finding]:
    settings = rubric.review
    names = [level.name for level in rubric.levels]
    findings: list[Finding] = []
    missing = [d for d in settings.dimensions if not any(d in name for name in names)]
    for dimension in missing:
        findings.append(
            _info("dimension-missing", f"一级指标中没有“{dimension}”类指标", None, "levels")
        )
    for key, default in settings.default_weights.items():
        level = next((lv for lv in rubric.levels if key in lv.name), None)
        if level is None or level.weight == default:
            continue
        # No 满意度 line: its points go to 效益 (national rule).
        moved = settings.default_weights.get("满意度", ZERO) if "满意度" in missing else ZERO
        if key == "效益" and level.weight == default + moved:
            continue
        findings.append(
            _info(
                "weights-off-default",
                f"“{level.name}”分值为{fmt_number(level.weight)}，默认为{fmt_number(default)}",
                level.code,
                "weight",
            )
        )
    return findings


def review_targets(rubric: Rubric, year: int | None = None) -> list[Finding]:
    """Target checks of every leaf; on a self-evaluation form also its dimensions and weights.

    ``year`` is the evaluation year (the rubric's own ``year`` when not given): a 时效 deadline
    after it is flagged.
    """
    year = year if year is not None else rubric.year
    findings: list[Finding] = []
    parents = _parents(rubric)
    for leaf in rubric.leaves():
        findings.extend(_target_line(leaf, parents.get(leaf.code, ""), year))
    if rubric.layout == "self_eval_form":
        findings.extend(_dimensions(rubric))
    return findings


_TARGETS: dict[tuple[int, int | None], tuple[Rubric, list[Finding]]] = {}


def _targets_once(rubric: Rubric, year: int | None) -> list[Finding]:
    """:func:`review_targets`, once per rubric object and year: a batch reviews many
    evaluations of one rubric, whose targets do not change."""
    key = (id(rubric), year)
    cached = _TARGETS.get(key)
    if cached is None or cached[0] is not rubric:
        if len(_TARGETS) > 64:
            _TARGETS.clear()
        cached = (rubric, review_targets(rubric, year))
        _TARGETS[key] = cached
    return list(cached[1])


def target_suggestion(rubric: Rubric, targets: Sequence[Finding]) -> Finding | None:
    """The target findings counted as 例数 of the rubric's target-quality line (000 A22).

    Gives the line's score with that count, as a suggestion with its list; None without a
    mapped deduction line or without findings.
    """
    from .scoring import score_line

    code = rubric.review.target_line
    node = rubric.find(code) if code else None
    found = [f for f in targets if f.check in TARGET_CHECKS]
    if node is None or not isinstance(node.method, DeductionMethod) or not found:
        return None
    scored = score_line(node, LineEvidence(count=len(found)), rubric)
    listed = "；".join(f"{f.code + ' ' if f.code else ''}{f.message}" for f in found)
    points = fmt_number(scored.points) if scored.points is not None else "—"
    return _info(
        "target-count",
        f"绩效目标检查发现{len(found)}例，按本指标规则建议得{points}分：{listed}",
        node.code,
        "count",
    )


# ---------------------------------------------------------------------------------------------
# The evaluation: reasons, inflation, money.


def _clean_text(text: str) -> str:
    return _PUNCTUATION.sub("", text)


def _reason(line: LineEvidence) -> str:
    if line.deviation_reason and line.deviation_reason.strip():
        return line.deviation_reason.strip()
    if line.narrative and line.narrative.strip():
        return line.narrative.strip()
    if line.decision is not None:
        reason = line.decision.reasons().strip()
        if not reason.startswith(_IMPORTED_DECISION):
            return reason
    return ""


def _completion_text(line: LineEvidence) -> str:
    note = (line.note or "").strip()
    return note.split("：", 1)[1].strip() if note.startswith("实际完成值：") else ""


def _full(indicator: IndicatorResult) -> bool:
    return indicator.score is not None and indicator.score >= indicator.effective_weight


def _rate(indicator: IndicatorResult) -> Decimal | None:
    if indicator.score is None or indicator.effective_weight <= 0:
        return None
    return indicator.score / indicator.effective_weight


def _reason_needed(indicator: IndicatorResult, below: Decimal) -> bool:
    """Whether the line's score rate is below 1 and below ``below`` (a quotient of a score at
    or above its weight is at least 1, so only a line that lost points is divided)."""
    score, weight = indicator.score, indicator.effective_weight
    if score is None or weight <= 0 or score >= weight:
        return False
    rate = score / weight
    return rate < below and rate < 1


@per_object
def _cleaned(settings: ReviewSettings) -> tuple[frozenset[str], frozenset[str]]:
    """The boilerplate reasons and the vague completion values of ``settings``, cleaned: once
    per settings object (a batch's workbooks share their rubric's)."""
    return (
        frozenset(_clean_text(word) for word in settings.boilerplate),
        frozenset(_clean_text(word) for word in settings.vague_values),
    )


@per_object
def _qualitative(rubric: Rubric) -> frozenset[str]:
    """The codes of the rubric's qualitative lines (定性, or judged), once per rubric object."""
    return frozenset(
        node.code
        for node, _ in rubric.walk()
        if node.nature == "定性" or isinstance(node.method, JudgementMethod)
    )


def _reasons(rubric: Rubric, evidence: Evidence, result: Result) -> list[Finding]:
    settings = rubric.review
    boilerplate = _cleaned(settings)[0]
    findings: list[Finding] = []
    given: dict[str, list[str]] = {}
    lines, below = evidence.lines, settings.reason_below
    for indicator in result.indicators:
        if indicator.status != "scored":
            continue
        line = lines.get(indicator.code)
        if line is None:
            continue
        reason = _reason(line)
        needed = _reason_needed(indicator, below)
        cleaned = _clean_text(reason) if reason else ""
        empty = cleaned in boilerplate or not cleaned
        if needed and not reason:
            findings.append(
                _info(
                    "reason-missing",
                    f"得分{fmt_number(indicator.score or ZERO)}低于分值"
                    f"{fmt_number(indicator.effective_weight)}，未填写偏差原因",
                    indicator.code,
                    "deviation_reason",
                )
            )
        elif needed and empty:
            # "无" or "/" on a line at full marks is a fair answer; where points were lost it is not.
            findings.append(
                _info(
                    "reason-boilerplate",
                    f"得分{fmt_number(indicator.score or ZERO)}低于分值"
                    f"{fmt_number(indicator.effective_weight)}，偏差原因“{reason}”未说明原因",
                    indicator.code,
                    "deviation_reason",
                )
            )
        elif reason and not empty:
            given.setdefault(cleaned, []).append(indicator.code)
    for codes in given.values():
        if len(codes) >= settings.repeated_reason:
            text = _reason(evidence.lines[codes[0]])
            for code in codes:
                findings.append(
                    _info(
                        "reason-repeated",
                        f"{len(codes)}个指标（{'、'.join(codes)}）的偏差原因相同：“{text}”",
                        code,
                        "deviation_reason",
                    )
                )
    return findings


def _inflation(rubric: Rubric, evidence: Evidence, result: Result) -> list[Finding]:
    vague = _cleaned(rubric.review)[1]
    findings: list[Finding] = []
    scored = [i for i in result.indicators if i.status == "scored" and i.effective_weight > 0]
    if len(scored) >= 5 and all(_full(i) for i in scored):
        findings.append(
            _info(
                "all-full-marks",
                f"全部{len(scored)}个指标均为满分，须核实完成情况",
                None,
                "score",
            )
        )
    lines, qualitative = evidence.lines, _qualitative(rubric)
    for indicator in result.indicators:
        line = lines.get(indicator.code)
        if line is None or rubric.find(indicator.code) is None:
            continue
        if indicator.code in qualitative and _full(indicator):
            shown = _completion_text(line)
            if not shown and line.decision is not None:
                shown = line.decision.reasons().strip()
            if shown and _clean_text(shown) in vague:
                findings.append(
                    _info(
                        "vague-full-marks",
                        f"定性指标满分，实际完成值仅写“{shown}”，无具体完成情况",
                        indicator.code,
                        "value",
                    )
                )
        if (
            indicator.declared is not None
            and indicator.score is not None
            and indicator.declared > indicator.score
        ):
            findings.append(
                _info(
                    "declared-above",
                    f"自评得分{fmt_number(indicator.declared)}高于按规则复算的"
                    f"{fmt_number(indicator.score)}（高{fmt_number(indicator.declared - indicator.score)}分）",
                    indicator.code,
                    "declared",
                )
            )
    return findings


def _funds(rubric: Rubric, evidence: Evidence) -> list[Finding]:
    """年度资金总额 = 当年财政拨款 + 上年结转 + 其他, per column, within the tolerance."""
    findings: list[Finding] = []
    tolerance = rubric.review.money_tolerance
    for code, line in evidence.lines.items():
        if not line.sources:
            continue
        if line.denominator is None:
            parts = [s.budget for s in line.sources if s.budget]
            if parts:
                findings.append(
                    _info(
                        "funds-reconcile",
                        f"资金块年度资金总额未填写或为0，而各来源全年预算数合计"
                        f"{fmt_number(sum(parts, ZERO))}",
                        code,
                        "denominator",
                    )
                )
            continue
        totals = {"全年预算数": line.denominator, "全年执行数": line.numerator}
        for column, total in totals.items():
            parts = [
                getattr(s, "budget" if column == "全年预算数" else "spent") for s in line.sources
            ]
            if total is None or all(p is None for p in parts):
                continue
            summed = sum((p for p in parts if p is not None), ZERO)
            if abs(summed - total) > tolerance:
                findings.append(
                    _info(
                        "funds-reconcile",
                        f"资金块年度资金总额{column}{fmt_number(total)}，"
                        f"与各来源（财政拨款、上年结转、其他资金）之和{fmt_number(summed)}不一致",
                        code,
                        "numerator" if column == "全年执行数" else "denominator",
                    )
                )
    return findings


def _evaluation_year(evidence: Evidence) -> int | None:
    match = re.search(r"((?:19|20)[0-9]{2})", evidence.period or "")
    return int(match.group(1)) if match else None


def review_evidence(rubric: Rubric, evidence: Evidence, result: Result) -> list[Finding]:
    """The reviewer's checks of one evaluation: reasons, inflation signals, the money block;
    deadlines against the evidence's period when the rubric names no year; the target-quality
    suggestion when the rubric maps one."""
    findings = _reasons(rubric, evidence, result)
    findings += _inflation(rubric, evidence, result)
    findings += _funds(rubric, evidence)
    year = _evaluation_year(evidence)
    if rubric.year is None and year is not None:
        findings += [f for f in _targets_once(rubric, year) if f.check == "target-deadline"]
    if rubric.review.target_line:
        suggestion = target_suggestion(rubric, _targets_once(rubric, rubric.year or year))
        if suggestion is not None:
            findings.append(suggestion)
    return findings


# ---------------------------------------------------------------------------------------------
# Risk.


class Risk(BaseModel):
    """A workbook's review priority: the score and the reasons, heaviest first."""

    model_config = ConfigDict(frozen=True)

    score: int
    reasons: list[str]

    def text(self) -> str:
        return "；".join(self.reasons)


def _weight(finding: Finding) -> int:
    return RISK_WEIGHTS.get(finding.check, _SEVERITY_WEIGHTS[finding.severity])


def risk(findings: Iterable[Finding]) -> Risk:
    """Sum the weights of ``findings``, each check counted at most :data:`RISK_REPEATS` times
    (ten placeholder targets are one unfilled target table, not ten times the risk of an
    inflated score); reasons grouped by check, heaviest check first, with the lines they name."""
    by_check: dict[str, list[Finding]] = {}
    for finding in findings:
        if _weight(finding) > 0:
            by_check.setdefault(finding.check, []).append(finding)
    weights = {
        check: _weight(found[0]) * min(len(found), RISK_REPEATS)
        for check, found in by_check.items()
    }
    total = sum(weights.values())
    reasons: list[str] = []
    for check in sorted(by_check, key=lambda c: (-_weight(by_check[c][0]), -weights[c])):
        found = by_check[check]
        codes = list(dict.fromkeys(f.code for f in found if f.code))
        name = CHECK_NAMES.get(check) or found[0].message
        where = f"：{'、'.join(codes)}" if codes else ""
        reasons.append(f"{name}（{len(found)}处{where}）" if codes else name)
    return Risk(score=total, reasons=reasons)
