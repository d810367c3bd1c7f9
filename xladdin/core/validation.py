"""Turn raw data (parsed YAML, a workbook's hidden sheet) into models, or into one clear error.

pydantic's errors name a path such as ``levels.0.children.1.children.0.weight``; a finance
officer needs "指标 A21，字段 weight（权重）：应为数字，实际为“两分”".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import EvidenceError, Location, RubricError, XladdinError
from .evidence import Evidence
from .rubric import METHOD_NAMES, Rubric

FIELD_NAMES: dict[str, str] = {
    "id": "编号",
    "title": "标题",
    "kind": "评价类型",
    "year": "年度",
    "code": "指标编码",
    "name": "指标名称",
    "weight": "权重",
    "target": "目标值",
    "rule": "评分规则",
    "method": "评分方法",
    "type": "方法类型",
    "children": "下级指标",
    "levels": "指标",
    "mode": "计分方式",
    "step": "步长",
    "step_deduct": "每步扣分比例",
    "bands": "分档",
    "bound": "分档界限",
    "items": "要点",
    "per_share": "每次扣权重比例",
    "per_points": "每次扣分",
    "op": "比较方式",
    "value": "实际值",
    "numerator": "分子",
    "denominator": "分母",
    "met": "各要点是否符合",
    "failed": "不符合的要点",
    "count": "发现次数",
    "counts": "各扣分项发现次数",
    "rates": "各调查项满意率",
    "passed": "是否达标",
    "decision": "评价人认定",
    "score": "认定得分",
    "share": "比例",
    "deduct_share": "扣分比例",
    "deduct_points": "扣分",
    "deductions": "分项扣分",
    "reason": "理由",
    "points": "分值",
    "declared": "自评得分",
    "lines": "佐证",
    "rubric": "指标体系",
    "grades": "等级",
    "rounding": "舍入规则",
    "places": "小数位数",
    "confirmed": "已核对",
    "plausibility": "核对规则",
    "percent_as_number": "百分数误填整数界限",
    "far_above_target": "远超目标值倍数",
    "rate_over_whole": "比率上限",
}

_NUMBER_ERRORS = {
    "decimal_parsing",
    "decimal_type",
    "float_parsing",
    "float_type",
    "int_parsing",
    "int_type",
    "int_from_float",
}

M = TypeVar("M", bound=BaseModel)


def _message(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    if kind == "missing":
        return "缺少必填项"
    if kind == "extra_forbidden":
        return "未知字段（请检查拼写）"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind in _NUMBER_ERRORS:
        return f"应为数字，实际为“{given}”"
    if kind in ("string_type",):
        return f"应为文本，实际为“{given}”"
    if kind in ("bool_type", "bool_parsing"):
        return f"应为是/否（true/false），实际为“{given}”"
    if kind in ("list_type",):
        return "应为列表"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "应为键值结构"
    if kind == "literal_error":
        return f"取值“{given}”无效，可用：{ctx.get('expected', '')}"
    if kind == "union_tag_invalid":
        names = "、".join(f"{key}（{label}）" for key, label in METHOD_NAMES.items())
        return f"未知的评分方法“{ctx.get('tag')}”，可用：{names}"
    if kind == "union_tag_not_found":
        return "评分方法缺少 type（方法类型）"
    if kind == "string_pattern_mismatch":
        return f"“{given}”格式不符：只能用小写字母、数字、点、下划线和连字符"
    if kind in ("greater_than_equal", "greater_than"):
        return f"不能小于{ctx.get('ge', ctx.get('gt'))}，实际为“{given}”"
    if kind in ("less_than_equal", "less_than"):
        return f"不能大于{ctx.get('le', ctx.get('lt'))}，实际为“{given}”"
    if kind in ("too_short", "string_too_short"):
        return "不能为空"
    return str(error["msg"])


def _locate(data: Any, loc: Sequence[int | str]) -> tuple[str | None, str | None]:
    """The indicator code nearest to the error and the field path below it."""
    code: str | None = None
    field: list[str] = []
    node = data
    in_lines = False
    for part in loc:
        if (
            isinstance(node, dict)
            and isinstance(part, str)
            and part not in node
            and node.get("type") == part
        ):
            continue  # a discriminated union's tag, not a field
        if in_lines:  # evidence: lines are keyed by indicator code
            in_lines = False
            code, field = str(part), []
            node = node.get(part) if isinstance(node, dict) else None
            continue
        if node is data and part == "lines":
            in_lines = True
            node = data.get("lines") if isinstance(data, dict) else None
            continue
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
        field.append(str(part))
        if isinstance(node, dict) and isinstance(node.get("code"), str) and node["code"].strip():
            code, field = node["code"], []
    names = [p for p in field if not p.isdigit()]
    if not names:
        return code, None
    label = FIELD_NAMES.get(names[-1])
    path = ".".join(names)
    return code, f"{path}（{label}）" if label else path


def validation_error(
    exc: ValidationError, data: Any, source: str, error_type: type[XladdinError]
) -> XladdinError:
    problems = []
    for error in exc.errors():
        code, field = _locate(data, error["loc"])
        problems.append((Location(file=source, code=code, field=field), _message(error)))
    first_location, first_message = problems[0]
    details = [f"{loc.describe()}：{msg}" for loc, msg in problems[1:]]
    return error_type(first_message, first_location, details)


def _validate(model: type[M], data: Any, source: str, error_type: type[XladdinError]) -> M:
    if not isinstance(data, dict):
        raise error_type("内容应为键值结构（YAML 映射），实际不是", Location(file=source))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, data, source, error_type) from None


def rubric_from_data(data: Any, source: str) -> Rubric:
    """Validate parsed data as a rubric; errors name ``source``, the indicator and the field."""
    return _validate(Rubric, data, source, RubricError)


def evidence_from_data(data: Any, source: str) -> Evidence:
    """Validate parsed data as evidence; errors name ``source``, the indicator and the field."""
    return _validate(Evidence, data, source, EvidenceError)
