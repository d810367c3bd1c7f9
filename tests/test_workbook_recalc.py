"""Headless recalculation of workbooks: numbers, determinism, nothing lost, bad workbooks."""

from __future__ import annotations

import json
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from lxml import etree

from tests.workbooks import add_user_content, build_example, edit_cells, input_ref
from tests.workbooks import run_cli as cli
from xladdin.workbook.layout import RUBRIC_SHEET, SCORING_SHEET, SUMMARY_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.recalc import recalc

PUBLISHED = {
    "nanjing-dsj-2022": (93.08, "优"),
    "nanjing-zwxx-2021": (90.23, "优"),
    "nanyang-zsj-2021": (87.96, "良"),
}


@pytest.mark.parametrize("rubric_id", sorted(PUBLISHED))
def test_recalc_json_gives_the_published_total_and_grade(
    rubric_id: str, examples: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "out.xlsx"
    code, stdout, _ = cli("recalc", str(examples[rubric_id]), "-o", str(out), "--json")
    assert code == 0
    data = json.loads(stdout)
    assert (data["total"], data["grade"]) == PUBLISHED[rubric_id]
    assert data["complete"] is True
    assert data["workbook"] == str(examples[rubric_id])
    assert {"code", "name", "weight", "score", "deduction", "reason", "status"} <= set(
        data["indicators"][0]
    )
    assert {"code", "name", "weight", "score", "rate"} <= set(data["levels"][0])


def test_pandas_and_openpyxl_see_the_numbers_json_prints(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    source = tmp_path / "in.xlsx"
    shutil.copy(examples["nanjing-dsj-2022"], source)
    # change evidence so the cached values must be rewritten: B11 now 1,500 of 1,811.58
    edit_cells(source, {input_ref("nanjing-dsj-2022", "B11", "value"): 1500})
    out = tmp_path / "out.xlsx"
    code, stdout, _ = cli("recalc", str(source), "-o", str(out), "--json")
    assert code == 0
    data = json.loads(stdout)
    b11 = next(i for i in data["indicators"] if i["code"] == "B11")
    assert b11["score"] == 0.82 and "82.80%" in b11["reason"]
    summary = pd.read_excel(out, sheet_name=SUMMARY_SHEET, header=2)
    top = [level for level in data["levels"] if level["depth"] == 1]
    assert list(summary["得分"][: len(top)]) == pytest.approx([level["score"] for level in top])
    assert list(summary["得分率"][: len(top)]) == pytest.approx([level["rate"] for level in top])
    assert summary["得分"][len(top)] == pytest.approx(data["total"])
    values = openpyxl.load_workbook(out, data_only=True)
    scoring = values[SCORING_SHEET]
    lines = {
        scoring[input_ref("nanjing-dsj-2022", i["code"], "code")].value: i
        for i in data["indicators"]
    }
    for code_, line in lines.items():
        assert scoring[input_ref("nanjing-dsj-2022", code_, "score")].value == pytest.approx(
            line["score"]
        )
        assert (scoring[input_ref("nanjing-dsj-2022", code_, "reason")].value or "") == line[
            "reason"
        ]


def test_recalculating_twice_gives_identical_bytes(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    source = tmp_path / "in.xlsx"
    shutil.copy(examples["nanjing-zwxx-2021"], source)
    edit_cells(source, {input_ref("nanjing-zwxx-2021", "C11", "value"): 0.9})
    recalc(source, tmp_path / "a.xlsx")
    recalc(source, tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    recalc(tmp_path / "a.xlsx", tmp_path / "c.xlsx")
    assert (tmp_path / "c.xlsx").read_bytes() == (tmp_path / "a.xlsx").read_bytes()
    assert source.read_bytes() != (tmp_path / "a.xlsx").read_bytes()


def test_recalc_without_output_options_writes_nothing(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    source = tmp_path / "in.xlsx"
    shutil.copy(examples["nanyang-zsj-2021"], source)
    edit_cells(source, {input_ref("nanyang-zsj-2021", "A", "decision_score"): 15})
    before = source.read_bytes()
    code, stdout, _ = cli("recalc", str(source))
    assert code == 0
    assert "未写出文件" in stdout
    assert source.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]


def test_in_place_replaces_the_file(examples: dict[str, Path], tmp_path: Path) -> None:
    source = tmp_path / "in.xlsx"
    shutil.copy(examples["nanyang-zsj-2021"], source)
    edit_cells(source, {input_ref("nanyang-zsj-2021", "A", "decision_score"): 15})
    code, _, _ = cli("recalc", str(source), "--in-place")
    assert code == 0
    values = openpyxl.load_workbook(source, data_only=True)[SUMMARY_SHEET]
    assert values["C4"].value == 15
    assert values["C9"].value == pytest.approx(88.73)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx"]


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as book:
        return {name: book.read(name) for name in book.namelist()}


def test_nothing_the_add_in_does_not_own_is_lost(tmp_path: Path) -> None:
    source = build_example("nanjing-dsj-2022", tmp_path / "user.xlsm", extend=add_user_content)
    edit_cells(source, {input_ref("nanjing-dsj-2022", "B12", "value"): 1400})
    out = tmp_path / "out.xlsm"
    done = recalc(source, out)
    assert done.changed > 0
    before, after = _parts(source), _parts(out)
    assert list(before) == list(after)  # same parts, same order
    package = XlsxPackage(source)
    owned_parts = {
        package.sheet_parts()[SCORING_SHEET],
        package.sheet_parts()[SUMMARY_SHEET],
        "xl/charts/chart1.xml",
    }
    for name in before:
        if name not in owned_parts:
            assert before[name] == after[name], name
    for name in (
        "xl/vbaProject.bin",
        "xl/media/image1.png",
        "xl/comments1.xml",
        "xl/comments2.xml",
        "xl/charts/chart2.xml",
    ):
        assert name in after
    assert (
        b"\xe6\xb5\x8b\xe7\xae\x97\xe5\x90\x88\xe8\xae\xa1" in after["xl/workbook.xml"]
    )  # 测算合计
    # On the patched sheet, everything outside the owned cells is as it was.
    main_ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    part = package.sheet_parts()[SCORING_SHEET]
    old_root, new_root = etree.fromstring(before[part]), etree.fromstring(after[part])
    for old_child, new_child in zip(old_root, new_root, strict=True):
        if old_child.tag != f"{main_ns}sheetData":
            assert etree.tostring(old_child) == etree.tostring(new_child)
    owned = {w.ref for w in done.plan.writes if w.sheet == SCORING_SHEET}
    old_cells = {c.get("r"): etree.tostring(c) for c in old_root.iter(f"{main_ns}c")}
    new_cells = {c.get("r"): etree.tostring(c) for c in new_root.iter(f"{main_ns}c")}
    assert set(old_cells) == set(new_cells)
    changed = {ref for ref in old_cells if old_cells[ref] != new_cells[ref]}
    assert changed and changed <= owned
    # the summary chart's cached points follow the new scores
    assert (
        b"<c:v>19.2" in after["xl/charts/chart1.xml"]
        or b"<c:v>19.22" in after["xl/charts/chart1.xml"]
    )


def test_chart_cache_follows_recalculated_scores(tmp_path: Path) -> None:
    source = build_example("nanyang-zsj-2021", tmp_path / "in.xlsx")
    edit_cells(source, {input_ref("nanyang-zsj-2021", "A", "decision_score"): 15})
    recalc(source, tmp_path / "out.xlsx")
    chart = _parts(tmp_path / "out.xlsx")["xl/charts/chart1.xml"]
    assert b"<c:v>15</c:v>" in chart
    assert b"<c:v>14.23</c:v>" not in chart


def _expect_failure(path: Path, tmp_path: Path, *words: str) -> str:
    out_dir = tmp_path / "out"
    code, stdout, stderr = cli("recalc", str(path), "--out-dir", str(out_dir))
    assert code == 1
    assert "Traceback" not in stdout + stderr
    assert str(path) in stderr
    for word in words:
        assert word in stderr
    assert not (out_dir / path.name).exists()
    return stderr


def test_not_an_xlsx_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("一级指标,权重\n", encoding="utf-8")
    _expect_failure(path, tmp_path, "不是 Excel 工作簿")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    _expect_failure(path, tmp_path, "文件为空")


def test_truncated_file(examples: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "truncated.xlsx"
    path.write_bytes(examples["nanjing-dsj-2022"].read_bytes()[:5000])
    _expect_failure(path, tmp_path, "损坏或不完整")


def test_password_protected_file(examples: dict[str, Path], tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "locked.xlsx"
    with examples["nanyang-zsj-2021"].open("rb") as plain, path.open("wb") as locked:
        OOXMLFile(plain).encrypt("123456", locked)
    _expect_failure(path, tmp_path, "密码")


def test_missing_scoring_sheet(examples: dict[str, Path], tmp_path: Path) -> None:
    book = openpyxl.load_workbook(examples["nanyang-zsj-2021"])
    del book[SCORING_SHEET]
    path = tmp_path / "no-sheet.xlsx"
    book.save(path)
    _expect_failure(path, tmp_path, "缺少“评分表”工作表")


def test_text_in_a_number_cell_names_the_cell(examples: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "text.xlsx"
    ref = input_ref("nanjing-dsj-2022", "B11", "value")
    edit_cells(examples["nanjing-dsj-2022"], {ref: "一千六百万"}, path)
    stderr = _expect_failure(path, tmp_path, f"单元格 {ref}", "指标 B11", "应为数字")
    assert "工作表“评分表”" in stderr


def test_unknown_indicator_code_names_the_cell(examples: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "code.xlsx"
    ref = input_ref("nanjing-dsj-2022", "A11", "code")
    edit_cells(examples["nanjing-dsj-2022"], {ref: "Z99"}, path)
    _expect_failure(path, tmp_path, f"单元格 {ref}", "Z99")


def test_rubric_sheet_edited_into_nonsense(examples: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "nonsense.xlsx"
    edit_cells(examples["nanjing-dsj-2022"], {"A2": "{这不是指标体系"}, path, sheet=RUBRIC_SHEET)
    _expect_failure(path, tmp_path, "指标体系", "A2", "无法解析")


def test_evaluator_score_above_the_weight_is_an_error(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "over.xlsx"
    edit_cells(
        examples["nanyang-zsj-2021"],
        {input_ref("nanyang-zsj-2021", "B", "decision_score"): 20},
        path,
    )
    _expect_failure(path, tmp_path, "超过权重", "指标 B")


def test_other_files_still_recalculate_when_one_is_bad(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04broken")
    out_dir = tmp_path / "out"
    code, stdout, stderr = cli(
        "recalc",
        str(examples["nanjing-dsj-2022"]),
        str(bad),
        str(examples["nanyang-zsj-2021"]),
        "--out-dir",
        str(out_dir),
        "--json",
    )
    assert code == 1
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "nanjing-dsj-2022-example.xlsx",
        "nanyang-zsj-2021-example.xlsx",
    ]
    assert [d["total"] for d in json.loads(stdout)] == [93.08, 87.96]
    assert "bad.xlsx" in stderr


def test_missing_evidence_shows_as_unfinished_not_zero(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    source = tmp_path / "half.xlsx"
    edit_cells(
        examples["nanjing-dsj-2022"],
        {
            input_ref("nanjing-dsj-2022", "B11", "value"): None,
            input_ref("nanjing-dsj-2022", "B11", "denominator"): None,
        },
        source,
    )
    out = tmp_path / "out.xlsx"
    done = recalc(source, out)
    assert done.result.complete is False
    values = openpyxl.load_workbook(out, data_only=True)[SCORING_SHEET]
    assert values[input_ref("nanjing-dsj-2022", "B11", "score")].value is None
    assert values[input_ref("nanjing-dsj-2022", "B11", "status")].value == "缺少佐证"
    assert openpyxl.load_workbook(out, data_only=True)[SUMMARY_SHEET]["C10"].value == "未完成"


def test_examples_in_the_repository_are_up_to_date() -> None:
    code, stdout, _ = cli(
        "examples", "--check", "--out", str(Path(__file__).parent.parent / "workbook_templates")
    )
    assert code == 0, stdout


def test_declared_scores_are_read_from_the_score_column(examples: dict[str, Path]) -> None:
    from xladdin.workbook.reader import read_workbook

    data = read_workbook(examples["nanjing-dsj-2022"])
    assert data.evidence.lines["B12"].declared == Decimal("0.97")
    assert data.evidence.unit == "南京市大数据管理局"


def test_worksheets_written_without_cell_positions_take_the_tree_path(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    """Some writers leave out the r="A1" of cells (the format allows it): the text patcher
    declines such a sheet and the XML tree path reads and writes it instead."""
    import re

    source = tmp_path / "in.xlsx"
    edit_cells(
        examples["nanjing-dsj-2022"], {input_ref("nanjing-dsj-2022", "B11", "value"): 1500}, source
    )
    package = XlsxPackage(source)
    part = package.sheet_parts()[SCORING_SHEET]
    with zipfile.ZipFile(source) as book:
        entries = [(info, book.read(info.filename)) for info in book.infolist()]
    stripped = tmp_path / "no-positions.xlsx"
    with zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as book:
        for info, data in entries:
            if info.filename == part:
                data = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", data)
            book.writestr(info, data)
    expected = recalc(source, tmp_path / "a.xlsx")
    done = recalc(stripped, tmp_path / "b.xlsx")
    assert done.result.total == expected.result.total == Decimal("92.97")
    assert done.changed == expected.changed
    ours = openpyxl.load_workbook(tmp_path / "b.xlsx", data_only=True)[SCORING_SHEET]
    theirs = openpyxl.load_workbook(tmp_path / "a.xlsx", data_only=True)[SCORING_SHEET]
    for write in expected.plan.for_sheet(SCORING_SHEET).values():
        assert ours[write.ref].value == theirs[write.ref].value, write.ref


def test_summary_formulas_follow_the_rows_of_each_workbook() -> None:
    """The 得分情况 formulas are kept per rubric and row arrangement: the same rubric on rows
    moved down gets formulas on the moved rows, and the first arrangement still its own."""
    from dataclasses import replace

    from xladdin.core.scoring import score
    from xladdin.library import find_bundled, load_evidence, load_rubric_file
    from xladdin.workbook.layout import SheetRows, layout_for
    from xladdin.workbook.plan import build_plan

    entry = find_bundled("nanjing-dsj-2022")
    assert entry is not None and entry.evidence_path is not None
    rubric = load_rubric_file(entry.path)
    result = score(rubric, load_evidence(entry.evidence_path))
    layout = layout_for(rubric)
    rows = layout.template_rows(rubric)
    moved = replace(rows, leaves={code: row + 10 for code, row in rows.leaves.items()})

    def summary(plan_rows: SheetRows) -> dict[str, str | None]:
        plan = build_plan(rubric, result, plan_rows, layout)
        return {w.ref: w.formula for w in plan.writes if w.sheet == SUMMARY_SHEET}

    first, shifted, again = summary(rows), summary(moved), summary(rows)
    assert first == again
    assert first != shifted
    column, top = layout.col("score"), min(rows.leaves.values())
    assert any(f"{column}{top}:" in (formula or "") for formula in first.values())
    assert any(f"{column}{top + 10}:" in (formula or "") for formula in shifted.values())
