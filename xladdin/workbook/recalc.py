"""Headless recalculation: read the evidence cells, score with the core, patch the owned cells."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..core.errors import Location, WorkbookError
from ..core.lint import lint
from ..core.result import Finding, Result
from ..core.scoring import score
from .layout import SCORING_SHEET
from .plan import WritePlan, build_plan
from .reader import BookData, WorkbookData, read_workbook


@dataclass
class Recalculated:
    source: Path
    output: Path | None
    data: WorkbookData
    result: Result
    findings: list[Finding]
    plan: WritePlan
    changed: int


def score_book(data: BookData) -> tuple[Result, list[Finding], WritePlan]:
    """Score a read workbook and plan its writes; wrong evidence is an error naming its row."""
    result = _name_gaps(score(data.rubric, data.evidence), data.gaps)
    for line in result.indicators:
        if line.status == "invalid_evidence":
            row = data.rows.leaves[line.code]
            key = _FIELD_INPUTS.get(line.field or "", "code")
            raise WorkbookError(
                line.reason,
                Location(
                    file=data.source.label,
                    sheet=SCORING_SHEET,
                    cell=data.layout.find(key, row) or data.layout.cell("code", row),
                    code=line.code,
                ),
            )
    findings = [*data.notes, *lint(data.rubric, data.evidence, result)]
    plan = build_plan(
        data.rubric,
        result,
        data.rows,
        data.layout,
        live_scores=data.live_scores,
        findings=findings,
    )
    return result, findings, plan


# The input cell (layout key) holding an evidence field a line's reason is about.
_FIELD_INPUTS = {"value": "value", "numerator": "value", "denominator": "denominator"}


def _name_gaps(result: Result, gaps: dict[str, str]) -> Result:
    """A line the reader found one cell short of a measure says which cell (the core, which
    knows no cells, says only what is missing)."""
    if not gaps:
        return result
    lines = [
        line.model_copy(update={"reason": gaps[line.code]})
        if line.code in gaps and line.status == "missing_evidence"
        else line
        for line in result.indicators
    ]
    return result.model_copy(update={"indicators": lines})


def apply_plan(data: WorkbookData, plan: WritePlan) -> int:
    """Patch the package in memory with ``plan``; returns the number of cells that changed."""
    changed = 0
    by_sheet = plan.by_sheet()
    for sheet, writes in by_sheet.items():
        cells = {ref: (w.value, w.formula) for ref, w in writes.items()}
        changed += data.package.write_cells(sheet, cells)
    values = {(w.sheet, w.ref): w.value for writes in by_sheet.values() for w in writes.values()}
    data.package.refresh_chart_caches(values)
    package = data.package
    if (
        changed
        and package.has_formulas_besides(values.keys())
        and not package.calls_worksheet_functions()
    ):
        # The user's own formulas may read the cells just written: their saved results are
        # old until a spreadsheet recalculates, which it then does when it opens the file.
        # Not where the add-in's worksheet functions are used: opened where the add-in is not
        # installed, a recalculation turns them into #NAME? at once (their saved results stay
        # visible until the officer recalculates).
        package.recalculate_on_open()
    return changed


def recalc(source: Path, output: Path | None) -> Recalculated:
    """Recalculate ``source``; write the result to ``output`` (may equal ``source``) if given.

    The output is written atomically and only after everything has been read and scored, so a
    bad workbook never leaves a half-written file behind.
    """
    data = read_workbook(source)
    result, findings, plan = score_book(data)
    changed = apply_plan(data, plan)
    if output is not None:
        if output.is_dir():
            raise WorkbookError("输出路径是一个文件夹", Location(file=str(output)))
        if not data.package.changed and output.resolve() == source.resolve():
            pass  # nothing to change in place
        else:
            try:
                data.package.save(output)
            except OSError as exc:
                raise WorkbookError(
                    f"无法写出文件（{exc.strerror}）", Location(file=str(output))
                ) from None
    return Recalculated(source, output, data, result, findings, plan, changed)
