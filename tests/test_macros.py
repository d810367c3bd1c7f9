"""The macros against a stand-in for xlwings' Book / Sheet / Range backed by real workbooks.

The parity tests take a filled example, blank the cells the add-in owns and change some
evidence, then recalculate the same file twice: headless (``xladdin.workbook.recalc.recalc``,
read back with openpyxl) and live (``recalc_book`` on the stand-in). The plan must be the same
object and every written cell the same value or formula.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from click.testing import CliRunner
from openpyxl.styles import Protection

from tests.support.fake_xlwings import FakeBook, FakeSheet
from xladdin.cli import main
from xladdin.core.errors import WorkbookError
from xladdin.core.lint import lint
from xladdin.core.rubric import RatioMethod
from xladdin.excel.live import XlwingsSource, apply_plan_to_book, cell_value, excel_value
from xladdin.excel.macros import (
    CHECK_HEADERS,
    PERF_CHECK,
    PERF_NEW,
    PERF_RECALC,
    check_book,
    new_workbook,
    read_live,
    recalc_book,
    run_in_excel,
)
from xladdin.library import bundled, find_bundled, load_evidence, load_rubric
from xladdin.workbook.build import write_workbook
from xladdin.workbook.layout import (
    CHECK_SHEET,
    CONFIG_SHEET,
    RUBRIC_SHEET,
    SCORING_SHEET,
    SUMMARY_SHEET,
    UDF_MODULE,
)
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.plan import CellWrite, WritePlan
from xladdin.workbook.reader import read_workbook
from xladdin.workbook.recalc import recalc, score_book

# every bundled rubric with a filled example, both layouts (评分表 and the national 自评表)
FILLED = [entry.id for entry in bundled() if entry.evidence_path is not None]


def example(rubric_id: str, folder: Path) -> Path:
    entry = find_bundled(rubric_id)
    assert entry is not None and entry.evidence_path is not None
    path = folder / f"{rubric_id}-example.xlsx"
    write_workbook(load_rubric(rubric_id), path, load_evidence(entry.evidence_path))
    return path


def blanked_and_changed(source: Path, target: Path) -> tuple[Path, str]:
    """``source`` with every owned cell emptied and one evidence cell changed, at ``target``.

    Returns the code of the line whose evidence changed.
    """
    data = read_workbook(source)
    _, _, plan = score_book(data)
    package = XlsxPackage(source)
    for sheet in plan.sheets():
        package.write_cells(sheet, dict.fromkeys(plan.for_sheet(sheet), (None, None)))
    cells = package.cells(SCORING_SHEET)
    changed = None
    for leaf in data.rubric.leaves():
        row = data.rows.leaves[leaf.code]
        key = "value" if isinstance(leaf.method, RatioMethod) else "decision_score"
        ref = data.layout.find(key, row)
        found = cells.get(ref) if ref is not None else None
        if (
            ref is not None
            and found is not None
            and isinstance(found.value, Decimal)
            and found.value > 0
        ):
            lower = (found.value * Decimal("0.9")).quantize(Decimal("0.01"))
            package.write_cells(SCORING_SHEET, {ref: (lower, None)})
            changed = leaf.code
            break
    assert changed is not None
    package.save(target)
    return target, changed


def same_cell(live: Any, headless: Any) -> bool:
    if isinstance(live, float) and isinstance(headless, int | float):
        return live == float(headless)
    return bool(live == headless)


# ---------------------------------------------------------------------------------------------
# Parity with the headless path.


@pytest.mark.parametrize("rubric_id", FILLED)
def test_recalc_book_writes_what_headless_recalc_writes(tmp_path: Path, rubric_id: str) -> None:
    original = example(rubric_id, tmp_path)
    source, changed_code = blanked_and_changed(original, tmp_path / "input.xlsx")

    done = recalc(source, tmp_path / "headless.xlsx")
    book = FakeBook(source)
    live = recalc_book(book)

    # one plan, one result, the same findings
    assert live.plan == done.plan
    assert live.result == done.result
    assert live.findings == done.findings
    # the recalculation had something to do: the changed line scores differently
    before = read_workbook(original)
    assert score_book(before)[0].indicator(changed_code) != live.result.indicator(changed_code)

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
            assert same_cell(book.formulas[sheet][ref].value, formulas[sheet][ref].value)


@pytest.mark.parametrize("rubric_id", FILLED)
def test_the_live_book_reads_like_the_file(tmp_path: Path, rubric_id: str) -> None:
    path = example(rubric_id, tmp_path)
    book = FakeBook(path)
    from_file = read_workbook(path)
    from_book = read_live(book)
    assert from_book.rubric == from_file.rubric
    assert from_book.evidence == from_file.evidence
    assert from_book.rows == from_file.rows
    package = XlsxPackage(path)
    source = XlwingsSource(book)
    for sheet in (SCORING_SHEET, SUMMARY_SHEET):
        assert source.cells(sheet) == package.cells(sheet), sheet
    assert source.cells(RUBRIC_SHEET, ["A", "B"]) == package.cells(RUBRIC_SHEET, ["A", "B"])
    assert source.cells(SCORING_SHEET, ["K"]) == package.cells(SCORING_SHEET, ["K"])


def test_the_rubric_sheet_is_read_without_its_formulas(tmp_path: Path) -> None:
    # its chunks run to 30,000 characters; Excel's Range.Formula fails beyond 8,221
    path = example("nanjing-dsj-2022", tmp_path)
    book = FakeBook(path)
    chunk = book.formulas[RUBRIC_SHEET]["A2"].value
    assert len(chunk) > 8221
    cells = XlwingsSource(book).cells(RUBRIC_SHEET)
    assert cells["A2"].value == chunk and cells["A2"].formula is None


def test_protection_is_lifted_and_restored_with_its_options(tmp_path: Path) -> None:
    path = example("nanjing-dsj-2022", tmp_path)
    book = FakeBook(path)
    before = book.formulas[SCORING_SHEET].protection
    assert before.sheet and not before.formatColumns and before.insertRows
    recalc_book(book)
    scoring_calls = [
        (name, options) for sheet, name, options in book.api_calls if sheet == SCORING_SHEET
    ]
    assert [name for name, _ in scoring_calls] == ["Unprotect", "Protect"]
    options = scoring_calls[1][1]
    assert options["Password"] == "" and options["Contents"] is True
    assert options["AllowFormattingColumns"] and options["AllowFormattingRows"]
    assert not options["AllowInsertingRows"] and not options["AllowFormattingCells"]
    after = book.formulas[SCORING_SHEET].protection
    assert after.sheet and not after.formatColumns and after.insertRows
    # the summary sheet is not protected: no calls for it
    assert all(sheet == SCORING_SHEET for sheet, _, _ in book.api_calls)
    # screen updating paused while writing, restored afterwards
    assert book.app.updating_while_writing and not any(book.app.updating_while_writing)
    assert book.app.screen_updating is True


def test_a_write_refused_by_excel_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # macOS: no COM object model behind sheet.api, so the protected sheet stays protected
    monkeypatch.setattr(FakeSheet, "api", property(lambda self: object()))
    book = FakeBook(example("nanjing-dsj-2022", tmp_path))
    # the template leaves its owned cells unlocked; an officer may have locked one again
    book.formulas[SCORING_SHEET]["H4"].protection = Protection(locked=True)
    plan = WritePlan((CellWrite(SCORING_SHEET, "H4", Decimal("1")),))
    with pytest.raises(WorkbookError) as caught:
        apply_plan_to_book(book, plan)
    assert caught.value.location.sheet == SCORING_SHEET and caught.value.location.cell == "H4"
    assert "撤消工作表保护" in caught.value.message
    assert book.writes == [] and book.app.screen_updating is True


def test_a_text_constant_that_looks_like_a_formula_is_a_value(tmp_path: Path) -> None:
    book = FakeBook(example("nanjing-dsj-2022", tmp_path))
    targets = {
        ref: cell
        for ref, cell in XlwingsSource(book).cells(SCORING_SHEET, ["E"]).items()
        if cell.value == "=100%"
    }
    assert targets and all(cell.formula is None for cell in targets.values())


def test_values_go_to_excel_as_excel_reads_them() -> None:
    assert excel_value(Decimal("1.33")) == 1.33
    assert excel_value("第③项不符合，扣0.67分") == "第③项不符合，扣0.67分"
    assert excel_value("25%") == "'25%"  # would become the number 0.25
    assert excel_value("-扣分") == "'-扣分"
    assert excel_value(None) is None
    assert cell_value(0.9299999999999999) == Decimal("0.9299999999999999")
    assert cell_value(0.93) == Decimal("0.93")
    assert cell_value(3.0) == Decimal("3.0")
    assert cell_value("") is None
    assert cell_value(" 是 ") == " 是 "  # the reader strips input cells itself
    assert cell_value(True) is True


# ---------------------------------------------------------------------------------------------
# Checking.


def test_check_book_lists_the_linters_findings(tmp_path: Path) -> None:
    path = example("nanjing-dsj-2022", tmp_path)
    book = FakeBook(path)
    book.sheets.add(CHECK_SHEET)
    book.formulas[CHECK_SHEET]["A90"].value = "上次的检查结果"
    from_file = read_workbook(path)
    findings = check_book(book)
    assert findings == lint(from_file.rubric, from_file.evidence)
    assert any(f.code == "B62" and f.severity == "warning" for f in findings)
    sheet = book.formulas[CHECK_SHEET]
    assert [sheet.cell(1, c + 1).value for c in range(5)] == list(CHECK_HEADERS)
    assert sheet["A90"].value is None  # the old list is gone
    rows = {sheet[f"C{r}"].value: r for r in range(2, len(findings) + 2)}
    b62 = rows["B62"]
    assert sheet[f"B{b62}"].value == "警告"
    link = sheet[f"D{b62}"].value
    assert link.startswith("=HYPERLINK(\"#'评分表'!") and "评分表!" in link
    assert sheet[f"A{len(findings) + 2}"].value is None
    assert book.active_sheet == CHECK_SHEET


def test_check_book_on_an_unreadable_book_names_the_cell(tmp_path: Path) -> None:
    path = example("nanjing-dsj-2022", tmp_path)
    book = FakeBook(path)
    book.formulas[SCORING_SHEET]["O4"].value = "？"  # 要点① of A11
    findings = check_book(book)
    assert len(findings) == 1 and findings[0].severity == "error"
    assert "单元格 O4" in findings[0].message and "要点1应填 √ 或 ×" in findings[0].message
    assert CHECK_SHEET in book.formulas.sheetnames


# ---------------------------------------------------------------------------------------------
# The entry points Excel runs.


@pytest.fixture
def caller(monkeypatch: pytest.MonkeyPatch) -> Any:
    def use(book: FakeBook) -> FakeBook:
        monkeypatch.setattr(xw.Book, "caller", classmethod(lambda cls: book))
        return book

    return use


def test_perf_recalc_tells_the_officer_the_total(tmp_path: Path, caller: Any) -> None:
    book = caller(FakeBook(example("nanjing-dsj-2022", tmp_path)))
    PERF_RECALC()
    alert = book.app.alerts[-1]
    assert alert.prompt.startswith("已重算：总分 93.08，等级 优。") and alert.mode == "info"
    assert "PERF_CHECK" in alert.prompt  # the published table has doubtful lines


def test_perf_recalc_on_wrong_evidence_shows_the_cell(tmp_path: Path, caller: Any) -> None:
    book = caller(FakeBook(example("nanjing-dsj-2022", tmp_path)))
    book.formulas[SCORING_SHEET]["O4"].value = "？"
    PERF_RECALC()
    alert = book.app.alerts[-1]
    assert alert.mode == "critical" and alert.prompt.startswith("未能完成：")
    assert "工作表“评分表”，单元格 O4，指标 A11" in alert.prompt
    assert "Traceback" not in alert.prompt
    assert book.selection is not None and book.selection.ref == "O4"
    assert book.writes == []  # nothing written when the book cannot be read


def test_perf_recalc_acts_on_the_active_scoring_book(tmp_path: Path, caller: Any) -> None:
    tool = tmp_path / "tool.xlsx"
    openpyxl.Workbook().save(tool)
    tools = caller(FakeBook(tool))
    scoring = FakeBook(example("nanjing-dsj-2022", tmp_path), tools.app)
    assert tools.app.books.active is scoring
    PERF_RECALC()
    assert scoring.writes and not tools.writes


def test_perf_check_reports_counts(tmp_path: Path, caller: Any) -> None:
    book = caller(FakeBook(example("nanjing-zwxx-2021", tmp_path)))
    PERF_CHECK()
    assert book.app.alerts[-1].prompt.startswith("检查完成：")
    assert CHECK_SHEET in book.formulas.sheetnames


def test_perf_new_creates_and_opens_the_selected_rubric(tmp_path: Path, caller: Any) -> None:
    scratch = tmp_path / "scratch.xlsx"
    openpyxl.Workbook().save(scratch)
    book = caller(FakeBook(scratch))
    sheet = book.sheets[0]
    sheet.range("A1").value = "national-self-eval"
    sheet.range("A1").select()
    PERF_NEW()
    created = tmp_path / "national-self-eval.xlsx"
    assert created.is_file() and book.app.books.opened == [str(created)]
    assert book.app.alerts[-1].prompt == f"已新建评分表：{created}"
    assert read_workbook(created).rubric.id == "national-self-eval"


def test_perf_new_without_a_rubric_id_lists_them(tmp_path: Path, caller: Any) -> None:
    scratch = tmp_path / "scratch.xlsx"
    openpyxl.Workbook().save(scratch)
    book = caller(FakeBook(scratch))
    book.sheets[0].range("B2").select()
    PERF_NEW()
    alert = book.app.alerts[-1]
    assert alert.mode == "critical" and "nanjing-dsj-2022：" in alert.prompt


def test_new_workbook_never_overwrites(tmp_path: Path) -> None:
    first = new_workbook("nanjing-dsj-2022", tmp_path)
    second = new_workbook("nanjing-dsj-2022", tmp_path)
    assert first.name == "nanjing-dsj-2022.xlsx" and second.name == "nanjing-dsj-2022-2.xlsx"
    config = openpyxl.load_workbook(second)[CONFIG_SHEET]
    assert (config["A1"].value, config["B1"].value) == ("UDF Modules", UDF_MODULE)
    assert read_workbook(second).rubric.id == "nanjing-dsj-2022"


def test_run_in_excel_without_excel(tmp_path: Path) -> None:
    with pytest.raises(WorkbookError, match="没有找到正在运行的 Excel"):
        run_in_excel("recalc")
    assert "已新建评分表" in run_in_excel("new", "department-wide", tmp_path)
    result = CliRunner().invoke(main, ["excel", "check"])
    assert result.exit_code == 2 and "没有找到正在运行的 Excel" in result.output


# ---------------------------------------------------------------------------------------------
# SCORE_LINE: a live score of one line, from the workbook's own rubric and evidence.

EXAMPLES = Path(__file__).parents[1] / "workbook_templates"


@pytest.fixture(scope="module")
def excel_udfs() -> Any:
    from tests.support.fake_xlwings import windows_udfs

    return windows_udfs().udfs


@pytest.mark.parametrize("rubric_id", ["nanjing-dsj-2022", "national-self-eval"])
def test_score_line_is_what_headless_recalc_writes(
    tmp_path: Path, rubric_id: str, excel_udfs: Any
) -> None:
    from tests.support.fake_xlwings import call_like_excel

    original = EXAMPLES / f"{rubric_id}-example.xlsx"
    source, changed_code = blanked_and_changed(original, tmp_path / "input.xlsx")
    done = recalc(source, tmp_path / "headless.xlsx")
    written = openpyxl.load_workbook(tmp_path / "headless.xlsx", data_only=True)[SCORING_SHEET]
    data = read_workbook(source)
    book = FakeBook(source)
    sheet = book.sheets[SCORING_SHEET]
    compared = 0
    for leaf in data.rubric.leaves():
        ref = data.layout.cell("score", data.rows.leaves[leaf.code])
        shown = call_like_excel(excel_udfs.SCORE_LINE, leaf.code, caller=sheet.range(ref))[0][0]
        headless = written[ref].value
        if isinstance(headless, int | float) and not isinstance(headless, bool):
            assert shown == float(headless), (leaf.code, shown, headless)
            compared += 1
        else:
            assert isinstance(shown, str) and shown.startswith("#"), (leaf.code, shown)
    assert compared == sum(line.score is not None for line in done.result.indicators)
    # the line whose evidence was changed scores from the changed evidence
    changed = done.result.indicator(changed_code)
    assert changed.score is not None
    ref = data.layout.cell("score", data.rows.leaves[changed_code])
    live = call_like_excel(excel_udfs.SCORE_LINE, changed_code, caller=sheet.range(ref))
    assert live == [[float(changed.score)]]


def test_score_line_names_a_code_the_rubric_does_not_have(excel_udfs: Any) -> None:
    from tests.support.fake_xlwings import call_like_excel

    book = FakeBook(EXAMPLES / "nanjing-dsj-2022-example.xlsx")
    caller = book.sheets[SCORING_SHEET].range("A1")
    shown = call_like_excel(excel_udfs.SCORE_LINE, "Z99", caller=caller)[0][0]
    assert shown == "#VALUE! 本工作簿的指标体系中没有三级指标“Z99”"
    outside = excel_udfs.SCORE_LINE("B11")  # no calling cell: not in a workbook
    assert outside.startswith("#VALUE! SCORE_LINE 须在 Excel 的单元格公式中使用")
