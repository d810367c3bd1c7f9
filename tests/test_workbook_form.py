"""The national project self-evaluation form (项目支出绩效自评表) as a workbook."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.workbooks import build_example, edit_cells
from xladdin.library import find_bundled, load_rubric_file
from xladdin.workbook.layout import FUNDS_HEADERS, SCORING_SHEET, FormLayout, layout_for
from xladdin.workbook.reader import read_workbook
from xladdin.workbook.recalc import recalc

RUBRIC = "national-self-eval"


@pytest.fixture
def form(tmp_path: Path) -> Path:
    return build_example(RUBRIC, tmp_path / "form.xlsx")


def _layout() -> FormLayout:
    entry = find_bundled(RUBRIC)
    assert entry is not None
    layout = layout_for(load_rubric_file(entry.path))
    assert isinstance(layout, FormLayout)
    return layout


def test_form_has_the_official_header_funds_block_and_indicator_columns(form: Path) -> None:
    sheet = openpyxl.load_workbook(form)[SCORING_SHEET]
    layout = _layout()
    assert sheet["A1"].value == "项目支出绩效自评表"
    assert sheet["A3"].value == "项目名称"
    assert sheet["A4"].value == "主管部门"
    assert [sheet[f"{c}{layout.funds_header_row}"].value for c in "CDEFGH"] == list(FUNDS_HEADERS)
    assert sheet[f"A{layout.funds_row}"].value == "年度资金总额"
    headers = [sheet.cell(layout.header_row, i).value for i in range(1, 10)]
    assert headers == [
        "一级指标",
        "二级指标",
        "三级指标",
        "指标性质",
        "年度指标值(A)",
        "实际完成值(B)",
        "分值",
        "得分",
        "偏差原因分析及改进措施",
    ]


def test_budget_execution_is_scored_from_the_funds_block(form: Path, tmp_path: Path) -> None:
    layout = _layout()
    row = layout.funds_row
    data = read_workbook(form)
    assert data.evidence.lines[layout.funds_code].numerator == Decimal("184.8")
    assert data.evidence.lines[layout.funds_code].denominator == Decimal("200")
    assert data.evidence.project and data.evidence.unit == "示例单位"
    edited = edit_cells(form, {f"E{row}": 150}, tmp_path / "edited.xlsx")
    done = recalc(edited, tmp_path / "out.xlsx")
    line = done.result.indicator(layout.funds_code)
    assert line.score == Decimal("7.5")
    assert line.value == Decimal("0.75")
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)[SCORING_SHEET]
    assert values[f"H{row}"].value == 7.5
    assert values[f"G{row}"].value == 0.75
    # execution below 90% without a deviation reason is a finding (the rubric's 四川 rule)
    assert any(f.check == "reason-required" and f.code == layout.funds_code for f in done.findings)


def test_qualitative_line_outside_its_band_is_reported_with_its_cell(
    form: Path, tmp_path: Path
) -> None:
    layout = _layout()
    data = read_workbook(form)
    code = next(
        c for c, line in data.evidence.lines.items() if line.decision and line.decision.band
    )
    row = data.rows.leaves[code]
    edited = edit_cells(form, {layout.cell("decision_share", row): 0.3}, tmp_path / "bad.xlsx")
    from xladdin.core.errors import WorkbookError

    with pytest.raises(WorkbookError) as caught:
        recalc(edited, tmp_path / "out.xlsx")
    assert caught.value.location.code == code
    assert not (tmp_path / "out.xlsx").exists()
