"""The sheets every xladdin workbook has besides its scoring sheet: the 得分情况 summary with a
chart, the rubric itself on a hidden sheet, and the xlwings.conf sheet."""

from __future__ import annotations

from typing import Any

from ..core.rubric import Node, Rubric
from .layout import (
    CONFIG_SHEET,
    GRADE_MARK,
    RUBRIC_CHUNK,
    RUBRIC_FORMAT,
    RUBRIC_MARKER,
    RUBRIC_SHEET,
    SUMMARY_SHEET,
    TOTAL_MARK,
    UDF_MODULE,
    SummaryLayout,
    summary_rows,
)
from .plan import WritePlan
from .styles import FILL_HEADER, FILL_OWNED, FONT, Formats, write_owned


def rubric_json(rubric: Rubric) -> str:
    return rubric.model_dump_json(exclude_defaults=True)


def summary_sheet(book: Any, formats: Formats, rubric: Rubric, plan: WritePlan) -> None:
    sheet = book.add_worksheet(SUMMARY_SHEET)
    summary = SummaryLayout()
    where = summary_rows(rubric, summary)
    owned = plan.for_sheet(SUMMARY_SHEET)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 3, 12)
    title = formats.get(bold=True, font_size=14, align="center", border=0)
    sheet.merge_range(
        f"A{summary.title_row}:D{summary.title_row}", f"{rubric.title}得分情况", title
    )
    header = formats.get(bold=True, align="center", bg_color=FILL_HEADER)
    for i, text in enumerate(summary.columns):
        sheet.write_string(summary.header_row - 1, i, text, header)
    name_fmt = formats.get(align="left")
    number = formats.get(align="center", num_format="0.00")
    score_fmt = formats.get(align="center", num_format="0.00", bg_color=FILL_OWNED)
    rate_fmt = formats.get(align="center", num_format="0.00%", bg_color=FILL_OWNED)
    bold = formats.get(bold=True, align="center")

    def group_row(node: Node, row: int) -> None:
        sheet.write_string(
            row - 1, 0, f"{'' if node.code_assigned else node.code}{node.name}", name_fmt
        )
        sheet.write_number(row - 1, 1, float(node.weight), number)
        write_owned(sheet, owned[f"{summary.SCORE}{row}"], score_fmt)
        write_owned(sheet, owned[f"{summary.RATE}{row}"], rate_fmt)

    for level in rubric.levels:
        group_row(level, where[level.code])
    total_row = where[TOTAL_MARK]
    sheet.write_string(total_row - 1, 0, "合计", bold)
    sheet.write_number(total_row - 1, 1, float(rubric.total_weight), number)
    write_owned(sheet, owned[f"{summary.SCORE}{total_row}"], score_fmt)
    write_owned(sheet, owned[f"{summary.RATE}{total_row}"], rate_fmt)
    grade_row = where[GRADE_MARK]
    sheet.write_string(grade_row - 1, 0, "等级", bold)
    sheet.write_blank(grade_row - 1, 1, None, number)
    write_owned(
        sheet,
        owned[f"{summary.SCORE}{grade_row}"],
        formats.get(bold=True, align="center", bg_color=FILL_OWNED),
    )
    sheet.write_blank(grade_row - 1, 3, None, number)
    if "#二级表头" in where:
        head = where["#二级表头"]
        for i, text in enumerate(("二级指标", "权重分值", "得分", "得分率")):
            sheet.write_string(head - 1, i, text, header)
        for node, depth in rubric.walk():
            if depth == 2 and not node.is_leaf:
                group_row(node, where[node.code])

    first = where[rubric.levels[0].code]
    last = where[rubric.levels[-1].code]
    chart = book.add_chart({"type": "column"})
    quoted = f"'{SUMMARY_SHEET}'"
    for col, name, color in (("B", "权重分值", "#A6A6A6"), ("C", "得分", "#548235")):
        chart.add_series(
            {
                "name": name,
                "categories": f"={quoted}!$A${first}:$A${last}",
                "values": f"={quoted}!${col}${first}:${col}${last}",
                "fill": {"color": color},
                "data_labels": {"value": True, "num_format": "0.00"},
            }
        )
    chart.set_title({"name": "一级指标得分情况", "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"num_font": {"name": FONT}})
    chart.set_y_axis({"num_font": {"name": FONT}, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT}})
    sheet.insert_chart("F3", chart, {"x_scale": 1.3, "y_scale": 1.2})
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)
    sheet.hide_gridlines(2)


def rubric_sheet(book: Any, rubric: Rubric) -> None:
    sheet = book.add_worksheet(RUBRIC_SHEET)
    sheet.write_string(0, 0, RUBRIC_MARKER)
    sheet.write_number(0, 1, RUBRIC_FORMAT)
    sheet.write_string(0, 2, "此工作表保存本评分表的指标体系，供 xladdin 重算使用，请勿修改。")
    text = rubric_json(rubric)
    for i in range(0, len(text), RUBRIC_CHUNK):
        sheet.write_string(1 + i // RUBRIC_CHUNK, 0, text[i : i + RUBRIC_CHUNK])
    sheet.hide()


def config_sheet(book: Any) -> None:
    sheet = book.add_worksheet(CONFIG_SHEET)
    sheet.write_string(0, 0, "UDF Modules")
    sheet.write_string(0, 1, UDF_MODULE)
    sheet.set_column(0, 1, 24)
