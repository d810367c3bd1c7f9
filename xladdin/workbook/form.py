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
    sheet = book.add_worksheet(SCORING_SHEET)
    owned = plan.for_sheet(SCORING_SHEET)
    for i, column in enumerate(layout.columns):
        sheet.set_column(i, i, column.width)
    last_print = col_index(layout.print_last)

    title = formats.get(bold=True, font_size=16, align="center", border=0)
    sheet.merge_range(0, 0, 0, last_print, rubric.title, title)
    sheet.set_row(0, 30)
    period = evidence.period or (f"{rubric.year}年度" if rubric.year else "    年度")
    sheet.merge_range(1, 0, 1, last_print, f"（{period}）", formats.get(align="center", border=0))

    label = formats.get(bold=True, align="center", bg_color=FILL_HEADER)
    entry = formats.get(align="left", locked=False, bg_color=FILL_OPTIONAL)
    info = layout.info_cells()
    project_row = split_ref(info["project"])[1] - 1
    sheet.write_string(project_row, 0, "项目名称", label)
    sheet.merge_range(project_row, 1, project_row, last_print, evidence.project or "", entry)
    department_row = split_ref(info["department"])[1] - 1
    unit_col = col_index(split_ref(info["unit"])[0])
    sheet.write_string(department_row, 0, "主管部门", label)
    sheet.merge_range(
        department_row, 1, department_row, unit_col - 2, evidence.department or "", entry
    )
    sheet.write_string(department_row, unit_col - 1, "实施单位", label)
    sheet.merge_range(
        department_row, unit_col, department_row, last_print, evidence.unit or "", entry
    )

    for r in (project_row, department_row):
        sheet.set_row(r, LINE_HEIGHT + 6)
    _funds_block(sheet, formats, rubric, layout, plan, evidence)
    header = formats.get(bold=True, align="center", bg_color=FILL_HEADER)
    number = formats.get(align="center", num_format="0.##")
    score_fmt = formats.get(align="center", num_format="0.00", bg_color=FILL_OWNED)
    reason_fmt = formats.get(align="left", bg_color=FILL_OWNED)
    code_fmt = formats.get(align="center", font_color="#808080", bg_color=FILL_UNUSED)

    # the year's goals
    g = layout.goals_row - 1
    sheet.merge_range(g, 0, g + 1, 1, "年度总体目标", header)
    middle = 2 + (last_print - 2) // 2
    sheet.merge_range(g, 2, g, middle, "预期目标", header)
    sheet.merge_range(g, middle + 1, g, last_print, "实际完成情况", header)
    sheet.merge_range(g + 1, 2, g + 1, middle, "", entry)
    sheet.merge_range(g + 1, middle + 1, g + 1, last_print, "", entry)
    sheet.set_row(g + 1, 4 * LINE_HEIGHT)

    # indicator block
    owned_header = formats.get(bold=True, align="center", bg_color=FILL_OWNED)
    input_header = formats.get(bold=True, align="center", bg_color="#FFF2CC")
    hr = layout.header_row - 1
    for i, column in enumerate(layout.columns):
        style = {"input": input_header, "owned": owned_header}.get(column.role, header)
        sheet.write_string(hr, i, column.header, style)
        if column.help:
            sheet.write_comment(hr, i, column.help, {"x_scale": 2, "y_scale": 1.2})
    sheet.set_row(hr, 30)

    center = formats.get(align="center")
    left = formats.get(align="left")
    indicators = [leaf for leaf in rubric.leaves() if leaf.code != layout.funds_code]
    widths = {column.key: column.width for column in layout.columns}
    for leaf in indicators:
        row = rows.leaves[leaf.code]
        r = row - 1
        sheet.write_string(r, col_index(layout.col("level3")), leaf.name, left)
        sheet.write_string(r, col_index(layout.col("nature")), leaf.nature or "", center)
        sheet.write_string(r, col_index(layout.col("target")), _target_text(leaf), center)
        sheet.write_number(r, col_index(layout.col("weight")), float(leaf.weight), number)
        for key, fmt in (("score", score_fmt), ("reason", reason_fmt), ("status", reason_fmt)):
            write_owned(sheet, owned[layout.cell(key, row)], fmt)
        sheet.write_string(r, col_index(layout.code_col), leaf.code, code_fmt)
        line = evidence.line(leaf.code)
        values = evidence_inputs(leaf, line)
        write_inputs(sheet, formats, layout, leaf, row, values)
        texts = {
            "level3": leaf.name,
            "deviation_reason": str(values.get("deviation_reason") or ""),
            "decision_reason": str(values.get("decision_reason") or ""),
        }
        lines = max(lines_needed(text, widths[key]) for key, text in texts.items())
        sheet.set_row(r, max(2, lines) * LINE_HEIGHT + 3)

    add_validations(sheet, layout, rubric.leaves(), rows)
    group_fmt = formats.get(align="center", bold=True)
    for level in rubric.levels:
        if level.code == layout.funds_code:
            continue
        _merge_group(sheet, layout, rows, level, "level1", group_fmt, with_code=False)
        for child in level.children or []:
            if not child.is_leaf:
                _merge_group(sheet, layout, rows, child, "level2", center, with_code=False)

    bold = formats.get(bold=True, align="center")
    weight_col = col_index(layout.col("weight"))
    for row, text, mark, weight in (
        (rows.subtotal, "合计", SUBTOTAL_MARK, rubric.total_weight),
        (rows.total, "总分", TOTAL_MARK, None),
        (rows.grade, "评价等级", GRADE_MARK, None),
    ):
        r = row - 1
        sheet.merge_range(r, 0, r, weight_col - 1, text, bold)
        if weight is not None:
            sheet.write_number(r, weight_col, float(weight), number)
        else:
            sheet.write_blank(r, weight_col, None, center)
        write_owned(
            sheet,
            owned[layout.cell("score", row)],
            formats.get(bold=True, align="center", num_format="0.00", bg_color=FILL_OWNED),
        )
        sheet.write_blank(r, col_index(layout.col("deviation_reason")), None, center)
        sheet.write_string(r, col_index(layout.code_col), mark, code_fmt)

    sheet.freeze_panes(layout.first_row - 1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.repeat_rows(layout.header_row - 1)
    sheet.print_area(0, 0, rows.grade - 1, last_print)
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
    for key, fmt in (("score", score_fmt), ("reason", reason_fmt), ("status", reason_fmt)):
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
