"""The report's text from a result: a paragraph per first-level group, the total, the deductions.

Written in the style of the published reports (004, 三、绩效目标实现情况):
"管理效率类指标有4个二级指标、19个三级指标，权重分16分，实际得分14.23分，得分率88.93%。
扣分项主要为：预算绩效管理。" and "经综合评价，…总得分87.96分，评价等级为“良”。"

Pure domain text: no files, no document formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .evidence import Evidence
from .numbers import ZERO, fmt_number, fmt_percent
from .result import LevelResult, Result
from .rubric import KIND_NAMES, Node, Rubric

_DIGITS = "零一二三四五六七八九"
_TRAILING = "。；;，,、 "


def chinese_number(number: int) -> str:
    """1 → "一", 10 → "十", 12 → "十二", 25 → "二十五" (for 一、 and （一） headings, 1–99)."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones else "")


def level_name(rubric: Rubric, depth: int) -> str:
    """What the rubric calls its indicators at ``depth`` (2 → "二级指标")."""
    if 0 < depth <= len(rubric.level_names):
        return rubric.level_names[depth - 1]
    return f"{chinese_number(depth)}级指标"


def format_rate(rate: Decimal, rubric: Rubric) -> str:
    """A 得分率 as the rubric writes it: its rate places (4 places of a fraction → 88.93%)."""
    return fmt_percent(rate, max(0, rubric.rounding.rate.places - 2))


def format_score(value: Decimal, rubric: Rubric) -> str:
    """A score or weight in a table, with the rubric's score places (16 → "16.00")."""
    places = rubric.rounding.score.places
    return f"{value:.{places}f}"


@dataclass(frozen=True)
class GroupParagraph:
    """The paragraph about one first-level group."""

    code: str
    name: str
    text: str


@dataclass(frozen=True)
class DeductedLine:
    """A line that lost points, with its reason (``weight`` and ``score`` are None for 减分项)."""

    code: str
    name: str
    weight: Decimal | None
    score: Decimal | None
    deduction: Decimal
    reason: str


@dataclass(frozen=True)
class Narrative:
    groups: list[GroupParagraph]
    total: str
    deducted: list[DeductedLine]


def _counts_text(rubric: Rubric, node: Node, level: LevelResult) -> str:
    if node.is_leaf:
        if node.declared_counts is None:
            return ""
        counts = {2: node.declared_counts.level2, 3: node.declared_counts.level3}
    else:
        counts = dict(level.counts)
    parts = [f"{n}个{level_name(rubric, depth)}" for depth, n in sorted(counts.items()) if n]
    return f"有{'、'.join(parts)}，" if parts else ""


def _child_name(result: Result, code: str) -> str:
    for level in result.levels:
        if level.code == code:
            return level.name
    return result.indicator(code).name


def _leaf_deduction_text(evidence: Evidence | None, result: Result, code: str) -> str:
    """What a group scored as one line (004) says about its deductions: the evaluator's words."""
    line = evidence.line(code) if evidence is not None else None
    if line is not None and line.decision is not None:
        text = line.decision.reasons()
    else:
        text = result.indicator(code).reason
    text = text.strip().rstrip(_TRAILING)
    if not text:
        return ""
    if text.startswith("扣分项"):
        return f"{text}。"
    return f"扣分项主要为：{text}。"


def group_paragraph(
    rubric: Rubric, result: Result, level: LevelResult, evidence: Evidence | None = None
) -> str:
    """The paragraph of one first-level group, in 004's words.

    Sub-indicator counts come from the tree, or from ``declared_counts`` when the group is
    published as one line. "扣分项主要为：" names the deducted 二级 indicators, or for a group
    scored as one line repeats the evaluator's reason; it is left out when nothing was deducted.
    """
    node = rubric.find(level.code)
    assert node is not None
    text = (
        f"{level.name}类指标{_counts_text(rubric, node, level)}权重分{fmt_number(level.weight)}分，"
    )
    text += f"实际得分{fmt_number(level.score)}分"
    text += f"，得分率{format_rate(level.rate, rubric)}。" if level.rate is not None else "。"
    if not level.complete:
        text += "（部分指标尚未评分。）"
    if not level.deducted:
        return text
    if node.is_leaf:
        return text + _leaf_deduction_text(evidence, result, node.code)
    names = "、".join(_child_name(result, code) for code in level.deducted)
    return text + f"扣分项主要为：{names}。"


def evaluation_subject(rubric: Rubric, evidence: Evidence | None) -> str:
    """What was evaluated, as the conclusion names it: the project, or the unit, year and kind."""
    if evidence is not None and evidence.project:
        return evidence.project
    year = f"{rubric.year}年度" if rubric.year else ""
    unit = evidence.unit if evidence is not None and evidence.unit else ""
    if not unit and not year:
        return "本次"
    return f"{unit}{year}{KIND_NAMES[rubric.kind]}"


def total_sentence(rubric: Rubric, result: Result, evidence: Evidence | None = None) -> str:
    """ "经综合评价，…绩效评价总得分87.96分，评价等级为“良”。\""""
    subject = evaluation_subject(rubric, evidence)
    adjusted = ""
    if result.bonus or result.penalty:
        parts = [f"指标得分{fmt_number(result.subtotal)}分"]
        if result.bonus:
            parts.append(f"加分{fmt_number(result.bonus)}分")
        if result.penalty:
            parts.append(f"减分{fmt_number(result.penalty)}分")
        adjusted = f"（其中{'，'.join(parts)}）"
    if result.grade is None:
        missing = sum(
            i.status in ("missing_evidence", "invalid_evidence") for i in result.indicators
        )
        doubtful = sum(i.status == "needs_check" for i in result.indicators)
        pending = [f"{missing}项指标未评分"] if missing else []
        pending += [f"{doubtful}项指标的佐证需核对"] if doubtful else []
        return (
            f"{subject}绩效评价目前得分{fmt_number(result.total)}分{adjusted}，"
            f"尚有{'、'.join(pending or ['0项指标未评分'])}，暂不评定等级。"
        )
    return (
        f"经综合评价，{subject}绩效评价总得分{fmt_number(result.total)}分{adjusted}，"
        f"评价等级为“{result.grade}”。"
    )


def deducted_lines(result: Result) -> list[DeductedLine]:
    """Every line that lost points, in table order, then the 减分项 that were applied."""
    found = [
        DeductedLine(
            code=line.code,
            name=line.name,
            weight=line.weight,
            score=line.score,
            deduction=line.weight - line.score,
            reason=line.reason,
        )
        for line in result.indicators
        if line.status == "scored" and line.score is not None and line.score < line.weight
    ]
    found += [
        DeductedLine(
            code=item.code,
            name=item.name,
            weight=None,
            score=None,
            deduction=item.points,
            reason=item.reason,
        )
        for item in result.adjustments
        if item.kind == "penalty" and item.points > ZERO
    ]
    return found


def narrate(rubric: Rubric, result: Result, evidence: Evidence | None = None) -> Narrative:
    """All the report's text of one evaluation."""
    return Narrative(
        groups=[
            GroupParagraph(level.code, level.name, group_paragraph(rubric, result, level, evidence))
            for level in result.top_levels()
        ],
        total=total_sentence(rubric, result, evidence),
        deducted=deducted_lines(result),
    )
