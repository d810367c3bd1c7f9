"""The layout objects of the sheets around the 评分表: the form's funds block, the hidden
指标体系 sheet, the 得分情况 summary and the 检查结果 sheet. Writers and readers take every cell
from them."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from xladdin.core.result import Finding
from xladdin.excel.macros import check_plan
from xladdin.library import load_rubric
from xladdin.workbook.build import write_workbook
from xladdin.workbook.layout import (
    CHECK_HEADERS,
    CHECK_SHEET,
    FUNDS_HEADERS,
    RUBRIC_MARKER,
    RUBRIC_SHEET,
    SECOND_LEVEL_HEADER,
    SUMMARY_SHEET,
    TOTAL_MARK,
    CheckLayout,
    FormLayout,
    RubricSheetLayout,
    SummaryLayout,
    layout_for,
)
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.reader import read_rubric
from xladdin.workbook.sheets import rubric_json


def test_rubric_text_is_cut_into_chunks_down_the_text_column() -> None:
    where = RubricSheetLayout(chunk=4)
    assert where.text_cells("abcdefghij") == [("A2", "abcd"), ("A3", "efgh"), ("A4", "ij")]
    assert where.text_cell(0) == "A2"


def test_rubric_sheet_is_written_and_read_where_its_layout_says(tmp_path: Path) -> None:
    rubric = load_rubric("nanjing-dsj-2022")
    path = tmp_path / "blank.xlsx"
    write_workbook(rubric, path)
    where = RubricSheetLayout()
    sheet = openpyxl.load_workbook(path)[RUBRIC_SHEET]
    assert sheet[where.marker_cell].value == RUBRIC_MARKER
    chunks = []
    while (value := sheet[where.text_cell(len(chunks))].value) is not None:
        chunks.append(value)
    assert "".join(chunks) == rubric_json(rubric)
    assert rubric_json(read_rubric(XlsxPackage(path))) == rubric_json(rubric)


def test_a_changed_rubric_marker_names_the_marker_cell(tmp_path: Path) -> None:
    from tests.workbooks import edit_cells
    from xladdin.core.errors import WorkbookError

    path = tmp_path / "blank.xlsx"
    write_workbook(load_rubric("nanjing-dsj-2022"), path)
    where = RubricSheetLayout()
    edit_cells(path, {where.marker_cell: "其他"}, sheet=RUBRIC_SHEET)
    with pytest.raises(WorkbookError) as caught:
        read_rubric(XlsxPackage(path))
    assert caught.value.location.cell == where.marker_cell


def test_summary_sheet_cells_come_from_its_layout(tmp_path: Path) -> None:
    rubric = load_rubric("nanjing-zwxx-2021")
    path = tmp_path / "blank.xlsx"
    write_workbook(rubric, path)
    summary = SummaryLayout()
    rows = summary.rows(rubric)
    sheet = openpyxl.load_workbook(path)[SUMMARY_SHEET]
    header = [sheet[summary.cell(key, summary.header_row)].value for key in summary.letters]
    assert header == list(summary.headers()) == ["一级指标", "权重分值", "得分", "得分率"]
    second = [sheet[summary.cell(key, rows[SECOND_LEVEL_HEADER])].value for key in summary.letters]
    assert second == list(summary.headers(second_level=True))
    for level in rubric.levels:
        row = rows[level.code]
        assert sheet[summary.cell("weight", row)].value == float(level.weight)
        assert str(sheet[summary.cell("score", row)].value).startswith("=SUM(")
    assert sheet[summary.cell("name", rows[TOTAL_MARK])].value == "合计"


def test_funds_block_score_sits_in_the_forms_score_column() -> None:
    layout = layout_for(load_rubric("national-self-eval"))
    assert isinstance(layout, FormLayout)
    funds = layout.funds_block
    assert funds.col("score") == layout.col("score")
    assert [text for _, text in funds.header_cells()] == list(FUNDS_HEADERS)
    assert layout.find("denominator", layout.funds_row) == funds.cell("denominator")
    assert layout.find("target", layout.funds_row) is None
    # on the indicator block's rows the form's own columns apply
    assert layout.find("value", layout.first_row) == f"{layout.col('value')}{layout.first_row}"


def test_check_sheet_rows_follow_its_layout() -> None:
    check = CheckLayout()
    findings = [
        Finding(severity="warning", check="x", message="第一条"),
        Finding(severity="error", check="y", message="第二条", code="A11"),
    ]
    writes = {w.ref: w.value for w in check_plan(findings, None).writes if w.sheet == CHECK_SHEET}
    assert [writes[ref] for ref, _ in check.header_cells()] == list(CHECK_HEADERS)
    second = check.finding_row(2)
    assert writes[check.cell("message", second)] == "第二条"
    assert writes[check.cell("code", second)] == "A11"
    empty = {w.ref: w.value for w in check_plan([], None).writes}
    assert empty[check.nothing_found_cell] == "未发现问题"
