"""What the scoring core makes of one rubric and its evidence, as plain JSON data.

The same function runs in CPython (the test) and inside Pyodide (``cases.py`` under
``harness.mjs``); the test compares the two. It imports only xladdin and the standard library,
so it runs where only pydantic is installed.

The rubric arrives as JSON, as a workbook's hidden 指标体系 sheet stores it, and the evidence as
JSON too: no YAML reader is needed where the core runs in a browser.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from typing import Any

# Modules the browser-safe import path must not load: file formats, the CLI, Excel.
DESKTOP_MODULES = (
    "yaml",
    "lxml",
    "openpyxl",
    "xlsxwriter",
    "pandas",
    "numpy",
    "click",
    "docx",
    "xlwings",
    "tqdm",
)

# What a browser session imports: the package, the core, the worksheet-function helpers that do
# not need Excel, and the reader of a live book.
CORE_MODULES = (
    "xladdin",
    "xladdin.core.scoring",
    "xladdin.core.lint",
    "xladdin.core.narrative",
    "xladdin.core.export",
    "xladdin.core.validation",
    "xladdin.core.audit",
    "xladdin.workbook.plan",
    # what xlwings Lite's "重算本工作簿" reads the open book with: no lxml, no file formats
    "xladdin.workbook.reader",
    "xladdin.workbook.recalc",
    "xladdin.excel.live",
)


def desktop_modules_loaded() -> list[str]:
    return sorted(name for name in DESKTOP_MODULES if name in sys.modules)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)  # Decimal: its exact text


def snapshot(rubric_json: str, evidence_json: str) -> dict[str, Any]:
    """Total, grade, every line (score, reason, status), levels, lint findings and narrative."""
    import xladdin
    from xladdin.core.narrative import narrate

    rubric = xladdin.rubric_from_data(json.loads(rubric_json), "指标体系")
    evidence = xladdin.evidence_from_data(json.loads(evidence_json), "佐证")
    result = xladdin.score(rubric, evidence)
    findings = xladdin.lint(rubric, evidence, result)
    return {
        "rubric": rubric.id,
        "total": str(result.total),
        "grade": result.grade,
        "result": result.model_dump(mode="json"),
        "lint": [finding.model_dump(mode="json") for finding in findings],
        "lint_lines": [finding.line() for finding in findings],
        "narrative": _plain(narrate(rubric, result, evidence)),
    }


# Worksheet functions on the published lines (and one error), as an officer types them.
FUNCTION_CALLS: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("SCORE_RATE", (1689.29, 1811.58, 1, 1)),  # 000 B11: 0.93
    ("SCORE_RATE", (1435.59, 1465.19, 1, 1)),  # 000 B12: 0.97
    ("SCORE_RATE", (81.25, 100, 10)),  # 001 C11: 8.13
    ("SCORE_RATE", (17641.06, 18700.0, 2)),  # 001 B12: 1.89
    ("EXEC_RATE", (1689.29, 1811.58)),
    ("SCORE_BANDS", (0.8758, [[0.9], [0.8], [0.7], [0.6], [0.5]], [[7], [6], [5], [4], [3]])),
    ("SCORE_CHECKLIST", ([["√", "√", "×"]], 2)),  # 000 A41: 1.33
    ("SCORE_DEDUCT", (1, 2, "25%")),  # 000 A22: 1.5
    ("SCORE_JUDGE", (1, "25%")),  # 000 C43: 0.75
    ("SCORE_JUDGE", (10, 1)),  # 001 B22: 9
    ("PERF_GRADE", (93.08,)),
    ("PERF_GRADE", (87.96,)),
    ("SCORE_REASON", ("SCORE_RATE", "预算执行率", 1689.29, 1811.58, 1, 1)),
    ("SCORE_RATE", (1, 0, 1)),  # an error text in the cell
)


def function_results() -> list[Any]:
    """What the xlwings Lite worksheet functions return for :data:`FUNCTION_CALLS`."""
    from xladdin.excel import lite

    return [getattr(lite, name)(*args) for name, args in FUNCTION_CALLS]


def lite_registration() -> dict[str, Any]:
    """What xlwings Lite's registration reads from the entry point (xlwings 0.37,
    ``xlwings/pro/udfs_officejs.py``): each function's parameters, kinds and defaults and
    whether its type hints resolve; which parameter of the script is annotated ``xw.Book``."""
    import inspect
    import typing

    import xlwings as xw

    from xladdin.excel import lite

    functions = {}
    for name in lite.__all__:
        function = getattr(lite, name)
        parameters = inspect.signature(function).parameters.values()
        hints = typing.get_type_hints(function, include_extras=True)
        functions[name] = {
            "parameters": [
                [p.name, p.kind.name, None if p.default is p.empty else repr(p.default)]
                for p in parameters
            ],
            "hinted": sorted(hints),
            "book": [
                key
                for key, hint in typing.get_type_hints(inspect.unwrap(function)).items()
                if hint is xw.Book
            ],
        }
    return functions
