"""LibreOffice, a real spreadsheet engine, recalculates every formula we wrote and must agree
with the cached values the headless writer put in the file."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from tests.support.libreoffice import convert, make_profile, soffice
from tests.workbooks import build_example, edit_cells, input_ref
from xladdin.library import bundled, find_bundled, load_rubric_file
from xladdin.workbook.layout import SUMMARY_SHEET, layout_for
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.recalc import recalc

pytestmark = [
    pytest.mark.libreoffice,
    pytest.mark.skipif(
        soffice() is None, reason="LibreOffice is not installed (scripts/test installs it)"
    ),
]


def _formula_cells(path: Path) -> dict[tuple[str, str], object]:
    formulas = openpyxl.load_workbook(path, data_only=False)
    cached = openpyxl.load_workbook(path, data_only=True)
    found: dict[tuple[str, str], object] = {}
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    found[(sheet.title, cell.coordinate)] = cached[sheet.title][
                        cell.coordinate
                    ].value
    return found


def _same(ours: object, theirs: object) -> bool:
    if ours in (None, "") and theirs in (None, ""):
        return True
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        return abs(ours - theirs) < 1e-9
    return ours == theirs


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every bundled example, plus variants that take the formulas' other branches."""
    folder = tmp_path_factory.mktemp("lo-in")
    outputs = []
    sources = [
        build_example(entry.id, folder / f"{entry.id}.xlsx")
        for entry in bundled()
        if entry.evidence_path
    ]
    variant = folder / "variant-na-bonus-missing.xlsx"
    shutil.copy(folder / "nanjing-dsj-2022.xlsx", variant)
    edit_cells(
        variant,
        {
            input_ref("nanjing-dsj-2022", "C42", "not_applicable"): "是",  # rescaled total
            input_ref("nanjing-dsj-2022", "F1", "value"): 7,  # bonus above its cap of 5
            input_ref("nanjing-dsj-2022", "F2", "value"): 1.5,
            input_ref("nanjing-dsj-2022", "B11", "value"): 1500,
        },
    )
    unfinished = folder / "variant-unfinished.xlsx"
    edit_cells(
        folder / "nanjing-zwxx-2021.xlsx",
        {input_ref("nanjing-zwxx-2021", "C11", "value"): None},
        unfinished,
    )
    truncated = folder / "variant-truncated-rate.xlsx"
    edit_cells(
        folder / "nanyang-zsj-2021.xlsx",
        {input_ref("nanyang-zsj-2021", "C", "decision_score"): 55.55},
        truncated,
    )
    # what officers type into the cells the form's own formulas read: numbers saved as text
    # (with thousands separators, full-width digits, a percent sign) and blanks
    form = "national-self-eval"
    form_entry = find_bundled(form)
    assert form_entry is not None
    funds = layout_for(load_rubric_file(form_entry.path)).funds
    assert funds is not None
    budget, spent = funds.cell("denominator"), funds.cell("value")
    typed: list[Path] = []
    for name, writes in {
        "text-budget": {budget: "1,234.5"},
        "text-spent": {spent: "184.8"},
        "fullwidth-spent": {spent: "１８４.８"},
        "percent-text-budget": {budget: "85%"},
        "blank-spent": {spent: None},
        "blank-budget": {budget: None},
        "both-blank": {budget: None, spent: None},
    }.items():
        typed.append(edit_cells(folder / f"{form}.xlsx", writes, folder / f"variant-{name}.xlsx"))
    # text numbers in cells only xladdin reads: scored, the sheet's formulas unaffected
    typed.append(
        edit_cells(
            folder / "nanjing-dsj-2022.xlsx",
            {
                input_ref("nanjing-dsj-2022", "C12", "value"): "97.9%",
                input_ref("nanjing-dsj-2022", "B11", "value"): "１,６８９.２９",
                input_ref("nanjing-dsj-2022", "B12", "denominator"): None,
            },
            folder / "variant-text-numbers.xlsx",
        )
    )
    for source in [*sources, variant, unfinished, truncated, *typed]:
        out = source.with_name(source.stem + "-recalc.xlsx")
        recalc(source, out)
        outputs.append(out)
    return outputs


def test_libreoffice_agrees_with_every_cached_formula_value(
    recalculated: list[Path], tmp_path: Path
) -> None:
    profile = make_profile(tmp_path / "profile")
    converted = convert(recalculated, "xlsx", tmp_path / "lo", profile)
    checked = 0
    for ours, theirs in zip(recalculated, converted, strict=True):
        expected = _formula_cells(ours)
        assert expected, ours
        computed = openpyxl.load_workbook(theirs, data_only=True)
        for (sheet, ref), value in expected.items():
            assert _same(value, computed[sheet][ref].value), (
                f"{ours.name} {sheet}!{ref}: ours {value!r}, LibreOffice {computed[sheet][ref].value!r}"
            )
            checked += 1
    assert checked > 200


def test_libreoffice_really_recalculates_in_this_profile(
    recalculated: list[Path], tmp_path: Path
) -> None:
    """Guards the comparison above: a wrong cached value must come back corrected."""
    tampered = tmp_path / "tampered.xlsx"
    package = XlsxPackage(recalculated[0])
    cell = package.cells(SUMMARY_SHEET)["C4"]
    assert cell.formula is not None
    package.write_cells(SUMMARY_SHEET, {"C4": (Decimal("999"), cell.formula)})
    package.save(tampered)
    converted = convert([tampered], "xlsx", tmp_path / "lo", make_profile(tmp_path / "profile"))[0]
    assert openpyxl.load_workbook(tampered, data_only=True)[SUMMARY_SHEET]["C4"].value == 999
    assert openpyxl.load_workbook(converted, data_only=True)[SUMMARY_SHEET]["C4"].value != 999
