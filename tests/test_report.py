"""``xladdin report``: the 得分情况 table, the paragraphs and the deductions, as Markdown and .docx."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.support.libreoffice import convert, make_profile, soffice
from tests.workbooks import run_cli as run
from xladdin.core.numbers import to_decimal
from xladdin.workbook.layout import SCORING_SHEET
from xladdin.workbook.package import XlsxPackage
from xladdin.workbook.reader import read_workbook

ID_000, ID_001, ID_004 = "nanjing-dsj-2022", "nanjing-zwxx-2021", "nanyang-zsj-2021"


def recalc_json(path: Path) -> dict:
    code, out, _ = run("recalc", "--json", str(path))
    assert code == 0
    return json.loads(out)


def docx_summary(path: Path) -> list[tuple[str, Decimal | None, Decimal, Decimal | None]]:
    """The 得分情况 table of a written report: (一级指标, 权重分值, 得分, 得分率)."""
    table = docx.Document(str(path)).tables[0]
    assert [c.text for c in table.rows[0].cells] == ["一级指标", "权重分值", "得分", "得分率"]
    rows = []
    for row in table.rows[1:]:
        name, weight, points, rate = (cell.text.strip() for cell in row.cells)
        rows.append(
            (
                name,
                to_decimal(weight) if weight else None,
                to_decimal(points),
                to_decimal(rate) if rate else None,
            )
        )
    return rows


def as_decimal(value: float | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# -- Markdown -------------------------------------------------------------------------------


def test_report_prints_markdown_of_004(examples: dict[str, Path]) -> None:
    code, out, _ = run("report", str(examples[ID_004]))
    assert code == 0
    assert out.startswith("# 南阳市政务服务和大数据管理局2021年度部门整体支出绩效评价得分情况\n")
    assert "| 一级指标 | 权重分值 | 得分 | 得分率 |" in out
    assert "| 管理效率 | 16.00 | 14.23 | 88.93% |" in out
    assert "| 履职效能 | 64.00 | 54.43 | 85.04% |" in out
    assert "| **合计** | **100.00** | **87.96** | **87.96%** |" in out
    assert (
        "管理效率类指标有4个二级指标、19个三级指标，权重分16分，实际得分14.23分，"
        "得分率88.93%。扣分项主要为：预算绩效管理。"
    ) in out
    assert "### （五）可持续性" in out
    assert "总得分87.96分，评价等级为“良”。" in out
    assert "| A | 管理效率 | 16.00 | 14.23 | 1.77 |" in out
    assert "| B | 运行成本 |" not in out  # no deduction, not listed


def test_report_writes_markdown_of_000_with_deductions(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    output = tmp_path / "000.md"
    code, out, _ = run("report", str(examples[ID_000]), "-o", str(output))
    assert code == 0 and str(output) in out
    text = output.read_text(encoding="utf-8")
    assert "| 部门决策 | 15.00 | 12.33 | 82.20% |" in text
    assert "| B62 | 工作开展情况 | 1.00 | 0.75 | 0.25 | 目标管理工作存在瑕疵，扣25%权重分 |" in text
    assert "总得分93.08分，评价等级为“优”。" in text


def test_report_scores_the_evidence_instead_of_trusting_cached_scores(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    book = read_workbook(examples[ID_001])
    total = book.layout.cell("score", book.rows.total)
    line = book.layout.cell("score", book.rows.leaves["C11"])
    package = XlsxPackage(examples[ID_001])
    package.write_cells(SCORING_SHEET, {total: (Decimal(99), None), line: (Decimal(10), None)})
    tampered = tmp_path / "tampered.xlsx"
    package.save(tampered)
    code, out, _ = run("report", str(tampered))
    assert code == 0
    assert "总得分90.23分" in out
    assert "| C11 | 实际完成率 | 10.00 | 8.13 | 1.87 |" in out


def test_report_of_a_bad_file_is_one_chinese_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("x", encoding="utf-8")
    code, _, err = run("report", str(bad))
    assert code == 2
    assert err.startswith("错误：") and str(bad) in err


# -- Word -----------------------------------------------------------------------------------


@pytest.mark.parametrize("rubric_id", [ID_000, ID_001, ID_004])
def test_docx_summary_figures_equal_the_result(
    rubric_id: str, examples: dict[str, Path], tmp_path: Path
) -> None:
    output = tmp_path / f"{rubric_id}.docx"
    code, _, _ = run("report", str(examples[rubric_id]), "--docx", str(output))
    assert code == 0
    data = recalc_json(examples[rubric_id])
    expected = [
        (
            level["name"],
            as_decimal(level["weight"]),
            as_decimal(level["score"]),
            as_decimal(level["rate"]),
        )
        for level in data["levels"]
        if level["depth"] == 1
    ]
    rate = as_decimal(data["total"]) / 100 if data["total"] is not None else None
    expected.append(("合计", Decimal(100), as_decimal(data["total"]), rate))
    assert docx_summary(output) == expected


def test_docx_is_a4_with_east_asian_fonts_bordered_tables_and_headings(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    output = tmp_path / "004.docx"
    run("report", str(examples[ID_004]), "--docx", str(output))
    document = docx.Document(str(output))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    runs += [
        run
        for table in document.tables
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
    ]
    assert runs
    for each in runs:
        fonts = each._element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) in ("宋体", "黑体"), each.text
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:2] == ["一、得分情况", "二、各类指标得分情况"]
    assert "四、扣分指标及原因" in headings
    summary, deducted = document.tables
    assert summary.style.name == "Table Grid" and deducted.style.name == "Table Grid"
    assert [c.text for c in deducted.rows[0].cells] == [
        "指标编码",
        "指标名称",
        "权重",
        "得分",
        "扣分",
        "扣分原因",
    ]
    assert [row.cells[0].text for row in deducted.rows[1:]] == ["A", "C", "D", "E"]
    texts = [p.text for p in document.paragraphs]
    assert (
        "管理效率类指标有4个二级指标、19个三级指标，权重分16分，实际得分14.23分，"
        "得分率88.93%。扣分项主要为：预算绩效管理。"
    ) in texts


@pytest.mark.libreoffice
@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_docx_opens_in_libreoffice_and_the_pdf_shows_the_figures(
    examples: dict[str, Path], tmp_path: Path
) -> None:
    reports = []
    for rubric_id in (ID_000, ID_004):
        output = tmp_path / f"{rubric_id}.docx"
        assert run("report", str(examples[rubric_id]), "--docx", str(output))[0] == 0
        reports.append(output)
    pdfs = convert(reports, "pdf", tmp_path / "pdf", make_profile(tmp_path / "profile"))
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is needed to read the PDF"
    texts = [
        subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for pdf in pdfs
    ]
    squeezed = ["".join(text.split()) for text in texts]  # pdftotext spaces CJK from digits
    assert "93.08" in texts[0] and "评价等级为“优”" in squeezed[0]
    assert "87.96" in texts[1] and "评价等级为“良”" in squeezed[1]
    assert "实际得分14.23分，得分率88.93%" in squeezed[1]
    for figure in ("16.00", "14.23", "88.93%", "54.43", "85.04%", "100.00"):
        assert figure in texts[1]
