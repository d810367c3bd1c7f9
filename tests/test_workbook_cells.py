"""What Excel, WPS and scripts really save, read right: formulas without results, text numbers,
rows inserted or deleted in the scoring table, and recalculation on open."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import example as with_example
from hypothesis import strategies as st
from lxml import etree

from tests.workbooks import build_example, edit_cells, input_ref, run_cli
from xladdin.library import find_bundled, load_rubric_file
from xladdin.workbook.cellxml import constant_value
from xladdin.workbook.layout import SCORING_SHEET, FormLayout, layout_for
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
        ("(" * 5000 + "1" + ")" * 5000, None),
        ("9" * 400 + "*" + "9" * 400, None),
    ],
    ids=lambda value: value[:20] if isinstance(value, str) else str(value),
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


# -- recalculation on open --------------------------------------------------------------------

EXCEL_CALC = b'<calcPr calcId="191029"/>'
XLSXWRITER_CALC = b'<calcPr calcId="124519" fullCalcOnLoad="1"/>'


def _with_user_formula(book: object) -> None:
    sheet = book.add_worksheet("我的汇总")  # type: ignore[attr-defined]
    score = input_ref(RUBRIC, "B11", "score")
    sheet.write_formula("A1", f"='{SCORING_SHEET}'!{score}*2", None, 999)  # an old result


def _replace_part(path: Path, name: str, old: bytes, new: bytes) -> None:
    """Rewrite one part of a workbook as another program saving it would."""
    with zipfile.ZipFile(path) as book:
        parts = [(info, book.read(info)) for info in book.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for info, data in parts:
            if info.filename == name:
                assert old in data
                data = data.replace(old, new)
            book.writestr(info, data)


def _workbook_part(path: Path) -> bytes:
    with zipfile.ZipFile(path) as book:
        return book.read("xl/workbook.xml")


@pytest.mark.parametrize(
    ("saved", "expected"),
    [
        (EXCEL_CALC, b'<calcPr calcId="191029" fullCalcOnLoad="1"/>'),
        (b'<calcPr calcId="191029" fullCalcOnLoad="0"></calcPr>', None),
        (b"", b'<calcPr fullCalcOnLoad="1"/>'),
    ],
    ids=["excel", "turned-off", "absent"],
)
def test_user_formulas_over_written_cells_recalculate_on_open(
    tmp_path: Path, saved: bytes, expected: bytes | None
) -> None:
    source = build_example(RUBRIC, tmp_path / "in.xlsx", extend=_with_user_formula)
    _replace_part(source, "xl/workbook.xml", XLSXWRITER_CALC, saved)
    edit_cells(source, {input_ref(RUBRIC, "B11", "value"): 1500})
    before = _workbook_part(source)
    out = tmp_path / "out.xlsx"
    assert recalc(source, out).changed > 0
    after = _workbook_part(out)
    if expected is None:
        expected = saved.replace(b'fullCalcOnLoad="0"', b'fullCalcOnLoad="1"')
    if saved:
        assert after == before.replace(saved, expected)
    else:  # placed where the format puts it: after the defined names
        assert after == before.replace(b"</definedNames>", b"</definedNames>" + expected)
    assert etree.fromstring(after) is not None
    # a spreadsheet opening it recalculates; a viewer still shows the old saved result
    assert openpyxl.load_workbook(out, data_only=True)["我的汇总"]["A1"].value == 999


def test_a_workbook_without_user_formulas_keeps_its_workbook_part(tmp_path: Path) -> None:
    source = build_example(RUBRIC, tmp_path / "in.xlsx")
    _replace_part(source, "xl/workbook.xml", XLSXWRITER_CALC, EXCEL_CALC)
    edit_cells(source, {input_ref(RUBRIC, "B11", "value"): 1500})
    out = tmp_path / "out.xlsx"
    assert recalc(source, out).changed > 0
    assert _workbook_part(out) == _workbook_part(source)


def test_nothing_changed_leaves_the_workbook_part(tmp_path: Path) -> None:
    source = build_example(RUBRIC, tmp_path / "in.xlsx", extend=_with_user_formula)
    _replace_part(source, "xl/workbook.xml", XLSXWRITER_CALC, EXCEL_CALC)
    out = tmp_path / "out.xlsx"
    assert recalc(source, out).changed == 0
    assert _workbook_part(out) == _workbook_part(source)


# -- numbers saved as text -----------------------------------------------------------------

FORM = "national-self-eval"


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(FORM, tmp_path_factory.mktemp("form") / "form.xlsx")


def _funds() -> tuple[str, dict[str, str]]:
    entry = find_bundled(FORM)
    assert entry is not None
    layout = layout_for(load_rubric_file(entry.path))
    assert isinstance(layout, FormLayout)
    block = layout.funds_block
    return layout.funds_code, {key: block.cell(key) for key in block.letters}


@pytest.mark.parametrize("key", ["denominator", "value"])
@pytest.mark.parametrize("text", ["1,234.5", "１８４.８", "184.8"])
def test_a_number_saved_as_text_where_the_form_computes_is_not_scored(
    form: Path, tmp_path: Path, key: str, text: str
) -> None:
    """全年预算数(A) or 全年执行数(B) saved as text: the form's 执行率(B/A) shows blank in
    Excel and LibreOffice, so the line is not scored from it either, and says why."""
    code, cells = _funds()
    typed = edit_cells(form, {cells[key]: text}, tmp_path / "typed.xlsx")
    out = tmp_path / "out.xlsx"
    line = recalc(typed, out).result.indicator(code)
    assert line.status == "missing_evidence" and line.score is None
    assert cells[key] in line.reason and text in line.reason and "文本" in line.reason
    assert "重新输入" in line.reason
    values = openpyxl.load_workbook(out, data_only=True)[SCORING_SHEET]
    assert values[cells["exec_rate"]].value in (None, "")  # as a spreadsheet computes it
    assert values[cells["score"]].value is None


def test_the_form_rate_formula_ignores_text_and_blanks(form: Path, tmp_path: Path) -> None:
    _, cells = _funds()
    package = XlsxPackage(recalc(form, tmp_path / "out.xlsx").output or form)
    formula = package.cells(SCORING_SHEET)[cells["exec_rate"]].formula
    assert formula is not None
    assert f"N({cells['denominator']})=0" in formula
    assert f"NOT(ISNUMBER({cells['value']}))" in formula


def test_text_that_is_no_number_in_the_funds_block_names_the_cell(
    form: Path, tmp_path: Path
) -> None:
    from xladdin.core.errors import WorkbookError

    _, cells = _funds()
    typed = edit_cells(form, {cells["value"]: "约两百"}, tmp_path / "typed.xlsx")
    with pytest.raises(WorkbookError) as raised:
        recalc(typed, None)
    assert raised.value.location.cell == cells["value"]


# -- rows inserted or deleted in the scoring table -------------------------------------------


def _row_of(code: str) -> int:
    return int(input_ref(RUBRIC, code, "code")[1:])


def _edited_rows(source: Path, target: Path, edit: str, row: int, texts: dict[str, object]) -> Path:
    """A row inserted (and typed into) or deleted as an officer does in Excel, through openpyxl."""
    book = openpyxl.load_workbook(source)
    sheet = book[SCORING_SHEET]
    if edit == "insert":
        sheet.insert_rows(row)
        for column, value in texts.items():
            sheet[f"{column}{row}"] = value
    else:
        sheet.delete_rows(row)
    book.save(target)
    return target


def test_a_typed_row_inserted_in_the_table_is_a_warning_naming_it(
    example: Path, tmp_path: Path
) -> None:
    row = _row_of("B12")
    edited = _edited_rows(
        example, tmp_path / "inserted.xlsx", "insert", row, {"C": "数据共享率", "D": 2}
    )
    out = tmp_path / "out.xlsx"
    done = recalc(edited, out)
    notes = [f for f in done.findings if f.check == "row-without-indicator"]
    assert len(notes) == 1 and notes[0].severity == "warning"
    assert f"第{row}行" in notes[0].message and "数据共享率" in notes[0].message
    code_col = input_ref(RUBRIC, "B12", "code").rstrip("0123456789")
    assert f"{code_col}{row}" in notes[0].message
    assert done.result.total == Decimal("93.08")  # the rows that moved are still read right
    code, _, stderr = run_cli("recalc", str(edited), "-o", str(tmp_path / "cli.xlsx"))
    assert code == 0
    assert "数据共享率" in stderr and f"第{row}行" in stderr


def test_an_empty_row_inserted_in_the_table_passes_quietly(example: Path, tmp_path: Path) -> None:
    edited = _edited_rows(example, tmp_path / "inserted.xlsx", "insert", _row_of("B12"), {})
    done = recalc(edited, None)
    assert not [f for f in done.findings if f.check == "row-without-indicator"]
    assert done.result.total == Decimal("93.08")


def test_a_deleted_indicator_row_is_named_where_it_was_expected(
    example: Path, tmp_path: Path
) -> None:
    from xladdin.core.errors import WorkbookError

    row = _row_of("B12")
    edited = _edited_rows(example, tmp_path / "deleted.xlsx", "delete", row, {})
    with pytest.raises(WorkbookError) as raised:
        recalc(edited, None)
    message = raised.value.message
    assert "B12" in message and "B11" in message and "B13" in message
    assert f"第{_row_of('B11')}行" in message and f"第{row}行" in message  # B13 moved up
    code_col = input_ref(RUBRIC, "B12", "code").rstrip("0123456789")
    assert raised.value.location.cell == f"{code_col}{row}"
    assert raised.value.location.code == "B12"


def test_the_first_indicator_row_deleted_points_before_the_next(
    example: Path, tmp_path: Path
) -> None:
    from xladdin.core.errors import WorkbookError

    first = _row_of("A11")
    edited = _edited_rows(example, tmp_path / "deleted.xlsx", "delete", first, {})
    with pytest.raises(WorkbookError) as raised:
        recalc(edited, None)
    assert "A11 应在 A21" in raised.value.message and "之前" in raised.value.message


def test_worksheet_functions_keep_their_saved_results_on_open(tmp_path: Path) -> None:
    """Forced recalculation on open would turn the add-in's functions into #NAME? wherever the
    add-in is not installed: a workbook that uses them is left to recalculate by hand."""
    from xladdin.excel import udfs
    from xladdin.workbook.package import ADD_IN_FUNCTION_NAMES

    def with_function(book: object) -> None:
        sheet = book.add_worksheet("试算")  # type: ignore[attr-defined]
        sheet.write_formula("A1", "=SCORE_RATE(81.25,100,10)", None, 8.13)
        sheet.write_formula("A2", f"='{SCORING_SHEET}'!{input_ref(RUBRIC, 'B11', 'score')}*2")

    source = build_example(RUBRIC, tmp_path / "in.xlsx", extend=with_function)
    _replace_part(source, "xl/workbook.xml", XLSXWRITER_CALC, EXCEL_CALC)
    edit_cells(source, {input_ref(RUBRIC, "B11", "value"): 1500})
    out = tmp_path / "out.xlsx"
    assert recalc(source, out).changed > 0
    assert _workbook_part(out) == _workbook_part(source)
    package = XlsxPackage(out)
    assert package.calls_worksheet_functions()
    names = [name for name in udfs.__all__ if name.startswith(ADD_IN_FUNCTION_NAMES)]
    assert set(names) == set(udfs.__all__)  # every function name is recognised


# -- what officers type, at random -------------------------------------------------------------

_FULL_WIDTH = str.maketrans("0123456789.,%", "０１２３４５６７８９．，％")


@st.composite
def _typed(draw: st.DrawFn) -> tuple[object, str | None]:
    """A cell as typed or saved: (value, formula), the value None for a formula with no result."""
    amount = draw(st.decimals(min_value=-10, max_value=100000, places=2, allow_nan=False))
    kind = draw(
        st.sampled_from(["number", "text", "grouped", "full-width", "percent", "blank", "formula"])
    )
    if kind == "number":
        return amount, None
    if kind == "text":
        return str(amount), None
    if kind == "grouped":
        return f"{amount:,}", None
    if kind == "full-width":
        return f"{amount:,}".translate(_FULL_WIDTH), None
    if kind == "percent":
        return f"{amount}%", None
    if kind == "blank":
        return None, None
    return None, draw(st.sampled_from([str(amount), f"{amount}/2", f"ROUND({amount},1)"]))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(budget=_typed(), spent=_typed())
@with_example(budget=(Decimal("0.01"), None), spent=(Decimal("0.02"), None))  # 200%: 需核对
def test_what_officers_type_into_the_funds_block_scores_right_or_says_why(
    form: Path, tmp_path: Path, budget: tuple[object, str | None], spent: tuple[object, str | None]
) -> None:
    from xladdin.core.errors import WorkbookError

    code, cells = _funds()
    package = XlsxPackage(form)
    package.write_cells(SCORING_SHEET, {cells["denominator"]: budget, cells["value"]: spent})
    typed = tmp_path / "typed.xlsx"
    package.save(typed)
    try:
        done = recalc(typed, None)
    except WorkbookError as error:  # an impossible value: named by its cell
        assert error.location.cell in (cells["denominator"], cells["value"]), error.message
        return
    line = done.result.indicator(code)
    if line.status == "scored":
        assert line.score is not None and 0 <= line.score <= line.weight
        for value, formula in (budget, spent):
            assert not isinstance(value, str), "a number saved as text was scored"
            assert formula is None or constant_value(formula) is not None
    elif line.status == "needs_check":  # implausible: a provisional score, not final
        assert line.score is not None and 0 <= line.score <= line.weight
        assert line.reason.startswith("需核对") and not done.result.complete
    else:
        assert line.score is None and line.reason


def test_a_number_saved_as_text_elsewhere_is_scored_with_a_warning(
    example: Path, tmp_path: Path
) -> None:
    ref = input_ref(RUBRIC, "C12", "value")
    typed = edit_cells(example, {ref: "97.9%"}, tmp_path / "typed.xlsx")
    done = recalc(typed, None)
    line = done.result.indicator("C12")
    assert line.status == "scored" and line.value == Decimal("0.979")
    notes = [f for f in done.findings if f.check == "number-saved-as-text"]
    assert len(notes) == 1 and notes[0].code == "C12" and notes[0].severity == "warning"
    assert ref in notes[0].message and "97.9%" in notes[0].message


def test_numbers_typed_as_numbers_give_no_text_warning(example: Path) -> None:
    done = recalc(example, None)
    assert not [f for f in done.findings if f.check == "number-saved-as-text"]
