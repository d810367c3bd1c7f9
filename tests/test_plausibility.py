"""Plausibility of evidence: impossible values are errors, implausible ones warnings, per method."""

from __future__ import annotations

from typing import Any

from tests.factories import evidence, leaf, rubric
from xladdin.core.plausibility import plausibility

RATE = {
    "type": "ratio",
    "value_label": "预算执行率",
    "numerator_label": "全年执行数",
    "denominator_label": "全年预算数",
}
COUNT = {
    "type": "ratio",
    "value_label": "培训人次",
    "percent": False,
    "target": 100,
    "unit": "人次",
}
FOUND = rubric(
    [
        leaf("A", 10, RATE),
        leaf("B", 10, {"type": "ratio", "target": "90%"}),
        leaf("C", 10, COUNT),
        leaf("D", 10, {"type": "threshold", "op": ">=", "value": "95%", "percent": True}),
        leaf("E", 10, {"type": "bands", "bands": [{"bound": "90%", "points": 10}]}),
        leaf("F", 50, {"type": "checklist", "items": 2}),
    ]
)


def _found(lines: dict[str, dict[str, Any]]) -> list[tuple[str, str | None, str, str]]:
    return [(f.severity, f.code, f.check, f.message) for f in plausibility(FOUND, evidence(lines))]


def test_ordinary_evidence_raises_nothing() -> None:
    lines = {
        "A": {"numerator": 184.8, "denominator": 200},
        "B": {"value": "85%"},
        "C": {"value": 120},
        "D": {"value": "96%"},
        "E": {"value": "91%"},
        "F": {"met": [True, False]},
    }
    assert _found(lines) == []


def test_negative_amounts_and_rates_are_impossible() -> None:
    found = _found({"A": {"numerator": 184.8, "denominator": -200}, "B": {"value": -5}})
    assert found == [
        ("error", "A", "impossible-value", "分母为负数（-200）"),
        ("error", "B", "impossible-value", "完成率为负数（-5）"),
    ]


def test_spending_above_budget_is_flagged() -> None:
    assert _found({"A": {"numerator": 220, "denominator": 200}}) == [
        ("warning", "A", "rate-over-whole", "预算执行率为110.00%：全年执行数超过全年预算数，请核对")
    ]


def test_a_percentage_typed_as_a_whole_number_is_flagged() -> None:
    found = _found({"B": {"value": 85}, "D": {"value": 96}, "E": {"value": 91}})
    assert [(code, check) for _, code, check, _ in found] == [
        ("B", "percent-as-number"),
        ("D", "percent-as-number"),
        ("E", "percent-as-number"),
    ]
    assert found[0][3] == "完成率填写为85，即8500%：如为85%，请填写“85%”"


def test_a_count_far_above_its_target_is_flagged_and_na_lines_are_skipped() -> None:
    assert _found({"C": {"value": 400}}) == [
        ("warning", "C", "far-above-target", "培训人次400人次为目标值的4倍，请核对")
    ]
    assert _found({"C": {"value": -1, "not_applicable": True}}) == []


def test_lint_reports_plausibility_with_the_line() -> None:
    from xladdin.core.lint import lint

    found = lint(FOUND, evidence({"A": {"numerator": 220, "denominator": 200}}))
    assert ("A", "rate-over-whole") in [(f.code, f.check) for f in found]
