"""The macro-enabled workbook (``xladdin template … -o 评分表.xlsm``): its score cells are live
``=SCORE_LINE("<code>")`` formulas whose cached values are what headless recalculation gives,
and recalculating it keeps its formulas and its VBA project byte for byte."""

from __future__ import annotations

import inspect
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.support.fake_xlwings import FakeBook
from tests.workbooks import edit_cells, input_ref
from xladdin.core.rubric import RatioMethod
from xladdin.excel import udfs
from xladdin.excel.udfs import workbook_function_help
from xladdin.library import bundled, load_evidence, load_rubric_file
from xladdin.workbook.build import standalone_vba_project, write_workbook
from xladdin.workbook.layout import CONFIG_SHEET, SCORING_SHEET, SUMMARY_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.plan import INCOMPLETE_GRADE, NOT_APPLICABLE_SCORE
from xladdin.workbook.reader import read_workbook
from xladdin.workbook.recalc import recalc
from xladdin.workbook.sheets import INTELLISENSE_HEADER, INTELLISENSE_SHEET

FILLED = [entry for entry in bundled() if entry.evidence_path is not None]


def build(entry: Any, path: Path, filled: bool = True) -> Path:
    evidence = load_evidence(entry.evidence_path) if filled else None
    functions = workbook_function_help() if path.suffix == ".xlsm" else ()
    write_workbook(load_rubric_file(entry.path), path, evidence, functions=functions)
    return path


def formulas(path: Path) -> dict[tuple[str, str], str]:
    book = openpyxl.load_workbook(path)
    return {
        (sheet.title, cell.coordinate): cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    }


def values(path: Path, sheets: tuple[str, ...] = (SCORING_SHEET, SUMMARY_SHEET)) -> dict:
    book = openpyxl.load_workbook(path, data_only=True)
    return {
        (name, cell.coordinate): cell.value
        for name in sheets
        for row in book[name].iter_rows()
        for cell in row
    }


def lowered_evidence(path: Path) -> tuple[str, str, float]:
    """A ratio line's actual value (or an evaluator's figure) lowered by a tenth, so that
    recalculation has something to change: the line's code, the cell and the new value."""
    data = read_workbook(path)
    cells = XlsxPackage(path).cells(SCORING_SHEET)
    for leaf in data.rubric.leaves():
        key = "value" if isinstance(leaf.method, RatioMethod) else "decision_score"
        ref = data.layout.find(key, data.rows.leaves[leaf.code])
        found = cells.get(ref) if ref else None
        if ref and found is not None and isinstance(found.value, Decimal) and found.value > 0:
            return leaf.code, ref, float((found.value * Decimal("0.9")).quantize(Decimal("0.01")))
    raise AssertionError(f"no evidence number to lower in {path}")


@pytest.mark.parametrize("entry", FILLED, ids=[entry.id for entry in FILLED])
def test_recalculated_xlsm_scores_as_the_xlsx_and_keeps_formulas_and_vba(
    entry: Any, tmp_path: Path
) -> None:
    xlsm = build(entry, tmp_path / "评分表.xlsm")
    xlsx = build(entry, tmp_path / "评分表.xlsx")
    code, ref, lowered = lowered_evidence(xlsx)
    for path in (xlsm, xlsx):
        edit_cells(path, {ref: lowered})
    before = formulas(xlsm)
    with zipfile.ZipFile(xlsm) as package:
        vba_before = package.read("xl/vbaProject.bin")

    live = recalc(xlsm, tmp_path / "out.xlsm")
    plain = recalc(xlsx, tmp_path / "out.xlsx")
    assert live.result == plain.result
    assert live.result.indicator(code).score is not None

    # the formulas, the live score cells included, are kept exactly; the VBA too
    assert formulas(tmp_path / "out.xlsm") == before
    data = read_workbook(xlsm)
    for leaf_code, row in data.rows.leaves.items():
        assert before[(SCORING_SHEET, data.layout.cell("score", row))] == (
            f'=SCORE_LINE("{leaf_code}")'
        )
    with zipfile.ZipFile(tmp_path / "out.xlsm") as package:
        assert package.read("xl/vbaProject.bin") == vba_before == standalone_vba_project()
    # what every cell shows is what the .xlsx shows
    assert values(tmp_path / "out.xlsm") == values(tmp_path / "out.xlsx")
    assert read_workbook(tmp_path / "out.xlsm").live_scores == frozenset(data.rows.leaves)
    # recalculating again changes nothing
    again = recalc(tmp_path / "out.xlsm", tmp_path / "again.xlsm")
    assert again.changed == 0


def test_a_line_that_does_not_apply_shows_it_and_the_sums_go_on(tmp_path: Path) -> None:
    entry = next(e for e in FILLED if e.id == "nanjing-dsj-2022")
    xlsm = build(entry, tmp_path / "评分表.xlsm")
    edit_cells(xlsm, {input_ref(entry.id, "C42", "not_applicable"): "是"})
    done = recalc(xlsm, tmp_path / "out.xlsm")
    data = read_workbook(xlsm)
    shown = values(tmp_path / "out.xlsm")
    score = data.layout.col("score")
    assert shown[(SCORING_SHEET, f"{score}{data.rows.leaves['C42']}")] == NOT_APPLICABLE_SCORE
    assert done.result.total is not None
    assert shown[(SCORING_SHEET, f"{score}{data.rows.total}")] == float(done.result.total)


def test_blank_xlsm_shows_why_each_line_has_no_score_and_sums_are_unfinished(
    tmp_path: Path,
) -> None:
    entry = next(e for e in FILLED if e.id == "nanjing-zwxx-2021")
    xlsm = build(entry, tmp_path / "blank.xlsm", filled=False)
    data = read_workbook(xlsm)
    shown = values(xlsm)
    score = data.layout.col("score")
    for row in data.rows.leaves.values():
        assert str(shown[(SCORING_SHEET, f"{score}{row}")]).startswith("#VALUE! 缺少")
    for row in (data.rows.subtotal, data.rows.total, data.rows.grade):
        assert shown[(SCORING_SHEET, f"{score}{row}")] == INCOMPLETE_GRADE


@pytest.fixture(scope="module")
def excel_udfs() -> Any:
    from tests.support.fake_xlwings import windows_udfs

    return windows_udfs().udfs


@pytest.mark.parametrize("filled", [True, False], ids=["example", "blank"])
def test_score_line_shows_the_cached_value_of_every_live_cell(
    tmp_path: Path, filled: bool, excel_udfs: Any
) -> None:
    from tests.support.fake_xlwings import call_like_excel

    entry = next(e for e in FILLED if e.id == "national-self-eval")
    xlsm = build(entry, tmp_path / "评分表.xlsm", filled)
    data = read_workbook(xlsm)
    cached = values(xlsm)
    sheet = FakeBook(xlsm).sheets[SCORING_SHEET]
    for code, row in data.rows.leaves.items():
        ref = data.layout.cell("score", row)
        shown = call_like_excel(excel_udfs.SCORE_LINE, code, caller=sheet.range(ref))[0][0]
        assert shown == cached[(SCORING_SHEET, ref)], code


def test_the_intellisense_sheet_describes_every_function_as_the_wizard_does(
    tmp_path: Path,
) -> None:
    xlsm = build(FILLED[0], tmp_path / "评分表.xlsm")
    book = openpyxl.load_workbook(xlsm)
    sheet = book[INTELLISENSE_SHEET]
    assert sheet.sheet_state == "hidden" and book[CONFIG_SHEET].sheet_state == "hidden"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert tuple(rows[0][:2]) == INTELLISENSE_HEADER
    described = {
        name: getattr(udfs, name)
        for name in udfs.__all__
        if hasattr(getattr(udfs, name), "__excel_args__")
    }
    assert [row[0] for row in rows[1:]] == list(described)
    for row in rows[1:]:
        function = described[row[0]]
        assert row[1] == " ".join((function.__doc__ or "").split())
        assert row[2] is None  # no help topic
        names = [p for p in inspect.signature(function).parameters if p != "caller"]
        pairs = [(row[i], row[i + 1]) for i in range(3, 3 + 2 * len(names), 2)]
        assert pairs == [(name, function.__excel_args__[name]) for name in names]
        assert all(cell is None for cell in row[3 + 2 * len(names) :])
    # the plain template has no such sheet: Excel shows it only where the functions are
    assert (
        INTELLISENSE_SHEET
        not in openpyxl.load_workbook(build(FILLED[0], tmp_path / "评分表.xlsx")).sheetnames
    )


def test_an_xlsm_output_is_macro_enabled_for_excel(tmp_path: Path) -> None:
    xlsm = build(FILLED[0], tmp_path / "评分表.xlsm")
    with zipfile.ZipFile(xlsm) as package:
        types = package.read("[Content_Types].xml").decode()
        workbook = package.read("xl/workbook.xml").decode()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert 'codeName="ThisWorkbook"' in workbook


def test_perf_new_from_a_macro_enabled_workbook_makes_a_macro_enabled_one(
    tmp_path: Path,
) -> None:
    from xladdin.excel.macros import _new_action

    xlsm = build(FILLED[0], tmp_path / "评分表.xlsm")
    book = FakeBook(xlsm)
    scratch = book.sheets[SUMMARY_SHEET].range("H1")  # any cell the officer may type in
    scratch.value = "national-self-eval"
    scratch.select()
    message = _new_action(book)
    created = tmp_path / "national-self-eval.xlsm"
    assert message == f"已新建评分表：{created}"
    assert read_workbook(created).live_scores
    with zipfile.ZipFile(created) as package:
        assert package.read("xl/vbaProject.bin") == standalone_vba_project()


def test_lite_writes_values_over_live_scores_it_cannot_compute(tmp_path: Path) -> None:
    from xladdin.excel import lite

    entry = next(e for e in FILLED if e.id == "nanjing-zwxx-2021")
    xlsm = build(entry, tmp_path / "评分表.xlsm")
    book = FakeBook(xlsm)
    done = lite.recalc_lite(book)
    plain = recalc(build(entry, tmp_path / "评分表.xlsx"), None)
    assert done.plan == plain.plan  # values, as in the .xlsx: no =SCORE_LINE under Lite
    assert not any(
        w.formula is not None and w.formula.startswith("SCORE_LINE") for w in done.plan.writes
    )
