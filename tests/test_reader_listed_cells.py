"""The reader reads a file's 评分表 cell by cell as the layout lists them (the code column
first, then each row's inputs): what it finds must be exactly what a reading of every cell of
the sheet finds, on our own files and on files another program saved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import openpyxl
import pytest

from tests.workbooks import build_example, edit_cells, input_ref
from xladdin.library import bundled
from xladdin.workbook.cellxml import Cell
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.reader import BookData, read_book


class _WholeSheets:
    """The same file, offering only whole-sheet reads (as a live book does)."""

    def __init__(self, package: XlsxPackage) -> None:
        self._package = package
        self.formulas_may_lack_results = True

    @property
    def label(self) -> str:
        return self._package.label

    def has_sheet(self, sheet: str) -> bool:
        return self._package.has_sheet(sheet)

    def cells(
        self, sheet: str, columns: Iterable[str] | None = None, rows: Iterable[int] = ()
    ) -> Mapping[str, Cell]:
        return self._package.cells(sheet, columns, rows)


def _same_reading(path: Path) -> BookData:
    listed = read_book(XlsxPackage(path))
    whole = read_book(_WholeSheets(XlsxPackage(path)))
    assert listed.evidence == whole.evidence
    assert listed.rows == whole.rows
    assert listed.gaps == whole.gaps
    assert listed.live_scores == whole.live_scores
    assert [n.message for n in listed.notes] == [n.message for n in whole.notes]
    return listed


RUBRICS = [entry.id for entry in bundled() if entry.evidence_path is not None]


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_listed_cells_read_as_the_whole_sheet(rubric_id: str, tmp_path: Path) -> None:
    book = _same_reading(build_example(rubric_id, tmp_path / "example.xlsx"))
    assert book.evidence.lines  # the example's evidence was read, not nothing twice


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_listed_cells_read_as_the_whole_sheet_after_openpyxl_saved_it(
    rubric_id: str, tmp_path: Path
) -> None:
    """openpyxl writes every cell again, in its own way (shared strings, no empty styled
    cells it did not keep, formulas without results)."""
    source = build_example(rubric_id, tmp_path / "example.xlsx")
    resaved = tmp_path / "resaved.xlsx"
    openpyxl.load_workbook(source).save(resaved)
    book = _same_reading(resaved)
    assert book.evidence.lines


def test_a_cell_typed_where_no_input_is_listed_is_still_found(tmp_path: Path) -> None:
    """A value typed into a listed cell of a row far from the others, and text in an unlisted
    column: the first is read, the second changes nothing, both ways alike."""
    rubric_id = "nanjing-dsj-2022"
    source = build_example(rubric_id, tmp_path / "example.xlsx")
    ref = input_ref(rubric_id, "B11", "value")
    edited = edit_cells(source, {ref: 1500, "AZ200": "备注"}, tmp_path / "edited.xlsx")
    book = _same_reading(edited)
    line = book.evidence.lines["B11"]
    assert line.numerator is not None and line.numerator == 1500
