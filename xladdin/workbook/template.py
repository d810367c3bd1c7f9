"""The 评分表 of the published tables as a worksheet, and the evidence inputs of a line.

The inputs (which cells a line's method needs, their prompts, validations and the values a
filled example carries) are shared with the self-evaluation form (:mod:`.form`); the workbook
around the sheets is put together in :mod:`.build`.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from ..core.codec import encode
from ..core.evidence import Evidence, LineEvidence
from ..core.methods import (
    BAND,
    CONFIRMED,
    COUNT,
    DECISION_SCORE,
    DECISION_SHARE,
    NOT_APPLICABLE,
    EvidenceInput,
    method_spec,
)
from ..core.methods import LINE_INPUTS as ANY_LINE_INPUTS
from ..core.numbers import fmt_number
from ..core.rubric import AdjustmentItem, Node, Rubric
from .cellref import col_index, split_ref
from .layout import (
    GRADE_MARK,
    INFO_FIELDS,
    SCORING_SHEET,
    SUBTOTAL_MARK,
    TOTAL_MARK,
    ScoringLayout,
    SheetRows,
)
from .plan import WritePlan
from .styles import (
    FILL_HEADER,
    FILL_OPTIONAL,
    FILL_OWNED,
    FILL_REQUIRED,
    FILL_UNUSED,
    FONT,
    LINE_HEIGHT,
    Formats,
    SheetWriter,
    group_title,
    leaf_title,
    lines_needed,
    write_owned,
    write_value,
)


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
    return encode(leaf, line)


def scoring_sheet(
    book: Any,
    formats: Formats,
    rubric: Rubric,
    layout: ScoringLayout,
    rows: SheetRows,
    plan: WritePlan,
    evidence: Evidence,
) -> None:
    """The 评分表 of the published tables: title and header fields, the official columns with
    the evidence inputs to their right, group cells, then 小计, 加分项/减分项, 总分 and 等级."""
    sheet = book.add_worksheet(SCORING_SHEET)
    for i, column in enumerate(layout.columns):
        sheet.set_column(i, i, column.width)
    writer = _ScoringSheet(sheet, formats, layout, rows, plan, evidence)
    writer.title_and_info(rubric.title)
    writer.header_row()
    for leaf, depth in rubric.walk():
        if leaf.is_leaf:
            writer.leaf_row(leaf, depth)
    add_validations(sheet, layout, rubric.leaves(), rows)
    writer.group_cells(rubric)
    writer.closing_rows(rubric)
    writer.page_setup()


class _ScoringSheet(SheetWriter):
    """Writes the rows of one 评分表; cell positions come from the layout."""

    def __init__(
        self,
        sheet: Any,
        formats: Formats,
        layout: ScoringLayout,
        rows: SheetRows,
        plan: WritePlan,
        evidence: Evidence,
    ) -> None:
        super().__init__(sheet, formats, layout, rows, plan, evidence)
        self.layout = layout
        self.bold = formats.get(bold=True, align="center")
        self.unused = formats.get(bg_color=FILL_UNUSED)

    def title_and_info(self, title: str) -> None:
        sheet, layout, formats = self.sheet, self.layout, self.formats
        title_fmt = formats.get(bold=True, font_size=14, align="center", border=0)
        sheet.merge_range(
            f"A{layout.title_row}:{layout.print_last}{layout.title_row}", title, title_fmt
        )
        sheet.set_row(layout.title_row - 1, 28)
        label = formats.get(bold=True, align="right", border=0)
        info_value = formats.get(bg_color=FILL_OPTIONAL, locked=False, border=1)
        evidence = self.evidence
        info = {"unit": evidence.unit, "project": evidence.project, "evaluator": evidence.evaluator}
        for key, name in INFO_FIELDS:
            letter, row = split_ref(layout.info_cell(key))
            col = col_index(letter)
            sheet.write_string(row - 1, col - 1, name, label)
            sheet.merge_range(row - 1, col, row - 1, col + 1, info[key] or "", info_value)

    def header_row(self) -> None:
        formats = self.formats
        header = formats.get(bold=True, align="center", bg_color=FILL_HEADER)
        input_header = formats.get(bold=True, align="center", bg_color=FILL_REQUIRED)
        owned_header = formats.get(bold=True, align="center", bg_color=FILL_OWNED, locked=True)
        r = self.layout.header_row - 1
        for i, column in enumerate(self.layout.columns):
            style = {"input": input_header, "owned": owned_header}.get(column.role, header)
            if column.key == "narrative":
                style = header
            self.sheet.write_string(r, i, column.header, style)
            if column.help:
                self.sheet.write_comment(
                    r, i, column.help, {"x_scale": 2, "y_scale": 1.2, "font_name": FONT}
                )
        self.sheet.set_row(r, 30)

    def _narrative(self, r: int, line: LineEvidence | None) -> None:
        self.sheet.write_string(
            r,
            self.columns["narrative"],
            (line.narrative if line else None) or "",
            self.formats.get(align="left", locked=False, bg_color=FILL_OPTIONAL),
        )

    def leaf_row(self, leaf: Node, depth: int) -> None:
        sheet, cols, layout = self.sheet, self.columns, self.layout
        row = self.rows.leaves[leaf.code]
        r = row - 1
        first_col = cols[{1: "level1", 2: "level2", 3: "level3"}[depth]]
        if first_col == cols["level3"]:
            sheet.write_string(r, first_col, leaf_title(leaf), self.left)
        else:
            text = group_title(leaf) if depth == 1 else leaf_title(leaf)
            sheet.merge_range(r, first_col, r, cols["level3"], text, self.left)
        sheet.write_number(r, cols["weight"], float(leaf.weight), self.number)
        sheet.write_string(r, cols["target"], leaf.target or "", self.center)
        sheet.write_string(r, cols["rule"], leaf.rule, self.left)
        line = self.evidence.line(leaf.code)
        self._narrative(r, line)
        for key, fmt in (
            ("score", self.score),
            ("reason", self.reason),
            ("status", self.reason),
            ("note", self.reason),
        ):
            write_owned(sheet, self.owned[layout.cell(key, row)], fmt)
        sheet.write_string(r, cols["code"], leaf.code, self.code)
        values = evidence_inputs(leaf, line)
        write_inputs(sheet, self.formats, layout, leaf, row, values)
        sheet.set_row(r, _row_height(layout, leaf, line, values))

    def group_cells(self, rubric: Rubric) -> None:
        """一级 groups merged down the first column, 二级 groups down the second."""
        group_fmt = self.formats.get(align="center", bold=True)
        for level in rubric.levels:
            if not level.is_leaf:
                self._group_cell(level, 0, group_fmt)
        for level in rubric.levels:
            for child in level.children or []:
                if not child.is_leaf:
                    self._group_cell(child, self.columns["level2"], self.center)

    def _group_cell(self, node: Node, col: int, fmt: Any) -> None:
        first, last = self.rows.span([leaf.code for leaf in node.leaves()])
        if first != last:
            self.sheet.merge_range(first - 1, col, last - 1, col, group_title(node), fmt)
        else:
            self.sheet.write_string(first - 1, col, group_title(node), fmt)

    def closing_rows(self, rubric: Rubric) -> None:
        """小计, the bonus and penalty rows, 总分 and 等级."""
        get = self.formats.get
        total_fmt = get(bold=True, align="center", num_format="0.00", bg_color=FILL_OWNED)
        grade_fmt = get(bold=True, align="center", bg_color=FILL_OWNED)
        rows = self.rows
        self._fixed_row(rows.subtotal, "小计", SUBTOTAL_MARK, rubric.total_weight, total_fmt)
        for kind, adjustment in (("bonus", rubric.bonus), ("penalty", rubric.penalty)):
            if adjustment is None:
                continue
            cap = f"（≤{fmt_number(adjustment.cap)}分）" if adjustment.cap is not None else ""
            for item in adjustment.items:
                self._adjustment_row(kind, f"{adjustment.name}{cap}", adjustment.name, item)
        self._fixed_row(rows.total, "总分", TOTAL_MARK, None, total_fmt)
        self._fixed_row(rows.grade, "等级", GRADE_MARK, None, grade_fmt)

    def _fixed_row(self, row: int, text: str, mark: str, weight: Decimal | None, fmt: Any) -> None:
        sheet, cols = self.sheet, self.columns
        r = row - 1
        sheet.merge_range(r, 0, r, cols["level3"], text, self.bold)
        if weight is not None:
            sheet.write_number(r, cols["weight"], float(weight), self.number)
        else:
            sheet.write_blank(r, cols["weight"], None, self.center)
        for key in ("target", "rule", "narrative"):
            sheet.write_blank(r, cols[key], None, self.center)
        write_owned(sheet, self.owned[self.layout.cell("score", row)], fmt)
        for key in ("reason", "status", "note"):
            sheet.write_blank(r, cols[key], None, self.reason)
        sheet.write_string(r, cols["code"], mark, self.code)

    def _adjustment_row(self, kind: str, heading: str, name: str, item: AdjustmentItem) -> None:
        sheet, cols, layout = self.sheet, self.columns, self.layout
        row = self.rows.adjustments[item.code]
        r = row - 1
        sheet.write_string(r, 0, heading, self.bold)
        sheet.write_string(r, cols["level2"], f"{item.code} {name}", self.center)
        sheet.write_string(r, cols["level3"], item.name, self.left)
        sheet.write_blank(r, cols["weight"], None, self.center)
        sheet.write_string(r, cols["target"], "", self.center)
        sheet.write_string(r, cols["rule"], item.rule, self.left)
        line = self.evidence.line(item.code)
        self._narrative(r, line)
        write_owned(sheet, self.owned[layout.cell("score", row)], self.score)
        write_owned(sheet, self.owned[layout.cell("reason", row)], self.reason)
        sheet.write_blank(r, cols["status"], None, self.reason)
        sheet.write_blank(r, cols["note"], None, self.reason)
        sheet.write_string(r, cols["code"], item.code, self.code)
        points = line.points if line is not None else None
        inputs = layout.adjustment_inputs(row)
        entry = self.formats.get(bg_color=FILL_OPTIONAL, locked=False, align="center")
        for key in layout.input_keys():
            c = cols[key]
            if key not in inputs:
                sheet.write_blank(r, c, None, self.unused)
                continue
            write_value(sheet, inputs[key], points, entry)
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

    def page_setup(self) -> None:
        sheet, layout = self.sheet, self.layout
        sheet.freeze_panes(layout.first_row - 1, self.columns["level3"] + 1)
        sheet.set_landscape()
        sheet.set_paper(9)
        sheet.repeat_rows(layout.header_row - 1)
        sheet.print_area(f"A1:{layout.print_last}{self.rows.grade}")
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        sheet.set_footer("&C第 &P 页，共 &N 页")
        sheet.hide_gridlines(2)
        sheet.protect("", {"format_columns": True, "format_rows": True, "insert_rows": False})
        sheet.activate()


def line_inputs(layout: ScoringLayout, leaf: Node, row: int) -> dict[str, str]:
    """The input cells of ``leaf``'s line on ``row``, by key: those of the layout's input cells
    of the row that the line's method takes, required or optional. The template makes exactly
    these unlocked and coloured, and the reader reads exactly these."""
    required = _required_inputs(leaf)
    return {
        key: ref
        for key, ref in layout.input_cells(row).items()
        if key in required
        or (key in OPTIONAL_INPUTS and (key != "not_applicable" or layout.na_capable(leaf.code)))
    }


def write_inputs(
    sheet: Any,
    formats: Formats,
    layout: ScoringLayout,
    leaf: Node,
    row: int,
    values: dict[str, Any],
) -> None:
    """The evidence inputs of one line: required ones yellow, optional ones pale, both unlocked;
    the other input cells of the row grey."""
    inputs = {item.key: item for item in (*ANY_LINE_INPUTS, *_inputs(leaf))}
    required = _required_inputs(leaf)
    prompts = _input_help(leaf)
    unused = formats.get(bg_color=FILL_UNUSED)
    taken = line_inputs(layout, leaf, row)
    for key, ref in layout.input_cells(row).items():
        letter, _ = split_ref(ref)
        r, c = row - 1, col_index(letter)
        value = values.get(key)
        if key not in taken:
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
        write_value(sheet, ref, value, formats.get(**extra))
        if key in prompts:
            sheet.data_validation(
                r,
                c,
                r,
                c,
                {"validate": "any", "input_title": "请填写", "input_message": prompts[key][:250]},
            )


def _row_height(
    layout: ScoringLayout, leaf: Node, line: LineEvidence | None, values: dict[str, Any]
) -> float:
    widths = {column.key: column.width for column in layout.columns}
    texts = {
        "level3": leaf_title(leaf),
        "target": leaf.target or "",
        "rule": leaf.rule,
        "narrative": (line.narrative if line else None) or "",
        "decision_reason": str(values.get("decision_reason") or ""),
    }
    lines = max(lines_needed(text, widths[key]) for key, text in texts.items())
    return max(2, lines) * LINE_HEIGHT + 3


EVERY_LINE_INPUTS = (NOT_APPLICABLE, COUNT, BAND, DECISION_SCORE, DECISION_SHARE, CONFIRMED)
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
        inputs = layout.input_cells(row)
        for key, options in _line_validations(leaf):
            ref = inputs.get(key)
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
