"""Rules real tables print, beyond the seeds: each with a worked example, its worksheet
function, its lint check and its rule-text inference."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import d, evidence, group, leaf, rubric
from xladdin.core.codec import decode, encode
from xladdin.core.errors import RubricError
from xladdin.core.infer import infer_method
from xladdin.core.lint import lint_rubric
from xladdin.core.methods import MethodError, method_spec, survey_points, tolerance_points
from xladdin.core.rubric import Rubric, infer_child_weights, infer_rounding, infer_transfer
from xladdin.core.scoring import score
from xladdin.excel import udfs

PROPORTIONAL = {"type": "ratio", "mode": "proportional"}

# ---------------------------------------------------------------------------------------------
# Rounding per line.


def test_each_line_rounds_its_own_score() -> None:
    table = rubric(
        [
            group(
                "A",
                40,
                [
                    leaf("A1", 10, PROPORTIONAL, rounding={"places": 0, "mode": "half_up"}),
                    leaf("A2", 10, PROPORTIONAL, rounding={"places": 0, "mode": "truncate"}),
                    leaf("A3", 10, PROPORTIONAL, rounding={"places": 1}),
                    leaf("A4", 10, PROPORTIONAL),
                ],
            )
        ],
        total_weight=40,
    )
    result = score(
        table,
        evidence(
            {
                "A1": {"value": "86.2%"},
                "A2": {"value": "98%"},
                "A3": {"value": "81.25%"},
                "A4": {"value": "81.25%"},
            }
        ),
    )
    scores = {line.code: line.score for line in result.indicators}
    assert scores == {"A1": d("9"), "A2": d("9"), "A3": d("8.1"), "A4": d("8.13")}
    assert result.total == d("34.23")
    checks = [f for f in lint_rubric(table) if f.check == "line-rounding"]
    assert [f.code for f in checks] == ["A1", "A2", "A3"]
    assert "整数" in checks[0].message


def test_the_worksheet_function_rounds_as_the_line_does() -> None:
    assert udfs.SCORE_RATE(0.862, 1, 10, None, 0) == 9
    assert udfs.SCORE_RATE(0.98, 1, 10, None, 0, "截尾") == 9
    assert udfs.SCORE_RATE(0.8125, 1, 10, None, 1) == 8.1


def test_rounding_is_inferred_from_the_rule() -> None:
    found = infer_rounding("按完成率计分，得分四舍五入保留整数")
    assert found is not None
    assert found.value == {"places": 0, "mode": "half_up"} and found.confidence >= 0.85
    unsure = infer_rounding("保留一位小数")
    assert unsure is not None and unsure.value["places"] == 1 and unsure.confidence < 0.7
    cut = infer_rounding("得分保留两位小数，截尾")
    assert cut is not None and cut.value == {"places": 2, "mode": "truncate"}
    assert infer_rounding("按比例计分") is None


# ---------------------------------------------------------------------------------------------
# 成本节约率 = (计划 − 实际) / 计划.

SAVING_RULE = "成本节约率=（计划成本-实际成本）/计划成本×100%，达到目标值得满分，未达到按比例计分"


def test_a_saving_rate_is_computed_from_plan_and_actual() -> None:
    method = {
        "type": "ratio",
        "formula": "saving",
        "target": "5%",
        "value_label": "成本节约率",
        "numerator_label": "实际成本",
        "denominator_label": "计划成本",
    }
    table = rubric([leaf("C1", 10, method), leaf("C2", 10, method)], total_weight=20)
    result = score(
        table,
        evidence(
            {
                "C1": {"numerator": 190, "denominator": 200},
                "C2": {"numerator": 194, "denominator": 200},
            }
        ),
    )
    first, second = result.indicators
    assert first.score == d("10") and first.value == d("0.05")
    # 3% saved against 5%: 60% of the weight
    assert second.score == d("6") and second.reason.startswith("成本节约率3.00%")
    spec = method_spec(table.leaves()[0])
    assert [(i.key, i.label) for i in spec.inputs(table.leaves()[0])] == [
        ("value", "实际成本"),
        ("denominator", "计划成本"),
    ]


def test_the_worksheet_function_computes_the_saving_rate() -> None:
    assert udfs.SAVING_RATE(200, 190) == 0.05
    assert udfs.SAVING_RATE(200, 210) == -0.05
    assert udfs.SCORE_RATE(udfs.SAVING_RATE(200, 194), 0.05, 10) == 6
    assert str(udfs.SAVING_RATE(0, 1)).startswith("#VALUE! 计划数为0")


def test_a_saving_rate_is_inferred_from_its_formula() -> None:
    found = infer_method(SAVING_RULE, weight=Decimal(10), name="成本节约率", target="≥5%")
    assert found.method["formula"] == "saving"
    assert found.method["numerator_label"] == "实际成本"
    assert found.method["denominator_label"] == "计划成本"
    assert found.method["target"] == "5%"
    assert found.confidence >= 0.85
    plain = infer_method("执行率=（实际支出/预算数）×100%，按比例计分", weight=Decimal(10))
    assert "formula" not in plain.method


# ---------------------------------------------------------------------------------------------
# 浮动扣分: a free band, then a deduction per point over it.

TOLERANCE_RULE = "浮动2%以内得8分；超过2%后每超过1%扣0.5分"


def test_a_free_band_then_a_deduction_in_proportion_or_per_started_point() -> None:
    free = {"type": "tolerance", "free": "2%", "per_points": "0.5"}
    table = rubric(
        [
            leaf("T1", 8, free),
            leaf("T2", 8, {**free, "mode": "step_started"}),
            leaf("T3", 8, {**free, "mode": "step_full"}),
            leaf("T4", 8, free),
            leaf("T5", 8, free),
        ],
        total_weight=40,
    )
    result = score(
        table,
        evidence(
            {
                "T1": {"value": "2.5%"},
                "T2": {"value": "2.5%"},
                "T3": {"value": "2.5%"},
                "T4": {"value": "-1.5%"},
                "T5": {"value": "40%"},
            }
        ),
    )
    scores = {line.code: line.score for line in result.indicators}
    assert scores == {"T1": d("7.75"), "T2": d("7.5"), "T3": d("8"), "T4": d("8"), "T5": d("0")}
    first = result.indicators[0]
    assert first.reason == "偏差率2.50%，超出2%的部分为0.5%，扣0.25分"
    spec = method_spec(table.leaves()[0])
    [entered] = spec.inputs(table.leaves()[0])
    assert (entered.key, entered.kind, entered.percent) == ("value", "number", True)


def test_tolerance_arithmetic_and_lint() -> None:
    assert tolerance_points(d("8"), d("0.045"), d("0.02"), d("0.01"), d("0.5")) == d("6.75")
    assert tolerance_points(d("8"), d("0.02"), d("0.02"), d("0.01"), d("0.5"), "step_started") == 8
    with pytest.raises(MethodError):
        tolerance_points(d("-1"), d("0"), d("0.02"), d("0.01"), d("0.5"))
    table = rubric(
        [leaf("T1", 1, {"type": "tolerance", "free": "2%", "per_points": 2})], total_weight=1
    )
    assert [f.check for f in lint_rubric(table)] == ["tolerance-points"]


def test_the_tolerance_worksheet_function() -> None:
    assert udfs.SCORE_TOLERANCE("2.5%", 8, "2%", 0.5) == 7.75
    assert udfs.SCORE_TOLERANCE(0.025, 8, 0.02, 0.5, None, 1) == 7.5
    assert udfs.SCORE_TOLERANCE(0.025, 8, 0.02, 0.5, None, "整点扣分") == 8
    assert str(udfs.SCORE_TOLERANCE(0.025, 8, 0.02, 0.5, None, "乱写")).startswith("#VALUE!")


def test_the_tolerance_rule_is_inferred() -> None:
    found = infer_method(TOLERANCE_RULE, weight=Decimal(8))
    assert found.method == {"type": "tolerance", "free": "2%", "per_points": Decimal("0.5")}
    assert found.needs_review  # the rule does not say how a part of 1% counts
    started = infer_method(TOLERANCE_RULE + "，不足1%按1%计", weight=Decimal(8))
    assert started.method["mode"] == "step_started" and not started.needs_review


# ---------------------------------------------------------------------------------------------
# 无满意度指标的，其分值计入效益指标.


def _transfer_table() -> Rubric:
    return rubric(
        [
            group("A", 50, [leaf("A1", 50, PROPORTIONAL)]),
            group(
                "C",
                40,
                [leaf("C1", 20, PROPORTIONAL), leaf("C2", 20, PROPORTIONAL)],
            ),
            {**group("D", 10, [leaf("D1", 10, PROPORTIONAL)]), "transfer_to": "C"},
        ]
    )


def test_the_weight_of_a_missing_indicator_moves_to_a_named_one() -> None:
    table = _transfer_table()
    lines = {"A1": {"value": "90%"}, "C1": {"value": "80%"}, "C2": {"value": "100%"}}
    result = score(table, evidence({**lines, "D1": {"not_applicable": True}}))
    levels = {level.code: level for level in result.levels}
    # C earned 36 of 40; with D's 10 it weighs 50: 36 × 50 / 40 = 45
    assert (levels["C"].score, levels["C"].applicable_weight) == (d("45"), d("50"))
    assert result.total == d("90") and result.complete
    weights = {line.code: line.effective_weight for line in result.indicators}
    assert weights == {"A1": d("50"), "C1": d("25"), "C2": d("25"), "D1": d("0")}
    # without the transfer every line is rescaled: (45 + 36) × 100 / 90 = 90
    rescaled = rubric(
        [
            group("A", 50, [leaf("A1", 50, PROPORTIONAL)]),
            group("C", 40, [leaf("C1", 20, PROPORTIONAL), leaf("C2", 20, PROPORTIONAL)]),
            group("D", 10, [leaf("D1", 10, PROPORTIONAL)]),
        ]
    )
    other = score(rescaled, evidence({**lines, "D1": {"not_applicable": True}}))
    assert {level.code: level.score for level in other.levels}["C"] == d("36")
    # when D applies nothing moves
    applies = score(table, evidence({**lines, "D1": {"value": "100%"}}))
    assert applies.total == d("91")


def test_a_transfer_names_an_indicator_of_the_rubric() -> None:
    with pytest.raises(RubricError, match="不在指标体系中"):
        rubric([{**leaf("A1", 50, PROPORTIONAL), "transfer_to": "Z"}, leaf("A2", 50, PROPORTIONAL)])
    findings = [f for f in lint_rubric(_transfer_table()) if f.check == "weight-transfer"]
    assert [f.code for f in findings] == ["D"] and "计入" in findings[0].message


def test_a_transfer_is_inferred_from_its_wording() -> None:
    found = infer_transfer(
        "无满意度指标的，其分值计入效益指标", ["产出指标", "效益指标", "满意度指标"]
    )
    assert found is not None
    assert found.value == {"source": "满意度指标", "target": "效益指标"}
    assert found.confidence >= 0.85
    assert infer_transfer("满意度指标按比例计分", ["效益指标", "满意度指标"]) is None


# ---------------------------------------------------------------------------------------------
# 三级指标分值 = 二级指标分值 ÷ 三级指标个数，四舍五入保留整数.


def test_children_weights_are_derived_from_their_count() -> None:
    manual = {"type": "manual"}
    derived = {
        "code": "B",
        "name": "产出指标",
        "weight": 10,
        "child_weights": {"places": 0, "mode": "half_up"},
        "children": [
            {"code": "B1", "name": "数量", "method": manual},
            {"code": "B2", "name": "质量", "method": manual},
            {"code": "B3", "name": "时效", "weight": 4, "method": manual},
        ],
    }
    table = rubric([derived, leaf("A", 90, manual)])
    weights = [child.weight for child in table.leaves()[:3]]
    assert weights == [d("3"), d("3"), d("4")]  # 10 ÷ 3 = 3.33 → 3; the printed 4 is kept
    findings = lint_rubric(table)
    [differs] = [f for f in findings if f.check == "derived-weight"]
    assert differs.code == "B3" and "应为3分" in differs.message and "表内为4分" in differs.message
    assert not [f for f in findings if f.check == "weight-sum"]


def test_the_worksheet_function_derives_a_weight() -> None:
    assert udfs.CHILD_WEIGHT(10, 3) == 3
    assert udfs.CHILD_WEIGHT(10, 4) == 3  # 2.5 → 3 half-up
    assert udfs.CHILD_WEIGHT(10, 4, 0, "截尾") == 2
    assert udfs.CHILD_WEIGHT(10, 3, 2) == 3.33
    assert str(udfs.CHILD_WEIGHT(10, 0)).startswith("#VALUE!")


def test_derived_weights_are_inferred_from_the_rule() -> None:
    found = infer_child_weights("三级指标分值 = 二级指标分值 ÷ 三级指标个数，四舍五入保留整数")
    assert found is not None
    assert found.value == {"places": 0, "mode": "half_up"} and found.confidence >= 0.85
    vague = infer_child_weights("三级指标分值=二级指标分值/三级指标个数")
    assert vague is not None and vague.confidence < 0.7
    assert infer_child_weights("按比例计分") is None


# ---------------------------------------------------------------------------------------------
# 满意度扣分: each failing item deducts its points × (1 − its satisfaction rate).

SURVEY_RULE = (
    "开展服务满意度调查：办事效率（2分）、服务态度（2分）、政策宣传（1分），"
    "满意率低于90%的，按该项分值×（1-满意率）扣分，扣完为止"
)
SURVEY = {
    "type": "survey",
    "items": [
        {"label": "办事效率", "points": 2},
        {"label": "服务态度", "points": 2},
        {"label": "政策宣传", "points": 1},
    ],
    "pass_rate": "90%",
}


def test_survey_deductions_are_weighted_by_the_satisfaction_rate() -> None:
    table = rubric([leaf("S1", 5, SURVEY), leaf("S2", 5, {**SURVEY, "pass_rate": None})])
    rates = {"rates": ["95%", "80%", "60%"]}
    result = score(table, evidence({"S1": rates, "S2": rates}))
    first, second = result.indicators
    # 服务态度 2 × 20% = 0.4, 政策宣传 1 × 40% = 0.4; 办事效率 passes at 95%
    assert first.score == d("4.2")
    assert first.reason == "服务态度满意率80%、政策宣传满意率60%，扣0.8分"
    # without a pass rate 办事效率 deducts 2 × 5% = 0.1 too
    assert second.score == d("4.1")
    assert survey_points(d("1"), [d("0")], [d("3")]) == 0  # 扣完为止
    with pytest.raises(MethodError):
        survey_points(d("5"), [d("1.2")], [d("2")])


def test_survey_inputs_round_trip_through_the_cells() -> None:
    table = rubric([leaf("S1", 5, SURVEY)], total_weight=5)
    node = table.leaves()[0]
    inputs = method_spec(node).inputs(node)
    assert [(i.key, i.kind, i.percent) for i in inputs] == [
        ("item1", "number", True),
        ("item2", "number", True),
        ("item3", "number", True),
    ]
    line = evidence({"S1": {"rates": ["95%", "80%", "60%"]}}).lines["S1"]
    cells = encode(node, line)
    assert decode(node, cells) == line
    [warned] = [
        f
        for f in lint_rubric(rubric([leaf("S1", 1, SURVEY)], total_weight=1))
        if f.check == "survey-points"
    ]
    assert "合计5" in warned.message


def test_the_survey_worksheet_function() -> None:
    assert udfs.SCORE_SURVEY([0.95, 0.8, 0.6], [2, 2, 1], 5, 0.9) == 4.2
    assert udfs.SCORE_SURVEY([0.95, 0.8, 0.6], [2, 2, 1], 5) == 4.1
    assert str(udfs.SCORE_SURVEY([0.95, 0.8], [2, 2, 1], 5)).startswith("#VALUE!")


def test_the_survey_rule_is_inferred() -> None:
    found = infer_method(SURVEY_RULE, weight=Decimal(5))
    assert found.method == {
        **SURVEY,
        "items": [
            {"label": "办事效率", "points": Decimal(2)},
            {"label": "服务态度", "points": Decimal(2)},
            {"label": "政策宣传", "points": Decimal(1)},
        ],
    }
    assert found.confidence >= 0.85


# ---------------------------------------------------------------------------------------------
# 定性指标 bands with the province's edges (100–80% / 80–50% / 50–0%).

PROVINCE_BANDS = {"type": "judgement", "scale": "national", "edges": ["80%", "50%"]}


def test_qualitative_bands_with_other_edges() -> None:
    table = rubric(
        [leaf("Q1", 5, PROVINCE_BANDS), leaf("Q2", 5, {"type": "judgement", "scale": "national"})],
        total_weight=10,
    )
    partly = {"band": "部分达成并具有一定效果", "share": "55%", "reason": "初步建立"}
    result = score(table, evidence({"Q1": {"decision": partly}, "Q2": {"decision": partly}}))
    first, second = result.indicators
    assert first.score == d("2.75") and first.status == "scored"
    # 55% is outside the national 部分达成 band (60–80%)
    assert second.status == "invalid_evidence" and "60%–80%" in second.reason
    node = table.leaves()[0]
    band_input = next(i for i in method_spec(node).inputs(node) if i.key == "band")
    assert "部分达成并具有一定效果50%-80%" in band_input.help
    assert [f.check for f in lint_rubric(table) if f.code == "Q1"] == ["judgement-edges"]
    with pytest.raises(RubricError):
        rubric([leaf("Q1", 5, {**PROVINCE_BANDS, "edges": ["50%", "80%"]})], total_weight=5)


def test_the_qualitative_worksheet_function() -> None:
    assert udfs.SCORE_QUALITATIVE(5, "部分达成并具有一定效果", 0.55, [0.8, 0.5]) == 2.75
    assert udfs.SCORE_QUALITATIVE(5, "达成年度指标", 0.9) == 4.5
    assert str(udfs.SCORE_QUALITATIVE(5, "部分达成并具有一定效果", 0.55)).startswith("#VALUE!")


def test_band_edges_are_inferred_from_the_rule() -> None:
    rule = (
        "定性指标根据指标完成情况分为：达成年度指标、部分达成年度指标并具有一定效果、"
        "未达成年度指标且效果较差三档，分别按照该指标对应分值区间100-80%（含）、80-50%（含）、"
        "50-0%合理确定分值"
    )
    found = infer_method(rule, weight=Decimal(5))
    assert found.method == PROVINCE_BANDS and found.confidence >= 0.85
    national = infer_method(rule.replace("80-50%", "80-60%").replace("50-0%", "60-0%"))
    assert national.method == {"type": "judgement", "scale": "national"}


# ---------------------------------------------------------------------------------------------
# "=" targets scored as exact: full marks at the target, less on either side.


def test_an_exact_target_loses_points_on_either_side() -> None:
    exact = {"type": "ratio", "target": 100, "percent": False, "direction": "exact"}
    table = rubric(
        [
            leaf("E1", 5, exact),
            leaf("E2", 5, exact),
            leaf("E3", 5, exact),
            leaf("E4", 5, {**exact, "inverse": "linear_to_double"}),
            leaf("E5", 5, {**exact, "direction": "higher"}),
        ],
        total_weight=25,
    )
    values = {"E1": 95, "E2": 100, "E3": 125, "E4": 125, "E5": 125}
    result = score(table, evidence({code: {"value": v} for code, v in values.items()}))
    scores = {line.code: line.score for line in result.indicators}
    assert scores == {"E1": d("4.75"), "E2": d("5"), "E3": d("4"), "E4": d("3.75"), "E5": d("5")}


def test_the_exact_worksheet_function() -> None:
    assert udfs.SCORE_EXACT(95, 100, 5) == 4.75
    assert udfs.SCORE_EXACT(125, 100, 5) == 4
    assert udfs.SCORE_EXACT(125, 100, 5, "两倍目标值得0分") == 3.75
    assert str(udfs.SCORE_EXACT(125, 0, 5)).startswith("#VALUE!")


def test_an_exact_target_is_inferred_from_its_wording() -> None:
    rule = "等于目标值得满分，高于或低于目标值的按比例计分"
    found = infer_method(rule, weight=Decimal(5), target="=100")
    assert found.method["direction"] == "exact" and found.confidence >= 0.85
    assert "direction" not in infer_method("按比例计分", weight=Decimal(5)).method


def test_qualitative_band_edges_set_for_the_whole_rubric() -> None:
    national = {"type": "judgement", "scale": "national"}
    table = rubric(
        [leaf("Q1", 5, national), leaf("Q2", 5, {**national, "edges": ["90%", "70%"]})],
        total_weight=10,
        judgement_edges=["80%", "50%"],
    )
    partly = {"band": "部分达成并具有一定效果", "share": "55%", "reason": "初步建立"}
    result = score(table, evidence({"Q1": {"decision": partly}, "Q2": {"decision": partly}}))
    first, second = result.indicators
    assert first.score == d("2.75")
    # the line's own edges (90/70) win over the rubric's: 55% is not 部分达成 there
    assert second.status == "invalid_evidence" and "70%–90%" in second.reason
    with pytest.raises(RubricError):
        rubric([leaf("Q1", 5, national)], total_weight=5, judgement_edges=["80%"])
