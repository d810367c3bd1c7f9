"""The worksheet functions cannot disagree with the core, and errors never become numbers.

* Parity: every leaf of every bundled rubric is scored by the worksheet function for its
  method, with the line's evidence and the rubric's rounding, called as Excel calls it, and
  compared with ``xladdin.score``.
* Errors: a cell error in any argument, required or optional, gives a failure text — never a
  number computed from the other cells.
* Likeness: what the stand-in cannot run (it needs Excel) is pinned to the installed xlwings.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlwings

import xladdin
from tests.support.fake_xlwings import (
    ERROR_CODES,
    MISSING,
    XLWINDOWS,
    WindowsUdfs,
    call_like_excel,
    read_argument,
    windows_udfs,
)
from xladdin.core.evidence import Decision, Evidence, LineEvidence
from xladdin.core.numbers import fmt_number
from xladdin.core.rubric import (
    BandsMethod,
    ChecklistMethod,
    DeductionMethod,
    JudgementMethod,
    ManualMethod,
    Node,
    RatioMethod,
    Rubric,
    ThresholdMethod,
)
from xladdin.excel import udfs
from xladdin.library import bundled, load_evidence, load_rubric

NA = ERROR_CODES["#N/A"]
DIV0 = ERROR_CODES["#DIV/0!"]


@pytest.fixture(scope="module")
def excel() -> WindowsUdfs:
    return windows_udfs()


def cell(excel: WindowsUdfs, name: str, *args: Any) -> Any:
    result = call_like_excel(getattr(excel.udfs, name), *args)
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1
    return result[0][0]


def column(*values: Any) -> tuple[tuple[Any, ...], ...]:
    return tuple((v,) for v in values)


def xl(value: Decimal | int | None) -> float | None:
    """A number as a cell holds it: a double."""
    return None if value is None else float(value)


# ---------------------------------------------------------------------------------------------
# Parity with the core on every bundled line.


def _share_text(share: Decimal) -> str:
    return f"{fmt_number(share * 100)}%"


def _decision_call(node: Node, decision: Decision, rubric: Rubric) -> tuple[str, tuple[Any, ...]]:
    rounding = (rubric.rounding.score.places, rubric.rounding.score.mode)
    weight = xl(node.weight)
    if decision.score is not None:
        return "SCORE_JUDGE", (weight, None, None, *rounding, xl(decision.score))
    if decision.share is not None:
        return "SCORE_JUDGE", (weight, decision.band, xl(decision.share), *rounding)
    if decision.deduct_share is not None:
        return "SCORE_JUDGE", (weight, _share_text(decision.deduct_share), None, *rounding)
    if decision.deduct_points is not None:
        return "SCORE_JUDGE", (weight, xl(decision.deduct_points), None, *rounding)
    assert decision.deductions
    parts = "+".join(
        _share_text(d.share) if d.share is not None else fmt_number(d.points or Decimal(0))
        for d in decision.deductions
    )
    return "SCORE_JUDGE", (weight, parts, None, *rounding)


def function_call(node: Node, line: LineEvidence, rubric: Rubric) -> tuple[str, tuple[Any, ...]]:
    """The worksheet function (and its arguments, as cells hold them) for a scored line."""
    method = node.method
    places, mode = rubric.rounding.score.places, rubric.rounding.score.mode
    weight = xl(node.weight)
    if line.decision is not None:
        return _decision_call(node, line.decision, rubric)
    value: Any = xl(line.value)
    if line.numerator is not None and line.denominator is not None:
        # the rate as the table prints it, by the rubric's value policy
        assert rubric.rounding.score_on_rounded_value
        value = udfs.EXEC_RATE(
            xl(line.numerator),
            xl(line.denominator),
            rubric.rounding.value.places,
            rubric.rounding.value.mode,
        )
    if isinstance(method, RatioMethod):
        if method.direction == "higher":
            how = method.mode
        else:
            assert method.mode == "proportional", "lower-is-better step modes have no function"
            how = method.inverse
        args = (value, xl(method.target), weight, how, places, mode)
        return "SCORE_RATE", (*args, xl(method.step), xl(method.step_deduct))
    if isinstance(method, BandsMethod):
        points = [
            xl(b.points if b.points is not None else node.weight * (b.share or Decimal(0)))
            for b in method.bands
        ]
        return "SCORE_BANDS", (
            value,
            column(*(xl(b.bound) for b in method.bands)),
            column(*points),
            column(*(b.inclusive for b in method.bands)),
            "越高越好" if method.direction == "higher" else "越低越好",
            xl(method.otherwise),
            places,
            mode,
        )
    if isinstance(method, ChecklistMethod):
        count = method.item_count
        met = (
            line.met
            if line.met is not None
            else [i + 1 not in (line.failed or []) for i in range(count)]
        )
        item_points = method.item_points(node.weight)
        flags = column(*("√" if ok else "×" for ok in met))
        points = column(*(xl(p) for p in item_points)) if item_points is not None else None
        return "SCORE_CHECKLIST", (flags, weight, points, places, mode)
    if isinstance(method, DeductionMethod):
        if method.per_share is not None:
            per, is_share = xl(method.per_share), True
        else:
            per, is_share = xl(method.per_points), False
        return "SCORE_DEDUCT", (xl(line.count), weight, per, is_share, places, mode)
    if isinstance(method, ThresholdMethod):
        if line.passed is not None and value is None:
            value = line.passed
        otherwise = "酌情" if method.otherwise == "judgement" else "不得分"
        return "SCORE_THRESHOLD", (value, xl(method.value), weight, method.op, otherwise)
    raise AssertionError(f"{node.code}: no worksheet function for {method!r}")


def _cases() -> list[tuple[str, str]]:
    return [
        (entry.id, leaf.code)
        for entry in bundled()
        if entry.evidence_path is not None
        for leaf in load_rubric(entry.path).leaves()
    ]


_LOADED: dict[str, tuple[Rubric, Evidence, Any]] = {}


def _loaded(rubric_id: str) -> tuple[Rubric, Evidence, Any]:
    if rubric_id not in _LOADED:
        entry = next(e for e in bundled() if e.id == rubric_id)
        assert entry.evidence_path is not None
        rubric, evidence = load_rubric(entry.path), load_evidence(entry.evidence_path)
        _LOADED[rubric_id] = (rubric, evidence, xladdin.score(rubric, evidence))
    return _LOADED[rubric_id]


CASES = _cases()


def test_the_parity_walk_covers_every_bundled_rubric() -> None:
    assert {rubric_id for rubric_id, _ in CASES} == {e.id for e in bundled()}
    assert len(CASES) == sum(len(load_rubric(e.path).leaves()) for e in bundled())


@pytest.mark.parametrize(("rubric_id", "code"), CASES)
def test_every_bundled_line_scores_as_the_core_scores_it(
    excel: WindowsUdfs, rubric_id: str, code: str
) -> None:
    rubric, evidence, result = _loaded(rubric_id)
    node = rubric.find(code)
    assert node is not None
    line = evidence.line(code)
    expected = result.indicator(code)
    if line is None or line.not_applicable:
        assert expected.status in ("missing_evidence", "not_applicable")
        return
    if line.decision is None and isinstance(node.method, JudgementMethod | ManualMethod):
        assert expected.status == "missing_evidence"  # nothing a function could be given
        return
    name, args = function_call(node, line, rubric)
    shown = cell(excel, name, *args)
    if expected.status == "scored":
        assert expected.score is not None
        assert shown == float(expected.score), (rubric_id, code, name, args, shown)
        assert Decimal(repr(shown)) == expected.score
    else:
        assert isinstance(shown, str) and udfs.is_failure(shown), (rubric_id, code, shown)


# ---------------------------------------------------------------------------------------------
# Rounding at the edges: the function follows the rounding it is given, as the core does.


def _core(
    method: Any, line: LineEvidence, weight: str, places: int = 2, mode: str = "half_up"
) -> Decimal:
    node = Node(code="X", name="本项", weight=Decimal(weight), method=method)
    rubric = Rubric.model_validate(
        {
            "id": "edge",
            "title": "edge",
            "kind": "project",
            "levels": [node],
            "rounding": {"score": {"places": places, "mode": mode}},
        }
    )
    scored = xladdin.score(rubric, Evidence(rubric="edge", lines={"X": line}))
    points = scored.indicator("X").score
    assert points is not None
    return points


def test_001_c11_half_up_and_truncate(excel: WindowsUdfs) -> None:
    # 81.25% of 10 = 8.125: half-up 8.13 (the published figure), truncated 8.12
    ratio = RatioMethod(type="ratio", target=Decimal(100), percent=False)
    line = LineEvidence(value=Decimal("81.25"))
    assert cell(excel, "SCORE_RATE", 81.25, 100.0, 10.0) == 8.13 == float(_core(ratio, line, "10"))
    truncated = cell(excel, "SCORE_RATE", 81.25, 100.0, 10.0, None, 2.0, "截尾")
    assert truncated == 8.12 == float(_core(ratio, line, "10", 2, "truncate"))
    assert cell(excel, "SCORE_RATE", 81.25, 100.0, 10.0, None, 2.0, "truncate") == 8.12


def test_a_value_against_a_target_is_not_rounded_to_four_places(excel: WindowsUdfs) -> None:
    # 12.345 of 100 → 12.345%: the core scores 1.2345 → 1.23; rounding the rate first to
    # 12.35% would give 1.24
    ratio = RatioMethod(type="ratio", target=Decimal(100), percent=False)
    core = _core(ratio, LineEvidence(value=Decimal("12.345")), "10")
    assert core == Decimal("1.23")
    assert cell(excel, "SCORE_RATE", 12.345, 100.0, 10.0) == 1.23


def test_a_rate_from_amounts_is_rounded_to_four_places_as_printed(excel: WindowsUdfs) -> None:
    # 12.345 / 100 from two amounts: the core rounds the rate to 12.35% (4 places) first
    ratio = RatioMethod(type="ratio")
    core = _core(ratio, LineEvidence(numerator=Decimal("12.345"), denominator=Decimal(100)), "10")
    assert core == Decimal("1.24")
    rate = cell(excel, "EXEC_RATE", 12.345, 100.0)
    assert rate == 0.1235
    assert cell(excel, "SCORE_RATE", rate, 1.0, 10.0) == 1.24
    # the 004 convention (truncating rates) is the rounding argument of EXEC_RATE
    assert cell(excel, "EXEC_RATE", 14.23, 16.0, 4.0, "截尾") == 0.8893


def test_bands_round_their_points(excel: WindowsUdfs) -> None:
    # a band worth 0.875 points scores 0.88 half-up, 0.87 truncated, as the core does
    bands = BandsMethod.model_validate(
        {"type": "bands", "bands": [{"bound": "0.9", "points": "0.875"}]}
    )
    line = LineEvidence(value=Decimal("0.95"))
    assert float(_core(bands, line, "1")) == 0.88
    assert cell(excel, "SCORE_BANDS", 0.95, column(0.9), column(0.875)) == 0.88
    assert float(_core(bands, line, "1", 2, "truncate")) == 0.87
    assert (
        cell(excel, "SCORE_BANDS", 0.95, column(0.9), column(0.875), None, None, None, 2.0, "截尾")
        == 0.87
    )


def test_001_d41_bands_that_exclude_their_bound(excel: WindowsUdfs) -> None:
    bounds, points = column(0.9, 0.8, 0.7, 0.6, 0.5), column(7.0, 6.0, 5.0, 4.0, 3.0)
    included = column(True, True, False, True, False)
    assert cell(excel, "SCORE_BANDS", 0.8758, bounds, points, included) == 6.0
    assert cell(excel, "SCORE_BANDS", 0.7, bounds, points, included) == 4.0  # 70% excluded
    assert cell(excel, "SCORE_BANDS", 0.7, bounds, points) == 5.0  # default: inclusive
    words = column("含", "含", "不含", "含", "不含")
    assert cell(excel, "SCORE_BANDS", 0.7, bounds, points, words) == 4.0
    assert cell(excel, "SCORE_BANDS", 0.7, bounds, points, False) == 4.0  # one flag for all


def test_bands_lower_is_better_and_otherwise_points(excel: WindowsUdfs) -> None:
    # 超支率: ≤ 0% → 2, ≤ 5% → 1, otherwise 0.5
    bounds, points = column(0.0, 0.05), column(2.0, 1.0)
    assert cell(excel, "SCORE_BANDS", 0.03, bounds, points, None, "越低越好") == 1.0
    assert cell(excel, "SCORE_BANDS", 0.0, bounds, points, None, "越低越好") == 2.0
    assert cell(excel, "SCORE_BANDS", 0.08, bounds, points, None, "越低越好", 0.5) == 0.5


def test_step_size_and_deduction(excel: WindowsUdfs) -> None:
    # every started 5 points below 100% deducts 10% of the weight: 93.25% → 2 steps → 80%
    assert cell(excel, "SCORE_RATE", 0.9325, 1.0, 10.0, 1.0, MISSING, MISSING, "5%", "10%") == 8.0
    assert cell(excel, "SCORE_RATE", 0.9325, 1.0, 10.0, 2.0, MISSING, MISSING, 0.05, 0.1) == 9.0


def test_threshold_lines(excel: WindowsUdfs) -> None:
    # 000 C42 ≥100家得权重分: 101 → full
    assert cell(excel, "SCORE_THRESHOLD", 101.0, 100.0, 3.0) == 3.0
    assert cell(excel, "SCORE_THRESHOLD", 99.0, 100.0, 3.0) == 0.0
    assert cell(excel, "SCORE_THRESHOLD", 1.02, 1.0, 1.0, "≤") == 0.0
    assert cell(excel, "SCORE_THRESHOLD", "√", 1.0, 1.0, "≤") == 1.0
    assert cell(excel, "SCORE_THRESHOLD", False, 1.0, 1.0, "≤") == 0.0
    judged = cell(excel, "SCORE_THRESHOLD", 99.0, 100.0, 3.0, ">=", "酌情")
    assert judged.startswith("#VALUE! ") and "酌情认定" in judged
    reason = cell(excel, "SCORE_REASON", "SCORE_THRESHOLD", "服务企业数", 99.0, 100.0, 3.0)
    assert reason == "服务企业数99，未达到≥100，不得分"


def test_judge_with_an_awarded_score(excel: WindowsUdfs) -> None:
    assert cell(excel, "SCORE_JUDGE", 16.0, None, None, MISSING, MISSING, 14.23) == 14.23
    too_much = cell(excel, "SCORE_JUDGE", 16.0, None, None, MISSING, MISSING, 17.0)
    assert too_much.startswith("#VALUE! ") and "超过权重" in too_much


# ---------------------------------------------------------------------------------------------
# Errors in arguments: never a number from the remaining cells.


@pytest.mark.parametrize(
    ("name", "args", "code"),
    [
        ("SCORE_CHECKLIST", (column(1.0, NA, 0.0), 2.0), "#N/A"),
        ("SCORE_BANDS", (0.8758, column(0.9, NA, 0.7), column(7.0, NA, 5.0)), "#N/A"),
        ("SCORE_RATE", (NA, 100.0, 1.0), "#N/A"),
        ("SCORE_RATE", (1689.29, 1811.58, 1.0, 1.0, NA), "#N/A"),
        ("SCORE_RATE", (1689.29, 1811.58, 1.0, NA), "#N/A"),
        ("SCORE_RATE", (1689.29, DIV0, 1.0), "#DIV/0!"),
        ("PERF_GRADE", (93.08, NA), "#N/A"),
        ("PERF_GRADE", (DIV0,), "#DIV/0!"),
        ("EXEC_RATE", (1689.29, 1811.58, NA), "#N/A"),
        ("SCORE_DEDUCT", (1.0, 2.0, "25%", NA), "#N/A"),
        ("SCORE_JUDGE", (1.0, "25%", None, NA), "#N/A"),
        ("SCORE_THRESHOLD", (101.0, 100.0, 3.0, NA), "#N/A"),
        ("SCORE_REASON", ("SCORE_RATE", "预算执行率", 1.0, 1.0, 1.0, NA), "#N/A"),
        ("SCORE_LINE", (NA,), "#N/A"),
        # a newer error (#SPILL!, 2045) arrives as its integer code even with err_to_str
        ("SCORE_RATE", (-2146828288 + 2045, 100.0, 1.0), "#SPILL!"),
        # a failure of another of these functions in a cell this one reads
        ("SCORE_RATE", ("#VALUE! 预算数为0，无法计算执行率", 1.0, 1.0), "#VALUE!"),
    ],
)
def test_an_error_in_any_argument_is_an_error(
    excel: WindowsUdfs, name: str, args: tuple[Any, ...], code: str
) -> None:
    shown = cell(excel, name, *args)
    assert isinstance(shown, str) and shown.startswith(f"{code} "), shown
    assert "错误值" in shown


def test_without_err_to_str_xlwings_hands_an_error_over_as_an_empty_cell() -> None:
    """Why every argument is registered with err_to_str: the default loses the error."""
    assert read_argument(NA, {}) is None
    assert read_argument(((1.0,), (NA,), (0.0,)), {}) == [1.0, None, 0.0]
    assert read_argument(((1.0,), (NA,), (0.0,)), {"err_to_str": True}) == [1.0, "#N/A", 0.0]


def test_the_error_table_is_xlwings_own() -> None:
    """The classic errors the functions recognise are the ones xlwings converts."""
    for code, text in XLWINDOWS.cell_errors.items():
        assert udfs.cell_error(code) == text
        assert udfs.cell_error(text) == text
    assert udfs.cell_error(1.0) is None and udfs.cell_error(True) is None
    assert udfs.cell_error("#不是错误") is None and udfs.cell_error("93.25%") is None


def test_a_failure_is_never_a_number(excel: WindowsUdfs) -> None:
    shown = cell(excel, "SCORE_RATE", 1.0, 0.0, 1.0)
    assert isinstance(shown, str) and not isinstance(shown, bool)
    assert udfs.is_failure(shown)


# ---------------------------------------------------------------------------------------------
# The installed xlwings: what the stand-in does not run, pinned.

TESTED_XLWINGS = ((0, 33, 17), (0, 38, 0))  # the range pyproject.toml allows


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:3] if part.isdigit())


def test_the_installed_xlwings_is_in_the_tested_range() -> None:
    low, high = TESTED_XLWINGS
    assert low <= _version(xlwings.__version__) < high
    pyproject = (Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"xlwings>=0.33.17,<0.38"' in pyproject


def test_call_udf_rules_the_stand_in_repeats(excel: WindowsUdfs) -> None:
    """call_udf needs Excel; the rules ``call_like_excel`` copies from it are pinned here."""
    source = inspect.getsource(excel.xlwings_udfs.call_udf)
    assert f"arg == {MISSING}" in source  # an omitted optional argument
    assert 'args[i] = arg_info.get("optional", None)' in source
    assert 'if info["name"] == "caller":' in source  # the reserved argument
    assert 'conversion.read(None, arg, arg_info["options"])' in source
    assert 'conversion.write(ret, None, ret_info["options"])' in source


def test_whatever_a_function_raises_reaches_the_cell_as_text(excel: WindowsUdfs) -> None:
    """The VBA wrapper turns a Python exception into Err.Description: a text, as #776 says.

    So the functions return their failures as text themselves, with the error code first.
    """
    vba = excel.vba()
    assert "If TypeOf Application.Caller Is Range Then On Error GoTo failed" in vba
    assert "SCORE_RATE = Err.Description" in vba


def test_script_is_the_macro_decorator_of_the_installed_xlwings(excel: WindowsUdfs) -> None:
    assert callable(getattr(xlwings, "script", None))
    for name in ("PERF_RECALC", "PERF_CHECK", "PERF_NEW"):
        assert getattr(excel.udfs, name).__xlfunc__["sub"] is True


_IMPORT_SCRIPT = """
import sys, types
{setup}
import xladdin.excel.udfs as udfs
assert udfs.SCORE_RATE(1689.29, 1811.58, 1) == 0.93
assert udfs.SCORE_CHECKLIST([1, "#N/A", 0], 2).startswith("#N/A ")
assert callable(udfs.PERF_RECALC)
print("ok")
"""

_STUB = """
stub = types.ModuleType("xlwings")
def decorator(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda f: f
for name in {names!r}:
    setattr(stub, name, decorator)
sys.modules["xlwings"] = stub
"""


@pytest.mark.parametrize(
    "setup",
    [
        pytest.param("", id="the-installed-xlwings"),
        pytest.param(_STUB.format(names=("func", "arg", "ret", "script")), id="script-only"),
        pytest.param(_STUB.format(names=("func", "arg", "ret", "sub")), id="sub-only"),
        pytest.param(_STUB.format(names=("func", "arg", "ret")), id="no-macro-decorator"),
    ],
)
def test_the_function_module_imports(setup: str) -> None:
    script = textwrap.dedent(_IMPORT_SCRIPT.format(setup=setup))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_stand_in_reads_an_error_cell_as_xlwings_does(tmp_path: Path) -> None:
    """A book whose cells hold #N/A and #DIV/0!: Range.value through xlwings' own reader."""
    import openpyxl

    from tests.support.fake_xlwings import FakeBook

    path = tmp_path / "errors.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "表"
    sheet.append([1.5, "#N/A", None, "#DIV/0!", "文字"])
    book.save(path)
    live = FakeBook(path).sheets["表"]
    assert live.range("A1:E1").value == [1.5, None, None, None, "文字"]
    shown = live.range("A1:E1").options(err_to_str=True).value
    assert shown == [1.5, "#N/A", None, "#DIV/0!", "文字"]
    assert live.range("B1").raw_value == NA  # what COM hands over: the VT_ERROR code
    assert live.range("A1:B1").options(ndim=2).value == [[1.5, None]]
