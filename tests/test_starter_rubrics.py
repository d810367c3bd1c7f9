"""The starting-point rubrics (``starter: true``) and their example evidence.

national-project-2020: the common framework of 财预〔2020〕10号 (决策 / 过程 / 产出 / 效益).
national-self-eval: the project self-evaluation form (项目支出绩效自评表), with the provincial
偏差原因 rules (130% of target: 广西; execution below 90%: 四川).
department-wide: a department-wide evaluation grouped like seed 000.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from xladdin.core.evidence import Decision, Evidence, LineEvidence
from xladdin.core.rubric import Node, RatioMethod, Rubric
from xladdin.core.scoring import score
from xladdin.library import load_evidence, load_rubric_file

RUBRICS = Path(__file__).resolve().parent.parent / "rubrics"
STARTERS = ["national-project-2020", "national-self-eval", "department-wide"]


def _rubric(rubric_id: str) -> Rubric:
    return load_rubric_file(RUBRICS / f"{rubric_id}.yaml")


def _leaf(rubric: Rubric, code: str) -> Node:
    node = rubric.find(code)
    assert node is not None and node.is_leaf, code
    return node


@pytest.fixture(scope="module")
def self_eval() -> Rubric:
    return _rubric("national-self-eval")


@pytest.mark.parametrize("rubric_id", STARTERS)
def test_starter_loads_as_a_starter(rubric_id: str) -> None:
    rubric = _rubric(rubric_id)
    assert rubric.id == rubric_id
    assert rubric.starter is True
    assert rubric.description


@pytest.mark.parametrize("rubric_id", STARTERS)
def test_starter_weights_add_up(rubric_id: str) -> None:
    rubric = _rubric(rubric_id)
    for node, _ in rubric.walk():
        if node.children:
            children = sum((child.weight for child in node.children), Decimal(0))
            assert children == node.weight, f"{node.code}: {children} != {node.weight}"
    top = sum((level.weight for level in rubric.levels), Decimal(0))
    assert top == rubric.total_weight == Decimal(100)


@pytest.mark.parametrize("rubric_id", STARTERS)
def test_starter_codes_are_unique(rubric_id: str) -> None:
    rubric = _rubric(rubric_id)
    codes = [node.code for node, _ in rubric.walk()]
    codes += [item.code for _, item in rubric.adjustment_items()]
    duplicates = [code for code, n in Counter(codes).items() if n > 1]
    assert duplicates == []


@pytest.mark.parametrize("rubric_id", STARTERS)
def test_starter_example_evidence_scores_completely(rubric_id: str) -> None:
    rubric = _rubric(rubric_id)
    evidence = load_evidence(RUBRICS / "evidence" / f"{rubric_id}.yaml")
    assert evidence.rubric == rubric_id
    assert evidence.unit == "示例单位"
    result = score(rubric, evidence)
    assert result.complete, [(i.code, i.reason) for i in result.indicators if i.status != "scored"]
    assert all(line.status == "scored" for line in result.indicators)
    assert {line.code for line in result.indicators} == {leaf.code for leaf in rubric.leaves()}
    assert Decimal(0) <= result.total <= Decimal(100)
    assert result.grade in {"优", "良", "中", "差"}
    assert [f for f in result.findings if f.severity == "error"] == []
    assert [f for f in result.findings if f.check == "reason-required"] == []


def test_self_eval_default_weights(self_eval: Rubric) -> None:
    weights = {level.name: level.weight for level in self_eval.levels}
    assert weights == {
        "预算执行率": Decimal(10),
        "产出指标": Decimal(50),
        "效益指标": Decimal(30),
        "满意度指标": Decimal(10),
    }
    execution = self_eval.levels[0]
    assert execution.is_leaf
    assert isinstance(execution.method, RatioMethod)
    assert execution.method.numerator_label == "全年执行数(B)"
    assert execution.method.denominator_label == "全年预算数(A)"


def test_self_eval_leaves_declare_their_nature(self_eval: Rubric) -> None:
    natures = {leaf.nature for leaf in self_eval.leaves() if leaf.code != "Z"}
    assert natures == {"≥", "≤", "=", "定性"}
    for leaf in self_eval.leaves():
        method = leaf.method
        if leaf.nature in ("≥", "="):
            assert isinstance(method, RatioMethod) and method.direction == "higher", leaf.code
        elif leaf.nature == "≤":
            assert isinstance(method, RatioMethod), leaf.code
            assert (method.direction, method.inverse) == ("lower", "target_over_actual")
        elif leaf.nature == "定性":
            assert method is not None and method.type == "judgement" and method.scale == "national"


def test_self_eval_lower_is_better_line_scores_weight_times_target_over_actual(
    self_eval: Rubric,
) -> None:
    line = next(leaf for leaf in self_eval.leaves() if leaf.nature == "≤")
    assert isinstance(line.method, RatioMethod)
    actual = line.method.target * Decimal("1.25")  # 25% over the target
    evidence = Evidence(rubric=self_eval.id, lines={line.code: LineEvidence(value=actual)})
    result = score(self_eval, evidence).indicator(line.code)
    assert result.status == "scored"
    assert result.score == line.weight * line.method.target / actual
    assert result.score == Decimal(8)  # 10 × 50 / 62.5


def test_self_eval_lower_is_better_line_under_target_scores_full(self_eval: Rubric) -> None:
    line = next(leaf for leaf in self_eval.leaves() if leaf.nature == "≤")
    assert isinstance(line.method, RatioMethod)
    evidence = Evidence(
        rubric=self_eval.id, lines={line.code: LineEvidence(value=line.method.target - 1)}
    )
    assert score(self_eval, evidence).indicator(line.code).score == line.weight


@pytest.mark.parametrize(
    ("band", "share"),
    [
        ("达成年度指标", Decimal("0.7")),
        ("部分达成并具有一定效果", Decimal("0.85")),
        ("未达成且效果较差", Decimal("0.65")),
    ],
)
def test_self_eval_qualitative_line_rejects_a_share_outside_its_band(
    self_eval: Rubric, band: str, share: Decimal
) -> None:
    line = next(leaf for leaf in self_eval.leaves() if leaf.nature == "定性")
    decision = Decision(band=band, share=share, reason="示例理由")
    evidence = Evidence(rubric=self_eval.id, lines={line.code: LineEvidence(decision=decision)})
    result = score(self_eval, evidence).indicator(line.code)
    assert result.status == "invalid_evidence"
    assert result.score is None


def test_self_eval_qualitative_line_scores_a_share_inside_its_band(self_eval: Rubric) -> None:
    line = next(leaf for leaf in self_eval.leaves() if leaf.nature == "定性")
    decision = Decision(band="部分达成并具有一定效果", share=Decimal("0.7"), reason="示例理由")
    evidence = Evidence(rubric=self_eval.id, lines={line.code: LineEvidence(decision=decision)})
    result = score(self_eval, evidence).indicator(line.code)
    assert result.status == "scored"
    assert result.score == line.weight * Decimal("0.7")


def _reason_findings(rubric: Rubric, code: str, line: LineEvidence) -> list[str]:
    result = score(rubric, Evidence(rubric=rubric.id, lines={code: line}))
    return [f.message for f in result.findings if f.check == "reason-required" and f.code == code]


def test_self_eval_result_at_130_percent_of_target_requires_a_reason(self_eval: Rubric) -> None:
    line = next(
        leaf
        for leaf in self_eval.leaves()
        if leaf.nature == "≥" and isinstance(leaf.method, RatioMethod) and not leaf.method.percent
    )
    assert isinstance(line.method, RatioMethod)
    reached = line.method.target * Decimal("1.3")
    assert _reason_findings(self_eval, line.code, LineEvidence(value=reached))
    assert not _reason_findings(
        self_eval, line.code, LineEvidence(value=reached, deviation_reason="指标值设定偏保守")
    )
    below = line.method.target * Decimal("1.29")
    assert not _reason_findings(self_eval, line.code, LineEvidence(value=below))


def test_self_eval_execution_below_90_percent_requires_a_reason(self_eval: Rubric) -> None:
    execution = _leaf(self_eval, "Z")
    low = LineEvidence(numerator=Decimal(170), denominator=Decimal(200))  # 85%
    assert _reason_findings(self_eval, execution.code, low)
    explained = LineEvidence(
        numerator=Decimal(170),
        denominator=Decimal(200),
        deviation_reason="部分合同款项按进度于次年支付",
    )
    assert not _reason_findings(self_eval, execution.code, explained)
    enough = LineEvidence(numerator=Decimal(180), denominator=Decimal(200))  # 90%
    assert not _reason_findings(self_eval, execution.code, enough)


def test_self_eval_execution_rule_applies_only_to_the_funds_line(self_eval: Rubric) -> None:
    line = _leaf(self_eval, "A11")
    assert isinstance(line.method, RatioMethod)
    half = line.method.target / 2
    assert not _reason_findings(self_eval, line.code, LineEvidence(value=half))
