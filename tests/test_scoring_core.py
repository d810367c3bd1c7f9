"""The scoring core on small rubrics: each method, rounding policies, missing evidence,
not-applicable rescaling, bonus and penalty caps, required reasons."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import d, evidence, group, leaf, rubric
from xladdin.core import methods as m
from xladdin.core.numbers import NumberParseError, fmt_number, quantize, to_decimal
from xladdin.core.scoring import score


def test_half_up_on_decimal_text_gives_8_13_where_float_round_gives_8_12() -> None:
    assert round(8.125, 2) == 8.12  # the float trap the core avoids
    assert quantize(d("8.125"), 2, "half_up") == d("8.13")
    assert quantize(d("9.375"), 2, "half_up") == d("9.38")


def test_truncate_policy_gives_004_rates() -> None:
    assert quantize(d("14.23") / d(16), 4, "truncate") == d("0.8893")
    assert quantize(d("54.43") / d(64), 4, "truncate") == d("0.8504")


def test_percent_rule_text_with_percent_sign_is_divided_and_numbers_are_kept() -> None:
    assert to_decimal("87.58%") == d("0.8758")
    assert to_decimal("９３．２５％") == d("0.9325")
    assert to_decimal(0.8758) == d("0.8758")
    assert to_decimal("1,689.29") == d("1689.29")
    with pytest.raises(NumberParseError):
        to_decimal("两分")
    with pytest.raises(NumberParseError):
        to_decimal(True)


def test_fmt_number_drops_trailing_zeros() -> None:
    assert fmt_number(d("1.50")) == "1.5"
    assert fmt_number(d("2.00")) == "2"
    assert fmt_number(d("100")) == "100"


def test_ratio_step_started_counts_every_started_point() -> None:
    reached = m.completion(d("0.9325"), d(1))
    assert m.ratio_points(d(1), reached, "step_started").points == d("0.93")
    assert m.ratio_points(d(1), reached, "step_full").points == d("0.94")
    assert m.ratio_points(d(1), reached, "proportional").points == d("0.9325")


def test_ratio_inverse_variants() -> None:
    over = m.completion(d(120), d(100), "lower", "target_over_actual")
    assert quantize(m.ratio_points(d(10), over).points, 2, "half_up") == d("8.33")
    linear = m.completion(d(120), d(100), "lower", "linear_to_double")
    assert m.ratio_points(d(10), linear).points == d(8)
    assert m.completion(d(250), d(100), "lower", "linear_to_double") == 0
    assert m.completion(d(80), d(100), "lower", "linear_to_double") == 1


def test_ratio_is_capped_at_the_weight() -> None:
    assert m.ratio_points(d(5), d("1.3")).points == d(5)


def test_zero_target_is_a_method_error_in_chinese() -> None:
    with pytest.raises(m.MethodError, match="目标值为0"):
        m.completion(d(1), d(0))


def test_bands_respect_inclusive_ends() -> None:
    bounds = [d("0.9"), d("0.8"), d("0.7")]
    points = [d(7), d(6), d(5)]
    assert m.band_points(d("0.8758"), bounds, points)[0] == 6
    assert m.band_points(d("0.9"), bounds, points, [True, True, True])[0] == 7
    assert m.band_points(d("0.9"), bounds, points, [False, True, True])[0] == 6
    assert m.band_points(d("0.1"), bounds, points)[0] == 0


def test_checklist_equal_shares_and_explicit_points() -> None:
    assert quantize(m.checklist_points(d(2), [True, True, False]), 2, "half_up") == d("1.33")
    assert m.checklist_points(d(3), [True, False], [d(1), d(2)]) == d(1)


def test_deduction_floors_at_zero() -> None:
    assert m.deduction_points(d(2), 1, per_share=d("0.25")) == d("1.5")
    assert m.deduction_points(d(2), 9, per_share=d("0.25")) == 0
    assert m.deduction_points(d(5), 3, per_points=d("0.5")) == d("3.5")


def test_threshold_operators() -> None:
    assert m.threshold_met(d(101), ">=", d(100))
    assert not m.threshold_met(d(99), ">=", d(100))
    assert m.threshold_met(d("0.9"), "<=", d(1))
    assert m.threshold_met(d(1), "=", d(1))


def test_national_judgement_band_limits() -> None:
    assert m.judgement_points(d(10), share=d("0.9"), band="达成年度指标") == 9
    with pytest.raises(m.MethodError, match="80%"):
        m.judgement_points(d(10), share=d("0.5"), band="达成年度指标")
    with pytest.raises(m.MethodError, match="超过权重"):
        m.judgement_points(d(1), score=d(2))


TWO_LINES = [
    group(
        "A",
        10,
        [
            leaf("A1", 6, {"type": "ratio"}),
            leaf("A2", 4, {"type": "checklist", "items": 2}),
        ],
    )
]


def test_missing_evidence_is_never_a_silent_zero() -> None:
    r = rubric(TWO_LINES, total_weight=10)
    result = score(r, evidence({"A1": {"value": "50%"}}))
    a2 = result.indicator("A2")
    assert a2.status == "missing_evidence"
    assert a2.score is None
    assert "缺少" in a2.reason
    assert result.complete is False
    assert result.grade is None
    assert any(f.check == "incomplete" for f in result.findings)


def test_not_applicable_line_is_dropped_and_total_rescaled() -> None:
    r = rubric(TWO_LINES, total_weight=10)
    result = score(r, evidence({"A1": {"value": "50%"}, "A2": {"not_applicable": True}}))
    assert result.indicator("A2").status == "not_applicable"
    assert result.indicator("A1").effective_weight == 10
    assert result.subtotal == 3
    assert result.total == 5  # 3 of the 6 applicable points, rescaled to 10
    assert result.level("A").rate == d("0.5")


def test_not_applicable_forbidden_by_rubric_is_invalid() -> None:
    r = rubric(TWO_LINES, total_weight=10, not_applicable="forbidden")
    result = score(r, evidence({"A1": {"value": 1}, "A2": {"not_applicable": True}}))
    assert result.indicator("A2").status == "invalid_evidence"


def test_bonus_and_penalty_within_caps() -> None:
    r = rubric(
        TWO_LINES,
        total_weight=10,
        bonus={"name": "加分项", "cap": 2, "items": [{"code": "F1", "name": "嘉奖"}]},
        penalty={"name": "减分项", "cap": 1, "items": [{"code": "F2", "name": "违纪"}]},
    )
    lines = {
        "A1": {"value": 1},
        "A2": {"met": [True, True]},
        "F1": {"points": 3},
        "F2": {"points": 4},
    }
    result = score(r, evidence(lines))
    assert result.subtotal == 10
    assert result.bonus == 2
    assert result.penalty == 1
    assert result.total == 11


def test_reason_rule_warns_when_the_deviation_reason_is_missing() -> None:
    levels = [group("A", 10, [leaf("A1", 10, {"type": "ratio", "target": 100, "percent": False})])]
    r = rubric(
        levels, total_weight=10, reason_rules=[{"when": "completion_at_least", "threshold": "130%"}]
    )
    warned = score(r, evidence({"A1": {"value": 135}}))
    assert [f.check for f in warned.findings] == ["reason-required"]
    answered = score(r, evidence({"A1": {"value": 135, "deviation_reason": "需求激增"}}))
    assert answered.findings == []


def test_decision_overrides_rule_and_keeps_the_rule_figure() -> None:
    levels = [
        group(
            "B",
            2,
            [
                leaf(
                    "B12", 2, {"type": "ratio", "mode": "step_started", "value_label": "预算执行率"}
                )
            ],
        )
    ]
    r = rubric(levels, total_weight=2)
    result = score(
        r,
        evidence(
            {
                "B12": {
                    "numerator": 17641.06,
                    "denominator": 18700,
                    "decision": {"deduct_points": 0.11, "reason": "按比例计分"},
                }
            }
        ),
    )
    line = result.indicator("B12")
    assert line.score == d("1.89")
    assert line.decided
    assert line.rule_score == d("1.88")
    assert line.reason == "按比例计分，扣0.11分"


def test_judgement_without_decision_is_missing() -> None:
    levels = [group("C", 1, [leaf("C1", 1, {"type": "judgement"})])]
    result = score(rubric(levels, total_weight=1), evidence({"C1": {"narrative": "写了过程"}}))
    assert result.indicator("C1").status == "missing_evidence"


def test_grades_follow_the_national_scale() -> None:
    r = rubric(TWO_LINES, total_weight=10)
    assert r.grade_for(Decimal("93.08")) == "优"
    assert r.grade_for(Decimal("80")) == "良"
    assert r.grade_for(Decimal("79.99")) == "中"
    assert r.grade_for(Decimal("59.99")) == "差"


def test_trusted_builds_what_model_construct_builds() -> None:
    from xladdin.core.result import AdjustmentResult, trusted

    values = {
        "kind": "bonus",
        "code": "J1",
        "name": "加分",
        "points": Decimal("1.5"),
        "reason": "理由",
    }
    built = trusted(AdjustmentResult, **values)
    expected = AdjustmentResult.model_construct(**values)
    assert built == expected
    assert built.model_fields_set == expected.model_fields_set
    assert built.model_dump_json() == expected.model_dump_json()
    # fields left out or given in another order go through model_construct (defaults filled)
    short = {k: v for k, v in values.items() if k != "reason"}
    assert trusted(AdjustmentResult, **short) == AdjustmentResult.model_construct(**short)
    assert trusted(AdjustmentResult, **short).reason == ""
    shuffled = dict(reversed(list(values.items())))
    assert list(trusted(AdjustmentResult, **shuffled).__dict__) == list(values)


def test_a_loaded_rubric_refuses_changes_in_place_and_a_copy_scores_anew() -> None:
    """What scoring derives from a rubric is kept per rubric object, so a rubric is never
    changed in place (that would leave a stale, silently wrong score): its parts refuse it,
    and a changed copy is a new rubric, scored from its own figures."""
    from pydantic import ValidationError

    from xladdin.library import find_bundled, load_evidence, load_rubric_file

    entry = find_bundled("nanjing-dsj-2022")
    assert entry is not None and entry.evidence_path is not None
    loaded = load_rubric_file(entry.path)
    filled = load_evidence(entry.evidence_path)
    assert score(loaded, filled).total == Decimal("93.08")
    first = loaded.leaves()[0]
    assert first.method is not None
    with pytest.raises(ValidationError):
        first.weight = Decimal("5")  # type: ignore[misc]
    with pytest.raises(ValidationError):
        first.method.type = "manual"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        loaded.rounding.score = loaded.rounding.score  # type: ignore[misc]
    # the same evidence on a copy without the first level's first line: a different rubric
    level = loaded.levels[0]
    assert level.children is not None
    smaller = loaded.model_copy(
        update={
            "levels": [
                level.model_copy(update={"children": level.children[1:]}),
                *loaded.levels[1:],
            ]
        }
    )
    assert score(loaded, filled).total == Decimal("93.08")
    assert score(smaller, filled).total != Decimal("93.08")
