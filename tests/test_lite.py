"""The xlwings Lite entry point against headless recalculation and the classic functions.

The parity test takes a filled example, empties the cells the add-in owns and changes one
evidence cell, then recalculates the same file twice: headless (``xladdin recalc``'s path) and
through :func:`xladdin.excel.lite.recalc_lite` on a stand-in for the book Lite hands a script
(``tests/support/fake_xlwings.py``). The plan, the result and the findings must be the same
and every written cell the same value or formula.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw

from tests.support.fake_xlwings import FakeBook
from xladdin.core.rubric import RatioMethod
from xladdin.excel import lite, udfs
from xladdin.library import bundled, find_bundled, load_evidence, load_rubric
from xladdin.workbook.build import write_workbook
from xladdin.workbook.layout import SCORING_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.reader import read_workbook
from xladdin.workbook.recalc import recalc, score_book

FILLED = [entry.id for entry in bundled() if entry.evidence_path is not None]


def example(rubric_id: str, folder: Path) -> Path:
    entry = find_bundled(rubric_id)
    assert entry is not None and entry.evidence_path is not None
    path = folder / f"{rubric_id}-example.xlsx"
    write_workbook(load_rubric(rubric_id), path, load_evidence(entry.evidence_path))
    return path


def blanked_and_changed(source: Path, target: Path) -> str:
    """``source`` at ``target`` with every owned cell emptied and one evidence number lowered
    by a tenth; returns the code of that line."""
    data = read_workbook(source)
    _, _, plan = score_book(data)
    package = XlsxPackage(source)
    for sheet in plan.sheets():
        package.write_cells(sheet, dict.fromkeys(plan.for_sheet(sheet), (None, None)))
    cells = package.cells(SCORING_SHEET)
    for leaf in data.rubric.leaves():
        row = data.rows.leaves[leaf.code]
        key = "value" if isinstance(leaf.method, RatioMethod) else "decision_score"
        ref = data.layout.find(key, row)
        found = cells.get(ref) if ref is not None else None
        if ref and found is not None and isinstance(found.value, Decimal) and found.value > 0:
            lower = (found.value * Decimal("0.9")).quantize(Decimal("0.01"))
            package.write_cells(SCORING_SHEET, {ref: (lower, None)})
            package.save(target)
            return leaf.code
    raise AssertionError(f"no evidence number to change in {source}")


def unprotected_book(path: Path) -> FakeBook:
    """The book as Lite sees it after the officer lifted the 评分表's protection (Lite has no
    call to lift it)."""
    book = FakeBook(path)
    book.sheets[SCORING_SHEET].api.Unprotect()
    return book


def same_cell(live: Any, headless: Any) -> bool:
    if isinstance(live, float) and isinstance(headless, int | float):
        return live == float(headless)
    return bool(live == headless)


@pytest.mark.parametrize("rubric_id", FILLED)
def test_lite_recalc_writes_what_headless_recalc_writes(tmp_path: Path, rubric_id: str) -> None:
    original = example(rubric_id, tmp_path)
    source = tmp_path / "input.xlsx"
    changed = blanked_and_changed(original, source)

    done = recalc(source, tmp_path / "headless.xlsx")
    book = unprotected_book(source)
    live = lite.recalc_lite(book)

    assert live.plan == done.plan
    assert live.result == done.result
    assert live.findings == done.findings
    before = score_book(read_workbook(original))[0]
    assert before.indicator(changed) != live.result.indicator(changed)

    planned = {(w.sheet, w.ref): w for w in done.plan.writes}
    written = {(w.sheet, w.ref): w for w in book.writes}
    assert set(written) == set(planned)
    assert live.written == len(planned)
    formulas = openpyxl.load_workbook(tmp_path / "headless.xlsx")
    values = openpyxl.load_workbook(tmp_path / "headless.xlsx", data_only=True)
    for (sheet, ref), write in planned.items():
        made = written[(sheet, ref)]
        if write.formula is not None:
            assert made.kind == "formula", (sheet, ref)
            assert made.payload == "=" + write.formula == formulas[sheet][ref].value, (sheet, ref)
        else:
            assert made.kind == "value", (sheet, ref)
            assert same_cell(made.payload, values[sheet][ref].value), (sheet, ref)


def test_the_script_reports_the_published_total(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = unprotected_book(example("nanjing-dsj-2022", tmp_path))
    lite.recalc_this_book(book)
    shown = capsys.readouterr().out
    assert shown.startswith("已重算：总分 93.08，等级 优。")
    assert "需要注意的检查结果" in shown  # the published table's inconsistencies (B62 …)
    assert book.writes


def test_a_workbook_not_made_by_xladdin_is_refused_without_writing(tmp_path: Path) -> None:
    path = tmp_path / "其他.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "预算执行率"
    workbook.save(path)
    book = FakeBook(path)
    message = lite.run_lite_recalc(book)
    assert message.startswith("未能完成：") and "指标体系" in message
    assert book.writes == []


def test_an_evidence_error_names_its_cell_and_writes_nothing(tmp_path: Path) -> None:
    source = example("nanjing-dsj-2022", tmp_path)
    data = read_workbook(source)
    leaf = next(leaf for leaf in data.rubric.leaves() if isinstance(leaf.method, RatioMethod))
    ref = data.layout.find("value", data.rows.leaves[leaf.code])
    assert ref is not None
    package = XlsxPackage(source)
    package.write_cells(SCORING_SHEET, {ref: ("九成", None)})
    package.save(tmp_path / "bad.xlsx")
    book = unprotected_book(tmp_path / "bad.xlsx")
    message = lite.run_lite_recalc(book)
    assert message.startswith("未能完成：") and ref in message
    assert book.writes == []


# ---------------------------------------------------------------------------------------------
# The worksheet functions are the classic ones.

FUNCTIONS = [name for name in lite.__all__ if name.isupper()]


def test_every_classic_worksheet_function_is_in_lite() -> None:
    classic = {name for name in udfs.__all__ if hasattr(getattr(udfs, name), "__excel_args__")}
    assert set(FUNCTIONS) == classic - set(lite.CLASSIC_ONLY)
    assert set(lite.CLASSIC_ONLY) <= classic
    assert "recalc_this_book" in lite.__all__


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_lite_function_has_the_classic_signature_and_help(name: str) -> None:
    ours, classic = getattr(lite, name), getattr(udfs, name)
    assert inspect.signature(ours) == inspect.signature(classic)
    assert ours.__doc__ == classic.__doc__ and ours.__name__ == name
    assert ours.__module__ == lite.__name__


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("SCORE_RATE", (1689.29, 1811.58, 1, 1), 0.93),  # 000 B11
        ("SCORE_RATE", (1435.59, 1465.19, 1, 1), 0.97),  # 000 B12
        ("SCORE_RATE", (81.25, 100, 10), 8.13),  # 001 C11
        ("EXEC_RATE", (17641.06, 18700), 0.9434),  # 001 B12
        ("SCORE_BANDS", (0.8758, [0.9, 0.8, 0.7, 0.6, 0.5], [7, 6, 5, 4, 3]), 6.0),  # 001 D41
        ("SCORE_CHECKLIST", (["√", "√", "×"], 2), 1.33),  # 000 A41
        ("SCORE_DEDUCT", (1, 2, "25%"), 1.5),  # 000 A22
        ("SCORE_JUDGE", (1, "25%"), 0.75),  # 000 C43
        ("PERF_GRADE", (93.08,), "优"),
        ("SCORE_REASON", ("SCORE_RATE", "预算执行率", 1689.29, 1811.58, 1, 1), None),
        ("SCORE_RATE", (1, 0, 1), None),  # an error text, not a traceback
    ],
)
def test_lite_functions_give_the_classic_results(
    name: str, args: tuple[Any, ...], expected: Any
) -> None:
    got = getattr(lite, name)(*args)
    assert got == getattr(udfs, name)(*args)
    if expected is not None:
        assert got == expected
    elif name == "SCORE_REASON":
        assert got == "预算执行率93.25%，扣7%权重分"
    else:
        assert isinstance(got, str) and got.startswith("#VALUE! ")


# ---------------------------------------------------------------------------------------------
# What xlwings Lite's registration needs (xlwings 0.37, xlwings/pro/udfs_officejs.py: xlfunc,
# func_sig, _book_param_hint). Lite's own decorators are licence-gated outside Lite, so the
# test checks the properties they rely on.


def test_the_script_takes_the_book_lite_hands_over() -> None:
    # a script must have exactly one parameter annotated xw.Book, resolvable by get_type_hints
    hints = typing.get_type_hints(inspect.unwrap(lite.recalc_this_book))
    assert [name for name, hint in hints.items() if hint is xw.Book] == ["book"]
    assert list(inspect.signature(lite.recalc_this_book).parameters) == ["book"]
    assert lite.SCRIPT_NAME == "重算本工作簿"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_a_worksheet_function_registers_in_lite(name: str) -> None:
    function = getattr(lite, name)
    # Excel names: letters, digits, periods, underscores (at most 128)
    assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9._]{0,127}", name)
    # only positional arguments (Lite refuses keyword-only ones), annotations resolvable
    parameters = inspect.signature(function).parameters.values()
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in parameters)
    typing.get_type_hints(function, include_extras=True)
    # every argument has the description the classic add-in shows
    assert set(getattr(udfs, name).__excel_args__) == {p.name for p in parameters}


def test_the_entry_point_imports_where_xlwings_has_no_sub_decorator() -> None:
    # xlwings' Lite/server runtime defines `script` only; the classic macro module uses `sub`
    code = (
        "import xlwings as xw\n"
        "del xw.sub\n"
        "from xladdin.excel.lite import *\n"
        "print(SCORE_RATE(81.25, 100, 10), PERF_GRADE(93.08))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["8.13", "优"]


def test_lite_recalc_writes_into_the_still_protected_sheet(tmp_path: Path) -> None:
    # Lite cannot lift a sheet's protection; the cells the plan writes are unlocked in the
    # template, so the officer does not have to lift it either
    source = example("nanjing-zwxx-2021", tmp_path)
    book = FakeBook(source)
    assert book.sheets[SCORING_SHEET].api.ProtectContents
    live = lite.recalc_lite(book)
    done = recalc(source, tmp_path / "headless.xlsx")
    assert live.plan == done.plan and live.result == done.result
    assert live.written == len(done.plan.writes)
    assert book.sheets[SCORING_SHEET].api.ProtectContents


def test_the_script_path_runs_without_lxml(tmp_path: Path) -> None:
    # Pyodide has no lxml unless asked for: the entry point and the script that reads the open
    # book must not need it (only reading a workbook file does)
    source = example("nanjing-dsj-2022", tmp_path)
    code = (
        "import sys\n"
        "sys.modules['lxml'] = None\n"
        "from pathlib import Path\nfrom tests.support.fake_xlwings import FakeBook\n"
        "from xladdin.excel.lite import recalc_this_book\n"
        f"recalc_this_book(FakeBook(Path({str(source)!r})))\n"
        "assert sys.modules['lxml'] is None\n"
        "assert 'xladdin.workbook.package' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert done.stdout.startswith("已重算：总分 93.08，等级 优。"), done.stderr
