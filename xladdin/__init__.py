"""xladdin: score Chinese budget performance evaluations (预算绩效评价).

The library surface::

    import xladdin

    rubric = xladdin.load_rubric("nanjing-dsj-2022")          # bundled id or YAML path
    evidence = xladdin.load_evidence("my-evidence.yaml")
    result = xladdin.score(rubric, evidence)                  # pure, Decimal throughout
    result.total, result.grade, result.indicator("B11").reason
    xladdin.lint(rubric, evidence)                            # findings by indicator code
    xladdin.recalc("评分表.xlsx", "评分表-重算.xlsx")           # a workbook, headless

Workbook and Excel modules are imported only when used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .core.errors import EvidenceError, RubricError, WorkbookError, XladdinError
from .core.evidence import Evidence, LineEvidence
from .core.lint import lint
from .core.result import Finding, Result
from .core.rubric import Rubric
from .core.scoring import score
from .library import bundled, load_evidence, load_rubric

if TYPE_CHECKING:
    from .workbook.recalc import Recalculated

__all__ = [
    "Evidence",
    "EvidenceError",
    "Finding",
    "LineEvidence",
    "Result",
    "Rubric",
    "RubricError",
    "WorkbookError",
    "XladdinError",
    "bundled",
    "lint",
    "load_evidence",
    "load_rubric",
    "recalc",
    "score",
    "template",
]


def recalc(source: str | Path, output: str | Path | None = None) -> Recalculated:
    """Recalculate a workbook made by xladdin; write it to ``output`` when given."""
    from .workbook.recalc import recalc as _recalc

    return _recalc(Path(source), Path(output) if output is not None else None)


def template(rubric: Rubric | str, output: str | Path, evidence: Evidence | None = None) -> None:
    """Write the workbook of ``rubric`` (an id, a YAML path or a Rubric), filled if evidence is given."""
    from .workbook.build import write_workbook

    loaded = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    write_workbook(loaded, Path(output), evidence)
