"""Seed 001: 2021年南京市政务信息化专项资金绩效自评价评分表 (published total 90.23, 优).

Every expected figure below is typed from the seed's 附件, not read from the evidence's
``declared`` fields.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from xladdin.core.result import Result
from xladdin.core.rubric import ChecklistMethod, Rubric
from xladdin.core.scoring import score
from xladdin.library import load_evidence, load_rubric_file

RUBRICS = Path(__file__).parent.parent / "rubrics"
SEED = Path(__file__).parents[2] / "shared" / "seeds" / "001_b6ef989344c48bba.txt"

# 三级指标 and 得分 as printed in the 附件.
PUBLISHED = {
    "A11": "2",
    "A12": "2",
    "A21": "2",
    "A22": "1.5",
    "A31": "3",
    "B11": "2",
    "B12": "1.89",
    "B13": "2",
    "B21": "2.5",
    "B22": "9",
    "C11": "8.13",
    "C21": "9.38",
    "C31": "5.83",
    "D11": "5",
    "D12": "5",
    "D13": "3",
    "D14": "5",
    "D15": "5",
    "D21": "5",
    "D31": "5",
    "D41": "6",
}


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric_file(RUBRICS / "nanjing-zwxx-2021.yaml")


@pytest.fixture(scope="module")
def result(rubric: Rubric) -> Result:
    return score(rubric, load_evidence(RUBRICS / "evidence" / "nanjing-zwxx-2021.yaml"))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_001_structure_4_level1_12_level2_21_level3(rubric: Rubric) -> None:
    depths = [depth for _, depth in rubric.walk()]
    assert depths.count(1) == 4
    assert depths.count(2) == 12
    assert depths.count(3) == 21
    assert [(n.code, n.weight) for n in rubric.levels] == [
        ("A", Decimal(11)),
        ("B", Decimal(19)),
        ("C", Decimal(30)),
        ("D", Decimal(40)),
    ]
    assert sum(leaf.weight for leaf in rubric.leaves()) == Decimal(100)
    assert [leaf.code for leaf in rubric.leaves()] == list(PUBLISHED)


@pytest.mark.parametrize(("code", "expected"), list(PUBLISHED.items()), ids=list(PUBLISHED))
def test_001_every_line_matches_published_score(result: Result, code: str, expected: str) -> None:
    line = result.indicator(code)
    assert line.status == "scored"
    assert line.score == Decimal(expected)


def test_001_c11_ratio_81_25_percent_gives_8_13(result: Result) -> None:
    # 10 × 81.25% = 8.125 → 8.13 half-up (float round(8.125, 2) would give 8.12).
    line = result.indicator("C11")
    assert line.value == Decimal("0.8125")
    assert line.score == Decimal("8.13")


def test_001_c21_93_75_percent_gives_9_38(result: Result) -> None:
    line = result.indicator("C21")
    assert line.value == Decimal("0.9375")
    assert line.score == Decimal("9.38")


def test_001_c31_58_33_percent_gives_5_83(result: Result) -> None:
    assert result.indicator("C31").score == Decimal("5.83")


def test_001_b11_funds_in_place_100_percent_gives_2(result: Result) -> None:
    line = result.indicator("B11")
    assert line.value == Decimal(1)
    assert line.score == Decimal(2)


def test_001_b12_evaluator_figure_1_89_stands(result: Result) -> None:
    line = result.indicator("B12")
    # 17,641.06 / 18,700.00 = 94.34%.
    assert line.value == Decimal("0.9434")
    # The table's proportional figure 2 × 94.34% = 1.89 is the evaluator's decision …
    assert line.decided
    assert line.score == Decimal("1.89")
    # … while the rule's step text (每低于标准值1%，扣除权重分的1%) gives 6% off: 1.88.
    assert line.rule_score == Decimal("1.88")


def test_001_a22_evaluator_deducted_half_a_point(result: Result) -> None:
    line = result.indicator("A22")
    assert line.decided
    assert line.score == Decimal("1.5")
    # One of three items at 1/3 of the weight each: the rule would give 1.33.
    assert line.rule_score == Decimal("1.33")


def test_001_b21_evaluator_deducted_half_a_point(result: Result) -> None:
    line = result.indicator("B21")
    assert line.decided
    assert line.score == Decimal("2.5")
    assert line.rule_score == Decimal(3)


def test_001_b22_judgement_minus_1_gives_9(result: Result) -> None:
    line = result.indicator("B22")
    assert line.method == "judgement"
    assert line.score == Decimal(9)


def test_001_d41_satisfaction_87_58_gives_6(result: Result) -> None:
    line = result.indicator("D41")
    assert line.value == Decimal("0.8758")
    assert line.score == Decimal(6)


def test_001_a21_explicit_points(rubric: Rubric, result: Result) -> None:
    node = rubric.find("A21")
    assert node is not None
    assert isinstance(node.method, ChecklistMethod)
    assert node.method.item_points(node.weight) == [Decimal("0.5")] * 4
    assert result.indicator("A21").score == Decimal(2)


def test_001_explicit_item_points_add_up_to_the_weight(rubric: Rubric) -> None:
    expected = {
        "A21": ["0.5"] * 4,
        "A31": ["0.75"] * 4,
        "B13": ["0.5"] * 4,
        "B21": ["1", "2"],
        "D31": ["1"] * 5,
    }
    for code, points in expected.items():
        node = rubric.find(code)
        assert node is not None and isinstance(node.method, ChecklistMethod)
        assert node.method.item_points(node.weight) == [Decimal(p) for p in points], code
        assert sum(Decimal(p) for p in points) == node.weight, code


def test_001_level_subtotals(result: Result) -> None:
    subtotals = {level.code: level.score for level in result.top_levels()}
    assert subtotals == {
        "A": Decimal("10.5"),
        "B": Decimal("17.39"),
        "C": Decimal("23.34"),
        "D": Decimal("39"),
    }


def test_001_total_90_23_grade_you(result: Result) -> None:
    assert result.complete
    assert result.total == Decimal("90.23")
    assert result.grade == "优"


def test_001_reason_texts(result: Result) -> None:
    assert result.indicator("C11").reason == "计划完成率81.25%，扣1.87分"
    assert result.indicator("C21").reason == "项目验收合格率93.75%，扣0.62分"
    assert result.indicator("C31").reason == "项目完成及时率58.33%，扣4.17分"
    assert result.indicator("D41").reason == "满意度87.58%，扣1分"
    assert result.indicator("B22").reason == "部分项目招投标、监理存在瑕疵，扣1分"
    assert result.indicator("A11").reason == ""


def _seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(
            f"seed text not available at {SEED} (the shared/ folder is outside the package)"
        )
    return _squeeze(SEED.read_text(encoding="utf-8"))


def test_001_rule_texts_appear_verbatim_in_seed(rubric: Rubric) -> None:
    seed = _seed_text()
    for leaf in rubric.leaves():
        assert leaf.rule, leaf.code
        assert _squeeze(leaf.rule) in seed, leaf.code


def test_001_names_and_narratives_appear_verbatim_in_seed(rubric: Rubric) -> None:
    seed = _seed_text()
    evidence = load_evidence(RUBRICS / "evidence" / "nanjing-zwxx-2021.yaml")
    for node, _ in rubric.walk():
        assert _squeeze(node.name) in seed, node.code
    for code, line in evidence.lines.items():
        if line.narrative:
            assert _squeeze(line.narrative) in seed, code
