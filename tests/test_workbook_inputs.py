"""Every cell the reader reads is an input in every template, blank and filled (issue: the blank
self-evaluation form had 全年预算数(A) locked and uncoloured, and an amount typed without its
budget was scored as a rate of 18480%)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.workbooks import edit_cells
from xladdin.core.rubric import Rubric
from xladdin.library import bundled, load_rubric_file
from xladdin.workbook.build import example_name, write_examples
from xladdin.workbook.layout import SCORING_SHEET, FormLayout, ScoringLayout, layout_for
from xladdin.workbook.reader import read_workbook
from xladdin.workbook.recalc import recalc
from xladdin.workbook.styles import FILL_OPTIONAL, FILL_REQUIRED, FILL_UNUSED
from xladdin.workbook.template import line_inputs

INPUT_FILLS = {"FF" + FILL_REQUIRED.lstrip("#"), "FF" + FILL_OPTIONAL.lstrip("#")}
UNUSED_FILL = "FF" + FILL_UNUSED.lstrip("#")

FORM = "national-self-eval"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bundled rubric's blank template and, where it has evidence, its filled example."""
    out = tmp_path_factory.mktemp("templates")
    write_examples(out)
    return out


def _workbooks() -> list[tuple[str, str]]:
    found = []
    for entry in bundled():
        found.append((entry.id, f"{entry.id}.xlsx"))
        if entry.evidence_path is not None:
            found.append((entry.id, example_name(entry.id)))
    return found


def _read_cells(rubric: Rubric, layout: ScoringLayout) -> dict[str, str]:
    """What the reader reads on each row of a fresh workbook, derived from the layout: each
    line's input cells, each bonus/penalty row's points, the 评分过程 where there is one, and
    the header's 评价单位 / 项目名称 … cells. Keys name the row's code for messages."""
    rows = layout.template_rows(rubric)
    cells: dict[str, str] = {}
    for leaf in rubric.leaves():
        row = rows.leaves[leaf.code]
        for key, ref in line_inputs(layout, leaf, row).items():
            cells[ref] = f"{leaf.code} {key}"
    for code, row in rows.adjustments.items():
        for key, ref in layout.adjustment_inputs(row).items():
            cells[ref] = f"{code} {key}"
    for row in [*rows.leaves.values(), *rows.adjustments.values()]:
        narrative = layout.find("narrative", row)
        if narrative is not None:
            cells[narrative] = f"row {row} narrative"
    for key, ref in layout.info_cells().items():
        cells[ref] = key
    return cells


def test_all_six_bundled_rubrics_are_checked() -> None:
    assert len(bundled()) == 6
    assert len({rubric_id for rubric_id, _ in _workbooks()}) == 6


@pytest.mark.parametrize(("rubric_id", "name"), _workbooks())
def test_every_cell_the_reader_reads_is_unlocked_and_coloured_as_an_input(
    generated: Path, rubric_id: str, name: str
) -> None:
    entry = next(e for e in bundled() if e.id == rubric_id)
    rubric = load_rubric_file(entry.path)
    layout = layout_for(rubric)
    sheet = openpyxl.load_workbook(generated / name)[SCORING_SHEET]
    assert sheet.protection.sheet  # the lock means something
    cells = _read_cells(rubric, layout)
    assert cells
    wrong = [
        f"{ref} ({what}): locked={sheet[ref].protection.locked}, fill={sheet[ref].fill.fgColor.rgb}"
        for ref, what in cells.items()
        if sheet[ref].protection.locked or sheet[ref].fill.fgColor.rgb not in INPUT_FILLS
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("rubric_id", [entry.id for entry in bundled()])
def test_grey_cells_are_not_read(generated: Path, rubric_id: str, tmp_path: Path) -> None:
    """A cell a line does not use (grey, locked) is not read: text typed into every such cell
    after lifting the protection changes nothing and raises nothing."""
    entry = next(e for e in bundled() if e.id == rubric_id)
    rubric = load_rubric_file(entry.path)
    layout = layout_for(rubric)
    rows = layout.template_rows(rubric)
    blank = generated / f"{rubric_id}.xlsx"
    read = _read_cells(rubric, layout)
    grey = {
        ref: "不用填"
        for row in rows.leaves.values()
        for ref in layout.input_cells(row).values()
        if ref not in read
    }
    sheet = openpyxl.load_workbook(blank)[SCORING_SHEET]
    assert grey and all(sheet[ref].fill.fgColor.rgb == UNUSED_FILL for ref in grey)
    typed = edit_cells(blank, grey, tmp_path / "typed.xlsx")
    assert read_workbook(typed).evidence == read_workbook(blank).evidence


def _form_layout() -> tuple[Rubric, FormLayout]:
    entry = next(e for e in bundled() if e.id == FORM)
    rubric = load_rubric_file(entry.path)
    layout = layout_for(rubric)
    assert isinstance(layout, FormLayout)
    return rubric, layout


def test_blank_form_budget_and_spending_are_required_inputs(generated: Path) -> None:
    _, layout = _form_layout()
    funds = layout.funds_block
    sheet = openpyxl.load_workbook(generated / f"{FORM}.xlsx")[SCORING_SHEET]
    for key in ("denominator", "value"):
        cell = sheet[funds.cell(key)]
        assert not cell.protection.locked
        assert cell.fill.fgColor.rgb == "FF" + FILL_REQUIRED.lstrip("#")
        assert cell.number_format == "#,##0.00"
    assert funds.cell("denominator") == "D6" and funds.cell("value") == "E6"


def test_form_spending_without_budget_is_missing_evidence_naming_the_budget_cell(
    generated: Path, tmp_path: Path
) -> None:
    """The reported case: 年初预算数 C6 = 200 and 全年执行数 E6 = 184.8 with 全年预算数(A) D6
    blank used to score 执行率 18480% as 10/10."""
    _, layout = _form_layout()
    funds = layout.funds_block
    typed = edit_cells(
        generated / f"{FORM}.xlsx",
        {funds.cell("initial_budget"): 200, funds.cell("value"): 184.8},
        tmp_path / "typed.xlsx",
    )
    done = recalc(typed, tmp_path / "out.xlsx")
    line = done.result.indicator(layout.funds_code)
    assert line.status == "missing_evidence"
    assert line.score is None and line.value is None
    assert "全年预算数(A)" in line.reason and funds.cell("denominator") in line.reason
    assert done.result.grade is None and not done.result.complete
    values = openpyxl.load_workbook(tmp_path / "out.xlsx", data_only=True)[SCORING_SHEET]
    row = layout.funds_row
    assert values[layout.cell("status", row)].value == "缺少佐证"
    assert values[layout.cell("score", row)].value is None
    assert values[funds.cell("exec_rate")].value in (None, "")
    assert "D6" in values[layout.cell("reason", row)].value
    grade = values[layout.cell("score", done.data.rows.grade)].value
    assert grade == "未完成"


def test_form_budget_without_spending_is_missing_evidence_naming_the_spending_cell(
    generated: Path, tmp_path: Path
) -> None:
    _, layout = _form_layout()
    funds = layout.funds_block
    typed = edit_cells(
        generated / f"{FORM}.xlsx", {funds.cell("denominator"): 200}, tmp_path / "typed.xlsx"
    )
    line = recalc(typed, None).result.indicator(layout.funds_code)
    assert line.status == "missing_evidence" and line.score is None
    assert "全年执行数(B)" in line.reason and funds.cell("value") in line.reason


def test_form_budget_and_spending_score_the_rate(generated: Path, tmp_path: Path) -> None:
    _, layout = _form_layout()
    funds = layout.funds_block
    typed = edit_cells(
        generated / f"{FORM}.xlsx",
        {
            funds.cell("initial_budget"): 200,
            funds.cell("denominator"): 200,
            funds.cell("value"): 184.8,
        },
        tmp_path / "typed.xlsx",
    )
    line = recalc(typed, None).result.indicator(layout.funds_code)
    assert line.status == "scored"
    assert line.value == Decimal("0.924")
    assert line.score == Decimal("9.24")
