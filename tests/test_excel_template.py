"""The templates meet the worksheet functions and the macros: the cells the macros write are
writable on the protected sheet, a line whose function failed makes the sums say 未完成, and the
xlwings.conf sheet is not printed."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from tests.support.libreoffice import convert, make_profile, soffice
from tests.workbooks import build_example, edit_cells
from xladdin.library import bundled, load_rubric_file
from xladdin.workbook.build import write_workbook
from xladdin.workbook.layout import (
    CONFIG_SHEET,
    GRADE_MARK,
    SCORING_SHEET,
    SUMMARY_SHEET,
    TOTAL_MARK,
    SummaryLayout,
)
from xladdin.workbook.plan import INCOMPLETE_GRADE
from xladdin.workbook.reader import read_workbook
from xladdin.workbook.recalc import score_book

RUBRICS = [entry.id for entry in bundled()]


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_cells_the_macros_write_are_unlocked_and_the_rest_stays_locked(
    rubric_id: str, tmp_path: Path
) -> None:
    path = tmp_path / "blank.xlsx"
    write_workbook(load_rubric_file(next(e.path for e in bundled() if e.id == rubric_id)), path)
    _, _, plan = score_book(read_workbook(path))
    sheet = openpyxl.load_workbook(path)[SCORING_SHEET]
    assert sheet.protection.sheet
    owned = set(plan.for_sheet(SCORING_SHEET))
    assert owned
    for ref in owned:
        assert not sheet[ref].protection.locked, ref
    data = read_workbook(path)
    # the headers (the owned columns' green headers included) and the rule texts stay locked
    for key in ("score", "reason", "weight"):
        header = f"{data.layout.col(key)}{data.layout.header_row}"
        assert sheet[header].protection.locked, header
        assert header not in owned


def test_the_config_sheet_is_hidden_so_it_is_not_printed(tmp_path: Path) -> None:
    path = build_example("nanjing-dsj-2022", tmp_path / "example.xlsx")
    book = openpyxl.load_workbook(path)
    assert book[CONFIG_SHEET].sheet_state == "hidden"
    assert book[CONFIG_SHEET]["A1"].value == "UDF Modules"
    visible = [sheet.title for sheet in book.worksheets if sheet.sheet_state == "visible"]
    assert visible == [SCORING_SHEET, SUMMARY_SHEET]


@pytest.mark.libreoffice
@pytest.mark.skipif(
    soffice() is None, reason="LibreOffice is not installed (scripts/test installs it)"
)
def test_a_failed_function_in_a_score_cell_makes_sums_and_grade_unfinished(
    tmp_path: Path,
) -> None:
    source = build_example("nanjing-dsj-2022", tmp_path / "example.xlsx")
    data = read_workbook(source)
    row = data.rows.leaves["B11"]
    failed = tmp_path / "failed.xlsx"
    # what =SCORE_RATE(…) shows when its budget cell is 0 (see the Excel guide)
    edit_cells(
        source,
        {data.layout.cell("score", row): "#VALUE! 预算数为0，无法计算执行率"},
        failed,
    )
    fine = tmp_path / "fine.xlsx"
    edit_cells(source, {}, fine)
    computed = convert([failed, fine], "xlsx", tmp_path / "lo", make_profile(tmp_path / "p"))
    broken, intact = (openpyxl.load_workbook(p, data_only=True) for p in computed)

    score_col = data.layout.col("score")
    summary = SummaryLayout()
    where = summary.rows(data.rubric)
    level_b = where["B"]
    unfinished = [
        (SCORING_SHEET, f"{score_col}{data.rows.subtotal}"),
        (SCORING_SHEET, f"{score_col}{data.rows.total}"),
        (SCORING_SHEET, f"{score_col}{data.rows.grade}"),
        (SUMMARY_SHEET, summary.cell("rate", level_b)),
        (SUMMARY_SHEET, summary.cell("score", where[TOTAL_MARK])),
        (SUMMARY_SHEET, summary.cell("rate", where[TOTAL_MARK])),
        (SUMMARY_SHEET, summary.cell("score", where[GRADE_MARK])),
    ]
    for sheet, ref in unfinished:
        assert broken[sheet][ref].value == INCOMPLETE_GRADE, (sheet, ref)
    # the untouched book computes the published figures through the same formulas
    assert intact[SCORING_SHEET][f"{score_col}{data.rows.total}"].value == pytest.approx(93.08)
    assert intact[SCORING_SHEET][f"{score_col}{data.rows.grade}"].value == "优"
