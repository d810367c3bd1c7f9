"""Read an xladdin workbook: its embedded rubric and the evidence typed into the 评分表.

Every problem names the file, the sheet and the cell, in Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from ..core.errors import Location, RubricError, WorkbookError
from ..core.evidence import Decision, Deduction, Evidence, LineEvidence
from ..core.numbers import NumberParseError, to_decimal
from ..core.rubric import NATIONAL_JUDGEMENT_BANDS, ChecklistMethod, Rubric, ThresholdMethod
from ..core.validation import rubric_from_data
from .cellref import split_ref
from .layout import (
    CODE_HEADER,
    FUNDS_KEYS,
    GRADE_MARK,
    NO_WORDS,
    RUBRIC_FORMAT,
    RUBRIC_MARKER,
    RUBRIC_SHEET,
    SCORING_SHEET,
    SUBTOTAL_MARK,
    TOTAL_MARK,
    YES_WORDS,
    FormLayout,
    ScoringLayout,
    SheetRows,
    layout_for,
)
from .package import Cell, XlsxPackage


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
    """A workbook as xladdin understands it: its rubric, layout, rows and evidence."""

    source: CellSource
    rubric: Rubric
    evidence: Evidence
    layout: ScoringLayout
    rows: SheetRows


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
    where = Location(file=package.label, sheet=RUBRIC_SHEET)
    if not package.has_sheet(RUBRIC_SHEET):
        raise WorkbookError(
            "找不到隐藏的“指标体系”工作表：这不是由 xladdin 生成的评分表（可用 xladdin template 生成）",
            where,
        )
    cells = package.cells(RUBRIC_SHEET, ["A", "B"])
    marker = cells.get("A1")
    if marker is None or marker.value != RUBRIC_MARKER:
        raise WorkbookError(
            "“指标体系”工作表已被修改：A1 应为 xladdin-rubric",
            Location(file=package.label, sheet=RUBRIC_SHEET, cell="A1"),
        )
    version = cells.get("B1")
    if version is None or version.value != Decimal(RUBRIC_FORMAT):
        raise WorkbookError(
            f"“指标体系”工作表的格式版本不受支持（应为 {RUBRIC_FORMAT}）",
            Location(file=package.label, sheet=RUBRIC_SHEET, cell="B1"),
        )
    chunks: list[str] = []
    row = 2
    while f"A{row}" in cells:
        value = cells[f"A{row}"].value
        chunks.append(value if isinstance(value, str) else str(value))
        row += 1
    text = "".join(chunks)
    if not text:
        raise WorkbookError(
            "“指标体系”工作表中没有指标体系内容",
            Location(file=package.label, sheet=RUBRIC_SHEET, cell="A2"),
        )
    try:
        return _rubric_from_json(text)
    except json.JSONDecodeError as exc:
        raise WorkbookError(
            f"“指标体系”工作表的内容已损坏，无法解析（第{exc.pos + 1}个字符附近）：请勿手工修改此表",
            Location(file=package.label, sheet=RUBRIC_SHEET, cell="A2"),
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
        if isinstance(layout, FormLayout):
            columns |= set(FUNDS_KEYS.values())
        self.cells = package.cells(SCORING_SHEET, columns, rows)
        # each cell's value as the reader takes it (text stripped, blank text as empty), once
        self.values = {
            ref: (value.strip() or None) if isinstance(value, str) else value
            for ref, (value, _) in self.cells.items()
        }

    def where(self, ref: str, code: str | None = None) -> Location:
        return Location(file=self.package.label, sheet=SCORING_SHEET, cell=ref, code=code)

    def raw(self, key: str, row: int) -> Any:
        ref = self.layout.find(key, row)
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

    def flag(self, key: str, row: int, code: str | None, what: str) -> bool | None:
        value = self.raw(key, row)
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        text = fmt_raw(value)
        if text in YES_WORDS:
            return True
        if text in NO_WORDS:
            return False
        raise WorkbookError(
            f"{what}应填 √ 或 ×（也可填 是/否、1/0），实际为“{text}”",
            self.where(self.layout.cell(key, row), code),
        )


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


_FIELD_KEYS = {
    "value": "value",
    "numerator": "value",
    "denominator": "denominator",
    "count": "count",
    "decision": "decision_reason",
    "score": "decision_score",
    "share": "decision_share",
    "deduct_share": "deduct_share",
    "deduct_points": "deduct_points",
    "band": "band",
    "reason": "decision_reason",
    "deductions": "deduct_share",
}


def _split_amounts(sheet: _Sheet, key: str, row: int, code: str) -> list[Decimal] | None:
    raw = sheet.raw(key, row)
    if raw is None:
        return None
    if isinstance(raw, str) and "+" in raw:
        parts = [p for p in raw.replace("＋", "+").split("+") if p.strip()]
        try:
            return [to_decimal(p) for p in parts]
        except NumberParseError as exc:
            raise WorkbookError(str(exc), sheet.where(sheet.layout.cell(key, row), code)) from None
    number = sheet.number(key, row, code, "")
    return None if number is None else [number]


def _line(sheet: _Sheet, rubric: Rubric, code: str, row: int) -> LineEvidence | None:
    layout = sheet.layout
    node = rubric.find(code)
    assert node is not None and node.method is not None
    method = node.method
    fields: dict[str, Any] = {}
    na = sheet.raw("not_applicable", row)
    if na is not None:
        if na not in ("是", "否"):
            raise WorkbookError(
                f"“不适用”一栏应填“是”或“否”，实际为“{fmt_raw(na)}”",
                sheet.where(layout.cell("not_applicable", row), code),
            )
        fields["not_applicable"] = na == "是"
    raw_value = sheet.raw("value", row)
    if (
        isinstance(method, ThresholdMethod)
        and isinstance(raw_value, str | bool)
        and (raw_value in YES_WORDS or raw_value in NO_WORDS or isinstance(raw_value, bool))
    ):
        fields["passed"] = raw_value is True or raw_value in YES_WORDS
    else:
        value = sheet.number("value", row, code, "实际值")
        denominator = sheet.number("denominator", row, code, "分母")
        if denominator is not None:
            if value is None:
                raise WorkbookError(
                    "填写了分母但没有填写分子（实际值）",
                    sheet.where(layout.cell("value", row), code),
                )
            fields["numerator"], fields["denominator"] = value, denominator
        elif value is not None:
            fields["value"] = value
    if isinstance(method, ChecklistMethod):
        flags = [
            sheet.flag(f"item{i}", row, code, f"要点{i}") for i in range(1, method.item_count + 1)
        ]
        if all(flag is not None for flag in flags):
            fields["met"] = flags
    count = sheet.number("count", row, code, "发现问题数")
    if count is not None:
        if count != count.to_integral_value() or count < 0:
            raise WorkbookError(
                f"发现问题数应为不小于0的整数，实际为“{fmt_raw(count)}”",
                sheet.where(layout.cell("count", row), code),
            )
        fields["count"] = int(count)
    decision = _decision(sheet, code, row)
    if decision is not None:
        fields["decision"] = decision
    elif fields.get("not_applicable") and sheet.raw("decision_reason", row):
        fields["na_reason"] = str(sheet.raw("decision_reason", row))
    deviation = sheet.raw("deviation_reason", row)
    if deviation is not None:
        fields["deviation_reason"] = fmt_raw(deviation)
    narrative = sheet.raw("narrative", row)
    if narrative is not None:
        fields["narrative"] = fmt_raw(narrative)
    declared = sheet.cells.get(layout.cell("score", row))
    if declared is not None and isinstance(declared.value, Decimal):
        fields["declared"] = declared.value
    if not fields:
        return None
    try:
        return LineEvidence.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        key = next(
            (_FIELD_KEYS[str(p)] for p in reversed(error["loc"]) if str(p) in _FIELD_KEYS), "value"
        )
        message = str((error.get("ctx") or {}).get("error", error["msg"]))
        raise WorkbookError(message, sheet.where(layout.cell(key, row), code)) from None


def _decision(sheet: _Sheet, code: str, row: int) -> Decision | None:
    layout = sheet.layout
    reason_raw = sheet.raw("decision_reason", row)
    reason = fmt_raw(reason_raw) if reason_raw is not None else ""
    score = sheet.number("decision_score", row, code, "认定得分")
    share = sheet.number("decision_share", row, code, "得分比例")
    band = sheet.raw("band", row)
    if band is not None and band not in NATIONAL_JUDGEMENT_BANDS:
        names = "、".join(NATIONAL_JUDGEMENT_BANDS)
        raise WorkbookError(
            f"评价档次应为：{names}，实际为“{fmt_raw(band)}”",
            sheet.where(layout.cell("band", row), code),
        )
    deduct_shares = _split_amounts(sheet, "deduct_share", row, code)
    deduct_points = _split_amounts(sheet, "deduct_points", row, code)
    given = [x is not None for x in (score, share, deduct_shares, deduct_points)]
    if not any(given):
        if band is not None:
            raise WorkbookError(
                "选择了评价档次，但没有填写得分比例",
                sheet.where(layout.cell("decision_share", row), code),
            )
        return None
    fields: dict[str, Any] = {"reason": reason, "band": band}
    if score is not None:
        fields["score"] = score
    if share is not None:
        fields["share"] = share
    for amounts, single, part in (
        (deduct_shares, "deduct_share", "share"),
        (deduct_points, "deduct_points", "points"),
    ):
        if amounts is None:
            continue
        if len(amounts) == 1:
            fields[single] = amounts[0]
        else:
            reasons = [r for r in reason.split("；") if r.strip()]
            if len(reasons) != len(amounts):
                reasons = [reason or "未说明"] * len(amounts)
            fields["deductions"] = [
                Deduction.model_validate({part: a, "reason": r})
                for a, r in zip(amounts, reasons, strict=True)
            ]
    try:
        return Decision.model_validate(fields)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str((error.get("ctx") or {}).get("error", error["msg"]))
        key = "decision_reason" if "理由" in message else "decision_score"
        raise WorkbookError(message, sheet.where(layout.cell(key, row), code)) from None


def read_workbook(path: Path, data: bytes | None = None) -> WorkbookData:
    """Read the rubric, layout, rows and evidence of an xladdin workbook file."""
    package = XlsxPackage(path, data)
    book = read_book(package)
    return WorkbookData(
        book.source, book.rubric, book.evidence, book.layout, book.rows, path, package
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
    lines: dict[str, LineEvidence] = {}
    for code, row in rows.leaves.items():
        line = _line(sheet, rubric, code, row)
        if line is not None:
            lines[code] = line
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
    return BookData(package, rubric, evidence, layout, rows)
