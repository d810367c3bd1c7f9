"""``xladdin audit``: review workbooks and show the review as a terminal table, JSON or .xlsx.

The review itself is :mod:`xladdin.core.audit`; this module reads the workbooks, never writes
them, and lays the review out for a finance bureau (自评得分, 复核得分 and 差异说明 side by side).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.audit import Audit, AuditLine, ConventionDifference, audit, compare_conventions
from ..core.errors import Location, WorkbookError, XladdinError
from ..core.export import finding_dict, number
from ..core.numbers import fmt_number
from ..files import OutputError, same_file, write_file, zip_member
from ..termtable import display_width, render
from .tasks import Outcome

if TYPE_CHECKING:
    from ..core.result import Finding
    from ..workbook.reader import BookData

EXIT_CLEAN = 0
EXIT_DIFFERENCES = 1
EXIT_ERROR = 2

FONT = "宋体"
FILL_DIFFERS = "#FFC7CE"  # the light red Excel uses for "bad" cells
FILL_HEADER = "#D9D9D9"
SUMMARY_SHEET = "汇总"
HEADERS = ("指标编码", "指标名称", "权重", "自评得分", "复核得分", "差异", "差异说明")
WIDTHS = (9, 30, 7, 9, 9, 8, 70)
LINE_HEIGHT = 13.5  # points per wrapped line of 10-point text
# A custom document property marks the review workbook, so that a later run may replace it.
MARK_NAME = "xladdin"
MARK_VALUE = "audit --xlsx"


@dataclass
class AuditOutcome:
    """One file given to ``audit``: its review, or why it could not be reviewed; ``cells``
    names the cell of each finding's indicator and field (``评分表!I13``)."""

    source: Path
    audit: Audit | None
    error: str | None
    cells: dict[tuple[str, str | None], str] = field(default_factory=dict)

    def cell(self, finding: Finding) -> str | None:
        return self.cells.get((finding.code or "", finding.field))


# A finding's evidence field → the layout's column key, where the two names differ.
_FIELD_COLUMNS = {"declared": "score", "decision": "decision_reason"}


def finding_cells(book: BookData, findings: Sequence[Finding]) -> dict[tuple[str, str | None], str]:
    """The cell each finding points at: its field's cell on its indicator's row, else the row's
    code cell; findings of no row (the whole table) are left out."""
    from ..workbook.layout import SCORING_SHEET

    cells: dict[tuple[str, str | None], str] = {}
    for finding in findings:
        row = book.rows.leaves.get(finding.code or "")
        if row is None:
            continue
        key = _FIELD_COLUMNS.get(finding.field or "", finding.field or "code")
        ref = book.layout.find(key, row) or book.layout.find("code", row)
        if ref is not None:
            cells[(finding.code or "", finding.field)] = f"{SCORING_SHEET}!{ref}"
    return cells


def audit_file(source: Path) -> AuditOutcome:
    """Review one workbook; a domain error becomes the outcome's error, never an exception."""
    from ..workbook.reader import read_workbook

    try:
        book = read_workbook(source)
        one = audit(book.rubric, book.evidence, source.name)
        return AuditOutcome(source, one, None, finding_cells(book, one.all_findings))
    except XladdinError as exc:
        return AuditOutcome(source, None, str(exc.in_file(str(source))))


def _difference_text(line: AuditLine) -> str:
    difference = line.difference
    if difference is None or difference == 0:
        return ""
    return ("+" if difference > 0 else "") + fmt_number(difference)


def _figure(value: Any) -> str:
    return "" if value is None else fmt_number(value)


# -- JSON ---------------------------------------------------------------------------------


def _located(finding: Finding, outcome: AuditOutcome | None) -> dict[str, Any]:
    data = finding_dict(finding)
    cell = outcome.cell(finding) if outcome is not None else None
    if cell is not None:
        data["cell"] = cell
    return data


def line_dict(line: AuditLine, outcome: AuditOutcome | None = None) -> dict[str, Any]:
    return {
        "code": line.code,
        "name": line.name,
        "weight": number(line.weight),
        "status": line.status,
        "declared": number(line.declared),
        "review": number(line.review),
        "computed": number(line.computed),
        "difference": number(line.difference),
        "differs": line.differs,
        "explanation": line.explanation(),
        "review_reason": line.review_reason,
        "findings": [_located(f, outcome) for f in line.findings],
        "notes": [_located(f, outcome) for f in line.notes],
    }


def audit_dict(outcome: AuditOutcome) -> dict[str, Any]:
    one = outcome.audit
    assert one is not None
    return {
        "workbook": str(outcome.source),
        "rubric": one.rubric_id,
        "title": one.title,
        "unit": one.unit,
        "project": one.project,
        "differences": one.difference_count,
        "risk": {"score": one.risk.score, "reasons": one.risk.reasons},
        "declared_sum": number(one.declared_sum),
        "review_sum": number(one.review_sum),
        "lines": [line_dict(line, outcome) for line in one.lines],
        "findings": [finding_dict(f) for f in one.findings],
        "notes": [finding_dict(f) for f in one.notes],
    }


def convention_dict(difference: ConventionDifference) -> dict[str, Any]:
    return {
        "kind": difference.kind,
        "message": difference.message,
        "uses": [
            {
                "workbook": use.workbook,
                "code": use.code,
                "name": use.name,
                "value": number(use.value),
                "figure": number(use.figure),
                "matches": use.matches,
                "alternatives": {name: number(p) for name, p in use.alternatives.items()},
            }
            for use in difference.uses
        ],
    }


def review_dict(
    outcomes: Sequence[AuditOutcome], conventions: Sequence[ConventionDifference]
) -> dict[str, Any]:
    """The ``audit --json`` shape: one entry per reviewed workbook (with its ``risk`` and its
    ``rank`` in the 复核重点 order), the cross check, the errors."""
    good = [o for o in outcomes if o.audit is not None]
    # each workbook's place in the 复核重点 order (1 = review first)
    ranks = {id(o): rank for rank, (o, _) in enumerate(ranking(outcomes), start=1)}
    return {
        "differences": total_differences(outcomes, conventions),
        "workbooks": [dict(audit_dict(o), rank=ranks[id(o)]) for o in good],
        "conventions": [convention_dict(d) for d in conventions],
        "errors": [
            {"workbook": str(o.source), "message": o.error} for o in outcomes if o.error is not None
        ],
    }


def total_differences(
    outcomes: Sequence[AuditOutcome], conventions: Sequence[ConventionDifference]
) -> int:
    return sum(o.audit.difference_count for o in outcomes if o.audit is not None) + len(conventions)


def ranking(outcomes: Sequence[AuditOutcome]) -> list[tuple[AuditOutcome, Audit]]:
    """The reviewed workbooks, highest risk first (then by file name): the 复核重点 order."""
    reviewed = [(o, o.audit) for o in outcomes if o.audit is not None]
    return sorted(reviewed, key=lambda pair: (-pair[1].risk.score, str(pair[0].source)))


def summary_outcomes(outcomes: Sequence[AuditOutcome]) -> list[Outcome]:
    """The reviews as batch outcomes, for the summary workbook (``audit --summary``)."""
    from ..core.export import result_dict

    found: list[Outcome] = []
    for o in outcomes:
        if o.audit is None:
            found.append(Outcome(o.source, None, None, o.error))
            continue
        one = o.audit
        data = result_dict(one.result, str(o.source), one.all_findings)
        info = {"unit": one.unit, "project": one.project, "evaluator": None}
        found.append(Outcome(o.source, None, data, None, info))
    return found


# -- terminal -----------------------------------------------------------------------------


RANKING_SHOWN = 20  # workbooks listed under 复核重点 in the terminal


def ranking_text(outcomes: Sequence[AuditOutcome]) -> str:
    """复核重点: the workbooks to re-check first, with their risk score and reasons."""
    ranked = [pair for pair in ranking(outcomes) if pair[1].risk.score > 0]
    if len(outcomes) < 2 or not ranked:
        return ""
    rows = [
        (str(rank), str(o.source), str(one.risk.score), one.risk.text())
        for rank, (o, one) in enumerate(ranked[:RANKING_SHOWN], start=1)
    ]
    table = render(["排名", "工作簿", "风险分", "复核要点"], rows, numeric=(0, 2))
    more = (
        f"\n（另有{len(ranked) - RANKING_SHOWN}个，见 --json 或 --summary）"
        if len(ranked) > RANKING_SHOWN
        else ""
    )
    return f"复核重点（按风险分从高到低）：\n{table}{more}"


def _short(name: str) -> str:
    return name if len(name) <= 16 else name[:15] + "…"


def _note_line(note: Finding, outcome: AuditOutcome) -> str:
    cell = outcome.cell(note)
    where = f"{note.code}（{cell}）" if note.code and cell else note.code or ""
    return f"[提示] {where + ' ' if where else ''}{note.message}"


def review_text(
    outcomes: Sequence[AuditOutcome], conventions: Sequence[ConventionDifference]
) -> str:
    """The review as the terminal shows it: the differing lines of each workbook, then notes."""
    blocks: list[str] = []
    for outcome in outcomes:
        one = outcome.audit
        if one is None:
            continue
        notes = [n for line in one.lines for n in line.notes] + one.notes
        head = f"{outcome.source}（{one.title}）：{one.difference_count}项差异"
        if notes:
            head += f"，{len(notes)}条提示"
        parts = [head]
        if one.differing:
            parts.append(
                render(
                    ["指标", "名称", "权重", "自评得分", "复核得分", "差异", "差异说明"],
                    [
                        (
                            line.code,
                            _short(line.name),
                            fmt_number(line.weight),
                            _figure(line.declared),
                            _figure(line.review),
                            _difference_text(line),
                            "；".join(f.message for f in line.findings),
                        )
                        for line in one.differing
                    ],
                    numeric=(2, 3, 4, 5),
                )
            )
        parts += [f.line() for f in one.findings]
        parts += [_note_line(n, outcome) for n in notes]
        blocks.append("\n".join(parts))
    if conventions:
        blocks.append("跨评价比较：\n" + "\n".join(f"- {d.message}" for d in conventions))
    ranked = ranking_text(outcomes)
    if ranked:
        blocks.append(ranked)
    reviewed = sum(o.audit is not None for o in outcomes)
    count = total_differences(outcomes, conventions)
    blocks.append(
        f"共复核{reviewed}个工作簿，发现{count}项差异。"
        if count
        else f"共复核{reviewed}个工作簿，未发现差异。"
    )
    return "\n\n".join(blocks)


# -- xlsx ---------------------------------------------------------------------------------


def _sheet_names(outcomes: Sequence[AuditOutcome]) -> list[str]:
    names: list[str] = []
    taken = {SUMMARY_SHEET}
    for outcome in outcomes:
        base = "".join("_" if ch in "[]:*?/\\" else ch for ch in outcome.source.stem)[:28]
        base = base.strip("'") or "评分表"
        name, n = base[:31], 2
        while name in taken:
            name = f"{base[:27]}({n})"
            n += 1
        taken.add(name)
        names.append(name)
    return names


class _Formats:
    def __init__(self, book: Any) -> None:
        self.book = book
        self._cache: dict[tuple[tuple[str, Any], ...], Any] = {}

    def get(self, **extra: Any) -> Any:
        spec = {
            "font_name": FONT,
            "font_size": 10,
            "valign": "vcenter",
            "text_wrap": True,
            "border": 1,
            **extra,
        }
        key = tuple(sorted(spec.items()))
        if key not in self._cache:
            self._cache[key] = self.book.add_format(spec)
        return self._cache[key]


def _lines_needed(text: str, width: float) -> int:
    """Wrapped lines of ``text`` in a column ``width`` characters wide (CJK counts double).

    xlsxwriter cannot measure text, and Excel and LibreOffice keep a row's stored height, so
    rows with long explanations are given their height here.
    """
    return max(1, math.ceil(display_width(text) / max(1.0, width - 1)))


def _fit_row(sheet: Any, row: int, cells: Sequence[tuple[str, float]]) -> None:
    lines = max(_lines_needed(text, width) for text, width in cells)
    if lines > 1:
        sheet.set_row(row, LINE_HEIGHT * lines + 2)


def _page_setup(sheet: Any, header_row: int) -> None:
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(header_row)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer("&C第 &P 页，共 &N 页")
    sheet.freeze_panes(header_row + 1, 0)


def _write_review_sheet(
    sheet: Any, formats: _Formats, outcome: AuditOutcome, conventions: list[ConventionDifference]
) -> None:
    one = outcome.audit
    assert one is not None
    last = len(HEADERS) - 1
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    sheet.merge_range(
        0,
        0,
        0,
        last,
        f"{one.title}（复核）",
        formats.get(bold=True, font_size=14, align="center", border=0),
    )
    subject = "，".join(x for x in (one.unit, one.project) if x)
    sheet.merge_range(
        1,
        0,
        1,
        last,
        f"工作簿：{outcome.source.name}" + (f"    被评价单位/项目：{subject}" if subject else ""),
        formats.get(border=0),
    )
    header_row = 2
    header = formats.get(bold=True, align="center", bg_color=FILL_HEADER)
    for column, title in enumerate(HEADERS):
        sheet.write(header_row, column, title, header)

    def row_formats(fill: str | None) -> tuple[Any, Any, Any, Any]:
        extra: dict[str, Any] = {"bg_color": fill} if fill else {}
        return (
            formats.get(align="center", **extra),
            formats.get(align="left", **extra),
            formats.get(align="center", num_format="0.00", **extra),
            formats.get(align="center", num_format='+0.00;-0.00;""', **extra),
        )

    row = header_row
    for line in one.lines:
        row += 1
        center, left, score, diff = row_formats(FILL_DIFFERS if line.differs else None)
        sheet.write_string(row, 0, line.code, center)
        sheet.write_string(row, 1, line.name, left)
        sheet.write_number(row, 2, float(line.weight), center)
        for column, value in ((3, line.declared), (4, line.review)):
            if value is None:
                sheet.write_string(row, column, "", score)
            else:
                sheet.write_number(row, column, float(value), score)
        difference = line.difference
        if difference is None or difference == 0:
            sheet.write_blank(row, 5, None, diff)
        else:
            sheet.write_number(row, 5, float(difference), diff)
        sheet.write_string(row, 6, line.explanation(), left)
        _fit_row(sheet, row, [(line.name, WIDTHS[1]), (line.explanation(), WIDTHS[6])])
    row += 1
    total_center = formats.get(bold=True, align="center")
    total_score = formats.get(bold=True, align="center", num_format="0.00")
    sheet.write_string(row, 0, "", total_center)
    sheet.write_string(row, 1, "合计", total_center)
    sheet.write_number(row, 2, float(one.weight_sum), total_center)
    sheet.write_number(row, 3, float(one.declared_sum), total_score)
    sheet.write_number(row, 4, float(one.review_sum), total_score)
    gap = one.declared_sum - one.review_sum
    if gap:
        sheet.write_number(
            row, 5, float(gap), formats.get(bold=True, align="center", num_format="+0.00;-0.00")
        )
    else:
        sheet.write_blank(row, 5, None, total_center)
    sheet.write_string(row, 6, f"差异{len(one.differing)}项", formats.get(bold=True, align="left"))
    extra = [f"问题：{f.line()}" for f in one.findings]
    extra += [f"提示：{n.message}" for n in one.notes]
    extra += [f"跨评价比较：{d.message}" for d in conventions]
    plain = formats.get(border=0, align="left")
    for text in extra:
        row += 1
        sheet.merge_range(row, 0, row, last, text, plain)
        _fit_row(sheet, row, [(text, sum(WIDTHS))])
    _page_setup(sheet, header_row)


def _write_summary_sheet(
    sheet: Any,
    formats: _Formats,
    outcomes: Sequence[AuditOutcome],
    conventions: Sequence[ConventionDifference],
) -> None:
    headers = (
        "工作簿",
        "评分表",
        "被评价单位/项目",
        "自评得分合计",
        "复核得分合计",
        "差异项数",
        "说明",
    )
    widths = (32, 40, 30, 12, 12, 9, 50)
    last = len(headers) - 1
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.merge_range(
        0,
        0,
        0,
        last,
        "评分表复核汇总",
        formats.get(bold=True, font_size=14, align="center", border=0),
    )
    header_row = 1
    for column, title in enumerate(headers):
        sheet.write(
            header_row, column, title, formats.get(bold=True, align="center", bg_color=FILL_HEADER)
        )
    row = header_row
    for outcome in outcomes:
        row += 1
        one = outcome.audit
        differs = one is None or one.difference_count > 0
        fill: dict[str, Any] = {"bg_color": FILL_DIFFERS} if differs else {}
        left = formats.get(align="left", **fill)
        score = formats.get(align="center", num_format="0.00", **fill)
        center = formats.get(align="center", **fill)
        sheet.write_string(row, 0, outcome.source.name, left)
        if one is None:
            for column in range(1, 6):
                sheet.write_blank(row, column, None, center)
            sheet.write_string(row, 6, f"无法复核：{outcome.error}", left)
            _fit_row(sheet, row, [(f"无法复核：{outcome.error}", widths[6])])
            continue
        sheet.write_string(row, 1, one.title, left)
        sheet.write_string(row, 2, "，".join(x for x in (one.unit, one.project) if x), left)
        sheet.write_number(row, 3, float(one.declared_sum), score)
        sheet.write_number(row, 4, float(one.review_sum), score)
        sheet.write_number(row, 5, one.difference_count, center)
        codes = "、".join(line.code for line in one.differing)
        sheet.write_string(row, 6, f"差异指标：{codes}" if codes else "", left)
        _fit_row(
            sheet,
            row,
            [(outcome.source.name, widths[0]), (one.title, widths[1]), (codes, widths[6] - 5)],
        )
    plain = formats.get(border=0, align="left")
    for difference in conventions:
        row += 2
        text = f"跨评价比较：{difference.message}"
        sheet.merge_range(row, 0, row, last, text, plain)
        _fit_row(sheet, row, [(text, sum(widths))])
    _page_setup(sheet, header_row)


def write_review_xlsx(
    outcomes: Sequence[AuditOutcome], conventions: Sequence[ConventionDifference], output: Path
) -> None:
    """The reviewed tables: one sheet per workbook, and a 汇总 sheet when several were given."""
    import xlsxwriter

    if output.suffix.lower() != ".xlsx":
        raise WorkbookError("复核表应以 .xlsx 结尾", Location(file=str(output)))

    def build(temp: Path) -> None:
        book = xlsxwriter.Workbook(str(temp))
        book.set_custom_property(MARK_NAME, MARK_VALUE)
        formats = _Formats(book)
        good = [o for o in outcomes if o.audit is not None]
        if len(outcomes) > 1 or not good:
            _write_summary_sheet(book.add_worksheet(SUMMARY_SHEET), formats, outcomes, conventions)
        for outcome, name in zip(good, _sheet_names(good), strict=True):
            assert outcome.audit is not None
            mine = [
                d for d in conventions if any(u.workbook == outcome.audit.workbook for u in d.uses)
            ]
            _write_review_sheet(book.add_worksheet(name), formats, outcome, mine)
        book.close()

    write_file(output, build)


def is_review_workbook(path: Path) -> bool:
    """Whether ``path`` is a review workbook ``audit --xlsx`` wrote (by its document property)."""
    custom = zip_member(path, "docProps/custom.xml")
    return custom is not None and f"<vt:lpwstr>{MARK_VALUE}</vt:lpwstr>".encode() in custom


def check_review_output(files: Sequence[Path], xlsx: Path) -> None:
    """Refuse a review workbook path that is one of the reviewed files (before reviewing)."""
    if xlsx.suffix.lower() != ".xlsx":
        raise OutputError("复核表应以 .xlsx 结尾", Location(file=str(xlsx)))
    if any(same_file(f, xlsx) for f in files):
        raise OutputError(
            "复核表不能写到被复核的工作簿上（输入文件不会被修改）", Location(file=str(xlsx))
        )


def review_files(
    files: Sequence[Path],
) -> tuple[list[AuditOutcome], list[ConventionDifference]]:
    """Review every file, then compare conventions across the reviewed ones."""
    outcomes = [audit_file(f) for f in files]
    conventions = compare_conventions([o.audit for o in outcomes if o.audit is not None])
    return outcomes, list(conventions)


def exit_code(outcomes: Sequence[AuditOutcome], conventions: Sequence[ConventionDifference]) -> int:
    """0 without differences, 1 with differences, 2 if a file could not be reviewed."""
    if any(o.error is not None for o in outcomes):
        return EXIT_ERROR
    return EXIT_DIFFERENCES if total_differences(outcomes, conventions) else EXIT_CLEAN
