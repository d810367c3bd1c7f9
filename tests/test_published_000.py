"""Seed 000: 南京市大数据局2022年度部门整体绩效评价评分表 (附件1), published total 93.08, 优.

The published scores below are typed in from the seed's table, not read from the evidence's
``declared`` figures, so that the rubric + evidence must reproduce the publication by scoring.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from xladdin.core.evidence import Evidence
from xladdin.core.result import Result
from xladdin.core.rubric import Rubric
from xladdin.core.scoring import score
from xladdin.library import load_evidence, load_rubric_file

ROOT = Path(__file__).parent.parent
RUBRIC_PATH = ROOT / "rubrics" / "nanjing-dsj-2022.yaml"
EVIDENCE_PATH = ROOT / "rubrics" / "evidence" / "nanjing-dsj-2022.yaml"
SEED_PATH = Path(__file__).parents[2] / "shared" / "seeds" / "000_d7909972d6c6abea.txt"

# 得分 column of 附件1, line by line (E11 and E21 carry no code in the table).
PUBLISHED: dict[str, str] = {
    "A11": "3",
    "A21": "1.5",
    "A22": "1.5",
    "A31": "1.5",
    "A32": "1.5",
    "A41": "1.33",
    "A42": "2",
    "B11": "0.93",
    "B12": "0.97",
    "B13": "1",
    "B14": "1",
    "B21": "2",
    "B22": "1",
    "B31": "2",
    "B32": "1",
    "B41": "2",
    "B42": "1",
    "B51": "1",
    "B52": "1",
    "B53": "1",
    "B61": "1.6",
    "B62": "0.75",
    "B63": "1",
    "C11": "0.5",
    "C12": "1",
    "C13": "0.5",
    "C14": "2",
    "C21": "1",
    "C22": "1",
    "C23": "1",
    "C24": "1",
    "C31": "0.75",
    "C32": "1",
    "C33": "1",
    "C34": "1",
    "C35": "1",
    "C36": "1",
    "C37": "1",
    "C38": "1",
    "C41": "2",
    "C42": "1",
    "C43": "0.75",
    "C44": "1",
    "C51": "1",
    "C52": "1",
    "C53": "0.5",
    "C54": "1",
    "C61": "1",
    "C62": "1",
    "C63": "1",
    "C64": "1",
    "D11": "10",
    "D21": "10",
    "D31": "5",
    "D41": "4.5",
    "E11": "3",
    "E21": "1",
}

# 一级 subtotals as the table's grand total implies them (the table prints no subtotals).
LEVEL1: dict[str, str] = {"A": "12.33", "B": "19.25", "C": "28", "D": "29.5", "E": "4"}

# 二级 subtotals: sums of the published line scores above.
LEVEL2: dict[str, str] = {
    "A1": "3",
    "A2": "3",
    "A3": "3",
    "A4": "3.33",
    "B1": "3.9",
    "B2": "3",
    "B3": "3",
    "B4": "3",
    "B5": "3",
    "B6": "3.35",
    "C1": "4",
    "C2": "4",
    "C3": "7.75",
    "C4": "4.75",
    "C5": "3.5",
    "C6": "4",
    "D1": "10",
    "D2": "10",
    "D3": "5",
    "D4": "4.5",
    "E1": "3",
    "E2": "1",
}


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric_file(RUBRIC_PATH)


@pytest.fixture(scope="module")
def evidence() -> Evidence:
    return load_evidence(EVIDENCE_PATH)


@pytest.fixture(scope="module")
def result(rubric: Rubric, evidence: Evidence) -> Result:
    return score(rubric, evidence)


def _score(result: Result, code: str) -> Decimal | None:
    return result.indicator(code).score


# ---------------------------------------------------------------------------------------------
# The whole table.


def test_000_rubric_has_every_published_line(rubric: Rubric) -> None:
    assert [leaf.code for leaf in rubric.leaves()] == list(PUBLISHED)


@pytest.mark.parametrize(("code", "published"), list(PUBLISHED.items()), ids=list(PUBLISHED))
def test_000_every_line_matches_published(result: Result, code: str, published: str) -> None:
    line = result.indicator(code)
    assert line.status == "scored", line.reason
    assert line.score == Decimal(published)


def test_000_level_subtotals(result: Result) -> None:
    for code, published in LEVEL1.items():
        level = result.level(code)
        assert level.depth == 1
        assert level.score == Decimal(published), code
    for code, published in LEVEL2.items():
        level = result.level(code)
        assert level.depth == 2
        assert level.score == Decimal(published), code
    assert {level.code for level in result.levels if level.depth == 2} == set(LEVEL2)


def test_000_total_93_08_grade_you(result: Result) -> None:
    assert result.complete is True
    assert result.subtotal == Decimal("93.08")
    assert result.bonus == 0
    assert result.penalty == 0
    assert result.total == Decimal("93.08")
    assert result.grade == "优"


def test_000_bonus_and_penalty_items_are_zero(rubric: Rubric, result: Result) -> None:
    assert rubric.bonus is not None and rubric.bonus.cap == 5
    assert rubric.penalty is not None
    assert {(a.kind, a.code, a.points) for a in result.adjustments} == {
        ("bonus", "F1", 0),
        ("penalty", "F2", 0),
    }


def test_000_e_lines_have_assigned_codes(rubric: Rubric) -> None:
    for code, name in (("E11", "信息化机制建设度"), ("E21", "专业能力建设度")):
        node = rubric.find(code)
        assert node is not None
        assert node.name == name
        assert node.code_assigned is True


# ---------------------------------------------------------------------------------------------
# Individual methods.


def test_000_b11_step_rate_93_25_gives_0_93(result: Result) -> None:
    line = result.indicator("B11")
    assert line.score == Decimal("0.93")
    assert line.value == Decimal("0.9325")
    assert "93.25%" in line.reason
    assert "扣7%权重分" in line.reason


def test_000_b12_step_rate_97_98_gives_0_97(result: Result) -> None:
    line = result.indicator("B12")
    assert line.score == Decimal("0.97")
    assert line.value == Decimal("0.9798")
    assert "97.98%" in line.reason
    assert "扣3%权重分" in line.reason


def test_000_b13_control_rate_within_budget_gives_full(result: Result) -> None:
    assert _score(result, "B13") == Decimal(1)


def test_000_a41_checklist_one_of_three_failed_gives_1_33(result: Result) -> None:
    line = result.indicator("A41")
    assert line.score == Decimal("1.33")
    assert line.reason == "第③项不符合，扣0.67分"


def test_000_a21_checklist_one_of_four_failed_gives_1_5(result: Result) -> None:
    line = result.indicator("A21")
    assert line.score == Decimal("1.5")
    assert line.reason == "第③项不符合，扣0.5分"


def test_000_a22_one_mismatch_deducts_25_percent(result: Result) -> None:
    line = result.indicator("A22")
    assert line.score == Decimal("1.5")
    assert "扣25%权重分" in line.reason


def test_000_a42_no_mismatch_gives_full(result: Result) -> None:
    assert _score(result, "A42") == Decimal(2)


def test_000_a32_evaluator_75_percent_gives_1_5(result: Result) -> None:
    line = result.indicator("A32")
    assert line.decided is True
    assert line.score == Decimal("1.5")
    assert line.reason.endswith("得75%权重分")


def test_000_b61_evaluator_deducts_20_percent_gives_1_6(result: Result) -> None:
    line = result.indicator("B61")
    assert line.score == Decimal("1.6")
    assert line.reason.endswith("扣20%权重分")


def test_000_b62_evaluator_25_percent_overrides_one_fifth_stage(result: Result) -> None:
    line = result.indicator("B62")
    assert line.decided is True
    assert line.score == Decimal("0.75")
    # The rule itself (stage ② failed, 1/5 each) would give 0.8.
    assert line.rule_score == Decimal("0.8")


def test_000_c11_evaluator_deducts_50_percent_gives_0_5(result: Result) -> None:
    assert _score(result, "C11") == Decimal("0.5")


def test_000_c12_completed_work_gives_full(result: Result) -> None:
    line = result.indicator("C12")
    assert line.score == Decimal(1)
    assert line.value == Decimal(1)


def test_000_c42_101_sites_meets_threshold(result: Result) -> None:
    line = result.indicator("C42")
    assert line.value == Decimal(101)
    assert line.score == Decimal(1)


def test_000_c61_8_reports_meets_threshold(result: Result) -> None:
    line = result.indicator("C61")
    assert line.value == Decimal(8)
    assert line.score == Decimal(1)


def test_000_c43_judgement_25_percent_gives_0_75(result: Result) -> None:
    line = result.indicator("C43")
    assert line.score == Decimal("0.75")
    assert line.reason.endswith("扣25%权重分")


def test_000_c53_two_deductions_of_25_percent_give_0_5(result: Result) -> None:
    line = result.indicator("C53")
    assert line.score == Decimal("0.5")
    assert "大幅度提升的标准未明确，扣25%权重分" in line.reason
    assert "未及时、客观开展项目绩效评价，扣25%权重分" in line.reason


def test_000_d41_evaluator_figure_90_percent_gives_4_5(result: Result) -> None:
    line = result.indicator("D41")
    assert line.score == Decimal("4.5")
    assert line.reason.endswith("得90%权重分")


def test_000_e21_judgement_50_percent_gives_1(result: Result) -> None:
    assert _score(result, "E21") == Decimal(1)


# ---------------------------------------------------------------------------------------------
# Verbatim transcription.


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(not SEED_PATH.is_file(), reason="shared seeds (../shared/seeds) not available")
def test_000_rules_and_narratives_are_verbatim_from_seed(
    rubric: Rubric, evidence: Evidence
) -> None:
    seed = _squash(SEED_PATH.read_text(encoding="utf-8"))
    for leaf in rubric.leaves():
        assert leaf.rule, leaf.code
        assert _squash(leaf.rule) in seed, f"{leaf.code} rule"
        assert leaf.target and _squash(leaf.target) in seed, f"{leaf.code} target"
        line = evidence.line(leaf.code)
        assert line is not None and line.narrative, leaf.code
        assert _squash(line.narrative) in seed, f"{leaf.code} narrative"
