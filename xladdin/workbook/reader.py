"""Read an xladdin workbook: its embedded rubric and the evidence typed into the 评分表.

Every problem names the file, the sheet and the cell, in Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..core.codec import EvidenceInputError, cell_keys, decode
from ..core.codec import line_inputs as input_specs
from ..core.errors import Location, RubricError, WorkbookError
from ..core.evidence import Evidence, FundsSource, LineEvidence
from ..core.numbers import NumberParseError, to_decimal
from ..core.result import Finding
from ..core.rubric import Node, Rubric
from ..core.validation import rubric_from_data
from .cellref import split_ref
from .cellxml import Cell
from .layout import (
    CODE_HEADER,
    GRADE_MARK,
    LATER_HEADERS,
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
from .plan import live_score_formula
from .template import line_inputs

if TYPE_CHECKING:
    # The file package needs lxml; reading a live book (xlwings, xlwings Lite in the browser,
    # where lxml may be missing) does not, so it is imported only to read a file.
    from .package import XlsxPackage


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

    ``live_scores`` are the lines whose score cell holds ``=SCORE_LINE("<code>")`` (the
    macro-enabled workbook): recalculation keeps those formulas and updates what they show.

    ``notes`` are what the reader noticed in the table itself (a row no indicator owns), shown
    with the linter's findings.
    """

    source: CellSource
    rubric: Rubric
    evidence: Evidence
    layout: ScoringLayout
    rows: SheetRows
    gaps: dict[str, str] = field(default_factory=dict, kw_only=True)
    live_scores: frozenset[str] = field(default_factory=frozenset, kw_only=True)
    notes: list[Finding] = field(default_factory=list, kw_only=True)


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


class _Values(dict[str, Any]):
    """Cell values as the reader takes them (text stripped, blank text as empty), by reference:
    loaded in bulk as the reader lists its cells, and any other cell when first looked up."""

    def __init__(self, cells: Mapping[str, Cell]) -> None:
        super().__init__()
        self._cells = cells

    def __missing__(self, ref: str) -> Any:
        cell = self._cells.get(ref)
        value = self[ref] = _taken(None if cell is None else cell.value)
        return value

    def load(self, refs: Sequence[str]) -> None:
        load = getattr(self._cells, "load", None)
        if load is None:
            return  # a live book's cells are all read: each is looked up when asked for
        found = load(refs)
        self.update(dict.fromkeys(refs))  # empty, unless found below
        for ref, cell in compress(zip(refs, found, strict=True), found):
            self[ref] = _taken(cell.value)


def _taken(value: Any) -> Any:
    return (value.strip() or None) if isinstance(value, str) else value


def _columns_and_rows(layout: ScoringLayout) -> tuple[set[str], set[int]]:
    """The columns the reader uses, and the rows of the header and information cells."""
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
    return columns, rows


class _Sheet:
    """Cells of the 评分表 with located parsing helpers."""

    def __init__(self, package: CellSource, layout: ScoringLayout) -> None:
        self.package = package
        self.layout = layout
        view = getattr(package, "cell_view", None)
        cells = view(SCORING_SHEET) if view is not None else None
        self.cells: Mapping[str, Cell]
        if isinstance(cells, dict):
            # a worksheet only the XML tree reads: read whole
            self.cells = cells
            self.values = _Values(cells)
        elif cells is not None:
            # a file: its cells are read as the reader lists them (the header and information
            # cells and the code column first, each row's inputs once the rows are known)
            code, last = layout.col("code"), cells.last_row()
            self.cells = cells
            self.values = _Values(cells)
            self.values.load(
                [
                    *(ref for ref, _ in layout.header_checks()),
                    *layout.info_cells().values(),
                    *(f"{code}{row}" for row in range(1, last + 1)),
                ]
            )
        else:
            # a live book: the columns the reader uses, and the header and information rows
            self.cells = package.cells(SCORING_SHEET, *_columns_and_rows(layout))
            self.values = _Values(self.cells)
        # formulas saved without their result are unknown values, never read as 0 or blank (a
        # book open in Excel always has its formulas' results; an empty one reads as blank)
        formulas = getattr(self.cells, "formulas", None)
        self.formulas: frozenset[str] = (
            frozenset()
            if not getattr(package, "formulas_may_lack_results", False)
            else formulas()
            if formulas is not None
            else frozenset(ref for ref, cell in self.cells.items() if cell.formula is not None)
        )
        # the cells read on each row, once the rows are known (see read_rows)
        self.inputs: dict[int, dict[str, str]] = {}
        self.formula_inputs: frozenset[str] = self.formulas
        # the input cells the sheet's own formulas read (see _formula_inputs), once
        self.read_by = _formula_inputs(layout)

    def read_rows(self, inputs: dict[int, dict[str, str]], cells: Sequence[str]) -> None:
        """Take the cells read on each row (:func:`_inputs_by_row`) and read them, with
        ``cells`` (every one of them, listed once)."""
        self.inputs = inputs
        self.values.load(cells)
        # the input cells holding a formula (usually none: a row's inputs are skipped at once)
        self.formula_inputs = self.formulas.intersection(cells)

    def uncomputed(self, ref: str) -> bool:
        """Whether ``ref`` holds a formula saved without its result."""
        if ref not in self.formulas:
            return False
        cell = self.cells.get(ref)
        return cell is not None and cell.uncomputed

    def where(self, ref: str, code: str | None = None) -> Location:
        return Location(file=self.package.label, sheet=SCORING_SHEET, cell=ref, code=code)

    def raw(self, key: str, row: int) -> Any:
        ref = self.inputs[row].get(key)  # a row is read only once its cells are listed
        return self.values[ref] if ref is not None else None

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
        if text is None and header in LATER_HEADERS:
            continue  # a workbook made before the column was added
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
    order = [leaf.code for leaf in rubric.leaves()]
    missing = [code for code in order if code not in leaves]
    if missing:
        places = [_expected_place(order, leaves, code, code_col) for code in missing]
        raise WorkbookError(
            f"评分表缺少指标 {'、'.join(missing)} 所在的行（{code_col}列应有指标编码）："
            f"{'；'.join(text for text, _ in places)}。请勿删除指标所在的行，可撤销删除或重新生成评分表",
            sheet.where(places[0][1] or f"{code_col}{layout.first_row}", missing[0]),
        )
    for mark in (SUBTOTAL_MARK, TOTAL_MARK, GRADE_MARK):
        if mark not in marks:
            raise WorkbookError(
                f"评分表缺少“{mark.lstrip('#')}”行", sheet.where(f"{code_col}{layout.first_row}")
            )
    return SheetRows(
        leaves, adjustments, marks[SUBTOTAL_MARK], marks[TOTAL_MARK], marks[GRADE_MARK]
    )


def _expected_place(
    order: list[str], found: dict[str, int], code: str, code_col: str
) -> tuple[str, str | None]:
    """Where the row of ``code`` was expected, from its neighbours in the rubric that are
    still in the table: a sentence, and the cell just below the previous one (or the next
    one's cell) to point at."""
    at = order.index(code)
    before = next((c for c in reversed(order[:at]) if c in found), None)
    after = next((c for c in order[at + 1 :] if c in found), None)
    if before is not None and after is not None:
        where = f"{code} 应在 {before}（第{found[before]}行）与 {after}（第{found[after]}行）之间"
        return where, f"{code_col}{found[before] + 1}"
    if before is not None:
        return f"{code} 应在 {before}（第{found[before]}行）之后", f"{code_col}{found[before] + 1}"
    if after is not None:
        return f"{code} 应在 {after}（第{found[after]}行）之前", f"{code_col}{found[after]}"
    return f"表中没有任何指标行，{code} 也不在其中", None


def _rows_no_indicator_owns(sheet: _Sheet, rows: SheetRows) -> list[Finding]:
    """Rows inside the scoring table without an indicator code but with something typed in
    them (a row inserted in Excel or WPS): not read, so each one is a warning naming the row
    and what it holds. Empty inserted rows change nothing and pass quietly."""
    layout = sheet.layout
    owned = {*rows.leaves.values(), *rows.adjustments.values()}
    owned |= {rows.subtotal, rows.total, rows.grade}
    loose = [row for row in range(layout.first_row, rows.grade + 1) if row not in owned]
    if not loose:
        return []
    held: dict[int, list[str]] = {}
    for ref, cell in sheet.package.cells(SCORING_SHEET, (), loose).items():
        if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
            continue
        held.setdefault(split_ref(ref)[1], []).append(fmt_raw(cell.value).strip())
    code_col = layout.col("code")
    notes = []
    for row in sorted(held):
        text = "、".join(held[row])
        if len(text) > 40:
            text = text[:40] + "…"
        notes.append(
            Finding(
                severity="warning",
                check="row-without-indicator",
                message=(
                    f"评分表第{row}行不属于任何指标（{code_col}{row} 没有指标编码），其中填写的"
                    f"“{text}”不参与计分：新增指标须修改指标体系后重新生成评分表，否则请删除该行"
                ),
            )
        )
    return notes


def _line(sheet: _Sheet, rubric: Rubric, code: str, row: int) -> LineEvidence | None:
    node = rubric.find(code)
    assert node is not None and node.method is not None
    layout = sheet.layout
    raw: dict[str, Any] = {}
    inputs, values = sheet.inputs[row], sheet.values  # sheet.raw, inlined: a line reads ~14
    for key in cell_keys(node):
        ref = inputs.get(key)
        if ref is not None and (value := values[ref]) is not None:
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


_INPUTS: dict[tuple[int, Any], tuple[Rubric, dict[int, dict[str, str]], tuple[str, ...]]] = {}


def _inputs_by_row(
    rubric: Rubric, layout: ScoringLayout, rows: SheetRows
) -> tuple[dict[int, dict[str, str]], tuple[str, ...]]:
    """The cells read on each row: a line's input cells (exactly those the template makes
    inputs), a bonus or penalty row's points, and the 评分过程 where the layout has it; and
    every cell the reader reads once the rows are known, listed once (those, each line's
    score cell, the funds block's source rows).

    Computed once per rubric and row arrangement (a batch's workbooks share both); what is
    returned is shared, not to be changed."""
    key = (id(rubric), (tuple(rows.leaves.items()), tuple(rows.adjustments.items())))
    cached = _INPUTS.get(key)
    if cached is not None and cached[0] is rubric:
        return cached[1], cached[2]
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
    read = [ref for cells in inputs.values() for ref in cells.values()]
    read += [layout.cell("score", row) for row in rows.leaves.values()]
    funds = layout.funds
    if funds is not None:
        read += [
            f"{funds.letters[key]}{row}" for row in funds.rows for key in ("denominator", "value")
        ]
    if len(_INPUTS) > 64:
        _INPUTS.clear()
    listed = tuple(dict.fromkeys(read))
    _INPUTS[key] = (rubric, inputs, listed)
    return inputs, listed


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


def _read_funds_sources(sheet: _Sheet, lines: dict[str, LineEvidence]) -> None:
    """The funds block's source rows (当年财政拨款, 上年结转资金, 其他资金), as the review
    reconciles them with 年度资金总额; a cell that is not a number is left out."""
    funds, code = sheet.layout.funds, sheet.layout.funds_code
    if funds is None or code not in lines:
        return

    def amount(key: str, row: int) -> Decimal | None:
        value = sheet.values[f"{funds.letters[key]}{row}"]
        try:
            return None if value is None else to_decimal(value)
        except NumberParseError:
            return None

    sources = [
        FundsSource(label=label, budget=amount("denominator", row), spent=amount("value", row))
        for row, label in zip(funds.rows[1:], funds.labels[1:], strict=True)
    ]
    if any(s.budget is not None or s.spent is not None for s in sources):
        lines[code] = lines[code].model_copy(update={"sources": sources})


UNCOMPUTED = (
    "{ref} 中的公式（={formula}）没有保存计算结果，无法读取其数值："
    "请在 Excel 或 WPS 中打开该文件并保存后再计算"
)


def _uncomputed(sheet: _Sheet, row: int) -> str | None:
    """On a row, the first input cell holding a formula saved without its result, named in
    the message that makes the line 缺少佐证 (the whole line waits: scoring it from its other
    cells could show a score as final that the missing value would change)."""
    if not sheet.formula_inputs:
        return None
    for ref in sheet.inputs[row].values():
        if sheet.uncomputed(ref):
            return UNCOMPUTED.format(ref=ref, formula=sheet.cells[ref].formula)
    return None


TEXT_NUMBER = (
    "{ref} 中的“{text}”是以文本保存的数字：表中的{formula}公式把文本当作空白，xladdin 也不据此"
    "计分。请把该单元格设为数值格式后重新输入数字（或选中该单元格，用“转换为数字”）"
)


def _formula_inputs(layout: ScoringLayout) -> dict[str, str]:
    """The input cells the sheet's own formulas read, with what they compute: the form's
    执行率(B/A) reads 全年执行数(B) and 全年预算数(A)."""
    funds = layout.funds
    if funds is None or not layout.funds_code:
        return {}
    rate = next(c.header for c in funds.columns if c.key == "exec_rate")
    return {funds.cell("value"): rate, funds.cell("denominator"): rate}


def _text_number(sheet: _Sheet, row: int) -> str | None:
    """An input cell on ``row`` that a formula of the sheet reads and that holds a number saved
    as text ("1,234.5", "９３.２５％"): Excel and LibreOffice read such text as blank in the
    form's formulas (N() gives 0, ISNUMBER() FALSE), so the line is not scored from it either,
    and the message says how to enter it as a number."""
    read_by = sheet.read_by
    if not read_by:
        return None
    for ref in sheet.inputs[row].values():
        if ref not in read_by:
            continue
        value = sheet.values[ref]
        if isinstance(value, str):
            try:
                to_decimal(value)
            except NumberParseError:
                continue  # not a number at all: the codec names the cell
            return TEXT_NUMBER.format(ref=ref, text=value, formula=read_by[ref])
    return None


_NUMBER_KEYS: dict[int, tuple[Node, tuple[str, ...]]] = {}


def _number_keys(node: Node) -> tuple[str, ...]:
    """The keys of a line's number and count inputs, in input order; once per leaf object."""
    cached = _NUMBER_KEYS.get(id(node))
    if cached is not None and cached[0] is node:
        return cached[1]
    if len(_NUMBER_KEYS) > 4096:
        _NUMBER_KEYS.clear()
    keys = tuple(k for k, spec in input_specs(node).items() if spec.kind in ("number", "count"))
    _NUMBER_KEYS[id(node)] = (node, keys)
    return keys


def _text_numbers_read(sheet: _Sheet, rubric: Rubric, code: str, row: int) -> list[Finding]:
    """Numbers saved as text in a line's number cells that no formula of the sheet reads: the
    line is scored from them (the text is unambiguous), with a warning that the officer's own
    formulas (a SUM, a pivot table) see the text as blank."""
    node = rubric.find(code)
    assert node is not None
    notes = []
    for key in _number_keys(node):
        ref = sheet.inputs[row].get(key)
        value = sheet.values[ref] if ref is not None else None
        if not isinstance(value, str):
            continue
        try:
            to_decimal(value)
        except NumberParseError:
            continue  # not a number: the codec names the cell
        notes.append(
            Finding(
                severity="warning",
                check="number-saved-as-text",
                code=code,
                message=(
                    f"{ref} 中的“{value}”是以文本保存的数字，已按其数值计分；表格中的公式（如"
                    "合计、您自己的汇总）会把文本当作空白，建议把该单元格设为数值格式后重新输入"
                ),
            )
        )
    return notes


def read_workbook(path: Path, data: bytes | None = None) -> WorkbookData:
    """Read the rubric, layout, rows and evidence of an xladdin workbook file."""
    from .package import XlsxPackage

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
        live_scores=book.live_scores,
        notes=book.notes,
    )


def _adjustments(sheet: _Sheet, rows: SheetRows) -> dict[str, LineEvidence]:
    """The bonus and penalty rows' points and narratives."""
    layout = sheet.layout
    found: dict[str, LineEvidence] = {}
    for code, row in rows.adjustments.items():
        pending = _uncomputed(sheet, row)
        if pending is not None:
            raise WorkbookError(pending, sheet.where(layout.cell("value", row), code))
        points = sheet.number("value", row, code, "加减分分值")
        narrative = sheet.raw("narrative", row)
        if points is not None or narrative is not None:
            if points is not None and points < 0:
                raise WorkbookError(
                    "加减分分值不能为负数", sheet.where(layout.cell("value", row), code)
                )
            found[code] = LineEvidence(
                points=points, narrative=fmt_raw(narrative) if narrative else None
            )
    return found


def _info(sheet: _Sheet) -> dict[str, str | None]:
    """The header fields (评价单位, 项目名称, 评价人), None where blank."""
    info: dict[str, str | None] = {}
    for key, ref in sheet.layout.info_cells().items():
        cell = sheet.cells.get(ref)
        text = fmt_raw(cell.value).strip() if cell is not None and cell.value is not None else ""
        info[key] = text or None
    return info


def read_book(package: CellSource) -> BookData:
    """Read the rubric, layout, rows and evidence from any cell source."""
    rubric = read_rubric(package)
    layout = layout_for(rubric)
    if not package.has_sheet(SCORING_SHEET):
        raise WorkbookError("缺少“评分表”工作表", Location(file=package.label, sheet=SCORING_SHEET))
    sheet = _Sheet(package, layout)
    _check_headers(sheet)
    rows = _scan_rows(sheet, rubric)
    sheet.read_rows(*_inputs_by_row(rubric, layout, rows))
    lines: dict[str, LineEvidence] = {}
    gaps: dict[str, str] = {}
    live: set[str] = set()
    notes = _rows_no_indicator_owns(sheet, rows)
    for code, row in rows.leaves.items():
        score_cell = sheet.cells.get(layout.cell("score", row))
        formula = score_cell.formula if score_cell is not None else None
        if formula is not None and formula.lstrip("=").replace(" ", "") == live_score_formula(code):
            live.add(code)
        pending = _uncomputed(sheet, row) or _text_number(sheet, row)
        if pending is not None:
            gaps[code] = pending
            continue
        line = _line(sheet, rubric, code, row)
        if line is not None:
            lines[code] = line
            notes.extend(_text_numbers_read(sheet, rubric, code, row))
        gap = _unpaired_amount(sheet, row)
        if gap is not None:
            gaps[code] = gap
    _read_funds_sources(sheet, lines)
    lines.update(_adjustments(sheet, rows))
    info = _info(sheet)
    evidence = Evidence(rubric=rubric.id, lines=lines, **info)
    return BookData(
        package,
        rubric,
        evidence,
        layout,
        rows,
        gaps=gaps,
        live_scores=frozenset(live),
        notes=notes,
    )
