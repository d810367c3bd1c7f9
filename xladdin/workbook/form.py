"""The national project self-evaluation form (项目支出绩效自评表) as a worksheet.

Header (项目名称, 主管部门, 实施单位), the funds block (年初预算数, 全年预算数(A), 全年执行数(B),
分值, 执行率(B/A), 得分), the year's goals (预期目标 | 实际完成情况), then the indicator block
(一级, 二级, 三级指标, 指标性质, 年度指标值(A), 实际完成值(B), 分值, 得分, 偏差原因分析及改进措施).
Cell positions come from :class:`FormLayout`.
"""

from __future__ import annotations

from typing import Any

from ..core.evidence import Evidence
from ..core.rubric import Node, Rubric
from .cellref import col_index, split_ref
from .layout import (
    GRADE_MARK,
    SCORING_SHEET,
    SUBTOTAL_MARK,
    TOTAL_MARK,
    FormLayout,
    SheetRows,
)
from .plan import WritePlan
from .styles import (
    FILL_HEADER,
    FILL_OPTIONAL,
    FILL_OWNED,
    FILL_REQUIRED,
    FILL_UNUSED,
    LINE_HEIGHT,
    Formats,
    SheetWriter,
    group_title,
    lines_needed,
    write_owned,
    write_value,
)
from .template import add_validations, evidence_inputs, write_inputs


def _target_text(leaf: Node) -> str:
    target = leaf.target or ""
    unit = leaf.unit or ""
    return target if not unit or target.endswith(unit) else f"{target}{unit}"


def form_sheet(
    book: Any,
    formats: Formats,
    rubric: Rubric,
    layout: FormLayout,
    rows: SheetRows,
    plan: WritePlan,
    evidence: Evidence,
) -> None:
    """The self-evaluation form: header, funds block, goals, the indicator block, 合计, 总分
    and 评价等级."""
    sheet = book.add_worksheet(SCORING_SHEET)
    for i, column in enumerate(layout.columns):
        sheet.set_column(i, i, column.width)
    writer = _FormSheet(sheet, formats, layout, rows, plan, evidence)
    writer.header(rubric)
    _funds_block(sheet, formats, rubric, layout, plan, evidence)
    writer.goals()
    writer.indicator_header()
    for leaf in rubric.leaves():
        if leaf.code != layout.funds_code:
            writer.indicator_row(leaf)
    add_validations(sheet, layout, rubric.leaves(), rows)
    writer.group_cells(rubric)
    writer.closing_rows(rubric)
    writer.page_setup()


class _FormSheet(SheetWriter):
    """Writes the parts of one self-evaluation form; cell positions come from the layout."""

    def __init__(
        self,
        sheet: Any,
        formats: Formats,
        layout: FormLayout,
        rows: SheetRows,
        plan: WritePlan,
        evidence: Evidence,
    ) -> None:
        super().__init__(sheet, formats, layout, rows, plan, evidence)
        self.layout = layout
        self.last_print = col_index(layout.print_last)
        self.header_fmt = formats.get(bold=True, align="center", bg_color=FILL_HEADER)
        self.entry = formats.get(align="left", locked=False, bg_color=FILL_OPTIONAL)

    def header(self, rubric: Rubric) -> None:
        """Title, period, and the 项目名称 / 主管部门 / 实施单位 fields."""
        sheet, last, evidence = self.sheet, self.last_print, self.evidence
        title = self.formats.get(bold=True, font_size=16, align="center", border=0)
        sheet.merge_range(0, 0, 0, last, rubric.title, title)
        sheet.set_row(0, 30)
        period = evidence.period or (f"{rubric.year}年度" if rubric.year else "    年度")
        period_fmt = self.formats.get(align="center", border=0)
        sheet.merge_range(1, 0, 1, last, f"（{period}）", period_fmt)
        info = self.layout.info_cells()
        fields = (
            ("project", "项目名称", evidence.project, last),
            (
                "department",
                "主管部门",
                evidence.department,
                col_index(split_ref(info["unit"])[0]) - 2,
            ),
            ("unit", "实施单位", evidence.unit, last),
        )
        for key, name, value, end in fields:
            letter, row = split_ref(info[key])
            col = col_index(letter)
            sheet.write_string(row - 1, col - 1, name, self.header_fmt)
            sheet.merge_range(row - 1, col, row - 1, end, value or "", self.entry)
            sheet.set_row(row - 1, LINE_HEIGHT + 6)

    def goals(self) -> None:
        """年度总体目标: 预期目标 | 实际完成情况, each an input spanning half the table."""
        sheet, last = self.sheet, self.last_print
        g = self.layout.goals_row - 1
        labels = self.layout.funds_block.label_columns
        middle = labels + (last - labels) // 2
        sheet.merge_range(g, 0, g + 1, labels - 1, "年度总体目标", self.header_fmt)
        sheet.merge_range(g, labels, g, middle, "预期目标", self.header_fmt)
        sheet.merge_range(g, middle + 1, g, last, "实际完成情况", self.header_fmt)
        sheet.merge_range(g + 1, labels, g + 1, middle, "", self.entry)
        sheet.merge_range(g + 1, middle + 1, g + 1, last, "", self.entry)
        sheet.set_row(g + 1, 4 * LINE_HEIGHT)

    def indicator_header(self) -> None:
        owned_header = self.formats.get(bold=True, align="center", bg_color=FILL_OWNED, locked=True)
        input_header = self.formats.get(bold=True, align="center", bg_color=FILL_REQUIRED)
        r = self.layout.header_row - 1
        for i, column in enumerate(self.layout.columns):
            style = {"input": input_header, "owned": owned_header}.get(column.role, self.header_fmt)
            self.sheet.write_string(r, i, column.header, style)
            if column.help:
                self.sheet.write_comment(r, i, column.help, {"x_scale": 2, "y_scale": 1.2})
        self.sheet.set_row(r, 30)

    def indicator_row(self, leaf: Node) -> None:
        sheet, cols, layout = self.sheet, self.columns, self.layout
        row = self.rows.leaves[leaf.code]
        r = row - 1
        sheet.write_string(r, cols["level3"], leaf.name, self.left)
        sheet.write_string(r, cols["nature"], leaf.nature or "", self.center)
        sheet.write_string(r, cols["target"], _target_text(leaf), self.center)
        sheet.write_number(r, cols["weight"], float(leaf.weight), self.number)
        for key, fmt in (
            ("score", self.score),
            ("reason", self.reason),
            ("status", self.reason),
            ("note", self.reason),
        ):
            write_owned(sheet, self.owned[layout.cell(key, row)], fmt)
        sheet.write_string(r, cols["code"], leaf.code, self.code)
        values = evidence_inputs(leaf, self.evidence.line(leaf.code))
        write_inputs(sheet, self.formats, layout, leaf, row, values)
        texts = {
            "level3": leaf.name,
            "deviation_reason": str(values.get("deviation_reason") or ""),
            "decision_reason": str(values.get("decision_reason") or ""),
        }
        widths = {column.key: column.width for column in layout.columns}
        lines = max(lines_needed(text, widths[key]) for key, text in texts.items())
        sheet.set_row(r, max(2, lines) * LINE_HEIGHT + 3)

    def group_cells(self, rubric: Rubric) -> None:
        group_fmt = self.formats.get(align="center", bold=True)
        layout, rows = self.layout, self.rows
        for level in rubric.levels:
            if level.code == layout.funds_code:
                continue
            _merge_group(self.sheet, layout, rows, level, "level1", group_fmt, with_code=False)
            for child in level.children or []:
                if not child.is_leaf:
                    _merge_group(self.sheet, layout, rows, child, "level2", self.center, False)

    def closing_rows(self, rubric: Rubric) -> None:
        """合计, 总分 and 评价等级, labelled across the columns before 分值."""
        sheet, cols, rows = self.sheet, self.columns, self.rows
        bold = self.formats.get(bold=True, align="center")
        total = self.formats.get(bold=True, align="center", num_format="0.00", bg_color=FILL_OWNED)
        for row, text, mark, weight in (
            (rows.subtotal, "合计", SUBTOTAL_MARK, rubric.total_weight),
            (rows.total, "总分", TOTAL_MARK, None),
            (rows.grade, "评价等级", GRADE_MARK, None),
        ):
            r = row - 1
            sheet.merge_range(r, 0, r, cols["weight"] - 1, text, bold)
            if weight is not None:
                sheet.write_number(r, cols["weight"], float(weight), self.number)
            else:
                sheet.write_blank(r, cols["weight"], None, self.center)
            write_owned(sheet, self.owned[self.layout.cell("score", row)], total)
            sheet.write_blank(r, cols["deviation_reason"], None, self.center)
            sheet.write_string(r, cols["code"], mark, self.code)

    def page_setup(self) -> None:
        sheet, layout = self.sheet, self.layout
        sheet.freeze_panes(layout.first_row - 1, 0)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.repeat_rows(layout.header_row - 1)
        sheet.print_area(0, 0, self.rows.grade - 1, self.last_print)
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.set_footer("&C第 &P 页，共 &N 页")
        sheet.hide_gridlines(2)
        sheet.protect("", {"format_columns": True, "format_rows": True})
        sheet.activate()


def _funds_block(
    sheet: Any,
    formats: Formats,
    rubric: Rubric,
    layout: FormLayout,
    plan: WritePlan,
    evidence: Evidence,
) -> None:
    """The funds block: its header, 年度资金总额 (the budget-execution line), the sub-rows."""
    funds = layout.funds_block
    owned = plan.for_sheet(SCORING_SHEET)
    last_print = col_index(layout.print_last)
    header = formats.get(bold=True, align="center", bg_color=FILL_HEADER)
    labels_end = funds.label_columns - 1
    fr = funds.header_row - 1
    sheet.merge_range(fr, 0, fr, labels_end, "项目资金（万元）", header)
    for ref, text in funds.header_cells():
        sheet.write_string(ref, text, header)
    sheet.write_string(fr, last_print, "偏差原因分析及改进措施", header)
    sheet.set_row(fr, 2 * LINE_HEIGHT + 3)
    number = formats.get(align="center", num_format="0.##")
    money_input = formats.get(
        align="center", num_format="#,##0.00", locked=False, bg_color=FILL_OPTIONAL
    )
    unused = formats.get(bg_color=FILL_UNUSED)
    score_fmt = formats.get(align="center", num_format="0.00", bg_color=FILL_OWNED)
    rate_fmt = formats.get(align="center", num_format="0.00%", bg_color=FILL_OWNED)
    reason_fmt = formats.get(align="left", bg_color=FILL_OWNED)
    code_fmt = formats.get(align="center", font_color="#808080", bg_color=FILL_UNUSED)
    recorded = [col_index(funds.col(key)) for key in funds.recorded_inputs]
    for offset, (row, name) in enumerate(zip(funds.rows, funds.labels, strict=True)):
        r = row - 1
        sheet.merge_range(
            r,
            0,
            r,
            labels_end,
            name,
            formats.get(align="left" if offset else "center", bold=not offset),
        )
        if offset:
            for c in recorded:
                sheet.write_blank(r, c, None, money_input)
            for c in range(max(recorded) + 1, last_print + 1):
                sheet.write_blank(r, c, None, unused)
    node = rubric.find(layout.funds_code) if layout.funds_code else None
    if node is None:
        return
    row = funds.first_row
    r = row - 1
    values = evidence_inputs(node, evidence.line(node.code))
    for key in funds.recorded_inputs:
        if key not in funds.scored_inputs:  # 年初预算数: recorded, not scored
            sheet.write_blank(funds.cell(key), None, money_input)
    sheet.write_number(funds.cell("weight"), float(node.weight), number)
    write_owned(sheet, owned[funds.cell("exec_rate")], rate_fmt)
    for key, fmt in (
        ("score", score_fmt),
        ("reason", reason_fmt),
        ("status", reason_fmt),
        ("note", reason_fmt),
    ):
        write_owned(sheet, owned[layout.cell(key, row)], fmt)
    sheet.write_string(r, col_index(layout.code_col), node.code, code_fmt)
    write_inputs(sheet, formats, layout, node, row, values)
    money_required = formats.get(
        align="center", num_format="#,##0.00", locked=False, bg_color=FILL_REQUIRED
    )
    for key in funds.scored_inputs:  # amounts, blank or filled: one look in every workbook
        write_value(sheet, funds.cell(key), values.get(key), money_required)
    sheet.set_row(r, 2 * LINE_HEIGHT + 3)


def _merge_group(
    sheet: Any, layout: FormLayout, rows: SheetRows, node: Node, key: str, fmt: Any, with_code: bool
) -> None:
    codes = [leaf.code for leaf in node.leaves()]
    first, last = rows.span(codes)
    col = col_index(layout.col(key))
    text = group_title(node, with_code=with_code)
    if node.is_leaf:
        return
    if first == last:
        sheet.write_string(first - 1, col, text, fmt)
    else:
        sheet.merge_range(first - 1, col, last - 1, col, text, fmt)
    # a second-level leaf spans the third-level column too
    if key == "level1":
        for child in node.children or []:
            if child.is_leaf:
                row = rows.leaves[child.code] - 1
                sheet.write_string(row, col_index(layout.col("level2")), "", fmt)
                sheet.write_string(row, col_index(layout.col("level3")), child.name, fmt)
