"""Seed 004: 南阳市政务服务和大数据管理局 2021 部门整体支出绩效评价 (published total 87.96, 良).

Only the five first-level groups are published. Expected figures are typed from the report's
得分表, not read from the evidence's ``declared`` fields.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from xladdin.core.result import Result
from xladdin.core.rubric import Rubric
from xladdin.core.scoring import score
from xladdin.library import load_evidence, load_rubric_file

RUBRICS = Path(__file__).parent.parent / "rubrics"
SEED = Path(__file__).parents[2] / "shared" / "seeds" / "004_5934303a61ec17b2.txt"

# 一级指标: (权重分值, 得分, 得分率 as a fraction) from the 得分表.
PUBLISHED = {
    "管理效率": ("16", "14.23", "0.8893"),
    "运行成本": ("12", "12", "1"),
    "履职效能": ("64", "54.43", "0.8504"),
    "服务满意度": ("5", "4.6", "0.92"),
    "可持续性": ("3", "2.7", "0.9"),
}


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric_file(RUBRICS / "nanyang-zsj-2021.yaml")


@pytest.fixture(scope="module")
def result(rubric: Rubric) -> Result:
    return score(rubric, load_evidence(RUBRICS / "evidence" / "nanyang-zsj-2021.yaml"))


def test_004_five_level1_leaves_with_assigned_codes(rubric: Rubric) -> None:
    assert [(n.code, n.name) for n in rubric.levels] == [
        ("A", "管理效率"),
        ("B", "运行成本"),
        ("C", "履职效能"),
        ("D", "服务满意度"),
        ("E", "可持续性"),
    ]
    for node in rubric.levels:
        assert node.is_leaf and node.code_assigned
        assert node.method is not None and node.method.type == "manual"
    assert sum(node.weight for node in rubric.levels) == Decimal(100)


def test_004_declared_counts(rubric: Rubric) -> None:
    counts = {
        n.name: (n.declared_counts.level2, n.declared_counts.level3)
        for n in rubric.levels
        if n.declared_counts is not None
    }
    assert counts == {
        "管理效率": (4, 19),
        "运行成本": (1, 6),
        "履职效能": (5, 21),
        "服务满意度": (1, 2),
        "可持续性": (1, 2),
    }


@pytest.mark.parametrize("name", list(PUBLISHED), ids=list(PUBLISHED))
def test_004_group_weight_and_score(result: Result, name: str) -> None:
    weight, points, _ = PUBLISHED[name]
    (level,) = [lv for lv in result.levels if lv.depth == 1 and lv.name == name]
    assert level.weight == Decimal(weight)
    assert level.score == Decimal(points)


@pytest.mark.parametrize("name", list(PUBLISHED), ids=list(PUBLISHED))
def test_004_score_rate_truncated(result: Result, name: str) -> None:
    # 14.23 / 16 = 88.9375% → 88.93%; 54.43 / 64 = 85.046875% → 85.04% (truncated, not rounded).
    _, _, rate = PUBLISHED[name]
    (level,) = [lv for lv in result.levels if lv.depth == 1 and lv.name == name]
    assert level.rate == Decimal(rate)


def test_004_rate_column(result: Result) -> None:
    rates = [level.rate for level in result.levels if level.depth == 1]
    assert rates == [Decimal(r) for r in ("0.8893", "1", "0.8504", "0.92", "0.9")]


def test_004_total_87_96_grade_liang(result: Result) -> None:
    assert result.complete
    assert result.total == Decimal("87.96")
    assert result.rate == Decimal("0.8796")
    assert result.grade == "良"


def test_004_reason_texts(result: Result) -> None:
    assert result.indicator("A").reason == "扣分项主要为：预算绩效管理，扣1.77分"
    assert result.indicator("B").reason == ""
    assert result.indicator("D").reason == "扣分项主要为：社会满意度，扣0.4分"
    assert result.indicator("E").reason == "扣分项主要为：人才支撑，扣0.3分"


def test_004_reasons_and_narratives_appear_verbatim_in_seed() -> None:
    if not SEED.is_file():
        pytest.skip(
            f"seed text not available at {SEED} (the shared/ folder is outside the package)"
        )
    seed = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    evidence = load_evidence(RUBRICS / "evidence" / "nanyang-zsj-2021.yaml")
    for code, line in evidence.lines.items():
        assert line.decision is not None, code
        if line.decision.reason != "未扣分":
            assert re.sub(r"\s+", "", line.decision.reason) in seed, code
        assert line.narrative is not None
        assert re.sub(r"\s+", "", line.narrative) in seed, code
