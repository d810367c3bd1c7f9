"""The review (复核): declared scores against what the rules give, on the published examples.

DOMAIN.md lists the published inconsistencies a review must find: 000 B62 (25% deducted on 1/5
steps), 000 C12/C13 (rule text "得10分" on 1-point lines), 001 A22 (0.5 deducted on 1/3 shares),
the uncoded 000 E lines, and 000 B12 / 001 B12 (one bureau, two conventions for 执行率).

000 A32 and 000 B61 are not in DOMAIN.md's list but contradict their own rules exactly as B62
does: "以上2项各占1/2权重分，符合得对应权重分，否则不得分" can give 0, 1 or 2 points, yet the
table awards 75% (1.5) and 80% (1.6). The review keeps them; they are real inconsistencies of
the published table, not modelling errors.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import openpyxl

from tests.workbooks import run_cli as run
from xladdin.core.audit import Audit, audit, compare_conventions, ratio_kind
from xladdin.library import find_bundled, load_evidence, load_rubric_file
from xladdin.workbook.layout import SCORING_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.reader import read_workbook

ID_000, ID_001, ID_004 = "nanjing-dsj-2022", "nanjing-zwxx-2021", "nanyang-zsj-2021"

# Lines each review must flag (differences) and only note (info).
EXPECTED_000 = {"A32", "B61", "B62", "C12", "C13"}
NOTES_000 = {"E11", "E21"}
EXPECTED_001 = {"A22", "B12"}


def bundled_audit(rubric_id: str) -> Audit:
    entry = find_bundled(rubric_id)
    assert entry is not None and entry.evidence_path is not None
    rubric = load_rubric_file(entry.path)
    return audit(rubric, load_evidence(entry.evidence_path), rubric_id)


def differing(one: Audit) -> set[str]:
    return {line.code for line in one.differing}


def noted(one: Audit) -> set[str]:
    return {line.code for line in one.lines if line.notes}


# -- the review on the published evidence ---------------------------------------------------


def test_000_review_finds_a32_b61_b62_c12_c13_and_notes_e11_e21() -> None:
    one = bundled_audit(ID_000)
    assert differing(one) == EXPECTED_000
    assert noted(one) == NOTES_000
    assert not one.findings
    checks = {line.code: {f.check for f in line.findings} for line in one.differing}
    assert checks == {
        "A32": {"decision-share"},
        "B61": {"decision-share"},
        "B62": {"decision-share"},
        "C12": {"rule-points"},
        "C13": {"rule-points"},
    }
    for code in NOTES_000:
        line = next(line for line in one.lines if line.code == code)
        assert not line.differs
        assert [n.check for n in line.notes] == ["code-assigned"]


def test_000_b62_declares_0_75_where_the_rule_steps_give_0_8() -> None:
    line = next(line for line in bundled_audit(ID_000).lines if line.code == "B62")
    assert line.declared == Decimal("0.75")
    assert line.review == Decimal("0.80")
    assert line.difference == Decimal("-0.05")
    assert "5项各占1/5权重分" in line.explanation()


def test_000_c12_rule_text_names_10_points_on_a_1_point_line() -> None:
    line = next(line for line in bundled_audit(ID_000).lines if line.code == "C12")
    assert line.declared == line.review == Decimal(1)
    assert "得10分" in line.explanation()


def test_001_review_finds_a22_and_b12_only() -> None:
    one = bundled_audit(ID_001)
    assert differing(one) == EXPECTED_001
    assert noted(one) == set()
    lines = {line.code: line for line in one.differing}
    # A22: 0.5 of 2 deducted where the items are worth 1/3 each; the rule gives 1.33.
    assert (lines["A22"].declared, lines["A22"].review) == (Decimal("1.5"), Decimal("1.33"))
    assert "3项各占1/3权重分" in lines["A22"].explanation()
    # B12: the evaluator's 1.89 is proportional; the rule's started steps give 1.88.
    assert (lines["B12"].declared, lines["B12"].review) == (Decimal("1.89"), Decimal("1.88"))
    assert "按比例计分" in lines["B12"].explanation()


def test_001_b21_discretionary_checklist_is_reviewed_at_the_evaluators_figure() -> None:
    # "否则酌情扣除权重分": the evaluator's 2.5 is within the rule, not a departure from it.
    line = next(line for line in bundled_audit(ID_001).lines if line.code == "B21")
    assert line.review == line.declared == Decimal("2.5")
    assert not line.differs


def test_004_review_has_only_the_assigned_code_notes() -> None:
    one = bundled_audit(ID_004)
    assert differing(one) == set()
    assert one.difference_count == 0
    assert noted(one) == {"A", "B", "C", "D", "E"}


def test_ratio_kind_groups_execution_rates() -> None:
    assert ratio_kind("预算执行率") == ratio_kind("专项资金执行率") == ratio_kind("部门预算执行率")
    assert ratio_kind("预算执行率") == "执行率"
    assert ratio_kind("满意度") == "满意度"


def test_000_b12_and_001_b12_one_bureau_two_conventions() -> None:
    found = compare_conventions([bundled_audit(ID_000), bundled_audit(ID_001)])
    assert len(found) == 1
    difference = found[0]
    assert difference.kind == "执行率"
    assert [(u.workbook, u.code) for u in difference.uses] == [(ID_000, "B12"), (ID_001, "B12")]
    in_000, in_001 = difference.uses
    # 000 B12: 97.98% → 0.97 only by the started-step rule; in proportion it would be 0.98.
    assert in_000.figure == Decimal("0.97")
    assert in_000.matches == ["每降低1%扣1%权重分（不足1%按1%计）"]
    assert in_000.alternatives["按比例计分"] == Decimal("0.98")
    # 001 B12: 94.34% → 1.89 only in proportion; the started-step rule gives 1.88.
    assert in_001.figure == Decimal("1.89")
    assert in_001.matches == ["按比例计分"]
    assert in_001.alternatives["每降低1%扣1%权重分（不足1%按1%计）"] == Decimal("1.88")
    assert "0.97" in difference.message and "1.89" in difference.message


def test_000_b11_fits_both_conventions_and_is_not_part_of_the_difference() -> None:
    # 93.25% of 1 point: 0.93 in proportion and with 7 started steps alike.
    one = bundled_audit(ID_000)
    b11 = next(use for use in one.ratio_uses if use.code == "B11")
    assert len(b11.matches) == 2


def test_conventions_within_one_evaluation_and_with_004_raise_nothing() -> None:
    assert compare_conventions([bundled_audit(ID_000)]) == []
    assert compare_conventions([bundled_audit(ID_001), bundled_audit(ID_004)]) == []


# -- the command on workbooks ---------------------------------------------------------------


def test_audit_of_000_and_001_workbooks_finds_the_published_inconsistencies(
    examples: dict[str, Path],
) -> None:
    code, out, _ = run("audit", "--json", str(examples[ID_000]), str(examples[ID_001]))
    assert code == 1
    data = json.loads(out)
    by_rubric = {w["rubric"]: w for w in data["workbooks"]}
    found = {
        rubric_id: {line["code"] for line in w["lines"] if line["differs"]}
        for rubric_id, w in by_rubric.items()
    }
    assert found == {ID_000: EXPECTED_000, ID_001: EXPECTED_001}
    notes = {line["code"] for line in by_rubric[ID_000]["lines"] if line["notes"]}
    assert notes == NOTES_000
    assert [c["kind"] for c in data["conventions"]] == ["执行率"]
    assert [(u["workbook"], u["code"]) for u in data["conventions"][0]["uses"]] == [
        (examples[ID_000].name, "B12"),
        (examples[ID_001].name, "B12"),
    ]
    assert data["differences"] == len(EXPECTED_000) + len(EXPECTED_001) + 1
    assert data["errors"] == []


def test_audit_json_shape(examples: dict[str, Path]) -> None:
    code, out, _ = run("audit", "--json", str(examples[ID_001]))
    assert code == 1
    data = json.loads(out)
    assert set(data) == {"differences", "workbooks", "conventions", "errors"}
    (workbook,) = data["workbooks"]
    assert workbook["workbook"] == str(examples[ID_001])
    assert {"rubric", "title", "unit", "differences", "declared_sum", "review_sum", "lines"} <= set(
        workbook
    )
    b12 = next(line for line in workbook["lines"] if line["code"] == "B12")
    assert b12["declared"] == 1.89 and b12["review"] == 1.88
    assert b12["difference"] == 0.01
    assert b12["differs"] is True
    assert b12["findings"][0]["check"] == "decision-differs"
    assert b12["explanation"]
    a11 = next(line for line in workbook["lines"] if line["code"] == "A11")
    assert a11["differs"] is False and a11["difference"] == 0
    assert workbook["declared_sum"] == 90.23


def test_audit_terminal_table_lists_both_figures_and_why(examples: dict[str, Path]) -> None:
    code, out, _ = run("audit", str(examples[ID_000]), str(examples[ID_001]))
    assert code == 1
    assert "自评得分" in out and "复核得分" in out and "差异说明" in out
    b62 = next(line for line in out.splitlines() if line.startswith("B62"))
    assert "0.75" in b62 and "0.8" in b62 and "-0.05" in b62 and "1/5" in b62
    assert "跨评价比较" in out and "执行率" in out


def test_audit_of_004_is_clean_with_exit_0(examples: dict[str, Path]) -> None:
    code, out, _ = run("audit", str(examples[ID_004]))
    assert code == 0
    assert "未发现差异" in out
    assert "已补为A" in out


def test_changed_declared_score_shows_declared_against_computed(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    book = read_workbook(examples[ID_004])
    ref = book.layout.cell("score", book.rows.leaves["A"])
    package = XlsxPackage(examples[ID_004])
    package.write_cells(SCORING_SHEET, {ref: (Decimal("15"), None)})
    changed = tmp_path / "changed.xlsx"
    package.save(changed)

    code, out, _ = run("audit", "--json", str(changed))
    assert code == 1
    (workbook,) = json.loads(out)["workbooks"]
    line = next(line for line in workbook["lines"] if line["code"] == "A")
    assert (line["declared"], line["review"], line["difference"]) == (15, 14.23, 0.77)
    assert [f["check"] for f in line["findings"]] == ["declared-differs"]
    assert "填报得分15，按佐证计算为14.23" in line["explanation"]


def test_bad_file_gives_exit_2_naming_it_and_the_others_are_still_audited(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    code, out, err = run("audit", str(bad), str(examples[ID_001]))
    assert code == 2
    assert str(bad) in err
    assert "不是 Excel 工作簿" in err
    assert examples[ID_001].name in out and "B12" in out


def test_bad_file_is_listed_in_json_errors(examples: dict[str, Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing.xlsx"
    code, out, _ = run("audit", "--json", str(missing), str(examples[ID_004]))
    assert code == 2
    data = json.loads(out)
    assert [e["workbook"] for e in data["errors"]] == [str(missing)]
    assert [w["rubric"] for w in data["workbooks"]] == [ID_004]


# -- the reviewed table as .xlsx ------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_audit_xlsx_highlights_the_differing_rows(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    inputs = [examples[ID_000], examples[ID_001], examples[ID_004]]
    before = [_digest(p) for p in inputs]
    output = tmp_path / "复核表.xlsx"
    code, _, _ = run("audit", "--xlsx", str(output), *map(str, inputs))
    assert code == 1
    assert [_digest(p) for p in inputs] == before  # the inputs are never modified

    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["汇总", *(p.stem for p in inputs)]
    expected = {inputs[0].stem: EXPECTED_000, inputs[1].stem: EXPECTED_001, inputs[2].stem: set()}
    for name, codes in expected.items():
        sheet = book[name]
        header = [c.value for c in sheet[3]]
        assert header == [
            "指标编码",
            "指标名称",
            "权重",
            "自评得分",
            "复核得分",
            "差异",
            "差异说明",
        ]
        highlighted: set[str] = set()
        plain: set[str] = set()
        for row in sheet.iter_rows(min_row=4):
            code_cell = row[0]
            if not isinstance(code_cell.value, str) or not code_cell.value:
                continue
            filled = code_cell.fill.fill_type == "solid"
            (highlighted if filled else plain).add(code_cell.value)
            assert row[6].fill.fill_type == code_cell.fill.fill_type
        assert highlighted == codes
        assert plain
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.print_title_rows == "$3:$3"
        assert sheet["A4"].font.name == "宋体"
        assert sheet["A4"].border.left.style == "thin"

    b62 = next(row for row in book[inputs[0].stem].iter_rows(min_row=4) if row[0].value == "B62")
    assert [c.value for c in b62[2:6]] == [1, 0.75, 0.8, -0.05]
    assert "1/5" in b62[6].value
    e11 = next(row for row in book[inputs[0].stem].iter_rows(min_row=4) if row[0].value == "E11")
    assert e11[6].value.startswith("提示：")

    summary = book["汇总"]
    rows = {row[0].value: row for row in summary.iter_rows(min_row=3) if row[0].value}
    assert rows[inputs[2].name][5].value == 0
    assert rows[inputs[0].name][5].value == len(EXPECTED_000)
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("执行率" in t and "计分口径不一致" in t for t in texts)


def test_audit_xlsx_of_one_workbook_has_no_summary_sheet(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    output = tmp_path / "one.xlsx"
    code, _, _ = run("audit", "--xlsx", str(output), str(examples[ID_004]))
    assert code == 0
    assert openpyxl.load_workbook(output).sheetnames == [examples[ID_004].stem]


def test_audit_xlsx_refuses_to_overwrite_an_input(examples: dict[str, Path]) -> None:
    before = _digest(examples[ID_004])
    code, _, err = run("audit", "--xlsx", str(examples[ID_004]), str(examples[ID_004]))
    assert code == 2
    assert "不会被修改" in err
    assert _digest(examples[ID_004]) == before
