"""Plain-data views of a result (JSON for ``--json``, rows for tables)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .result import Finding, Result


def number(value: Decimal | None) -> float | int | None:
    """A Decimal as a JSON number: integral values as int, others as the nearest float."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "severity": finding.severity,
        "check": finding.check,
        "code": finding.code,
        "field": finding.field,
        "message": finding.message,
    }


def result_dict(
    result: Result, workbook: str | None = None, findings: list[Finding] | None = None
) -> dict[str, Any]:
    """The ``recalc --json`` shape: totals, first-level groups and lines; rates as fractions."""
    return {
        "workbook": workbook,
        "rubric": result.rubric_id,
        "title": result.title,
        "total": number(result.total),
        "grade": result.grade,
        "complete": result.complete,
        "subtotal": number(result.subtotal),
        "bonus": number(result.bonus),
        "penalty": number(result.penalty),
        "levels": [
            {
                "code": level.code,
                "name": level.name,
                "depth": level.depth,
                "weight": number(level.weight),
                "score": number(level.score),
                "rate": number(level.rate),
            }
            for level in result.levels
        ],
        "indicators": [
            {
                "code": line.code,
                "name": line.name,
                "weight": number(line.weight),
                "score": number(line.score),
                "deduction": number(line.deduction),
                "reason": line.reason,
                "status": line.status,
                "method": line.method,
            }
            for line in result.indicators
        ],
        "warnings": [
            finding_dict(f) for f in (findings if findings is not None else result.findings)
        ],
    }
