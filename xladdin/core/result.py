"""Results of scoring: per line, per group, and for the whole evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["scored", "needs_check", "missing_evidence", "invalid_evidence", "not_applicable"]
Severity = Literal["error", "warning", "info"]

STATUS_NAMES: dict[str, str] = {
    "scored": "已评分",
    "needs_check": "需核对",
    "missing_evidence": "缺少佐证",
    "invalid_evidence": "佐证有误",
    "not_applicable": "不适用",
}

UNFINISHED: tuple[Status, ...] = ("needs_check", "missing_evidence", "invalid_evidence")
"""Statuses whose line has no final score: the result is incomplete while a line has one.
需核对 (``needs_check``): the evidence is implausible; the score shown waits for the officer
to check the value and fix it, or confirm it (已核对: 是)."""

SEVERITY_NAMES: dict[str, str] = {"error": "错误", "warning": "警告", "info": "提示"}


class Finding(BaseModel):
    """One thing the linter or the scorer noticed, by indicator code."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    check: str
    message: str
    code: str | None = None
    field: str | None = None

    def line(self) -> str:
        where = f"{self.code} " if self.code else ""
        return f"[{SEVERITY_NAMES[self.severity]}] {where}{self.message}"


class IndicatorResult(BaseModel):
    code: str
    name: str
    path: list[str]
    method: str
    weight: Decimal
    effective_weight: Decimal
    score: Decimal | None
    deduction: Decimal | None
    status: Status
    reason: str
    value: Decimal | None = None
    decided: bool = False
    rule_score: Decimal | None = None
    rule_reason: str | None = None
    declared: Decimal | None = None
    field: str | None = None
    """The evidence field the reason of an unscored line is about (``denominator`` …)."""
    confirmed: bool = False
    """The officer confirmed the line's implausible evidence (已核对: 是)."""


class LevelResult(BaseModel):
    code: str
    name: str
    depth: int
    weight: Decimal
    applicable_weight: Decimal
    score: Decimal
    rate: Decimal | None
    complete: bool
    child_codes: list[str]
    counts: dict[int, int] = Field(default_factory=dict)
    deducted: list[str] = Field(default_factory=list)


class AdjustmentResult(BaseModel):
    kind: Literal["bonus", "penalty"]
    code: str
    name: str
    points: Decimal
    reason: str = ""


class Result(BaseModel):
    rubric_id: str
    title: str
    subtotal: Decimal
    bonus: Decimal
    penalty: Decimal
    total: Decimal
    total_weight: Decimal
    rate: Decimal | None
    grade: str | None
    complete: bool
    levels: list[LevelResult]
    indicators: list[IndicatorResult]
    adjustments: list[AdjustmentResult] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)

    def indicator(self, code: str) -> IndicatorResult:
        for line in self.indicators:
            if line.code == code:
                return line
        raise KeyError(code)

    def level(self, code: str) -> LevelResult:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(code)

    def top_levels(self) -> list[LevelResult]:
        return [level for level in self.levels if level.depth == 1]


_M = TypeVar("_M", bound=BaseModel)
_FIELD_NAMES: dict[type[BaseModel], list[str] | None] = {}
_set = object.__setattr__


def trusted(cls: type[_M], **values: Any) -> _M:
    """``cls.model_construct(**values)`` for values the core computed itself, given for every
    field in the order the model declares them: the same instance, built without pydantic's
    per-field alias and default handling (a result has ~90 of them). Anything else is left to
    ``model_construct``."""
    try:
        names = _FIELD_NAMES[cls]
    except KeyError:
        plain = not cls.__pydantic_post_init__ and not cls.model_config.get("extra")
        names = _FIELD_NAMES[cls] = list(cls.model_fields) if plain else None
    if names is None or list(values) != names:
        return cls.model_construct(**values)
    return assembled(cls, values, values.keys())


def assembled(cls: type[_M], values: dict[str, Any], given: Iterable[str]) -> _M:
    """A ``cls`` holding ``values`` (every field, in the order the model declares them), with
    ``given`` as the fields set: what validation builds from values it accepts as they are.
    Nothing is checked; for a model without extra fields, private attributes or post-init."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(given))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


_INDICATOR_FIELDS = frozenset(IndicatorResult.model_fields)
_LEVEL_FIELDS = frozenset(LevelResult.model_fields)


def indicator_result(
    *,
    code: str,
    name: str,
    path: list[str],
    method: str,
    weight: Decimal,
    effective_weight: Decimal,
    score: Decimal | None,
    deduction: Decimal | None,
    status: Status,
    reason: str,
    value: Decimal | None,
    decided: bool,
    rule_score: Decimal | None,
    rule_reason: str | None,
    declared: Decimal | None,
    field: str | None,
    confirmed: bool,
) -> IndicatorResult:
    """:func:`trusted` for a line's result, the scorer's ~60 a workbook: every field by keyword
    (a missing or unknown one is a TypeError), without checking the order at every call."""
    values = {
        "code": code,
        "name": name,
        "path": path,
        "method": method,
        "weight": weight,
        "effective_weight": effective_weight,
        "score": score,
        "deduction": deduction,
        "status": status,
        "reason": reason,
        "value": value,
        "decided": decided,
        "rule_score": rule_score,
        "rule_reason": rule_reason,
        "declared": declared,
        "field": field,
        "confirmed": confirmed,
    }
    return assembled(IndicatorResult, values, _INDICATOR_FIELDS)


def level_result(
    *,
    code: str,
    name: str,
    depth: int,
    weight: Decimal,
    applicable_weight: Decimal,
    score: Decimal,
    rate: Decimal | None,
    complete: bool,
    child_codes: list[str],
    counts: dict[int, int],
    deducted: list[str],
) -> LevelResult:
    """:func:`trusted` for a group's result (see :func:`indicator_result`)."""
    values = {
        "code": code,
        "name": name,
        "depth": depth,
        "weight": weight,
        "applicable_weight": applicable_weight,
        "score": score,
        "rate": rate,
        "complete": complete,
        "child_codes": child_codes,
        "counts": counts,
        "deducted": deducted,
    }
    return assembled(LevelResult, values, _LEVEL_FIELDS)


def _check_builders() -> None:
    """The builders name every field of their model, in its order (else they would build
    models that differ from validated ones)."""
    for build, cls in ((indicator_result, IndicatorResult), (level_result, LevelResult)):
        code = build.__code__
        if code.co_varnames[: code.co_kwonlyargcount] != tuple(cls.model_fields):
            raise TypeError(f"{build.__name__} does not match the fields of {cls.__name__}")
        if cls.__pydantic_post_init__ or cls.model_config.get("extra"):
            raise TypeError(f"{cls.__name__} cannot be built without pydantic")


_check_builders()
