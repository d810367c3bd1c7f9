"""Small rubrics and evidence built in code for tests that need no files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from xladdin.core.evidence import Evidence
from xladdin.core.rubric import Rubric
from xladdin.core.validation import evidence_from_data, rubric_from_data


def leaf(code: str, weight: Any, method: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"code": code, "name": f"指标{code}", "weight": weight, "method": method, **extra}


def group(code: str, weight: Any, children: list[dict[str, Any]]) -> dict[str, Any]:
    return {"code": code, "name": f"分组{code}", "weight": weight, "children": children}


def rubric(levels: list[dict[str, Any]], **extra: Any) -> Rubric:
    data = {"id": "test", "title": "测试评分表", "kind": "department", "levels": levels, **extra}
    return rubric_from_data(data, "test.yaml")


def evidence(lines: dict[str, dict[str, Any]], rubric_id: str = "test") -> Evidence:
    return evidence_from_data({"rubric": rubric_id, "lines": lines}, "evidence.yaml")


def d(text: str) -> Decimal:
    return Decimal(text)
