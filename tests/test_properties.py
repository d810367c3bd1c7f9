"""Property tests for every scoring method and for the aggregation."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import evidence, group, leaf, rubric
from xladdin.core import methods as m
from xladdin.core.scoring import score

weights = st.decimals(min_value=0, max_value=30, places=2)
rates = st.decimals(min_value=0, max_value=3, places=4)
positive = st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2)
modes = st.sampled_from(["proportional", "step_started", "step_full"])
inverses = st.sampled_from(["target_over_actual", "linear_to_double"])


@given(weights, rates, modes)
def test_ratio_score_stays_within_zero_and_weight(
    weight: Decimal, value: Decimal, mode: str
) -> None:
    points = m.ratio_points(weight, m.completion(value, Decimal(1)), mode).points  # type: ignore[arg-type]
    assert 0 <= points <= weight


@given(weights, rates, rates, modes)
def test_ratio_score_never_falls_as_the_rate_rises(
    weight: Decimal, a: Decimal, b: Decimal, mode: str
) -> None:
    low, high = sorted((a, b))
    s_low = m.ratio_points(weight, m.completion(low, Decimal(1)), mode).points  # type: ignore[arg-type]
    s_high = m.ratio_points(weight, m.completion(high, Decimal(1)), mode).points  # type: ignore[arg-type]
    assert s_low <= s_high


@given(weights, positive, positive, positive, inverses, modes)
def test_inverse_ratio_never_rises_as_the_value_rises(
    weight: Decimal, target: Decimal, a: Decimal, b: Decimal, inverse: str, mode: str
) -> None:
    low, high = sorted((a, b))
    s_low = m.ratio_points(weight, m.completion(low, target, "lower", inverse), mode).points  # type: ignore[arg-type]
    s_high = m.ratio_points(weight, m.completion(high, target, "lower", inverse), mode).points  # type: ignore[arg-type]
    assert 0 <= s_high <= s_low <= weight


band_sets = st.lists(
    st.decimals(min_value=0, max_value=1, places=2), min_size=1, max_size=6, unique=True
)


@given(band_sets, rates, rates, st.booleans())
def test_bands_are_monotone_and_within_the_weight(
    bounds: list[Decimal], a: Decimal, b: Decimal, inclusive: bool
) -> None:
    ordered = sorted(bounds, reverse=True)
    weight = Decimal(len(ordered))
    amounts = [Decimal(len(ordered) - i) for i in range(len(ordered))]  # better band, more points
    flags = [inclusive] * len(ordered)
    low, high = sorted((a, b))
    p_low = m.band_points(low, ordered, amounts, flags)[0]
    p_high = m.band_points(high, ordered, amounts, flags)[0]
    assert 0 <= p_low <= p_high <= weight


@given(weights, st.lists(st.booleans(), min_size=1, max_size=8))
def test_checklist_stays_within_weight_and_rewards_more_items(
    weight: Decimal, met: list[bool]
) -> None:
    points = m.checklist_points(weight, met)
    assert 0 <= points <= weight
    if not all(met):
        better = list(met)
        better[better.index(False)] = True
        assert m.checklist_points(weight, better) >= points


@given(
    weights, st.integers(0, 20), st.integers(0, 20), st.decimals(min_value=0, max_value=1, places=2)
)
def test_deductions_never_rise_with_more_occurrences(
    weight: Decimal, a: int, b: int, share: Decimal
) -> None:
    low, high = sorted((a, b))
    more = m.deduction_points(weight, high, per_share=share)
    fewer = m.deduction_points(weight, low, per_share=share)
    assert 0 <= more <= fewer <= weight


@given(weights, rates, rates, st.sampled_from([">=", "<=", "=", ">", "<"]))
def test_threshold_gives_all_or_nothing(
    weight: Decimal, value: Decimal, bound: Decimal, op: str
) -> None:
    points = weight if m.threshold_met(value, op, bound) else Decimal(0)  # type: ignore[arg-type]
    assert points in (0, weight)


@given(
    weights,
    st.decimals(min_value=0, max_value=1, places=2),
    st.decimals(min_value=0, max_value=50, places=2),
)
def test_judgement_stays_within_zero_and_weight(
    weight: Decimal, share: Decimal, points: Decimal
) -> None:
    for kwargs in ({"share": share}, {"deduct_share": share}, {"deduct_points": points}):
        assert 0 <= m.judgement_points(weight, **kwargs) <= weight  # type: ignore[arg-type]


# ---- aggregation over random trees ---------------------------------------------------------

leaf_weights = st.lists(st.integers(1, 8), min_size=1, max_size=4)  # at most 3 × 32 = 96 points


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[dict[str, object]], dict[str, dict[str, object]]]:
    levels = []
    lines: dict[str, dict[str, object]] = {}
    for g in range(draw(st.integers(1, 3))):
        children = []
        for i, w in enumerate(draw(leaf_weights)):
            code = f"G{g}L{i}"
            children.append(leaf(code, w, {"type": "ratio"}))
            state = draw(st.sampled_from(["value", "na", "missing"]))
            if state == "value":
                lines[code] = {"value": str(draw(st.decimals(min_value=0, max_value=1, places=4)))}
            elif state == "na":
                lines[code] = {"not_applicable": True}
        levels.append(group(f"G{g}", sum(c["weight"] for c in children), children))  # type: ignore[misc]
    return levels, lines


@settings(max_examples=60, deadline=None)
@given(trees())
def test_subtotals_equal_the_sum_of_their_children(
    tree: tuple[list[dict[str, object]], dict[str, dict[str, object]]],
) -> None:
    levels, lines = tree
    total_weight = sum(level["weight"] for level in levels)  # type: ignore[misc]
    r = rubric(levels, total_weight=total_weight)
    result = score(r, evidence(lines))
    by_code = {line.code: line for line in result.indicators}
    for level in result.levels:
        children = [by_code[c].score or 0 for c in level.child_codes]
        assert level.score == sum(children)
    assert result.subtotal == sum(level.score for level in result.top_levels())


@settings(max_examples=60, deadline=None)
@given(trees())
def test_rescaling_for_not_applicable_lines_keeps_the_total_at_100(
    tree: tuple[list[dict[str, object]], dict[str, dict[str, object]]],
) -> None:
    levels, lines = tree
    total_weight = sum(level["weight"] for level in levels)  # type: ignore[misc]
    # Scale the declared weights to a total of 100 by adding a filler group.
    assert total_weight < 100
    levels = [
        *levels,
        group("Z", 100 - total_weight, [leaf("Z1", 100 - total_weight, {"type": "ratio"})]),
    ]
    full = {
        code: ({"not_applicable": True} if line.get("not_applicable") else {"value": 1})
        for code, line in lines.items()
    }
    full["Z1"] = {"value": 1}
    for code in [lf.code for lf in rubric(levels, total_weight=100).leaves()]:
        full.setdefault(code, {"value": 1})
    r = rubric(levels, total_weight=100)
    result = score(r, evidence(full))
    applicable = [line for line in result.indicators if line.status != "not_applicable"]
    if applicable:
        assert result.total == 100  # every applicable line at full marks
        assert abs(sum(line.effective_weight for line in applicable) - 100) <= Decimal(
            "0.0001"
        ) * len(applicable)
