"""What Excel, WPS and scripts really save, read right: formulas without results, text numbers,
rows inserted or deleted in the scoring table, and recalculation on open."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.workbooks import build_example, input_ref
from xladdin.workbook.cellxml import constant_value
from xladdin.workbook.layout import SCORING_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.recalc import recalc

RUBRIC = "nanjing-dsj-2022"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(RUBRIC, tmp_path_factory.mktemp("cells") / "example.xlsx")


def _typed_with_openpyxl(source: Path, target: Path, writes: dict[str, object]) -> Path:
    """Cells typed by a script through openpyxl, which saves formulas without their results."""
    book = openpyxl.load_workbook(source)
    sheet = book[SCORING_SHEET]
    for ref, value in writes.items():
        sheet[ref] = value
    book.save(target)
    return target


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("0.979", "0.979"),
        ("184.8/200", "0.924"),
        ("-(1+2)*5%", "-0.15"),
        (" 1 + 2 * 3 ", "7"),
        ("2*-3", "-6"),
        ("1/0", None),
        ("A1", None),
        ("ROUND(0.979,2)", None),
        ("1+", None),
        ("(1", None),
        ("1e5", None),
        ("2^3", None),
        ("", None),
    ],
)
def test_only_pure_arithmetic_is_evaluated(formula: str, expected: str | None) -> None:
    value = constant_value(formula)
    assert value == (Decimal(expected) if expected is not None else None)


def test_a_constant_formula_without_a_result_scores_its_value(
    example: Path, tmp_path: Path
) -> None:
    ref = input_ref(RUBRIC, "C12", "value")
    typed = _typed_with_openpyxl(example, tmp_path / "typed.xlsx", {ref: "=0.979"})
    assert XlsxPackage(typed).cells(SCORING_SHEET)[ref].formula == "0.979"
    line = recalc(typed, None).result.indicator("C12")
    assert line.status == "scored"
    assert line.value == Decimal("0.979")
    assert "97.90%" in line.reason and "0.00%" not in line.reason


def test_a_formula_without_a_result_is_never_read_as_zero(example: Path, tmp_path: Path) -> None:
    ref = input_ref(RUBRIC, "C12", "value")
    typed = _typed_with_openpyxl(example, tmp_path / "typed.xlsx", {ref: "=ROUND(0.979,3)"})
    out = tmp_path / "out.xlsx"
    done = recalc(typed, out)
    line = done.result.indicator("C12")
    assert line.status == "missing_evidence" and line.score is None
    assert ref in line.reason and "Excel 或 WPS" in line.reason and "保存" in line.reason
    assert done.result.complete is False
    values = openpyxl.load_workbook(out, data_only=True)[SCORING_SHEET]
    assert values[input_ref(RUBRIC, "C12", "status")].value == "缺少佐证"
    assert ref in values[input_ref(RUBRIC, "C12", "reason")].value


def test_a_formula_reading_other_cells_waits_even_if_the_rest_of_the_line_is_filled(
    example: Path, tmp_path: Path
) -> None:
    """B11 has its denominator; a numerator computed by an unsaved formula is no measure."""
    ref = input_ref(RUBRIC, "B11", "value")
    typed = _typed_with_openpyxl(example, tmp_path / "typed.xlsx", {ref: "=1500+189.29+Z1"})
    line = recalc(typed, None).result.indicator("B11")
    assert line.status == "missing_evidence" and ref in line.reason


def test_a_formula_with_its_saved_result_uses_the_result(example: Path, tmp_path: Path) -> None:
    ref = input_ref(RUBRIC, "C12", "value")
    package = XlsxPackage(example)
    package.write_cells(SCORING_SHEET, {ref: (Decimal("0.95"), "ROUND(0.951,2)")})
    saved = tmp_path / "saved.xlsx"
    package.save(saved)
    line = recalc(saved, None).result.indicator("C12")
    assert line.status == "scored" and line.value == Decimal("0.95")


def test_an_unsaved_formula_in_a_bonus_row_names_its_cell(example: Path, tmp_path: Path) -> None:
    from xladdin.core.errors import WorkbookError

    ref = input_ref(RUBRIC, "F1", "value")
    typed = _typed_with_openpyxl(example, tmp_path / "typed.xlsx", {ref: "=MAX(1,2)"})
    with pytest.raises(WorkbookError) as raised:
        recalc(typed, None)
    assert raised.value.location.cell == ref
    assert "Excel 或 WPS" in raised.value.message
