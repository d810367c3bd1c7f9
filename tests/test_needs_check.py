"""Never a silent wrong score (issue 10, case 3): impossible evidence is an error naming its cell,
implausible evidence puts its line in 需核对 (not final, the grade 未完成) until the officer
fills 已核对 with 是.

The workbooks are built with ``xladdin.template`` from the bundled self-evaluation form and its
example evidence, typed into with openpyxl as an officer types, and recalculated through
``xladdin recalc``.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xladdin
from xladdin.cli import main
from xladdin.core.errors import WorkbookError
from xladdin.core.result import STATUS_NAMES, UNFINISHED
from xladdin.core.scoring import score
from xladdin.library import find_bundled, load_evidence, load_rubric
from xladdin.workbook.layout import SCORING_SHEET, FormLayout, layout_for
from xladdin.workbook.plan import INCOMPLETE_GRADE, NOTE_LIMIT, note_text
from xladdin.workbook.recalc import recalc

FORM = "national-self-eval"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The form filled with its published example evidence, as ``xladdin.template`` writes it."""
    entry = find_bundled(FORM)
    assert entry is not None and entry.evidence_path is not None
    path = tmp_path_factory.mktemp("form") / "example.xlsx"
    xladdin.template(FORM, path, load_evidence(entry.evidence_path))
    return path


def _layout() -> FormLayout:
    layout = layout_for(load_rubric(FORM))
    assert isinstance(layout, FormLayout)
    return layout


def _row(code: str) -> int:
    layout = _layout()
    return layout.template_rows(load_rubric(FORM)).leaves[code]


def _type(source: Path, target: Path, typed: dict[str, Any]) -> Path:
    """Type values into cells with openpyxl, as an officer does in a spreadsheet."""
    book = openpyxl.load_workbook(source)
    sheet = book[SCORING_SHEET]
    for ref, value in typed.items():
        sheet[ref].value = value
    book.save(target)
    return target


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def _recalc(source: Path, out: Path) -> dict[str, Any]:
    """Recalculate through the CLI; the written cells of the scoring sheet as values."""
    done = _cli("recalc", source, "-o", out)
    assert done.exit_code == 0, done.output
    return {"sheet": openpyxl.load_workbook(out, data_only=True)[SCORING_SHEET], "cli": done}


def _grade(sheet: Any) -> Any:
    layout = _layout()
    rows = layout.template_rows(load_rubric(FORM))
    return sheet[layout.cell("score", rows.grade)].value


def test_the_published_example_needs_no_check(example: Path, tmp_path: Path) -> None:
    sheet = _recalc(example, tmp_path / "out.xlsx")["sheet"]
    layout = _layout()
    for code in layout.template_rows(load_rubric(FORM)).leaves:
        assert sheet[layout.cell("status", _row(code))].value == "已评分", code
    assert _grade(sheet) != INCOMPLETE_GRADE


def test_a_negative_budget_is_an_error_naming_its_cell(example: Path, tmp_path: Path) -> None:
    funds = _layout().funds_block
    typed = _type(example, tmp_path / "typed.xlsx", {funds.cell("denominator"): -200})
    done = _cli("recalc", typed, "-o", tmp_path / "out.xlsx")
    assert done.exit_code != 0
    assert f"单元格 {funds.cell('denominator')}" in done.output
    assert "分母为负数（-200）" in done.output
    assert not (tmp_path / "out.xlsx").exists()


def test_a_negative_completion_is_an_error_naming_its_cell(example: Path, tmp_path: Path) -> None:
    ref = _layout().cell("value", _row("A12"))
    typed = _type(example, tmp_path / "typed.xlsx", {ref: -5})
    done = _cli("recalc", typed, "-o", tmp_path / "out.xlsx")
    assert done.exit_code != 0
    assert f"单元格 {ref}" in done.output and "指标 A12" in done.output
    assert "实际完成值为负数（-5）" in done.output


def test_spending_above_budget_needs_a_check_then_scores_once_confirmed(
    example: Path, tmp_path: Path
) -> None:
    layout = _layout()
    funds, row = layout.funds_block, layout.funds_row
    typed = _type(example, tmp_path / "typed.xlsx", {funds.cell("value"): 220})
    sheet = _recalc(typed, tmp_path / "out.xlsx")["sheet"]
    assert sheet[layout.cell("status", row)].value == "需核对"
    note = sheet[layout.cell("note", row)].value
    assert "预算执行率为110.00%" in note and "全年执行数(B)超过全年预算数(A)" in note
    assert "已核对" in note
    assert _grade(sheet) == INCOMPLETE_GRADE

    confirmed = _type(typed, tmp_path / "confirmed.xlsx", {layout.cell("confirmed", row): "是"})
    sheet = _recalc(confirmed, tmp_path / "final.xlsx")["sheet"]
    assert sheet[layout.cell("status", row)].value == "已评分"
    assert sheet[layout.cell("score", row)].value == 10
    assert "已核对确认" in sheet[layout.cell("reason", row)].value
    assert _grade(sheet) not in (None, INCOMPLETE_GRADE)


def test_85_typed_for_85_percent_needs_a_check_then_scores_once_confirmed(
    example: Path, tmp_path: Path
) -> None:
    layout = _layout()
    row = _row("C11")  # 服务对象满意度 ≥90%
    typed = _type(example, tmp_path / "typed.xlsx", {layout.cell("value", row): 85})
    result = _recalc(typed, tmp_path / "out.xlsx")
    sheet = result["sheet"]
    assert sheet[layout.cell("status", row)].value == "需核对"
    note = sheet[layout.cell("note", row)].value
    assert "实际完成值填写为85，即8500%" in note and "请填写“85%”" in note
    assert _grade(sheet) == INCOMPLETE_GRADE
    assert "评分尚未完成（需核对：C11）" in result["cli"].output

    confirmed = _type(typed, tmp_path / "confirmed.xlsx", {layout.cell("confirmed", row): "是"})
    sheet = _recalc(confirmed, tmp_path / "final.xlsx")["sheet"]
    assert sheet[layout.cell("status", row)].value == "已评分"
    assert "已核对确认" in sheet[layout.cell("reason", row)].value
    assert _grade(sheet) not in (None, INCOMPLETE_GRADE)


def test_fixing_the_value_clears_the_check(example: Path, tmp_path: Path) -> None:
    layout = _layout()
    row = _row("C11")
    typed = _type(example, tmp_path / "typed.xlsx", {layout.cell("value", row): 0.85})
    sheet = _recalc(typed, tmp_path / "out.xlsx")["sheet"]
    assert sheet[layout.cell("status", row)].value == "已评分"
    # what is left in the 提示 are the reviewer's notes on the line, not a doubt about its value
    note = sheet[layout.cell("note", row)].value or ""
    assert "需核对" not in note and "核对" not in note


def test_a_province_sets_its_own_thresholds() -> None:
    rubric = load_rubric(FORM)
    entry = find_bundled(FORM)
    assert entry is not None and entry.evidence_path is not None
    evidence = load_evidence(entry.evidence_path)
    lines = dict(evidence.lines)
    lines["Z"] = lines["Z"].model_copy(update={"numerator": Decimal(208)})  # 104%
    over = evidence.model_copy(update={"lines": lines})
    assert score(rubric, over).indicator("Z").status == "needs_check"
    lenient = rubric.model_copy(
        update={"plausibility": rubric.plausibility.model_copy(update={"rate_over_whole": 1.05})}
    )
    assert score(lenient, over).indicator("Z").status == "scored"


def test_the_note_keeps_whole_messages_within_its_limit() -> None:
    rubric = load_rubric(FORM)
    result = score(rubric, load_evidence(find_bundled(FORM).evidence_path))  # type: ignore[union-attr,arg-type]
    line = result.indicator("A11")
    from xladdin.core.result import Finding

    findings = [
        Finding(severity="warning", check="x", code="A11", message=f"第{i}条" + "说明" * 30)
        for i in range(5)
    ]
    text = note_text(line, findings)
    assert text is not None and len(text) <= NOTE_LIMIT + 10
    assert text.startswith("第0条") and text.endswith("条）") and "另有" in text


# ---------------------------------------------------------------------------------------------
# What officers type, anywhere in the input cells.

typed_numbers = st.one_of(
    st.none(),
    st.decimals(min_value=-1000, max_value=10**9, places=2).map(float),
    st.decimals(min_value=0, max_value=100, places=1).map(lambda d: f"{d}%"),
    st.decimals(min_value=0, max_value=100, places=0).map(lambda d: int(d)),
    st.decimals(min_value=0, max_value=10**7, places=1).map(lambda d: f"{d:,}"),
    st.integers(min_value=0, max_value=999).map(
        lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    ),
    st.sampled_from(["", " ", "√", "是", "否", "abc", "1e400", "-0"]),
)


TABLE = "nanjing-dsj-2022"  # the scoring-table layout, beside the form


@pytest.fixture(scope="module")
def blanks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("blank")
    for rubric_id in (FORM, TABLE):
        xladdin.template(rubric_id, folder / f"{rubric_id}.xlsx")
    return {rubric_id: folder / f"{rubric_id}.xlsx" for rubric_id in (FORM, TABLE)}


@pytest.fixture(scope="module")
def blank(blanks: dict[str, Path]) -> Path:
    return blanks[FORM]


@pytest.mark.parametrize("rubric_id", [FORM, TABLE])
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_whatever_an_officer_types_scores_within_the_weight_or_says_why(
    blanks: dict[str, Path], tmp_path: Path, rubric_id: str, data: st.DataObject
) -> None:
    rubric = load_rubric(rubric_id)
    layout = layout_for(rubric)
    rows = layout.template_rows(rubric)
    cells = [
        ref
        for row in rows.leaves.values()
        for key, ref in layout.input_cells(row).items()
        if key in ("value", "denominator", "count")
    ]
    chosen = data.draw(st.lists(st.sampled_from(cells), min_size=3, max_size=12, unique=True))
    typed = {ref: data.draw(typed_numbers, label=ref) for ref in chosen}
    source = tmp_path / "typed.xlsx"
    _type(blanks[rubric_id], source, typed)
    try:
        done = recalc(source, None)
    except WorkbookError as exc:
        assert exc.location.cell, str(exc)  # a whole-file error names the cell
        return
    for line in done.result.indicators:
        if line.status in UNFINISHED:
            assert line.reason, line.code
            assert done.result.grade is None and not done.result.complete
        elif line.status == "scored":
            assert line.score is not None and 0 <= line.score <= line.weight, line
        else:
            assert line.status == "not_applicable"
        assert STATUS_NAMES[line.status]


# ---------------------------------------------------------------------------------------------
# The library path: the same statuses from score(), and the codec carries the confirmation.


def _published() -> tuple[Any, Any]:
    entry = find_bundled(FORM)
    assert entry is not None and entry.evidence_path is not None
    return load_rubric(FORM), load_evidence(entry.evidence_path)


def _with(evidence: Any, code: str, **fields: Any) -> Any:
    lines = dict(evidence.lines)
    lines[code] = lines[code].model_copy(update=fields)
    return evidence.model_copy(update={"lines": lines})


def test_score_gives_needs_check_and_no_grade_until_confirmed() -> None:
    rubric, evidence = _published()
    doubtful = _with(evidence, "C11", value=Decimal(85))
    result = score(rubric, doubtful)
    line = result.indicator("C11")
    assert line.status == "needs_check" and line.field == "value"
    assert line.reason.startswith("需核对：实际完成值填写为85") and "已核对" in line.reason
    assert not result.complete and result.grade is None
    assert any(f.check == "needs-check" and "C11" in f.message for f in result.findings)

    confirmed = score(rubric, _with(evidence, "C11", value=Decimal(85), confirmed=True))
    line = confirmed.indicator("C11")
    assert line.status == "scored" and line.confirmed and line.score == line.weight
    assert "已核对确认" in line.reason
    assert confirmed.complete and confirmed.grade is not None


def test_impossible_evidence_is_invalid_naming_the_field_even_when_confirmed() -> None:
    rubric, evidence = _published()
    result = score(rubric, _with(evidence, "Z", denominator=Decimal(-200), confirmed=True))
    line = result.indicator("Z")
    assert line.status == "invalid_evidence" and line.field == "denominator"
    assert line.reason == "分母为负数（-200）"
    assert line.score is None and result.grade is None


def test_lint_reports_a_confirmed_doubt_as_information() -> None:
    from xladdin.core.lint import lint

    rubric, evidence = _published()
    found = lint(rubric, _with(evidence, "C11", value=Decimal(85), confirmed=True))
    [finding] = [f for f in found if f.code == "C11" and f.check == "percent-as-number"]
    assert finding.severity == "info" and finding.message.startswith("已核对确认：")


def test_the_codec_reads_and_writes_the_confirmation() -> None:
    from xladdin.core.codec import EvidenceInputError, decode, encode

    rubric, evidence = _published()
    node = rubric.find("C11")
    assert node is not None
    line = evidence.lines["C11"].model_copy(update={"confirmed": True})
    cells = encode(node, line)
    assert cells["confirmed"] == "是"
    assert decode(node, cells) == line
    assert decode(node, {**cells, "confirmed": "否"}) == evidence.lines["C11"]
    with pytest.raises(EvidenceInputError) as caught:
        decode(node, {**cells, "confirmed": "也许"})
    assert caught.value.key == "confirmed" and "已核对" in caught.value.message


def test_the_confirmation_cell_is_a_pale_unlocked_yes_no_input(blank: Path) -> None:
    from xladdin.workbook.styles import FILL_OPTIONAL

    layout = _layout()
    sheet = openpyxl.load_workbook(blank)[SCORING_SHEET]
    validated = [
        v for v in sheet.data_validations.dataValidation if v.formula1 and "是" in v.formula1
    ]
    for row in layout.template_rows(load_rubric(FORM)).leaves.values():
        ref = layout.cell("confirmed", row)
        cell = sheet[ref]
        assert not cell.protection.locked, ref
        assert cell.fill.fgColor.rgb == "FF" + FILL_OPTIONAL.lstrip("#"), ref
        assert any(ref in v.sqref for v in validated), ref
    header = sheet[f"{layout.col('confirmed')}{layout.header_row}"].value
    assert header == "已核对"
    assert sheet[f"{layout.col('note')}{layout.header_row}"].value == "提示"


def test_the_narrative_says_which_lines_wait_for_a_check() -> None:
    from xladdin.core.narrative import total_sentence

    rubric, evidence = _published()
    doubtful = _with(evidence, "C11", value=Decimal(85))
    sentence = total_sentence(rubric, score(rubric, doubtful), doubtful)
    assert "尚有1项指标的佐证需核对，暂不评定等级" in sentence


def test_a_workbook_made_before_the_check_columns_is_still_read(
    example: Path, tmp_path: Path
) -> None:
    layout = _layout()
    older = {f"{layout.col(key)}{layout.header_row}": None for key in ("confirmed", "note")}
    for row in layout.template_rows(load_rubric(FORM)).leaves.values():
        older[layout.cell("confirmed", row)] = None
        older[layout.cell("note", row)] = None
    typed = _type(example, tmp_path / "older.xlsx", older)
    sheet = _recalc(typed, tmp_path / "out.xlsx")["sheet"]
    assert _grade(sheet) not in (None, INCOMPLETE_GRADE)
