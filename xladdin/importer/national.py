"""Evidence of the national self-evaluation form as printed: results, the funds block, scores.

Each line's 实际完成值 becomes its measured value (in the target's unit; a percentage as a
fraction), the funds block's 全年执行数 / 全年预算数 the 预算执行率 line's numerator and
denominator, the printed 得分 the declared score. A qualitative line's printed score is the
evaluator's own decision: it is entered as that decision (so the imported table scores at once)
and listed as such. What the form contradicts (a blank 执行率, a total money row of 0 beside
figures in its sub-rows, a printed rate that is not B/A) is kept as printed and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..core.methods import band_table
from ..core.numbers import (
    HUNDRED,
    ZERO,
    NumberParseError,
    divide,
    fmt_number,
    fmt_percent,
    quantize,
    to_decimal,
)
from .form import FormLine, Printed, is_not_applicable, parse_printed
from .structure import FundsLine, TableNode


@dataclass
class FormEvidence:
    """What the form's evidence came to: counts and findings for the import's account."""

    values: int = 0
    declared: int = 0
    decisions: list[str] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    contradictions: list[str] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)
    funds: str = ""


def printed_number(text: str) -> Decimal | None:
    """A printed amount or score ("1,200,000", "9.17分"); None when blank or not a number."""
    text = text.strip().removesuffix("分").strip()
    if not text or is_not_applicable(text):
        return None
    try:
        return to_decimal(text)
    except NumberParseError:
        return None


def line_evidence(
    node: TableNode, line: FormLine, where: str, found: FormEvidence
) -> dict[str, Any]:
    """The evidence of one printed line (``where`` names its row for messages)."""
    cells = node.cells
    assert cells is not None and node.weight is not None
    evidence: dict[str, Any] = {}
    label = f"{node.code}“{node.title.name}”"
    if cells.not_applicable:
        evidence["not_applicable"] = True
        evidence["na_reason"] = f"原表该行为“{cells.not_applicable}”"
        found.not_applicable.append(f"{label}（{where}为“{cells.not_applicable}”）")
        return evidence
    declared = printed_number(cells.score)
    if declared is not None:
        evidence["declared"] = declared
        found.declared += 1
    elif cells.score.strip():
        found.checks[node.code] = f"得分“{cells.score.strip()}”不是数字，未作为自评得分导入"
    actual = cells.actual.strip()
    if cells.reason.strip():
        evidence["deviation_reason"] = cells.reason.strip()
    if line.quantitative:
        assert line.target_value is not None
        value = _measured(parse_printed(actual), line.target_value) if actual else None
        if value is not None:
            evidence["value"] = value
            found.values += 1
        elif actual:
            evidence["note"] = f"实际完成值：{actual}"
            found.checks[node.code] = (
                f"实际完成值“{actual}”与年度指标值“{line.target_value.text}”的单位不一致"
                "或不是数字，未取为佐证，须人工填写"
            )
        return evidence
    if actual:
        evidence["note"] = f"实际完成值：{actual}"
    if declared is not None:
        decision = _decision(node.weight, declared, line, actual)
        if decision is None:
            found.contradictions.append(
                f"{label}的得分{fmt_number(declared)}超过分值{fmt_number(node.weight)}"
            )
        else:
            evidence["decision"] = decision
            found.decisions.append(node.code)
    return evidence


def _measured(actual: Printed, target: Printed) -> Decimal | None:
    """The result in the target's terms: "92.5%" → 0.925; "270米" against "≥266米" → 270."""
    if actual.number is None:
        return None
    if target.percent:
        if actual.unit:
            return None
        return actual.number / HUNDRED  # "98" under a % target is 98%
    if actual.percent:
        return None
    if actual.unit and target.unit and actual.unit != target.unit:
        return None
    return actual.number


def _decision(
    weight: Decimal, declared: Decimal, line: FormLine, actual: str
) -> dict[str, Any] | None:
    if declared > weight or weight <= 0:
        return None
    reason = "原表自评得分（评价人认定）" + (f"；实际完成值：{actual}" if actual else "")
    if line.inference.method.get("scale") != "national":
        return {"score": declared, "reason": reason}
    share = divide(declared, weight)
    for places in (4, 6, 10):
        rounded = quantize(share, places, "half_up")
        if quantize(weight * rounded, 2, "half_up") == quantize(declared, 2, "half_up"):
            share = rounded
            break
    edges = line.inference.method.get("edges")
    bands = band_table(None if edges is None else [to_decimal(edge) for edge in edges])
    band = next(name for name, (low, high) in bands.items() if low <= share <= high)
    return {"band": band, "share": share, "reason": reason}


def funds_evidence(funds: FundsLine, found: FormEvidence) -> dict[str, Any]:
    """The 预算执行率 line from the funds block, as printed; contradictions reported."""
    evidence: dict[str, Any] = {}
    unit = funds.money_unit
    money = f"（{unit}）" if unit else ""
    total = funds.total
    budget = printed_number(total.budget) if total is not None else None
    spent = printed_number(total.spent) if total is not None else None
    taken: list[str] = []
    filled_parts = [
        part
        for part in funds.parts
        if (printed_number(part.budget) or ZERO) != 0 or (printed_number(part.spent) or ZERO) != 0
    ]
    if budget is not None and spent is not None and budget != 0:
        evidence["numerator"] = spent
        evidence["denominator"] = budget
        taken.append(f"全年预算数{fmt_number(budget)}{unit}、全年执行数{fmt_number(spent)}{unit}")
        rate = divide(spent, budget)
        printed_rate = printed_number(funds.rate)
        if not funds.rate.strip():
            found.contradictions.append(
                f"资金块执行率单元格为空，而全年执行数/全年预算数={fmt_percent(rate)}：按两数计算"
            )
        elif printed_rate is None:
            found.contradictions.append(f"资金块执行率“{funds.rate}”不是数字")
        else:
            shown = printed_rate if "%" in funds.rate or printed_rate <= 1 else printed_rate / 100
            exponent = shown.as_tuple().exponent
            places = max(0, -exponent) if isinstance(exponent, int) else 4
            if quantize(rate, places, "half_up") != shown:
                found.contradictions.append(
                    f"资金块执行率印为{funds.rate}，而全年执行数/全年预算数={fmt_percent(rate)}"
                )
    else:
        label = total.label if total is not None else "年度资金总额"
        figures = "、".join(
            f"“{part.label}”全年预算数{part.budget or '空'}、全年执行数{part.spent or '空'}"
            for part in filled_parts
        )
        if budget == 0 and filled_parts:
            text = f"资金块“{label}”行全年预算数为0，而{figures}：按原表照录，未计算预算执行率，须人工核对"
        elif budget == 0:
            text = f"资金块“{label}”行全年预算数为0，无法计算预算执行率"
        else:
            text = f"资金块“{label}”行的全年预算数或全年执行数未填写或不是数字，未计算预算执行率"
        found.contradictions.append(text)
        if not funds.rate.strip():
            found.contradictions.append(
                f"资金块执行率单元格为空，而得分印为{funds.score.strip() or '空'}"
            )
        evidence["note"] = text
    if filled_parts and budget:
        part_budget = sum((printed_number(part.budget) or ZERO for part in funds.parts), ZERO)
        if part_budget != budget:
            found.contradictions.append(
                f"资金块各来源全年预算数合计{fmt_number(part_budget)}{unit}，"
                f"与年度资金总额{fmt_number(budget)}{unit}不一致"
            )
    if filled_parts:  # kept for the review's reconciliation of the block
        evidence["sources"] = [
            {"label": p.label, "budget": printed_number(p.budget), "spent": printed_number(p.spent)}
            for p in funds.parts
        ]
    declared = printed_number(funds.score)
    if declared is not None:
        evidence["declared"] = declared
        found.declared += 1
    if funds.reason:
        evidence["deviation_reason"] = funds.reason
    found.funds = (
        f"资金块{money}：" + "、".join(taken) if taken else f"资金块{money}：未取到可计算的金额"
    )
    return evidence
