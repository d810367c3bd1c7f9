"""Read an xladdin workbook: its embedded rubric and the evidence typed into the 评分表.

Every problem names the file, the sheet and the cell, in Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from ..core.codec import EvidenceInputError, cell_keys, decode
from ..core.errors import Location, RubricError, WorkbookError
from ..core.evidence import Evidence, LineEvidence
from ..core.numbers import NumberParseError, to_decimal
from ..core.rubric import Rubric
from ..core.validation import rubric_from_data
from .cellref import split_ref
from .layout import (
    CODE_HEADER,
    GRADE_MARK,
    RUBRIC_FORMAT,
    RUBRIC_MARKER,
    RUBRIC_SHEET,
    SCORING_SHEET,
    SUBTOTAL_MARK,
    TOTAL_MARK,
    RubricSheetLayout,
    ScoringLayout,
    SheetRows,
    layout_for,
)
from .package import Cell, XlsxPackage
from .template import line_inputs


class CellSource(Protocol):
    """Where cells come from: a workbook file (XlsxPackage) or a live Excel book (xlwings)."""

    @property
    def label(self) -> str: ...

    def has_sheet(self, sheet: str) -> bool: ...

    def cells(
        self, sheet: str, columns: Iterable[str] | None = None, rows: Iterable[int] = ()
    ) -> Mapping[str, Cell]: ...


@dataclass
class BookData:
    """A workbook as xladdin understands it: its rubric, layout, rows and evidence.

    ``gaps`` names, by indicator code, the input cell a line still lacks where what was typed
    cannot be scored without it (an amount without its budget): such a line has no measure in
    its evidence, and its 缺少佐证 reason should name the cell.
    """

    source: CellSource
    rubric: Rubric
    evidence: Evidence
    layout: ScoringLayout
    rows: SheetRows
    gaps: dict[str, str] = field(default_factory=dict, kw_only=True)


@dataclass
class WorkbookData(BookData):
    """A workbook file, with the package that will be patched."""

    path: Path
    package: XlsxPackage


@lru_cache(maxsize=32)
def _rubric_from_json(text: str) -> Rubric:
    # Batches of workbooks usually share one rubric: validate each distinct text once. Errors
    # are not cached, and read_rubric names the workbook in them.
    return rubric_from_data(json.loads(text), RUBRIC_SHEET)


def read_rubric(package: CellSource) -> Rubric:
    """The rubric saved on the hidden 指标体系 sheet."""
    where = RubricSheetLayout()

    def located(cell: str | None = None) -> Location:
        return Location(file=package.label, sheet=RUBRIC_SHEET, cell=cell)

    if not package.has_sheet(RUBRIC_SHEET):
        raise WorkbookError(
            "找不到隐藏的“指标体系”工作表：这不是由 xladdin 生成的评分表（可用 xladdin template 生成）",
            located(),
        )
    cells = package.cells(RUBRIC_SHEET, where.columns)
    marker = cells.get(where.marker_cell)
    if marker is None or marker.value != RUBRIC_MARKER:
        raise WorkbookError(
            f"“指标体系”工作表已被修改：{where.marker_cell} 应为 {RUBRIC_MARKER}",
            located(where.marker_cell),
        )
    version = cells.get(where.version_cell)
    if version is None or version.value != Decimal(RUBRIC_FORMAT):
        raise WorkbookError(
            f"“指标体系”工作表的格式版本不受支持（应为 {RUBRIC_FORMAT}）",
            located(where.version_cell),
        )
    chunks: list[str] = []
    while (chunk := cells.get(where.text_cell(len(chunks)))) is not None:
        chunks.append(chunk.value if isinstance(chunk.value, str) else str(chunk.value))
    text = "".join(chunks)
    first = where.text_cell(0)
    if not text:
        raise WorkbookError("“指标体系”工作表中没有指标体系内容", located(first))
    try:
        return _rubric_from_json(text)
    except json.JSONDecodeError as exc:
        raise WorkbookError(
            f"“指标体系”工作表的内容已损坏，无法解析（第{exc.pos + 1}个字符附近）：请勿手工修改此表",
            located(first),
        ) from None
    except RubricError as exc:
        raise WorkbookError(
            f"“指标体系”工作表的内容无效：{exc.message}",
            Location(
                file=package.label,
                sheet=RUBRIC_SHEET,
                code=exc.location.code,
                field=exc.location.field,
            ),
        ) from None


class _Sheet:
    """Cells of the 评分表 with located parsing helpers."""

    def __init__(self, package: CellSource, layout: ScoringLayout) -> None:
        self.package = package
        self.layout = layout
        # the columns the reader uses, and the header and information rows whole
        keys = {"code", "score", "narrative", *layout.input_keys()}
        columns = {
            ref.rstrip("0123456789") for key in keys if (ref := layout.find(key, layout.first_row))
        }
        rows = {
            split_ref(ref)[1]
            for ref in (*(ref for ref, _ in layout.header_checks()), *layout.info_cells().values())
        }
        if layout.funds is not None:
            columns |= set(layout.funds.letters.values())
        self.cells = package.cells(SCORING_SHEET, columns, rows)
        # each cell's value as the reader takes it (text stripped, blank text as empty), once
        self.values = {
            ref: (value.strip() or None) if isinstance(value, str) else value
            for ref, (value, _) in self.cells.items()
        }
        # the cells read on each row, once the rows are known (see _inputs_by_row)
        self.inputs: dict[int, dict[str, str]] = {}

    def where(self, ref: str, code: str | None = None) -> Location:
        return Location(file=self.package.label, sheet=SCORING_SHEET, cell=ref, code=code)

    def raw(self, key: str, row: int) -> Any:
        ref = self.inputs[row].get(key)  # a row is read only once its cells are listed
        return self.values.get(ref) if ref is not None else None

    def number(self, key: str, row: int, code: str | None, what: str) -> Decimal | None:
        value = self.raw(key, row)
        if value is None:
            return None
        try:
            return to_decimal(value)
        except NumberParseError as exc:
            raise WorkbookError(
                f"{what}{exc}", self.where(self.layout.cell(key, row), code)
            ) from None


def fmt_raw(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _check_headers(sheet: _Sheet) -> None:
    for ref, header in sheet.layout.header_checks():
        found = sheet.cells.get(ref)
        text = found.value if found is not None else None
        if text != header:
            raise WorkbookError(
                f"评分表表头被修改：应为“{header}”，实际为“{'' if text is None else text}”（请勿插入或删除列）",
                sheet.where(ref),
            )


def _column(cells: Mapping[str, Cell], letters: str) -> Iterable[tuple[str, Cell]]:
    in_column = getattr(cells, "in_column", None)
    if in_column is not None:
        return in_column(letters)
    return ((ref, cell) for ref, cell in cells.items() if ref.rstrip("0123456789") == letters)


def _scan_rows(sheet: _Sheet, rubric: Rubric) -> SheetRows:
    layout = sheet.layout
    code_col = layout.col("code")
    leaf_codes = {leaf.code for leaf in rubric.leaves()}
    adjustment_codes = {item.code for _, item in rubric.adjustment_items()}
    leaves: dict[str, int] = {}
    adjustments: dict[str, int] = {}
    marks: dict[str, int] = {}
    for ref, cell in _column(sheet.cells, code_col):
        letters, row = split_ref(ref)
        if letters != code_col or row < layout.scan_from or cell.value is None:
            continue
        code = fmt_raw(cell.value).strip()
        if code == CODE_HEADER:
            continue
        if code in leaf_codes:
            target = leaves
        elif code in adjustment_codes:
            target = adjustments
        elif code in (SUBTOTAL_MARK, TOTAL_MARK, GRADE_MARK):
            target = marks
        else:
            raise WorkbookError(f"指标编码“{code}”不在本表的指标体系中", sheet.where(ref))
        if code in target:
            raise WorkbookError(
                f"指标编码“{code}”重复出现（另见第{target[code]}行）", sheet.where(ref)
            )
        target[code] = row
    missing = [leaf.code for leaf in rubric.leaves() if leaf.code not in leaves]
    if missing:
        raise WorkbookError(
            f"评分表缺少指标 {'、'.join(missing)} 所在的行（{layout.col('code')}列应有指标编码）",
            sheet.where(f"{code_col}{layout.first_row}"),
        )
    for mark in (SUBTOTAL_MARK, TOTAL_MARK, GRADE_MARK):
        if mark not in marks:
            raise WorkbookError(
                f"评分表缺少“{mark.lstrip('#')}”行", sheet.where(f"{code_col}{layout.first_row}")
            )
    return SheetRows(
        leaves, adjustments, marks[SUBTOTAL_MARK], marks[TOTAL_MARK], marks[GRADE_MARK]
    )


def _line(sheet: _Sheet, rubric: Rubric, code: str, row: int) -> LineEvidence | None:
    node = rubric.find(code)
    assert node is not None and node.method is not None
    layout = sheet.layout
    raw: dict[str, Any] = {}
    inputs, values = sheet.inputs[row], sheet.values  # sheet.raw, inlined: a line reads ~14
    for key in cell_keys(node):
        ref = inputs.get(key)
        if ref is not None and (value := values.get(ref)) is not None:
            raw[key] = value
    if layout.amounts_only(row) and ("value" in raw) != ("denominator" in raw):
        # One amount of a pair is no measure: the line stays 缺少佐证 (see _unpaired_amount).
        raw.pop("value", None)
        raw.pop("denominator", None)
    declared = sheet.cells.get(layout.cell("score", row))
    if declared is not None and isinstance(declared.value, Decimal):
        raw["score"] = declared.value
    try:
        return decode(node, raw)
    except EvidenceInputError as exc:
        ref = sheet.layout.find(exc.key, row) or sheet.layout.cell("value", row)
        raise WorkbookError(exc.message, sheet.where(ref, code)) from None


_INPUTS: dict[tuple[int, Any], tuple[Rubric, dict[int, dict[str, str]]]] = {}


def _inputs_by_row(
    rubric: Rubric, layout: ScoringLayout, rows: SheetRows
) -> dict[int, dict[str, str]]:
    """The cells read on each row: a line's input cells (exactly those the template makes
    inputs), a bonus or penalty row's points, and the 评分过程 where the layout has it.

    Computed once per rubric and row arrangement (a batch's workbooks share both); the
    mapping returned is shared, not to be changed."""
    key = (id(rubric), (tuple(rows.leaves.items()), tuple(rows.adjustments.items())))
    cached = _INPUTS.get(key)
    if cached is not None and cached[0] is rubric:
        return cached[1]
    inputs: dict[int, dict[str, str]] = {}
    for code, row in rows.leaves.items():
        node = rubric.find(code)
        assert node is not None
        inputs[row] = line_inputs(layout, node, row)
    for row in rows.adjustments.values():
        inputs[row] = layout.adjustment_inputs(row)
    for row, cells in inputs.items():
        narrative = layout.find("narrative", row)
        if narrative is not None:
            cells["narrative"] = narrative
    if len(_INPUTS) > 64:
        _INPUTS.clear()
    _INPUTS[key] = (rubric, inputs)
    return inputs


def _unpaired_amount(sheet: _Sheet, row: int) -> str | None:
    """On a row whose value is an amount that needs its partner (the form's 全年执行数(B) and
    全年预算数(A)), one amount without the other is not a measure: name the blank cell. The
    line is then scored as 缺少佐证, never from the one amount or another cell."""
    layout = sheet.layout
    if not layout.amounts_only(row):
        return None
    given = {key: sheet.raw(key, row) is not None for key in ("value", "denominator")}
    if given["value"] == given["denominator"]:
        return None
    blank, filled = ("denominator", "value") if given["value"] else ("value", "denominator")
    needed = layout.header_of(blank, row)
    return (
        f"缺少{needed}（{layout.cell(blank, row)}）：已填写{layout.header_of(filled, row)}，"
        f"须同时填写{needed}才能计分"
    )


def read_workbook(path: Path, data: bytes | None = None) -> WorkbookData:
    """Read the rubric, layout, rows and evidence of an xladdin workbook file."""
    package = XlsxPackage(path, data)
    book = read_book(package)
    return WorkbookData(
        book.source,
        book.rubric,
        book.evidence,
        book.layout,
        book.rows,
        path,
        package,
        gaps=book.gaps,
    )


def read_book(package: CellSource) -> BookData:
    """Read the rubric, layout, rows and evidence from any cell source."""
    rubric = read_rubric(package)
    layout = layout_for(rubric)
    if not package.has_sheet(SCORING_SHEET):
        raise WorkbookError("缺少“评分表”工作表", Location(file=package.label, sheet=SCORING_SHEET))
    sheet = _Sheet(package, layout)
    _check_headers(sheet)
    rows = _scan_rows(sheet, rubric)
    sheet.inputs = _inputs_by_row(rubric, layout, rows)
    lines: dict[str, LineEvidence] = {}
    gaps: dict[str, str] = {}
    for code, row in rows.leaves.items():
        line = _line(sheet, rubric, code, row)
        if line is not None:
            lines[code] = line
        gap = _unpaired_amount(sheet, row)
        if gap is not None:
            gaps[code] = gap
    for code, row in rows.adjustments.items():
        points = sheet.number("value", row, code, "加减分分值")
        narrative = sheet.raw("narrative", row)
        if points is not None or narrative is not None:
            if points is not None and points < 0:
                raise WorkbookError(
                    "加减分分值不能为负数", sheet.where(layout.cell("value", row), code)
                )
            lines[code] = LineEvidence(
                points=points, narrative=fmt_raw(narrative) if narrative else None
            )
    info: dict[str, str | None] = {}
    for key, ref in layout.info_cells().items():
        cell = sheet.cells.get(ref)
        text = fmt_raw(cell.value).strip() if cell is not None and cell.value is not None else ""
        info[key] = text or None
    evidence = Evidence(rubric=rubric.id, lines=lines, **info)
    return BookData(package, rubric, evidence, layout, rows, gaps=gaps)
