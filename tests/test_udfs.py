"""The worksheet functions, called as Excel calls them through xlwings.

Most tests go through ``call_like_excel``: the add-in's module decorated by xlwings' real Windows
decorators, arguments converted by xlwings' own conversion pipeline from what COM delivers
(floats for every number, None for an empty cell, strings, booleans, tuples of rows for a range
or an array constant such as {0.9;0.8}), and the result handed back as the 2-D list VBA gets.
The figures are the published ones of DOMAIN.md.
"""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import xladdin.excel.udfs as udfs
from tests.support.fake_xlwings import MISSING, WindowsUdfs, call_like_excel, windows_udfs
from xladdin.library import load_rubric
from xladdin.workbook.build import write_workbook
from xladdin.workbook.layout import CONFIG_SHEET, UDF_MODULE

FUNCTIONS = [
    "SCORE_RATE",
    "EXEC_RATE",
    "SCORE_BANDS",
    "SCORE_CHECKLIST",
    "SCORE_DEDUCT",
    "SCORE_JUDGE",
    "SCORE_THRESHOLD",
    "PERF_GRADE",
    "SCORE_REASON",
    "SCORE_LINE",
]

# Words VBA reserves: "Import Functions" writes each argument name into a VBA signature.
VBA_RESERVED = {
    "and", "as", "boolean", "byref", "byte", "byval", "call", "case", "close", "const",
    "currency", "date", "declare", "dim", "do", "double", "each", "else", "elseif", "empty",
    "end", "enum", "erase", "error", "event", "exit", "false", "for", "friend", "function",
    "get", "global", "gosub", "goto", "if", "implements", "in", "input", "integer", "is",
    "let", "like", "line", "lock", "long", "loop", "lset", "me", "mod", "name", "new", "next",
    "not", "nothing", "null", "on", "open", "option", "optional", "or", "paramarray",
    "preserve", "print", "private", "property", "public", "put", "raiseevent", "redim", "rem",
    "resume", "return", "rset", "seek", "select", "set", "single", "static", "step", "stop",
    "string", "sub", "then", "to", "true", "type", "typeof", "unlock", "until", "variant",
    "wend", "while", "with", "withevents", "write", "xor",
}  # fmt: skip


@pytest.fixture(scope="module")
def excel() -> WindowsUdfs:
    return windows_udfs()


def cell(excel: WindowsUdfs, name: str, *args: Any) -> Any:
    """The value a cell shows for =NAME(args…)."""
    result = call_like_excel(getattr(excel.udfs, name), *args)
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1
    return result[0][0]


def column(*values: Any) -> tuple[tuple[Any, ...], ...]:
    """A one-column range (or an array constant {a;b;c}) as COM delivers it."""
    return tuple((v,) for v in values)


def row(*values: Any) -> tuple[tuple[Any, ...], ...]:
    """A one-row range (or an array constant {a,b,c}) as COM delivers it."""
    return (tuple(values),)


SATISFACTION_BOUNDS = column(0.9, 0.8, 0.7, 0.6, 0.5)
SATISFACTION_POINTS = column(7.0, 6.0, 5.0, 4.0, 3.0)


# ---------------------------------------------------------------------------------------------
# The published figures.


@pytest.mark.parametrize(
    ("case", "name", "args", "expected"),
    [
        ("000 B11 proportional", "SCORE_RATE", (1689.29, 1811.58, 1.0), 0.93),
        ("001 B12 execution", "SCORE_RATE", (17641.06, 18700.0, 2.0), 1.89),
        ("001 C11 half-up 8.125", "SCORE_RATE", (81.25, 100.0, 10.0), 8.13),
        ("000 B12 step", "SCORE_RATE", (1435.59, 1465.19, 1.0, 1.0), 0.97),
        ("000 B12 proportional", "SCORE_RATE", (1435.59, 1465.19, 1.0), 0.98),
        ("000 B11 step", "SCORE_RATE", (1689.29, 1811.58, 1.0, "逐点扣分"), 0.93),
        ("001 D41 bands", "SCORE_BANDS", (0.8758, SATISFACTION_BOUNDS, SATISFACTION_POINTS), 6.0),
        ("000 A41 checklist", "SCORE_CHECKLIST", (column(1.0, 1.0, 0.0), 2.0), 1.33),
        ("000 A22 deduction", "SCORE_DEDUCT", (1.0, 2.0, "25%"), 1.5),
        ("000 C43 judgement 25%", "SCORE_JUDGE", (1.0, "25%"), 0.75),
        ("000 C53 two deductions", "SCORE_JUDGE", (1.0, "25%+25%"), 0.5),
        ("001 B22 minus 1", "SCORE_JUDGE", (10.0, 1.0), 9.0),
        ("000 D41 90% of the weight", "SCORE_JUDGE", (5.0, None, 0.9), 4.5),
        ("000 total", "PERF_GRADE", (93.08,), "优"),
        ("grade 80 inclusive", "PERF_GRADE", (80.0,), "良"),
        ("grade 79.99", "PERF_GRADE", (79.99,), "中"),
        ("grade 59.99", "PERF_GRADE", (59.99,), "差"),
        ("004 total", "PERF_GRADE", (87.96,), "良"),
        ("000 B11 rate", "EXEC_RATE", (1689.29, 1811.58), 0.9325),
        ("000 B12 rate", "EXEC_RATE", (1435.59, 1465.19), 0.9798),
        ("001 B12 rate", "EXEC_RATE", (17641.06, 18700.0), 0.9434),
    ],
)
def test_published_figures(
    excel: WindowsUdfs, case: str, name: str, args: tuple[Any, ...], expected: Any
) -> None:
    assert cell(excel, name, *args) == expected, case


def test_published_figures_also_on_this_machine() -> None:
    """Without Excel the decorators are no-ops: the same functions answer directly."""
    assert udfs.SCORE_RATE(1689.29, 1811.58, 1) == 0.93
    assert udfs.SCORE_RATE(81.25, 100, 10) == 8.13
    assert udfs.SCORE_RATE(1435.59, 1465.19, 1, 1) == 0.97
    assert udfs.SCORE_BANDS(0.8758, [0.9, 0.8, 0.7, 0.6, 0.5], [7, 6, 5, 4, 3]) == 6
    assert udfs.SCORE_CHECKLIST([1, 1, 0], 2) == 1.33
    assert udfs.SCORE_DEDUCT(1, 2, "25%") == 1.5
    assert udfs.PERF_GRADE(93.08) == "优"
    assert udfs.EXEC_RATE(1689.29, 1811.58) == 0.9325


def test_001_c11_rounds_half_up_not_like_float() -> None:
    assert round(8.125, 2) == 8.12  # what float rounding would publish
    assert udfs.SCORE_RATE(81.25, 100.0, 10.0) == 8.13


def test_000_b12_step_modes(excel: WindowsUdfs) -> None:
    # 97.98%: 2.02 points short → 3 started points (0.97), 2 full points (0.98)
    assert cell(excel, "SCORE_RATE", 1435.59, 1465.19, 1.0, 1.0) == 0.97
    assert cell(excel, "SCORE_RATE", 1435.59, 1465.19, 1.0, 2.0) == 0.98
    assert cell(excel, "SCORE_RATE", 1435.59, 1465.19, 1.0, "整点扣分") == 0.98
    assert cell(excel, "SCORE_RATE", 1435.59, 1465.19, 1.0, "step") == 0.97


def test_step_mode_scores_the_printed_rate_when_given_it() -> None:
    # an execution rate computed from amounts is scored as printed: 95.99996% prints as
    # 96.00%, 4 points short, not 5 (the core rounds rates it computes from two amounts) …
    assert udfs.EXEC_RATE(95.99996, 100.0) == 0.96
    assert udfs.SCORE_RATE(udfs.EXEC_RATE(95.99996, 100.0), 1, 10.0, 1) == 9.6
    # … while a value against a target is scored unrounded, as the core scores such a line
    assert udfs.SCORE_RATE(95.99996, 100.0, 10.0, 1) == 9.5


def test_inverse_modes_for_lower_is_better() -> None:
    # 成本 120 against a target of 100
    assert udfs.SCORE_RATE(120.0, 100.0, 10.0, 3) == 8.33  # 10 × 100/120
    assert udfs.SCORE_RATE(120.0, 100.0, 10.0, "反向线性") == 8.0  # 0 at 200
    assert udfs.SCORE_RATE(250.0, 100.0, 10.0, 4) == 0.0
    assert udfs.SCORE_RATE(90.0, 100.0, 10.0, "反向") == 10.0  # under the target: full


def test_rate_capped_at_the_weight_and_places() -> None:
    assert udfs.SCORE_RATE(120.0, 100.0, 10.0) == 10.0
    assert udfs.SCORE_RATE(1.0, 3.0, 10.0, None, 3) == 3.333
    assert udfs.SCORE_RATE(1.0, 3.0, 10.0, None, 0) == 3.0
    assert udfs.EXEC_RATE(1.0, 3.0, 2) == 0.33


# ---------------------------------------------------------------------------------------------
# The argument shapes xlwings delivers.


def test_omitted_optional_arguments_take_the_defaults(excel: WindowsUdfs) -> None:
    assert cell(excel, "SCORE_RATE", 1435.59, 1465.19, 1.0, MISSING, MISSING) == 0.98
    assert cell(excel, "SCORE_RATE", 1435.59, 1465.19, 1.0, 1.0, MISSING) == 0.97
    assert cell(excel, "EXEC_RATE", 1689.29, 1811.58, MISSING) == 0.9325


def test_empty_cells_for_optional_arguments(excel: WindowsUdfs) -> None:
    # =SCORE_RATE(B5,C5,D5,E5,F5) with E5 and F5 empty
    assert cell(excel, "SCORE_RATE", 1435.59, 1465.19, 1.0, None, None) == 0.98


def test_text_numbers_as_officers_type_them(excel: WindowsUdfs) -> None:
    assert cell(excel, "SCORE_RATE", "1,689.29", "1,811.58", "1") == 0.93
    assert cell(excel, "SCORE_RATE", "９３.２５％", "100%", 1.0) == 0.93
    assert cell(excel, "SCORE_BANDS", "87.58%", SATISFACTION_BOUNDS, SATISFACTION_POINTS) == 6.0


def test_bands_from_rows_columns_and_text_bounds(excel: WindowsUdfs) -> None:
    assert cell(excel, "SCORE_BANDS", 0.8758, row(0.9, 0.8, 0.7), row(7.0, 6.0, 5.0)) == 6.0
    bounds = column("90%", "80%", "70%", "60%", "50%")
    assert cell(excel, "SCORE_BANDS", 0.8758, bounds, SATISFACTION_POINTS) == 6.0
    assert cell(excel, "SCORE_BANDS", 0.9, SATISFACTION_BOUNDS, SATISFACTION_POINTS) == 7.0
    assert cell(excel, "SCORE_BANDS", 0.42, SATISFACTION_BOUNDS, SATISFACTION_POINTS) == 0.0
    # empty rows at the end of a longer range are skipped
    longer = column(0.9, 0.8, 0.7, 0.6, 0.5, None, None)
    points = column(7.0, 6.0, 5.0, 4.0, 3.0, None, None)
    assert cell(excel, "SCORE_BANDS", 0.8758, longer, points) == 6.0


@pytest.mark.parametrize(
    "flags",
    [
        column(1.0, 1.0, 0.0),
        row(True, True, False),
        row("是", "是", "否"),
        row("√", "√", "×"),
        row("符合", "符合", "不符合"),
        row("TRUE", "true", "FALSE"),
        row("√", "√", "×", None, None),  # a 5-column 要点 block on a 3-item line
        ((1.0, None), ("√", None), ("×", None)),  # a 2-D block, read row by row
    ],
)
def test_000_a41_checklist_flags_as_officers_type_them(
    excel: WindowsUdfs, flags: tuple[tuple[Any, ...], ...]
) -> None:
    assert cell(excel, "SCORE_CHECKLIST", flags, 2.0) == 1.33


def test_001_checklists_with_item_points(excel: WindowsUdfs) -> None:
    # 001 A21: ①–④ 0.5 each; ③ not met
    half = column(0.5, 0.5, 0.5, 0.5)
    assert cell(excel, "SCORE_CHECKLIST", column("√", "√", "×", "√"), 2.0, half) == 1.5
    # 001 B21: ① 1分, ② 2分
    assert cell(excel, "SCORE_CHECKLIST", row("√", "×"), 3.0, row(1.0, 2.0)) == 1.0


def test_deductions_floor_at_zero_and_points_per_occurrence(excel: WindowsUdfs) -> None:
    assert cell(excel, "SCORE_DEDUCT", 5.0, 2.0, "25%") == 0.0  # 扣完为止
    assert cell(excel, "SCORE_DEDUCT", 0.0, 2.0, "25%") == 2.0
    # 000 B52 每发现一处不规范，扣20%权重分 (weight 1)
    assert cell(excel, "SCORE_DEDUCT", 2.0, 1.0, "扣20%权重分") == 0.6
    # 001 D11 未达到每一项扣0.5分 (weight 5)
    assert cell(excel, "SCORE_DEDUCT", 3.0, 5.0, 0.5) == 3.5
    assert cell(excel, "SCORE_DEDUCT", 3.0, 5.0, "0.5分") == 3.5
    # a cell formatted as a percentage holds 0.25: say so with the 4th argument
    assert cell(excel, "SCORE_DEDUCT", 1.0, 2.0, 0.25, True) == 1.5
    assert cell(excel, "SCORE_DEDUCT", 1.0, 2.0, 0.25) == 1.75


def test_judgement_bands_and_deductions(excel: WindowsUdfs) -> None:
    assert cell(excel, "SCORE_JUDGE", 10.0, "达成年度指标", 0.9) == 9.0
    assert cell(excel, "SCORE_JUDGE", 10.0, "部分达成并具有一定效果", "70%") == 7.0
    assert cell(excel, "SCORE_JUDGE", 10.0, "未达成且效果较差", 0.3) == 3.0
    assert cell(excel, "SCORE_JUDGE", 10.0, "0.5+0.5") == 9.0
    assert cell(excel, "SCORE_JUDGE", 10.0, "扣1分") == 9.0
    assert cell(excel, "SCORE_JUDGE", 1.0, "25%＋25%") == 0.5


def test_grade_scales(excel: WindowsUdfs) -> None:
    two_columns = ((95.0, "A"), (75.0, "B"), (0.0, "C"))
    assert cell(excel, "PERF_GRADE", 93.08, two_columns) == "B"
    assert cell(excel, "PERF_GRADE", 93.08, (("优", 95.0), ("良", 0.0))) == "良"
    assert cell(excel, "PERF_GRADE", 93.08, "优95,良80,中60,差0") == "良"
    assert cell(excel, "PERF_GRADE", 100.0, "优：≥95；良：≥80") == "优"


# ---------------------------------------------------------------------------------------------
# SCORE_REASON: the core's reason texts for the same arguments.


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("SCORE_RATE", "预算执行率", 1689.29, 1811.58, 1.0, 1.0), "预算执行率93.25%，扣7%权重分"),
        (("SCORE_RATE", "预算执行率", 1435.59, 1465.19, 1.0, 1.0), "预算执行率97.98%，扣3%权重分"),
        (("SCORE_RATE", None, 81.25, 100.0, 10.0), "完成率81.25%，扣1.87分"),
        (("SCORE_RATE", "成本", 120.0, 100.0, 10.0, 3.0), "成本120，扣1.67分"),
        (
            ("score_bands", "满意度", 0.8758, SATISFACTION_BOUNDS, SATISFACTION_POINTS),
            "满意度87.58%，扣1分",
        ),
        (("=SCORE_CHECKLIST(", None, column(1.0, 1.0, 0.0), 2.0), "第③项不符合，扣0.67分"),
        (("SCORE_DEDUCT", "不匹配事项", 1.0, 2.0, "25%"), "发现不匹配事项1处，扣25%权重分"),
        (
            ("SCORE_JUDGE", "制度不健全；执行不到位", 1.0, "25%+25%"),
            "制度不健全，扣25%权重分；执行不到位，扣25%权重分",
        ),
        (("SCORE_JUDGE", "无法获取满意度", 5.0, None, 0.9), "无法获取满意度，得90%权重分"),
        (("SCORE_JUDGE", "执行不到位", 10.0, 1.0), "执行不到位，扣1分"),
        (("SCORE_RATE", "预算执行率", 100.0, 100.0, 1.0), ""),  # full marks: nothing to say
    ],
)
def test_score_reason(excel: WindowsUdfs, args: tuple[Any, ...], expected: str) -> None:
    assert cell(excel, "SCORE_REASON", *args) == expected


def test_score_reason_deduction_matches_the_score() -> None:
    score = udfs.SCORE_RATE(81.25, 100.0, 10.0)
    reason = udfs.SCORE_REASON("SCORE_RATE", "", 81.25, 100.0, 10.0)
    assert reason == f"完成率81.25%，扣{10 - score:.2f}分"


# ---------------------------------------------------------------------------------------------
# Errors in the cell, in Chinese, never a traceback.


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("SCORE_RATE", (1.0, 0.0, 1.0), "#VALUE! 目标值为0，无法计算完成率"),
        ("SCORE_RATE", ("abc", 100.0, 1.0), "#VALUE! 实际值应为数字，实际为“abc”"),
        ("SCORE_RATE", (1.0, 100.0, -1.0), "#VALUE! 权重不能为负数（-1）"),
        ("SCORE_RATE", (None, 100.0, 1.0), "#VALUE! 实际值为空"),
        ("SCORE_RATE", (True, 100.0, 1.0), "#VALUE! 实际值应为数字，实际为逻辑值 True"),
        ("SCORE_RATE", (1.0, -5.0, 1.0), "#VALUE! 目标值不能为负数（-5）"),
        ("SCORE_RATE", (1.0, 1.0, 1.0, 1.0, 2.5), "#VALUE! 小数位数应为0到10的整数，实际为2.5"),
        (
            "SCORE_RATE",
            (column(1.0, 2.0), 100.0, 1.0),
            "#VALUE! 实际值应为一个单元格，实际为2个单元格的区域",
        ),
        ("EXEC_RATE", (1.0, 0.0), "#VALUE! 预算数为0，无法计算执行率"),
        (
            "SCORE_BANDS",
            (0.8758, column(0.9, 0.8), SATISFACTION_POINTS),
            "#VALUE! 分档界限有2个单元格，分值有5个，两个区域大小须一致",
        ),
        (
            "SCORE_BANDS",
            (87.58, SATISFACTION_BOUNDS, SATISFACTION_POINTS),
            "#VALUE! 数值87.58与分档下限不在同一尺度：下限是比率（0.9 即 90%），数值应填 0.8758 或“87.58%”",
        ),
        (
            "SCORE_BANDS",
            (0.8758, column(90.0, 80.0), column(7.0, 6.0)),
            "#VALUE! 数值0.8758是比率，分档下限却按百分数填写（如 90 表示 90%）：请把下限改为 0.9 或“90%”，或把数值填为 87.58",
        ),
        (
            "SCORE_CHECKLIST",
            (row("√", "？"), 2.0),
            "#VALUE! 第2项应填 √/×、是/否、符合/不符合、1/0 或 TRUE/FALSE，实际为“？”",
        ),
        ("SCORE_CHECKLIST", (row(None, None), 2.0), "#VALUE! 没有填写任何要点（√/×）"),
        (
            "SCORE_CHECKLIST",
            (row("√", "√"), 2.0, row(1.0)),
            "#VALUE! 要点有2个单元格，要点分值有1个，两个区域大小须一致",
        ),
        ("SCORE_DEDUCT", (1.5, 2.0, "25%"), "#VALUE! 发现次数应为不小于0的整数，实际为1.5"),
        ("SCORE_DEDUCT", (1.0, 2.0, None), "#VALUE! 每次扣分为空"),
        (
            "SCORE_DEDUCT",
            (1.0, 2.0, "150%"),
            "#VALUE! 每次扣分按权重比例不能超过100%（实际为1.5）",
        ),
        (
            "SCORE_JUDGE",
            (10.0, "达成年度指标"),
            "#VALUE! 选择“达成年度指标”时须在第3个参数填写该档内的得分比例（80%–100%）",
        ),
        (
            "SCORE_JUDGE",
            (10.0, "达成年度指标", 0.7),
            "#VALUE! “达成年度指标”的得分比例应在80%–100%之间",
        ),
        (
            "SCORE_JUDGE",
            (10.0, None, 90.0),
            "#VALUE! 得分比例应为0到1之间的比率（如 0.9 或“90%”），实际为90",
        ),
        ("SCORE_JUDGE", (10.0, "25%", 0.9), "#VALUE! 扣分与得分比例只能填写一项"),
        (
            "SCORE_JUDGE",
            (10.0, None),
            "#VALUE! 请填写评价档次、扣分（如“25%”或 0.5）、得分比例或认定得分",
        ),
        ("PERF_GRADE", ("九十",), "#VALUE! 总分应为数字，实际为“九十”"),
        ("PERF_GRADE", (-1.0,), "#VALUE! 总分不能为负数（-1）"),
        (
            "SCORE_REASON",
            ("SUM", None, 1.0, 2.0),
            "#VALUE! 函数名应为 SCORE_RATE、SCORE_BANDS、SCORE_CHECKLIST、SCORE_DEDUCT、SCORE_THRESHOLD、SCORE_JUDGE 之一，实际为“SUM”",
        ),
        ("SCORE_REASON", ("SCORE_RATE", None, 1.0, 0.0, 1.0), "#VALUE! 目标值为0，无法计算完成率"),
    ],
)
def test_bad_arguments_give_a_readable_error(
    excel: WindowsUdfs, name: str, args: tuple[Any, ...], expected: str
) -> None:
    assert cell(excel, name, *args) == expected


def test_unknown_mode_lists_the_modes(excel: WindowsUdfs) -> None:
    shown = cell(excel, "SCORE_RATE", 1.0, 1.0, 1.0, "按季度")
    assert shown.startswith("#VALUE! 计分方式应为：0 或“按比例”；1 或“逐点扣分”")
    assert "“按季度”" in shown


def test_an_unexpected_failure_is_a_sentence_not_a_traceback(
    excel: WindowsUdfs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(excel.udfs, "score_line", broken)
    shown = cell(excel, "SCORE_RATE", 1.0, 1.0, 1.0)
    assert shown == "#VALUE! 内部错误（RuntimeError：boom），请报告此问题"
    assert "Traceback" not in shown


def test_text_results_stay_within_255_characters(excel: WindowsUdfs) -> None:
    long_label = "很长的指标名称" * 50
    reason = cell(excel, "SCORE_REASON", "SCORE_RATE", long_label, 1.0, 2.0, 1.0)
    assert len(reason) == 255 and reason.endswith("…")
    error = cell(excel, "SCORE_RATE", "非数字" * 200, 1.0, 1.0)
    assert error.startswith("#VALUE! 实际值应为数字") and len(error) <= 255
    grade = cell(excel, "PERF_GRADE", 95.0, "很长的等级名称" * 60 + "90")
    assert len(grade) <= 255


# ---------------------------------------------------------------------------------------------
# Registration: what "Import Functions" sees.


def test_the_module_in_xlwings_conf_imports(tmp_path: Path) -> None:
    path = tmp_path / "template.xlsx"
    write_workbook(load_rubric("nanjing-dsj-2022"), path)
    sheet = openpyxl.load_workbook(path)[CONFIG_SHEET]
    assert sheet["A1"].value == "UDF Modules"
    assert sheet["B1"].value == UDF_MODULE == "xladdin.excel.udfs"
    module = importlib.import_module(sheet["B1"].value)
    for name in [*FUNCTIONS, "PERF_RECALC", "PERF_CHECK", "PERF_NEW"]:
        assert callable(getattr(module, name))


def test_the_udf_module_imports_no_pandas_of_its_own() -> None:
    """xlwings itself imports pandas when it is installed; the add-in's module adds none.

    A fresh interpreter with a bare-bones xlwings (the no-op decorators only) imports the
    module and must not have pandas (or openpyxl, or xlsxwriter) loaded afterwards.
    """
    script = textwrap.dedent(
        """
        import sys, types
        stub = types.ModuleType("xlwings")
        def decorator(*args, **kwargs):
            if len(args) == 1 and callable(args[0]) and not kwargs:
                return args[0]
            return lambda f: f
        stub.func = stub.sub = stub.arg = stub.ret = decorator
        sys.modules["xlwings"] = stub
        import xladdin.excel.udfs as udfs
        assert udfs.SCORE_RATE(1689.29, 1811.58, 1) == 0.93
        loaded = sorted(m for m in ("pandas", "numpy", "openpyxl", "xlsxwriter") if m in sys.modules)
        print(",".join(loaded))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_every_function_documents_every_argument(excel: WindowsUdfs) -> None:
    for name in FUNCTIONS:
        plain = getattr(udfs, name)
        parameters = list(inspect.signature(plain).parameters)
        # "caller" is xlwings' reserved argument: the calling cell, not shown in Excel
        shown = [p for p in parameters if p != "caller"]
        assert list(plain.__excel_args__) == shown, name
        # under xlwings' real decorators the @xw.arg names were accepted (a wrong name raises)
        # and every argument carries its description for the function wizard and arrives
        # with its cell errors as text
        registered = getattr(excel.udfs, name).__xlfunc__
        assert [a["name"] for a in registered["args"]] == parameters
        for arg in registered["args"]:
            if arg["name"] == "caller":
                continue
            assert arg["doc"] == plain.__excel_args__[arg["name"]]
            assert not arg["doc"].startswith("Positional argument")
            assert arg["options"].get("err_to_str") is True, (name, arg["name"])
        assert registered["category"] == "预算绩效评价"


def test_wizard_texts_fit_and_are_chinese() -> None:
    for name in FUNCTIONS:
        func = getattr(udfs, name)
        doc = func.__doc__
        # xlwings passes doc[:255] to MacroOptions: nothing may be cut
        assert doc and len(doc) <= 255 and "\n" not in doc.strip(), name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in doc), name
        for arg, text in func.__excel_args__.items():
            assert 0 < len(text) <= 255, (name, arg)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text), (name, arg)


def test_import_functions_writes_valid_vba(excel: WindowsUdfs) -> None:
    vba = excel.vba()
    assert (
        "Function SCORE_RATE(actual, target, weight, Optional mode, Optional places, "
        "Optional rounding, Optional step_size, Optional step_deduct)"
    ) in vba
    assert (
        "Function SCORE_BANDS(value, lower_bounds, points, Optional inclusive, "
        "Optional direction, Optional otherwise, Optional places, Optional rounding)"
    ) in vba
    assert "Function SCORE_THRESHOLD(value, bound, weight, Optional op, Optional otherwise)" in vba
    assert "Function PERF_GRADE(total, Optional scale)" in vba
    assert "Function EXEC_RATE(actual, budget, Optional places, Optional rounding)" in vba
    # the calling cell is xlwings' reserved argument: VBA passes Nothing, Excel shows only code
    assert "Function SCORE_LINE(code)" in vba
    assert 'XLPy.CallUDF("xladdin.excel.udfs", "SCORE_LINE", Array(code, Nothing)' in vba
    for sub in ("PERF_RECALC", "PERF_CHECK", "PERF_NEW"):
        assert f"Sub {sub}()" in vba
    for name in FUNCTIONS:
        for arg in getattr(excel.udfs, name).__xlfunc__["args"]:
            assert arg["name"].lower() not in VBA_RESERVED, (name, arg["name"])


def test_optional_defaults_reach_excel(excel: WindowsUdfs) -> None:
    args = {a["name"]: a for a in excel.udfs.SCORE_RATE.__xlfunc__["args"]}
    assert args["places"]["optional"] == 2
    assert "optional" not in args["weight"]
    assert excel.udfs.PERF_RECALC.__xlfunc__["sub"] is True
