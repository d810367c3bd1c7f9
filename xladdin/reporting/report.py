"""The evaluation report's tables and text, as Markdown and as a Word document.

``xladdin report`` reads a workbook, scores it again (the cached values in the file are not
trusted) and writes what a finance officer pastes into the report: the 得分情况 table, a
paragraph per first-level group, the conclusion with the total and grade, and the deducted
indicators with their reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import Location, WorkbookError
from ..core.evidence import Evidence
from ..core.lint import lint
from ..core.narrative import (
    Narrative,
    chinese_number,
    evaluation_subject,
    format_rate,
    format_score,
    narrate,
)
from ..core.result import Finding, Result
from ..core.rubric import Rubric
from ..core.scoring import score
from ..files import write_file, zip_member

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"

SUMMARY_HEADERS = ("一级指标", "权重分值", "得分", "得分率")
DEDUCTED_HEADERS = ("指标编码", "指标名称", "权重", "得分", "扣分", "扣分原因")
# The Word report's category property: how a later run recognises its own earlier output.
DOCX_MARK = "xladdin report 生成的评价报告表格"


@dataclass
class Evaluation:
    """One scored evaluation and where it came from."""

    rubric: Rubric
    evidence: Evidence
    result: Result
    source: Path | None = None
    findings: list[Finding] = field(default_factory=list)
    cells: dict[str, str] = field(default_factory=dict)  # indicator code → its row's code cell

    @property
    def concerns(self) -> list[Finding]:
        """The linter's errors and warnings: what makes the table inconsistent."""
        return [f for f in self.findings if f.severity in ("error", "warning")]


def load_evaluation(path: Path) -> Evaluation:
    """Read a workbook and score it from its evidence (never from the cached scores)."""
    from ..workbook.build import indicator_cells
    from ..workbook.reader import read_workbook

    book = read_workbook(path)
    result = score(book.rubric, book.evidence)
    findings = lint(book.rubric, book.evidence, result)
    cells = indicator_cells(book, (f.code for f in findings if f.severity != "info"))
    return Evaluation(book.rubric, book.evidence, result, path, findings, cells)


def caveats(evaluation: Evaluation) -> list[str]:
    """Lines the report carries when its table is inconsistent or incomplete, so that nobody
    pastes a figure as final that the linter or the scorer has doubts about."""
    lines: list[str] = []
    result = evaluation.result
    if not result.complete:
        missing = [i.code for i in result.indicators if i.status == "missing_evidence"]
        doubtful = [i.code for i in result.indicators if i.status == "needs_check"]
        parts = [f"缺少佐证：{'、'.join(missing)}"] if missing else []
        parts += [f"需核对：{'、'.join(doubtful)}"] if doubtful else []
        where = f"（{'；'.join(parts)}）" if parts else ""
        lines.append(f"注意：评分表尚未完成{where}，总分和等级不是最终结果。")
    concerns = evaluation.concerns
    if concerns:
        shown = [f"{f.code} {f.message}" if f.code else f.message for f in concerns[:3]]
        more = "等" if len(concerns) > len(shown) else ""
        lines.append(
            f"注意：评分表有{len(concerns)}处不一致（{'；'.join(shown)}{more}），"
            "得分情况须核对后使用；明细可用 xladdin lint 查看。"
        )
    return lines


@dataclass(frozen=True)
class SummaryRow:
    """A row of the 得分情况 table, its figures already written as in the report."""

    name: str
    weight: str
    score: str
    rate: str
    total: bool = False


def summary_rows(rubric: Rubric, result: Result) -> list[SummaryRow]:
    """一级指标, 权重分值, 得分, 得分率 per first-level group, 加分/减分项 when used, and 合计."""
    rows = [
        SummaryRow(
            level.name,
            format_score(level.weight, rubric),
            format_score(level.score, rubric),
            "" if level.rate is None else format_rate(level.rate, rubric),
        )
        for level in result.top_levels()
    ]
    if result.bonus:
        name = rubric.bonus.name if rubric.bonus is not None else "加分项"
        rows.append(SummaryRow(name, "", format_score(result.bonus, rubric), ""))
    if result.penalty:
        name = rubric.penalty.name if rubric.penalty is not None else "减分项"
        rows.append(SummaryRow(name, "", format_score(-result.penalty, rubric), ""))
    rows.append(
        SummaryRow(
            "合计",
            format_score(result.total_weight, rubric),
            format_score(result.total, rubric),
            "" if result.rate is None else format_rate(result.rate, rubric),
            total=True,
        )
    )
    return rows


def deducted_rows(rubric: Rubric, narrative: Narrative) -> list[tuple[str, ...]]:
    return [
        (
            line.code,
            line.name,
            "" if line.weight is None else format_score(line.weight, rubric),
            "" if line.score is None else format_score(line.score, rubric),
            format_score(line.deduction, rubric),
            line.reason,
        )
        for line in narrative.deducted
    ]


def report_title(evaluation: Evaluation) -> str:
    subject = evaluation_subject(evaluation.rubric, evaluation.evidence)
    if subject == "本次":
        return f"{evaluation.rubric.title}得分情况"
    return f"{subject}绩效评价得分情况"


def _subject_line(evidence: Evidence) -> str:
    parts = [
        f"{label}：{value}"
        for label, value in (("被评价单位", evidence.unit), ("项目", evidence.project))
        if value
    ]
    return "；".join(parts)


# -- Markdown -----------------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], right: tuple[int, ...]
) -> list[str]:
    rule = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def report_markdown(evaluation: Evaluation) -> str:
    """The report's tables and text as Markdown."""
    rubric, result = evaluation.rubric, evaluation.result
    narrative = narrate(rubric, result, evaluation.evidence)
    lines = [f"# {report_title(evaluation)}", ""]
    subject = _subject_line(evaluation.evidence)
    if subject:
        lines += [subject, ""]
    for caveat in caveats(evaluation):
        lines += [f"> {caveat}", ""]
    lines += ["## 一、得分情况", ""]
    rows = [
        (f"**{r.name}**", f"**{r.weight}**", f"**{r.score}**", f"**{r.rate}**")
        if r.total
        else (r.name, r.weight, r.score, r.rate)
        for r in summary_rows(rubric, result)
    ]
    lines += _markdown_table(SUMMARY_HEADERS, rows, right=(1, 2, 3))
    lines += ["", "## 二、各类指标得分情况", ""]
    for index, group in enumerate(narrative.groups, start=1):
        lines += [f"### （{chinese_number(index)}）{group.name}", "", group.text, ""]
    lines += ["## 三、评价结论", "", narrative.total, "", "## 四、扣分指标及原因", ""]
    if narrative.deducted:
        lines += _markdown_table(
            DEDUCTED_HEADERS, deducted_rows(rubric, narrative), right=(2, 3, 4)
        )
    else:
        lines.append("各项指标均未扣分。")
    return "\n".join(lines).rstrip() + "\n"


# -- Word ---------------------------------------------------------------------------------


def _set_fonts(element: Any, east_asian: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or style, East Asian text included (w:eastAsia)."""
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _style_document(document: Any) -> None:
    from docx.shared import Mm, Pt, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    normal = document.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal.element, BODY_FONT)
    for name, size in (("Title", 18), ("Heading 1", 15), ("Heading 2", 13)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(style.element, HEADING_FONT)


def _run(paragraph: Any, text: str, *, bold: bool = False, font: str = BODY_FONT) -> Any:
    run = paragraph.add_run(text)
    run.bold = bold
    _set_fonts(run._element, font)
    return run


def _heading(document: Any, text: str, level: int) -> None:
    paragraph = document.add_heading(level=level)
    _run(paragraph, text, bold=True, font=HEADING_FONT)


def _text(document: Any, text: str, indent: bool = True) -> None:
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(24)  # two characters
    paragraph.paragraph_format.line_spacing = 1.5
    _run(paragraph, text)


def _table(
    document: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    centered: tuple[int, ...],
    widths_mm: tuple[float, ...],
    bold_last: bool = False,
) -> Any:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    table = document.add_table(rows=1 + len(rows), cols=len(headers))
    table.style = document.styles["Table Grid"]  # single borders on every cell
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the grid LibreOffice lays out by; cells carry it for Word
    properties = table.rows[0]._tr.get_or_add_trPr()
    properties.append(properties.makeelement(qn("w:tblHeader"), {}))  # repeat on every page
    for r, values in enumerate([headers, *rows]):
        bold = r == 0 or (bold_last and r == len(rows))
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = Mm(widths_mm[c])
            paragraph = cell.paragraphs[0]
            if r == 0 or c in centered:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = _run(paragraph, value, bold=bold)
            run.font.size = Pt(10.5)
    return table


def report_document(evaluation: Evaluation) -> Any:
    """The report as a python-docx Document."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    rubric, result = evaluation.rubric, evaluation.result
    narrative = narrate(rubric, result, evaluation.evidence)
    document = Document()
    _style_document(document)
    title = document.add_heading(level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, report_title(evaluation), bold=True, font=HEADING_FONT)
    subject = _subject_line(evaluation.evidence)
    if subject:
        _text(document, subject, indent=False)
    for caveat in caveats(evaluation):
        _text(document, caveat, indent=False)

    _heading(document, "一、得分情况", 1)
    summary = summary_rows(rubric, result)
    _table(
        document,
        SUMMARY_HEADERS,
        [(r.name, r.weight, r.score, r.rate) for r in summary],
        centered=(0, 1, 2, 3),
        widths_mm=(55, 35, 35, 35),
        bold_last=True,
    )

    _heading(document, "二、各类指标得分情况", 1)
    for index, group in enumerate(narrative.groups, start=1):
        _heading(document, f"（{chinese_number(index)}）{group.name}", 2)
        _text(document, group.text)

    _heading(document, "三、评价结论", 1)
    _text(document, narrative.total)

    _heading(document, "四、扣分指标及原因", 1)
    if narrative.deducted:
        _table(
            document,
            DEDUCTED_HEADERS,
            deducted_rows(rubric, narrative),
            centered=(0, 2, 3, 4),
            widths_mm=(20, 40, 13, 13, 13, 61),
        )
    else:
        _text(document, "各项指标均未扣分。")
    return document


def is_report_markdown(path: Path) -> bool:
    """Whether ``path`` looks like a Markdown report ``xladdin report`` wrote: a title, then
    the report's four section headings."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    return text.startswith("# ") and headings == [
        "一、得分情况",
        "二、各类指标得分情况",
        "三、评价结论",
        "四、扣分指标及原因",
    ]


def is_report_document(path: Path) -> bool:
    """Whether ``path`` is a Word report ``xladdin report`` wrote (by its document property)."""
    core = zip_member(path, "docProps/core.xml")
    return core is not None and DOCX_MARK.encode() in core


def write_markdown(evaluation: Evaluation, output: Path) -> None:
    text = report_markdown(evaluation)
    write_file(output, text)


def write_docx(evaluation: Evaluation, output: Path) -> None:
    """Write the report as a .docx (written to a temporary file first, then moved in place)."""
    if output.suffix.lower() != ".docx":
        raise WorkbookError("Word 文档应以 .docx 结尾", Location(file=str(output)))
    document = report_document(evaluation)
    document.core_properties.category = DOCX_MARK
    write_file(output, lambda path: document.save(str(path)))
