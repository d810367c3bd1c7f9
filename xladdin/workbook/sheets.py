"""The sheets every xladdin workbook has besides its scoring sheet: the 得分情况 summary with a
chart, the rubric itself on a hidden sheet, and the xlwings.conf sheet; and, in the
macro-enabled workbook, the hidden ``_IntelliSense_`` sheet of argument help."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..core.rubric import Node, Rubric
from .layout import (
    CONFIG_SHEET,
    GRADE_MARK,
    RUBRIC_FORMAT,
    RUBRIC_MARKER,
    RUBRIC_SHEET,
    SECOND_LEVEL_HEADER,
    SUMMARY_SHEET,
    TOTAL_MARK,
    UDF_MODULE,
    RubricSheetLayout,
    SummaryLayout,
)
from .plan import WritePlan
from .styles import FILL_HEADER, FILL_OWNED, FONT, Formats, write_owned


def rubric_json(rubric: Rubric) -> str:
    return rubric.model_dump_json(exclude_defaults=True)


def _set_widths(sheet: Any, widths: list[float]) -> None:
    """Column widths, one setting per run of equal widths."""
    first = 0
    for i in range(1, len(widths) + 1):
        if i == len(widths) or widths[i] != widths[first]:
            sheet.set_column(first, i - 1, widths[first])
            first = i


def summary_sheet(book: Any, formats: Formats, rubric: Rubric, plan: WritePlan) -> None:
    sheet = book.add_worksheet(SUMMARY_SHEET)
    summary = SummaryLayout()
    where = summary.rows(rubric)
    owned = plan.for_sheet(SUMMARY_SHEET)
    _set_widths(sheet, [column.width for column in summary.columns])
    title = formats.get(bold=True, font_size=14, align="center", border=0)
    sheet.merge_range(
        f"{summary.col('name')}{summary.title_row}:{summary.last_col}{summary.title_row}",
        f"{rubric.title}得分情况",
        title,
    )
    header = formats.get(bold=True, align="center", bg_color=FILL_HEADER)

    def header_row(row: int, second_level: bool) -> None:
        for key, text in zip(summary.letters, summary.headers(second_level), strict=True):
            sheet.write_string(summary.cell(key, row), text, header)

    header_row(summary.header_row, second_level=False)
    name_fmt = formats.get(align="left")
    number = formats.get(align="center", num_format="0.00")
    score_fmt = formats.get(align="center", num_format="0.00", bg_color=FILL_OWNED)
    rate_fmt = formats.get(align="center", num_format="0.00%", bg_color=FILL_OWNED)
    bold = formats.get(bold=True, align="center")

    def group_row(node: Node, row: int) -> None:
        name = f"{'' if node.code_assigned else node.code}{node.name}"
        sheet.write_string(summary.cell("name", row), name, name_fmt)
        sheet.write_number(summary.cell("weight", row), float(node.weight), number)
        write_owned(sheet, owned[summary.cell("score", row)], score_fmt)
        write_owned(sheet, owned[summary.cell("rate", row)], rate_fmt)

    for level in rubric.levels:
        group_row(level, where[level.code])
    total_row = where[TOTAL_MARK]
    sheet.write_string(summary.cell("name", total_row), "合计", bold)
    sheet.write_number(summary.cell("weight", total_row), float(rubric.total_weight), number)
    write_owned(sheet, owned[summary.cell("score", total_row)], score_fmt)
    write_owned(sheet, owned[summary.cell("rate", total_row)], rate_fmt)
    grade_row = where[GRADE_MARK]
    sheet.write_string(summary.cell("name", grade_row), "等级", bold)
    sheet.write_blank(summary.cell("weight", grade_row), None, number)
    write_owned(
        sheet,
        owned[summary.cell("score", grade_row)],
        formats.get(bold=True, align="center", bg_color=FILL_OWNED),
    )
    sheet.write_blank(summary.cell("rate", grade_row), None, number)
    if SECOND_LEVEL_HEADER in where:
        header_row(where[SECOND_LEVEL_HEADER], second_level=True)
        for node, depth in rubric.walk():
            if depth == 2 and not node.is_leaf:
                group_row(node, where[node.code])

    first = where[rubric.levels[0].code]
    last = where[rubric.levels[-1].code]
    chart = book.add_chart({"type": "column"})
    quoted = f"'{SUMMARY_SHEET}'"
    names = summary.col("name")
    for key, color in (("weight", "#A6A6A6"), ("score", "#548235")):
        col = summary.col(key)
        chart.add_series(
            {
                "name": summary.headers()[list(summary.letters).index(key)],
                "categories": f"={quoted}!${names}${first}:${names}${last}",
                "values": f"={quoted}!${col}${first}:${col}${last}",
                "fill": {"color": color},
                "data_labels": {"value": True, "num_format": "0.00"},
            }
        )
    chart.set_title({"name": "一级指标得分情况", "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"num_font": {"name": FONT}})
    chart.set_y_axis({"num_font": {"name": FONT}, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT}})
    sheet.insert_chart(summary.chart_cell, chart, {"x_scale": 1.3, "y_scale": 1.2})
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 1)
    sheet.hide_gridlines(2)


def rubric_sheet(book: Any, rubric: Rubric) -> None:
    sheet = book.add_worksheet(RUBRIC_SHEET)
    where = RubricSheetLayout()
    sheet.write_string(where.marker_cell, RUBRIC_MARKER)
    sheet.write_number(where.version_cell, RUBRIC_FORMAT)
    sheet.write_string(
        where.note_cell, "此工作表保存本评分表的指标体系，供 xladdin 重算使用，请勿修改。"
    )
    for ref, chunk in where.text_cells(rubric_json(rubric)):
        sheet.write_string(ref, chunk)
    sheet.hide()


def config_sheet(book: Any) -> None:
    sheet = book.add_worksheet(CONFIG_SHEET)
    sheet.write_string(0, 0, "UDF Modules")
    sheet.write_string(0, 1, UDF_MODULE)
    sheet.set_column(0, 1, 24)
    # Hidden, so that it is not printed with the workbook: xlwings reads it all the same (its
    # VBA looks the sheet up by name, ``wb.Sheets("xlwings.conf")``, whatever its visibility,
    # and ``xlwings release`` itself offers to hide it).
    sheet.hide()


INTELLISENSE_SHEET = "_IntelliSense_"
INTELLISENSE_HEADER = ("FunctionInfo", "1.0")


def intellisense_sheet(
    book: Any, functions: Iterable[tuple[str, str, Sequence[tuple[str, str]]]]
) -> None:
    """The sheet the Excel-DNA IntelliSense add-in reads from an open workbook, so that a
    function's description and each argument's show while it is typed: a sheet named
    ``_IntelliSense_``, ``FunctionInfo`` and the format version on its first row, then one row
    per function (name, description, help topic, then a name and a description per argument).
    Hidden: it is for the add-in, not for printing."""
    sheet = book.add_worksheet(INTELLISENSE_SHEET)
    sheet.write_row(0, 0, INTELLISENSE_HEADER)
    for row, (name, description, arguments) in enumerate(functions, 1):
        cells = [name, description, ""]
        for argument, help_text in arguments:
            cells.extend((argument, help_text))
        for col, text in enumerate(cells):
            if text:
                sheet.write_string(row, col, text)
    sheet.hide()
