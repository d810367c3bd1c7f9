"""Warnings people can read (issue 10, item 4): plain ``recalc``, ``score``, ``report`` and
``template`` print every warning and error on its own line; ``--strict`` turns any of them into
a non-zero exit; ``report`` carries a caveat where the table is inconsistent or incomplete.

The inconsistent rubric is the published 004 table with 管理效率 raised from 16 to 26, so that
the first-level weights add up to 110 against a printed total of 100.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docx import Document

from xladdin.cli import main
from xladdin.library import find_bundled

from .workbooks import build_example

ID_000 = "nanjing-dsj-2022"
ID_004 = "nanyang-zsj-2021"
WEIGHTS_110 = "一级指标权重合计110，应为100"


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def weights_110(tmp_path: Path) -> tuple[Path, Path]:
    """The 004 rubric and evidence YAML with level weights adding up to 110."""
    entry = find_bundled(ID_004)
    assert entry is not None and entry.evidence_path is not None
    rubric = entry.path.read_text(encoding="utf-8")
    assert "    weight: 16\n" in rubric
    rubric = rubric.replace("    weight: 16\n", "    weight: 26\n", 1)
    rubric = rubric.replace(f"id: {ID_004}", "id: nanyang-110", 1)
    evidence = entry.evidence_path.read_text(encoding="utf-8")
    evidence = evidence.replace(f"rubric: {ID_004}", "rubric: nanyang-110", 1)
    (tmp_path / "r110.yaml").write_text(rubric, encoding="utf-8")
    (tmp_path / "e110.yaml").write_text(evidence, encoding="utf-8")
    return tmp_path / "r110.yaml", tmp_path / "e110.yaml"


@pytest.fixture
def workbook_110(tmp_path: Path, weights_110: tuple[Path, Path]) -> Path:
    rubric, evidence = weights_110
    book = tmp_path / "w110.xlsx"
    assert _cli("template", rubric, "--evidence", evidence, "-o", book).exit_code == 0
    return book


def test_recalc_prints_each_warning_with_file_cell_and_indicator(tmp_path: Path) -> None:
    book = build_example(ID_000, tmp_path / "000.xlsx")
    plain = _cli("recalc", book)
    assert plain.exit_code == 0
    lines = [line for line in plain.stderr.splitlines() if line.startswith("[警告]")]
    # The five inconsistencies of the published 000 table, each on its own line.
    assert len(lines) == 5
    for code in ("A32", "B61", "B62", "C12", "C13"):
        (line,) = [line for line in lines if f"指标 {code}：" in line]
        assert f"文件 {book}" in line and "单元格 评分表!" in line
    assert any("评分规则写“得10分”，但权重为1" in line for line in lines)
    strict = _cli("recalc", book, "--strict")
    assert strict.exit_code == 1
    assert strict.stderr == plain.stderr


def test_recalc_json_keeps_warnings_in_the_json_and_strict_still_fails(tmp_path: Path) -> None:
    book = build_example(ID_000, tmp_path / "000.xlsx")
    result = _cli("recalc", book, "--json", "--strict")
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)["warnings"]) >= 5
    assert "[警告]" not in result.stderr


def test_recalc_of_a_clean_table_passes_strict(tmp_path: Path) -> None:
    book = build_example(ID_004, tmp_path / "004.xlsx")
    result = _cli("recalc", book, "--strict")
    assert result.exit_code == 0, result.output
    assert "[警告]" not in result.stderr and "[错误]" not in result.stderr


def test_recalc_says_an_unfinished_table_is_not_final(tmp_path: Path) -> None:
    book = build_example(ID_004, tmp_path / "空白.xlsx", filled=False)
    plain = _cli("recalc", book)
    assert plain.exit_code == 0
    (line,) = [line for line in plain.stderr.splitlines() if "评分尚未完成" in line]
    assert f"文件 {book}" in line and "缺少佐证：A、B、C、D、E" in line
    assert _cli("recalc", book, "--strict").exit_code == 1


def test_score_warns_about_level_weights_adding_up_to_110(
    weights_110: tuple[Path, Path],
) -> None:
    rubric, evidence = weights_110
    plain = _cli("score", rubric, evidence)
    assert plain.exit_code == 0
    assert f"[错误] {WEIGHTS_110}" in plain.stderr.splitlines()
    assert _cli("score", rubric, evidence, "--strict").exit_code == 1
    entry = find_bundled(ID_004)
    assert entry is not None and entry.evidence_path is not None
    clean = _cli("score", ID_004, entry.evidence_path, "--strict")
    assert clean.exit_code == 0 and clean.stderr == ""


def test_template_warns_about_the_rubric_and_still_writes(
    tmp_path: Path, weights_110: tuple[Path, Path]
) -> None:
    rubric, _ = weights_110
    output = tmp_path / "t.xlsx"
    plain = _cli("template", rubric, "-o", output)
    assert plain.exit_code == 0 and output.exists()
    assert f"[错误] {WEIGHTS_110}" in plain.stderr.splitlines()
    strict = _cli("template", rubric, "-o", output, "--strict")
    assert strict.exit_code == 1
    assert _cli("template", ID_004, "-o", tmp_path / "clean.xlsx", "--strict").exit_code == 0


def test_report_carries_a_caveat_where_weights_add_up_to_110(
    tmp_path: Path, workbook_110: Path
) -> None:
    shown = _cli("report", workbook_110)
    assert shown.exit_code == 0
    caveat = [line for line in shown.stdout.splitlines() if line.startswith("> 注意：")]
    assert len(caveat) == 1 and WEIGHTS_110 in caveat[0]
    assert any(
        WEIGHTS_110 in line and str(workbook_110) in line for line in shown.stderr.splitlines()
    )
    assert _cli("report", workbook_110, "--strict").exit_code == 1
    docx = tmp_path / "报告.docx"
    assert _cli("report", workbook_110, "--docx", docx).exit_code == 0
    texts = [p.text for p in Document(str(docx)).paragraphs]
    assert any(text.startswith("注意：") and WEIGHTS_110 in text for text in texts)


def test_report_carries_a_caveat_for_an_unfinished_table(tmp_path: Path) -> None:
    book = build_example(ID_004, tmp_path / "空白.xlsx", filled=False)
    shown = _cli("report", book)
    assert shown.exit_code == 0
    assert "> 注意：评分表尚未完成（缺少佐证：A、B、C、D、E），总分和等级不是最终结果。" in (
        shown.stdout.splitlines()
    )


def test_report_of_a_consistent_complete_table_has_no_caveat(tmp_path: Path) -> None:
    book = build_example(ID_004, tmp_path / "004.xlsx")
    shown = _cli("report", book, "--strict")
    assert shown.exit_code == 0
    assert "注意：" not in shown.stdout and shown.stderr == ""
