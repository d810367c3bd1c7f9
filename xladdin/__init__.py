"""xladdin: score Chinese budget performance evaluations (预算绩效评价).

The library surface::

    import xladdin

    rubric = xladdin.load_rubric("nanjing-dsj-2022")          # bundled id or YAML path
    evidence = xladdin.load_evidence("my-evidence.yaml")
    result = xladdin.score(rubric, evidence)                  # pure, Decimal throughout
    result.total, result.grade, result.indicator("B11").reason
    xladdin.lint(rubric, evidence)                            # findings by indicator code
    xladdin.template(rubric, "评分表.xlsx", evidence)           # a workbook in the official layout
    xladdin.recalc("评分表.xlsx", "评分表-重算.xlsx")           # a workbook, headless
    xladdin.rubric_from_data(json.loads(text), "指标体系")      # a rubric from JSON, no YAML

Names are imported on first use, so the command line starts without loading what it does not need.
``import xladdin`` and the scoring core (score, lint, narrative) load only the standard library
and pydantic: file formats (YAML, xlsx, docx, pandas), the command line and Excel are imported by
the functions that need them, so the core also runs in a browser (Pyodide, xlwings Lite).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core.errors import EvidenceError, RubricError, WorkbookError, XladdinError
    from .core.evidence import Evidence, LineEvidence
    from .core.lint import lint
    from .core.result import Finding, Result
    from .core.rubric import Rubric
    from .core.scoring import score
    from .core.validation import evidence_from_data, rubric_from_data
    from .library import bundled, load_evidence, load_rubric
    from .workbook.recalc import Recalculated

_LAZY = {
    "EvidenceError": "xladdin.core.errors",
    "RubricError": "xladdin.core.errors",
    "WorkbookError": "xladdin.core.errors",
    "XladdinError": "xladdin.core.errors",
    "Evidence": "xladdin.core.evidence",
    "LineEvidence": "xladdin.core.evidence",
    "lint": "xladdin.core.lint",
    "Finding": "xladdin.core.result",
    "Result": "xladdin.core.result",
    "Rubric": "xladdin.core.rubric",
    "score": "xladdin.core.scoring",
    "evidence_from_data": "xladdin.core.validation",
    "rubric_from_data": "xladdin.core.validation",
    "bundled": "xladdin.library",
    "load_evidence": "xladdin.library",
    "load_rubric": "xladdin.library",
}

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
    "evidence_from_data",
    "lint",
    "load_evidence",
    "load_rubric",
    "recalc",
    "rubric_from_data",
    "score",
    "template",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'xladdin' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def recalc(source: str | Path, output: str | Path | None = None) -> Recalculated:
    """Recalculate a workbook made by xladdin; write it to ``output`` when given."""
    from .workbook.recalc import recalc as _recalc

    return _recalc(Path(source), Path(output) if output is not None else None)


def template(rubric: Rubric | str, output: str | Path, evidence: Evidence | None = None) -> None:
    """Write the workbook of ``rubric`` (an id, a YAML path or a Rubric), filled if evidence is given."""
    from .core.rubric import Rubric as _Rubric
    from .library import load_rubric as _load_rubric
    from .workbook.build import FunctionInfo, write_workbook

    loaded = rubric if isinstance(rubric, _Rubric) else _load_rubric(rubric)
    target = Path(output)
    functions: tuple[FunctionInfo, ...] = ()
    if target.suffix.lower() == ".xlsm":
        from .excel.udfs import workbook_function_help

        functions = tuple(workbook_function_help())
    write_workbook(loaded, target, evidence, functions=functions)
