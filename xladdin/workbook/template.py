"""Build a workbook from a rubric with XlsxWriter: the official 评分表, a 得分情况 summary with a
chart, the rubric itself on a hidden sheet, and the xlwings.conf sheet.

With evidence, the inputs are filled in and the owned cells carry the scored result: that is how
the filled examples of the published tables are made.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter

from ..core.evidence import Evidence, LineEvidence
from ..core.methods import (
    BAND,
    COUNT,
    DECISION_SCORE,
    DECISION_SHARE,
    NOT_APPLICABLE,
    EvidenceInput,
    method_spec,
)
from ..core.methods import OPTIONAL_INPUTS as ANY_LINE_INPUTS
from ..core.numbers import fmt_number, fmt_percent_short
from ..core.rubric import ChecklistMethod, Node, Rubric
from ..core.scoring import score
from ..termtable import display_width
from .cellref import col_index, split_ref
from .layout import (
    CONFIG_SHEET,
    GRADE_MARK,
    INFO_FIELDS,
    RUBRIC_CHUNK,
    RUBRIC_FORMAT,
    RUBRIC_MARKER,
    RUBRIC_SHEET,
    SCORING_SHEET,
    SUBTOTAL_MARK,
    SUMMARY_SHEET,
    TOTAL_MARK,
    UDF_MODULE,
    FormLayout,
    ScoringLayout,
    SheetRows,
    SummaryLayout,
    layout_for,
    summary_rows,
)
from .plan import CellWrite, WritePlan, build_plan

FONT = "宋体"
FIXED_TIME = dt.datetime(2000, 1, 1)

FILL_REQUIRED = "#FFF2CC"  # yellow: this line needs it
FILL_OPTIONAL = "#FFFBEF"  # pale: may be used on any line
FILL_OWNED = "#E2EFDA"  # green: written by xladdin
FILL_HEADER = "#D9D9D9"
FILL_UNUSED = "#F2F2F2"


def rubric_json(rubric: Rubric) -> str:
    return rubric.model_dump_json(exclude_defaults=True)


def _inputs(leaf: Node) -> list[EvidenceInput]:
    return method_spec(leaf).inputs(leaf)


def _required_inputs(leaf: Node) -> set[str]:
    return {item.key for item in _inputs(leaf) if item.required}


OPTIONAL_INPUTS = {item.key for item in ANY_LINE_INPUTS}


def _input_help(leaf: Node) -> dict[str, str]:
    """Per-line input prompts naming what the method needs (shown when the cell is selected).

    Inputs with a validation of their own show their prompt with it (see :func:`_validation`)."""
    return {
        item.key: item.help
        for item in _inputs(leaf)
        if item.help and _validation(item, leaf) is None
    }


def evidence_inputs(leaf: Node, line: LineEvidence | None) -> dict[str, Any]:
    """The input cells of one line, from its evidence (for filled examples)."""
    if line is None:
        return {}
    cells: dict[str, Any] = {}
    if line.not_applicable:
        cells["not_applicable"] = "是"
        if line.na_reason:
            cells["decision_reason"] = line.na_reason
    if line.value is not None:
        cells["value"] = line.value
    if line.numerator is not None:
        cells["value"] = line.numerator
        cells["denominator"] = line.denominator
    if line.passed is not None:
        cells["value"] = "√" if line.passed else "×"
    flags = line.met
    if line.failed is not None and isinstance(leaf.method, ChecklistMethod):
        flags = [(i + 1) not in line.failed for i in range(leaf.method.item_count)]
    for i, ok in enumerate(flags or [], start=1):
        cells[f"item{i}"] = "√" if ok else "×"
    if line.count is not None:
        cells["count"] = line.count
    decision = line.decision
    if decision is not None:
        if decision.score is not None:
            cells["decision_score"] = decision.score
        if decision.share is not None:
            cells["decision_share"] = decision.share
        if decision.deduct_share is not None:
            cells["deduct_share"] = decision.deduct_share
        if decision.deduct_points is not None:
            cells["deduct_points"] = decision.deduct_points
        if decision.band is not None:
            cells["band"] = decision.band
        if decision.deductions:
            shares = [d.share for d in decision.deductions]
            points = [d.points for d in decision.deductions]
            if all(s is not None for s in shares):
                cells["deduct_share"] = "+".join(
                    fmt_percent_short(s) for s in shares if s is not None
                )
            elif all(p is not None for p in points):
                cells["deduct_points"] = "+".join(fmt_number(p) for p in points if p is not None)
            else:
                raise ValueError(
                    f"{leaf.code}: mixed share and point deductions cannot be entered in a workbook"
                )
            cells["decision_reason"] = "；".join(d.reason for d in decision.deductions)
        else:
            cells["decision_reason"] = decision.reason
    if line.deviation_reason:
        cells["deviation_reason"] = line.deviation_reason
    return cells


class _Formats:
    def __init__(self, book: Any) -> None:
        base = {
            "font_name": FONT,
            "font_size": 10,
            "valign": "vcenter",
            "text_wrap": True,
            "border": 1,
        }
        self.book = book
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}
        self.base = base

    def get(self, **extra: Any) -> Any:
        spec = {**self.base, **extra}
        key = tuple(sorted(spec.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format(spec)
        return self._cache[key]


def _group_title(node: Node, with_code: bool = True) -> str:
    code = "" if node.code_assigned or not with_code else node.code
    return f"{code}{node.name}（{fmt_number(node.weight)}分）"


def _leaf_title(node: Node) -> str:
    return node.name if node.code_assigned else f"{node.code}{node.name}"


def _write_value(sheet: Any, ref: str, value: Any, fmt: Any) -> None:
    if value is None or value == "":
        sheet.write_blank(ref, None, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(ref, value, fmt)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(ref, float(value), fmt)
    else:
        sheet.write_string(ref, str(value), fmt)


def _write_owned(sheet: Any, write: CellWrite, fmt: Any) -> None:
    if write.formula is not None:
        cached: Any = write.value
        if isinstance(cached, Decimal):
            cached = float(cached)
        sheet.write_formula(write.ref, "=" + write.formula, fmt, "" if cached is None else cached)
    else:
        _write_value(sheet, write.ref, write.value, fmt)


def build_workbook(
    rubric: Rubric,
    path: Path,
    evidence: Evidence | None = None,
    extend: Callable[[Any], None] | None = None,
) -> None:
    """Write a template (or, with evidence, a filled and scored example) of ``rubric`` to ``path``.

    ``extend`` receives the XlsxWriter workbook before it is closed, to add a bureau's own
    sheets, charts or a VBA project (``.xlsm``) to the generated file.
    """
    if rubric.depth > 3:
        raise ValueError("the scoring table supports three indicator levels")
    filled = evidence if evidence is not None else Evidence(rubric=rubric.id)
    result = score(rubric, filled)
    layout = layout_for(rubric)
    rows = layout.template_rows(rubric)
    plan = build_plan(rubric, result, rows, layout)

    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    book.set_properties(
        {
            "title": rubric.title,
            "author": "xladdin",
            "created": FIXED_TIME,
            "comments": "由 xladdin 生成",
        }
    )
    formats = _Formats(book)
    if isinstance(layout, FormLayout):
        from .form import form_sheet

        form_sheet(book, formats, rubric, layout, rows, plan, filled)
    else:
        _scoring_sheet(book, formats, rubric, layout, rows, plan, filled)
    _summary_sheet(book, formats, rubric, plan)
    _rubric_sheet(book, rubric)
    _config_sheet(book)
    if extend is not None:
        extend(book)
    book.close()


def _scoring_sheet(
    book: Any,
    formats: _Formats,
    rubric: Rubric,
    layout: ScoringLayout,
    rows: SheetRows,
    plan: WritePlan,
    evidence: Evidence,
) -> None:
    sheet = book.add_worksheet(SCORING_SHEET)
    owned = plan.for_sheet(SCORING_SHEET)
    last = rows.grade
    letters = layout.letters
    for i, column in enumerate(layout.columns):
        sheet.set_column(i, i, column.width)
    title = formats.get(bold=True, font_size=14, align="center", border=0)
    sheet.merge_range(
        f"A{layout.title_row}:{layout.print_last}{layout.title_row}", rubric.title, title
    )
    sheet.set_row(layout.title_row - 1, 28)
    label = formats.get(bold=True, align="right", border=0)
    info_value = formats.get(bg_color=FILL_OPTIONAL, locked=False, border=1)
    info = {"unit": evidence.unit, "project": evidence.project, "evaluator": evidence.evaluator}
    for key, name in INFO_FIELDS:
        ref = layout.info_cell(key)
        letter, row = split_ref(ref)
        sheet.write_string(row - 1, col_index(letter) - 1, name, label)
        sheet.merge_range(
            row - 1, col_index(letter), row - 1, col_index(letter) + 1, info[key] or "", info_value
        )

    header = formats.get(bold=True, align="center", bg_color=FILL_HEADER)
    input_header = formats.get(bold=True, align="center", bg_color=FILL_REQUIRED)
    owned_header = formats.get(bold=True, align="center", bg_color=FILL_OWNED)
    hr = layout.header_row
    for i, column in enumerate(layout.columns):
        style = {"input": input_header, "owned": owned_header}.get(column.role, header)
        if column.key == "narrative":
            style = header
        sheet.write_string(hr - 1, i, column.header, style)
        if column.help:
            sheet.write_comment(
                hr - 1, i, column.help, {"x_scale": 2, "y_scale": 1.2, "font_name": FONT}
            )
    sheet.set_row(hr - 1, 30)

    center = formats.get(align="center")
    left = formats.get(align="left")
    number = formats.get(align="center", num_format="0.##")
    score_fmt = formats.get(align="center", num_format="0.00", bg_color=FILL_OWNED)
    reason_fmt = formats.get(align="left", bg_color=FILL_OWNED)
    code_fmt = formats.get(align="center", font_color="#808080", bg_color=FILL_UNUSED)
    unused = formats.get(bg_color=FILL_UNUSED)

    groups1: list[tuple[Node, int, int]] = []
    groups2: list[tuple[Node, int, int]] = []
    for level in rubric.levels:
        codes = [leaf.code for leaf in level.leaves()]
        groups1.append((level, *rows.span(codes)))
        for child in level.children or []:
            if not child.is_leaf:
                groups2.append((child, *rows.span([leaf.code for leaf in child.leaves()])))

    depth_of = {node.code: depth for node, depth in rubric.walk()}
    for leaf in rubric.leaves():
        row = rows.leaves[leaf.code]
        r = row - 1
        depth = depth_of[leaf.code]
        title_col = {1: "level1", 2: "level2", 3: "level3"}[depth]
        first_col = col_index(letters[title_col])
        last_col = col_index(letters["level3"])
        if first_col == last_col:
            sheet.write_string(r, first_col, _leaf_title(leaf), left)
        else:
            text = _group_title(leaf) if depth == 1 else _leaf_title(leaf)
            sheet.merge_range(r, first_col, r, last_col, text, left)
        sheet.write_number(r, col_index(letters["weight"]), float(leaf.weight), number)
        sheet.write_string(r, col_index(letters["target"]), leaf.target or "", center)
        sheet.write_string(r, col_index(letters["rule"]), leaf.rule, left)
        line = evidence.line(leaf.code)
        narrative_fmt = formats.get(align="left", locked=False, bg_color=FILL_OPTIONAL)
        sheet.write_string(
            r,
            col_index(letters["narrative"]),
            (line.narrative if line else None) or "",
            narrative_fmt,
        )
        for key, fmt in (("score", score_fmt), ("reason", reason_fmt), ("status", reason_fmt)):
            write = owned[layout.cell(key, row)]
            _write_owned(sheet, write, fmt)
        sheet.write_string(r, col_index(letters["code"]), leaf.code, code_fmt)
        values = evidence_inputs(leaf, line)
        write_inputs(sheet, formats, layout, leaf, row, values)
        sheet.set_row(r, _row_height(layout, leaf, line, values))

    add_validations(sheet, layout, rubric.leaves(), rows)
    group_fmt = formats.get(align="center", bold=True)
    for node, first, last_row in groups1:
        if first == last_row and node.is_leaf:
            continue
        if first != last_row:
            sheet.merge_range(first - 1, 0, last_row - 1, 0, _group_title(node), group_fmt)
        else:
            sheet.write_string(first - 1, 0, _group_title(node), group_fmt)
    for node, first, last_row in groups2:
        col = col_index(letters["level2"])
        if first != last_row:
            sheet.merge_range(first - 1, col, last_row - 1, col, _group_title(node), center)
        else:
            sheet.write_string(first - 1, col, _group_title(node), center)

    # fixed rows: 小计, 加分项/减分项, 总分, 等级
    bold = formats.get(bold=True, align="center")
    total_score_fmt = formats.get(bold=True, align="center", num_format="0.00", bg_color=FILL_OWNED)
    grade_fmt = formats.get(bold=True, align="center", bg_color=FILL_OWNED)

    def fixed_row(row: int, text: str, mark: str, weight: Decimal | None, fmt: Any) -> None:
        r = row - 1
        sheet.merge_range(r, 0, r, col_index(letters["level3"]), text, bold)
        if weight is not None:
            sheet.write_number(r, col_index(letters["weight"]), float(weight), number)
        else:
            sheet.write_blank(r, col_index(letters["weight"]), None, center)
        for key in ("target", "rule", "narrative"):
            sheet.write_blank(r, col_index(letters[key]), None, center)
        _write_owned(sheet, owned[layout.cell("score", row)], fmt)
        for key in ("reason", "status"):
            sheet.write_blank(r, col_index(letters[key]), None, reason_fmt)
        sheet.write_string(r, col_index(letters["code"]), mark, code_fmt)

    fixed_row(rows.subtotal, "小计", SUBTOTAL_MARK, rubric.total_weight, total_score_fmt)
    for kind, adjustment in (("bonus", rubric.bonus), ("penalty", rubric.penalty)):
        if adjustment is None:
            continue
        for item in adjustment.items:
            row = rows.adjustments[item.code]
            r = row - 1
            cap = f"（≤{fmt_number(adjustment.cap)}分）" if adjustment.cap is not None else ""
            sheet.write_string(r, 0, f"{adjustment.name}{cap}", bold)
            sheet.write_string(
                r, col_index(letters["level2"]), f"{item.code} {adjustment.name}", center
            )
            sheet.write_string(r, col_index(letters["level3"]), item.name, left)
            sheet.write_blank(r, col_index(letters["weight"]), None, center)
            sheet.write_string(r, col_index(letters["target"]), "", center)
            sheet.write_string(r, col_index(letters["rule"]), item.rule, left)
            line = evidence.line(item.code)
            sheet.write_string(
                r,
                col_index(letters["narrative"]),
                (line.narrative if line else None) or "",
                formats.get(align="left", locked=False, bg_color=FILL_OPTIONAL),
            )
            _write_owned(sheet, owned[layout.cell("score", row)], score_fmt)
            _write_owned(sheet, owned[layout.cell("reason", row)], reason_fmt)
            sheet.write_blank(r, col_index(letters["status"]), None, reason_fmt)
            sheet.write_string(r, col_index(letters["code"]), item.code, code_fmt)
            points = line.points if line is not None else None
            for key in layout.input_keys():
                c = col_index(letters[key])
                if key == "value":
                    entry = formats.get(bg_color=FILL_OPTIONAL, locked=False, align="center")
                    _write_value(sheet, f"{letters[key]}{row}", points, entry)
                    what = "加分" if kind == "bonus" else "减分"
                    sheet.data_validation(
                        r,
                        c,
                        r,
                        c,
                        {
                            "validate": "decimal",
                            "criteria": ">=",
                            "value": 0,
                            "input_title": "请填写",
                            "input_message": f"{what}分值",
                        },
                    )
                else:
                    sheet.write_blank(r, c, None, unused)
    fixed_row(rows.total, "总分", TOTAL_MARK, None, total_score_fmt)
    fixed_row(rows.grade, "等级", GRADE_MARK, None, grade_fmt)

    sheet.freeze_panes(layout.first_row - 1, col_index(letters["level3"]) + 1)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.repeat_rows(layout.header_row - 1)
    sheet.print_area(f"A1:{layout.print_last}{last}")
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.hide_gridlines(2)
    sheet.protect("", {"format_columns": True, "format_rows": True, "insert_rows": False})
    sheet.activate()


LINE_HEIGHT = 13.5


def write_inputs(
    sheet: Any,
    formats: _Formats,
    layout: ScoringLayout,
    leaf: Node,
    row: int,
    values: dict[str, Any],
) -> None:
    """The evidence inputs of one line: required ones yellow, optional ones pale, both unlocked;
    the rest grey. Keys the row does not have in this layout are skipped."""
    inputs = {item.key: item for item in (*ANY_LINE_INPUTS, *_inputs(leaf))}
    required = _required_inputs(leaf)
    prompts = _input_help(leaf)
    unused = formats.get(bg_color=FILL_UNUSED)
    for key in layout.input_keys():
        ref = layout.find(key, row)
        if ref is None:
            continue
        letter, _ = split_ref(ref)
        r, c = row - 1, col_index(letter)
        value = values.get(key)
        usable = key in required or (
            key in OPTIONAL_INPUTS and (key != "not_applicable" or layout.na_capable(leaf.code))
        )
        if not usable:
            sheet.write_blank(r, c, None, unused)
            continue
        item = inputs[key]
        fill = FILL_REQUIRED if key in required else FILL_OPTIONAL
        extra: dict[str, Any] = {"bg_color": fill, "locked": False, "align": "center"}
        flag = item.kind == "number_or_flag" and isinstance(value, str)
        if item.percent and not flag:
            extra["num_format"] = "0.00%"
        if item.kind == "text":
            extra["align"] = "left"
        _write_value(sheet, ref, value, formats.get(**extra))
        if key in prompts:
            sheet.data_validation(
                r,
                c,
                r,
                c,
                {"validate": "any", "input_title": "请填写", "input_message": prompts[key][:250]},
            )


def _lines_needed(text: str, width: float) -> int:
    """Wrapped lines a text needs in a column ``width`` characters wide (CJK counts double)."""
    usable = max(1.0, (width - 1) * 1.08)
    return sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n"))


def _row_height(
    layout: ScoringLayout, leaf: Node, line: LineEvidence | None, values: dict[str, Any]
) -> float:
    widths = {column.key: column.width for column in layout.columns}
    texts = {
        "level3": _leaf_title(leaf),
        "target": leaf.target or "",
        "rule": leaf.rule,
        "narrative": (line.narrative if line else None) or "",
        "decision_reason": str(values.get("decision_reason") or ""),
    }
    lines = max(_lines_needed(text, widths[key]) for key, text in texts.items())
    return max(2, lines) * LINE_HEIGHT + 3


EVERY_LINE_INPUTS = (NOT_APPLICABLE, COUNT, BAND, DECISION_SCORE, DECISION_SHARE)
"""Inputs whose columns are validated on every line (the other lines show them grey)."""


def _validation(item: EvidenceInput, leaf: Node) -> dict[str, Any] | None:
    """The data validation of an input cell, from its kind; None when it has none."""
    prompt = {"input_title": item.label, "input_message": item.help[:250]} if item.help else {}
    if item.choices:
        return {"validate": "list", "source": list(item.choices), **prompt}
    if item.kind == "count":
        return {
            "validate": "integer",
            "criteria": ">=",
            "value": 0,
            "error_message": f"{item.label}应为不小于0的整数",
            **prompt,
        }
    if not item.capped:
        return None
    top: float | int
    if item.percent:
        top, message = 1, f"{item.label}应在0%至100%之间"
    else:
        top, message = float(leaf.weight), f"{item.label}应在0至{fmt_number(leaf.weight)}分之间"
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": 0,
        "maximum": top,
        "error_message": message,
        **prompt,
    }


def _line_validations(leaf: Node) -> list[tuple[str, dict[str, Any]]]:
    """The data validations of a line's input cells, by layout key."""
    shared = {item.key for item in EVERY_LINE_INPUTS}
    items = [*EVERY_LINE_INPUTS, *(item for item in _inputs(leaf) if item.key not in shared)]
    found = [(item.key, _validation(item, leaf)) for item in items]
    return [(key, options) for key, options in found if options is not None]


def add_validations(sheet: Any, layout: ScoringLayout, leaves: list[Node], rows: SheetRows) -> None:
    """Data validation of every line's inputs, one rule per distinct kind of cell (so the
    worksheet stays small): 是/否 and √/× lists, counts, bands, scores within the weight."""
    groups: dict[str, tuple[dict[str, Any], list[tuple[int, int]]]] = {}
    for leaf in leaves:
        row = rows.leaves[leaf.code]
        for key, options in _line_validations(leaf):
            ref = layout.find(key, row)
            if ref is None or (key == "not_applicable" and not layout.na_capable(leaf.code)):
                continue
            signature = json.dumps(options, sort_keys=True, ensure_ascii=False)
            groups.setdefault(signature, (options, []))[1].append(
                (row - 1, col_index(split_ref(ref)[0]))
            )
    for options, cells in groups.values():
        ranges: list[list[int]] = []
        for r, c in sorted(cells, key=lambda rc: (rc[1], rc[0])):
            if ranges and ranges[-1][1] == c and ranges[-1][2] == r - 1:
                ranges[-1][2] = r  # extend the run down the column
            else:
                ranges.append([r, c, r, c])
        first = ranges[0]
        extra = {"other_cells": ranges[1:]} if len(ranges) > 1 else {}
        sheet.data_validation(
            first[0], first[1], first[2], first[3], {"error_title": "输入有误", **options, **extra}
        )


def _summary_sheet(book: Any, formats: _Formats, rubric: Rubric, plan: WritePlan) -> None:
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
        _write_owned(sheet, owned[f"{summary.SCORE}{row}"], score_fmt)
        _write_owned(sheet, owned[f"{summary.RATE}{row}"], rate_fmt)

    for level in rubric.levels:
        group_row(level, where[level.code])
    total_row = where[TOTAL_MARK]
    sheet.write_string(total_row - 1, 0, "合计", bold)
    sheet.write_number(total_row - 1, 1, float(rubric.total_weight), number)
    _write_owned(sheet, owned[f"{summary.SCORE}{total_row}"], score_fmt)
    _write_owned(sheet, owned[f"{summary.RATE}{total_row}"], rate_fmt)
    grade_row = where[GRADE_MARK]
    sheet.write_string(grade_row - 1, 0, "等级", bold)
    sheet.write_blank(grade_row - 1, 1, None, number)
    _write_owned(
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


def _rubric_sheet(book: Any, rubric: Rubric) -> None:
    sheet = book.add_worksheet(RUBRIC_SHEET)
    sheet.write_string(0, 0, RUBRIC_MARKER)
    sheet.write_number(0, 1, RUBRIC_FORMAT)
    sheet.write_string(0, 2, "此工作表保存本评分表的指标体系，供 xladdin 重算使用，请勿修改。")
    text = rubric_json(rubric)
    for i in range(0, len(text), RUBRIC_CHUNK):
        sheet.write_string(1 + i // RUBRIC_CHUNK, 0, text[i : i + RUBRIC_CHUNK])
    sheet.hide()


def _config_sheet(book: Any) -> None:
    sheet = book.add_worksheet(CONFIG_SHEET)
    sheet.write_string(0, 0, "UDF Modules")
    sheet.write_string(0, 1, UDF_MODULE)
    sheet.set_column(0, 1, 24)
