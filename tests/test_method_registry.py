"""The registry of scoring methods, the evidence-input contract, and the itemized-deduction
method added through the recipe in docs/developing.md."""

from __future__ import annotations

import typing
from decimal import Decimal

import pytest

from tests.factories import d, evidence, group, leaf, rubric
from xladdin.core.errors import RubricError
from xladdin.core.infer import PATTERNS, infer_method
from xladdin.core.lint import lint_rubric
from xladdin.core.methods import (
    METHOD_NAMES,
    METHODS,
    OPTIONAL_INPUTS,
    ChecklistMethod,
    EvidenceInput,
    itemized_points,
    method_spec,
)
from xladdin.core.rubric import GradeBand, Method, Node, grade_for
from xladdin.core.scoring import score
from xladdin.library import bundled, load_rubric_file
from xladdin.workbook.layout import layout_for
from xladdin.workbook.template import (
    _input_help,
    _line_validations,
    _required_inputs,
)

ITEMIZED_RULE = "缺一项扣0.5分，不规范扣0.5分，逾期扣1分，扣完为止"
ITEMIZED = {
    "type": "itemized",
    "items": [
        {"label": "缺一项", "points": "0.5"},
        {"label": "不规范", "points": "0.5"},
        {"label": "逾期", "points": 1},
    ],
}


def test_every_registered_method_is_in_the_union_and_named() -> None:
    union = typing.get_args(typing.get_args(Method)[0])
    assert {model.model_fields["type"].annotation for model in union} == {
        typing.Literal[key] for key in METHODS
    }
    assert list(METHOD_NAMES) == list(METHODS)
    for key, spec in METHODS.items():
        assert spec.type == key
        assert METHOD_NAMES[key] == spec.name


def test_method_spec_finds_a_spec_by_type_model_or_node() -> None:
    node = Node(code="A1", name="要点", weight=Decimal(2), method={"type": "checklist", "items": 2})
    assert method_spec("checklist") is METHODS["checklist"]
    assert method_spec(node) is METHODS["checklist"]
    assert method_spec(node.method) is METHODS["checklist"]
    with pytest.raises(KeyError):
        method_spec("nonsense")


def test_patterns_are_tried_in_their_order_and_each_belongs_to_a_method() -> None:
    orders = [pattern.order for pattern in PATTERNS]
    assert orders == sorted(orders)
    assert len(PATTERNS) == sum(len(spec.patterns) for spec in METHODS.values())


def test_optional_inputs_are_optional_and_keyed_by_layout_columns() -> None:
    assert [item.key for item in OPTIONAL_INPUTS] == [
        "not_applicable",
        "decision_score",
        "decision_share",
        "deduct_share",
        "deduct_points",
        "decision_reason",
        "deviation_reason",
    ]
    assert not any(item.required for item in OPTIONAL_INPUTS)


def test_every_bundled_scoring_table_line_needs_inputs_its_layout_has() -> None:
    for entry in bundled():
        found = load_rubric_file(entry.path)
        if found.layout != "scoring_table":
            continue  # the form enters its funds line in a block of its own
        keys = set(layout_for(found).input_keys())
        for node in found.leaves():
            inputs = method_spec(node).inputs(node)
            assert all(isinstance(item, EvidenceInput) for item in inputs)
            assert {item.key for item in inputs} <= keys, (entry.id, node.code)


def test_template_inputs_follow_the_method_inputs() -> None:
    ratio = Node(
        code="B11",
        name="预算执行率",
        weight=Decimal(1),
        method={
            "type": "ratio",
            "value_label": "预算执行率",
            "numerator_label": "实际支出",
            "denominator_label": "预算数",
        },
    )
    assert _required_inputs(ratio) == {"value", "denominator"}
    assert _input_help(ratio) == {
        "value": "实际支出（预算执行率的分子）",
        "denominator": "预算数（预算执行率的分母）",
    }
    national = Node(
        code="C1",
        name="定性",
        weight=Decimal(5),
        method={"type": "judgement", "scale": "national"},
    )
    assert _required_inputs(national) == {"decision_reason", "band", "decision_share"}
    checklist = Node(
        code="A1", name="要点", weight=Decimal(2), method={"type": "checklist", "items": 2}
    )
    keys = [key for key, _ in _line_validations(checklist)]
    assert keys[-2:] == ["item1", "item2"]
    assert _input_help(checklist) == {}


def test_checklist_item_points_use_the_weight_for_equal_shares() -> None:
    equal = ChecklistMethod(type="checklist", items=4)
    assert equal.explicit_points is None
    assert equal.item_points(d("2")) == [d("0.5")] * 4
    own = ChecklistMethod(type="checklist", items=[{"points": 1}, {"points": 3}])
    assert own.explicit_points == own.item_points(d("99")) == [d("1"), d("3")]


def test_grade_for_needs_no_rubric() -> None:
    bands = [GradeBand(grade="合格", min=Decimal(60)), GradeBand(grade="不合格", min=Decimal(0))]
    assert grade_for(Decimal("59.99"), bands) == "不合格"
    assert grade_for(Decimal(60), bands) == "合格"


def test_duplicate_codes_are_rejected_when_the_rubric_is_validated() -> None:
    with pytest.raises(RubricError) as caught:
        rubric(
            [
                group("A", 60, [leaf("A1", 60, {"type": "manual"})]),
                group("B", 40, [leaf("A1", 40, {"type": "manual"})]),
            ]
        )
    assert "指标编码重复：A1" in str(caught.value)


def test_effective_weight_is_rounded_by_the_policy() -> None:
    levels = [
        leaf("A", 30, {"type": "manual"}),
        leaf("B", 30, {"type": "manual"}),
        leaf("C", 40, {"type": "manual"}),
    ]
    lines = {
        "A": {"decision": {"score": 30, "reason": "好"}},
        "B": {"decision": {"score": 30, "reason": "好"}},
        "C": {"not_applicable": True},
    }
    default = score(rubric(levels), evidence(lines))
    assert default.indicator("A").effective_weight == d("50.0000")
    coarse = rubric(levels, rounding={"effective_weight": {"places": 0}})
    assert coarse.rounding.score.places == 2
    assert score(coarse, evidence(lines)).indicator("A").effective_weight == d("50")


def test_levels_come_in_table_order_with_their_counts() -> None:
    found = rubric(
        [
            group("A", 60, [group("A1", 60, [leaf("A11", 60, {"type": "manual"})])]),
            leaf("B", 40, {"type": "manual"}),
        ]
    )
    lines = {
        "A11": {"decision": {"score": 50, "reason": "一般"}},
        "B": {"decision": {"score": 40, "reason": "好"}},
    }
    result = score(found, evidence(lines))
    assert [level.code for level in result.levels] == ["A", "A1", "B"]
    assert result.level("A").counts == {2: 1, 3: 1}
    assert result.level("A").deducted == ["A1"]
    assert result.level("B").deducted == []
    assert result.indicator("A11").reason == "一般，扣10分"
    assert result.total == d("90") and result.grade == "优"


# --- the itemized-deduction method ------------------------------------------------------------


def test_itemized_worked_example() -> None:
    """缺一项扣0.5分，不规范扣0.5分，逾期扣1分，扣完为止 on a 2-point line."""
    found = rubric([leaf("A1", 2, ITEMIZED, rule=ITEMIZED_RULE), leaf("B", 98, {"type": "manual"})])
    result = score(found, evidence({"A1": {"counts": [1, 1, 0]}}))
    line = result.indicator("A1")
    assert (line.status, line.score, line.reason) == (
        "scored",
        d("1.00"),
        "缺一项1次、不规范1次，扣1分",
    )
    floored = score(found, evidence({"A1": {"counts": [2, 1, 1]}})).indicator("A1")
    assert floored.score == d("0.00")
    assert floored.reason == "缺一项2次、不规范1次、逾期1次，扣2分"
    clean = score(found, evidence({"A1": {"counts": [0, 0, 0]}})).indicator("A1")
    assert (clean.score, clean.reason) == (d("2.00"), "")


def test_itemized_arithmetic_and_evidence_problems() -> None:
    points = [d("0.5"), d("0.5"), d("1")]
    assert itemized_points(d("3"), [1, 1, 1], points) == d("1")
    assert itemized_points(d("3"), [4, 0, 2], points) == d("0")
    found = rubric([leaf("A1", 2, ITEMIZED), leaf("B", 98, {"type": "manual"})])
    missing = score(found, evidence({"A1": {}})).indicator("A1")
    assert (missing.status, missing.reason) == ("missing_evidence", "缺少各扣分项的发现次数")
    wrong = score(found, evidence({"A1": {"counts": [1, 1]}})).indicator("A1")
    assert (wrong.status, wrong.reason) == ("invalid_evidence", "扣分项有3项，佐证填写了2项")


def test_itemized_inputs_are_one_count_per_item() -> None:
    node = Node(code="A1", name="资料", weight=Decimal(2), method=ITEMIZED)
    inputs = method_spec(node).inputs(node)
    assert [(i.key, i.label, i.kind) for i in inputs] == [
        ("item1", "缺一项", "count"),
        ("item2", "不规范", "count"),
        ("item3", "逾期", "count"),
    ]
    assert inputs[2].help == "逾期的次数（每次扣1分）"
    validations = dict(_line_validations(node))
    assert validations["item3"]["validate"] == "integer"
    assert validations["item3"]["input_message"] == "逾期的次数（每次扣1分）"


def test_itemized_lint_warns_of_an_item_worth_more_than_the_line() -> None:
    method = {
        "type": "itemized",
        "items": [{"label": "逾期", "points": 3}, {"label": "缺项", "points": 1}],
    }
    found = rubric([leaf("A1", 2, method), leaf("B", 98, {"type": "manual"})])
    findings = [f for f in lint_rubric(found) if f.check == "itemized-points"]
    assert [(f.severity, f.code, f.message) for f in findings] == [
        ("warning", "A1", "扣分项“逾期”每次扣3分，超过权重2")
    ]


def test_itemized_is_inferred_from_its_usual_wording() -> None:
    found = infer_method(ITEMIZED_RULE, weight=d("2"))
    assert found.type == "itemized"
    assert found.method["items"] == [
        {"label": "缺一项", "points": d("0.5")},
        {"label": "不规范", "points": d("0.5")},
        {"label": "逾期", "points": d("1")},
    ]
    assert found.confidence == 0.85 and not found.needs_review
    unfloored = infer_method("每缺一项扣0.5分；逾期扣1分", weight=d("2"))
    assert unfloored.type == "itemized" and unfloored.confidence == 0.7
    assert unfloored.details == ["未写“扣完为止”，最低按0分计"]
    # one kind of shortcoming stays a per-occurrence deduction
    assert infer_method("每发现一例扣0.5分，扣完为止", weight=d("2")).type == "deduction"
    # and what was inferred validates as a rubric line
    rubric([leaf("A1", 2, found.method), leaf("B", 98, {"type": "manual"})])


def test_the_type_checker_union_lists_the_registered_models() -> None:
    import ast
    import inspect

    import xladdin.core.methods as package

    tree = ast.parse(inspect.getsource(package))
    guarded = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    names = {node.id for node in ast.walk(guarded.body[0]) if isinstance(node, ast.Name)}
    assert names - {"AnyMethod"} == {spec.model.__name__ for spec in METHODS.values()}


def test_every_rubric_model_is_frozen() -> None:
    """What scoring derives from a rubric is kept per rubric object: every model a rubric is
    made of refuses changes in place (a new method's model derives from Frozen too)."""
    import typing

    from pydantic import BaseModel

    from xladdin.core.fields import Frozen
    from xladdin.core.rubric import Rubric

    seen: set[type] = set()

    def models(annotation: object) -> list[type[BaseModel]]:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return [annotation]
        return [m for arg in typing.get_args(annotation) for m in models(arg)]

    pending: list[type[BaseModel]] = [Rubric]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        assert issubclass(model, Frozen), model.__name__
        for field in model.model_fields.values():
            pending.extend(models(field.annotation))
    assert {spec.model for spec in METHODS.values()} <= seen
