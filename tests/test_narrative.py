"""The report's text from a result, in the words of the published reports (004 §三)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xladdin.core.evidence import Evidence, LineEvidence
from xladdin.core.narrative import (
    Narrative,
    chinese_number,
    deducted_lines,
    group_paragraph,
    narrate,
    total_sentence,
)
from xladdin.core.rubric import Rubric
from xladdin.core.scoring import score
from xladdin.library import find_bundled, load_evidence, load_rubric_file

ID_000, ID_001, ID_004 = "nanjing-dsj-2022", "nanjing-zwxx-2021", "nanyang-zsj-2021"


def bundled_pair(rubric_id: str) -> tuple[Rubric, Evidence]:
    entry = find_bundled(rubric_id)
    assert entry is not None and entry.evidence_path is not None
    return load_rubric_file(entry.path), load_evidence(entry.evidence_path)


def narrative_of(rubric_id: str) -> Narrative:
    rubric, evidence = bundled_pair(rubric_id)
    return narrate(rubric, score(rubric, evidence), evidence)


def paragraphs(rubric_id: str) -> dict[str, str]:
    return {group.code: group.text for group in narrative_of(rubric_id).groups}


def test_004_management_paragraph_reproduces_the_published_sentence() -> None:
    # Quoted in DOMAIN.md from the 004 report; 得分率 truncated: 14.23 / 16 = 88.9375% → 88.93%.
    assert paragraphs(ID_004)["A"] == (
        "管理效率类指标有4个二级指标、19个三级指标，权重分16分，实际得分14.23分，"
        "得分率88.93%。扣分项主要为：预算绩效管理。"
    )


def test_004_performance_paragraph_reproduces_the_published_sentence() -> None:
    # 54.43 / 64 = 85.046875% → 85.04% (truncated, not 85.05%).
    assert paragraphs(ID_004)["C"] == (
        "履职效能类指标有5个二级指标、21个三级指标，权重分64分，实际得分54.43分，得分率85.04%。"
        "扣分项主要为：推进行政审批制度改革、提升一体化平台功能应用创新水平、加快推进数字政府、"
        "新型智慧城市建设建设、推动数据联通归集。"
    )


def test_004_full_marks_group_has_no_deduction_sentence() -> None:
    text = paragraphs(ID_004)["B"]
    assert (
        text
        == "运行成本类指标有1个二级指标、6个三级指标，权重分12分，实际得分12分，得分率100.00%。"
    )
    assert "扣分项" not in text


@pytest.mark.parametrize(
    ("code", "counts", "subtotal", "rate"),
    [
        ("A", "4个二级指标、7个三级指标", "12.33", "82.20%"),
        ("B", "6个二级指标、16个三级指标", "19.25", "96.25%"),
        ("C", "6个二级指标、28个三级指标", "28", "93.33%"),
        ("D", "4个二级指标、4个三级指标", "29.5", "98.33%"),
        ("E", "2个二级指标、2个三级指标", "4", "80.00%"),
    ],
)
def test_000_paragraphs_carry_counts_subtotals_and_rates(
    code: str, counts: str, subtotal: str, rate: str
) -> None:
    text = paragraphs(ID_000)[code]
    assert f"有{counts}，" in text
    assert f"实际得分{subtotal}分，得分率{rate}。" in text


def test_000_decision_paragraph_names_the_deducted_second_level_groups() -> None:
    assert paragraphs(ID_000)["A"] == (
        "部门决策类指标有4个二级指标、7个三级指标，权重分15分，实际得分12.33分，得分率82.20%。"
        "扣分项主要为：中长期目标、年度工作目标、预算编制。"
    )


@pytest.mark.parametrize(
    ("code", "subtotal"), [("A", "10.5"), ("B", "17.39"), ("C", "23.34"), ("D", "39")]
)
def test_001_paragraphs_carry_the_published_subtotals(code: str, subtotal: str) -> None:
    assert f"实际得分{subtotal}分" in paragraphs(ID_001)[code]


def test_001_output_paragraph_lists_quantity_quality_and_timeliness() -> None:
    assert paragraphs(ID_001)["C"].endswith("扣分项主要为：产出数量、产出质量、产出时效。")


def test_total_sentence_of_004_names_total_and_grade() -> None:
    assert narrative_of(ID_004).total == (
        "经综合评价，南阳市政务服务和大数据管理局2021年度部门整体支出绩效评价总得分87.96分，"
        "评价等级为“良”。"
    )


def test_total_sentence_of_001_names_the_project() -> None:
    assert narrative_of(ID_001).total == (
        "经综合评价，2021年南京市政务信息化专项资金绩效评价总得分90.23分，评价等级为“优”。"
    )


def test_total_sentence_of_000() -> None:
    assert "总得分93.08分，评价等级为“优”。" in narrative_of(ID_000).total


def test_total_sentence_with_a_bonus_shows_its_parts() -> None:
    rubric, evidence = bundled_pair(ID_000)
    lines = dict(evidence.lines)
    lines["F1"] = LineEvidence(points=Decimal(1), narrative="获市级表彰")
    with_bonus = evidence.model_copy(update={"lines": lines})
    sentence = total_sentence(rubric, score(rubric, with_bonus), with_bonus)
    assert "总得分94.08分（其中指标得分93.08分，加分1分）" in sentence


def test_incomplete_evaluation_gets_no_grade_in_the_sentence() -> None:
    rubric, evidence = bundled_pair(ID_004)
    lines = {code: line for code, line in evidence.lines.items() if code != "E"}
    partial = evidence.model_copy(update={"lines": lines})
    sentence = total_sentence(rubric, score(rubric, partial), partial)
    assert "尚有1项指标未评分，暂不评定等级" in sentence
    assert "评价等级为" not in sentence


def test_deducted_lines_of_000_carry_their_reasons() -> None:
    found = {line.code: line for line in narrative_of(ID_000).deducted}
    assert "A11" not in found
    assert found["B62"].deduction == Decimal("0.25")
    assert found["B62"].reason == "目标管理工作存在瑕疵，扣25%权重分"
    assert found["B12"].reason == "专项资金执行率97.98%，扣3%权重分"
    rubric, evidence = bundled_pair(ID_000)
    result = score(rubric, evidence)
    assert sum(line.deduction for line in deducted_lines(result)) == Decimal(100) - result.total


def test_group_paragraph_without_evidence_uses_the_scored_reason() -> None:
    rubric, evidence = bundled_pair(ID_004)
    result = score(rubric, evidence)
    text = group_paragraph(rubric, result, result.level("D"))
    assert text.endswith("扣分项主要为：社会满意度，扣0.4分。")


def test_chinese_numbers_for_headings() -> None:
    assert [chinese_number(n) for n in (1, 5, 10, 11, 20, 23)] == [
        "一",
        "五",
        "十",
        "十一",
        "二十",
        "二十三",
    ]
