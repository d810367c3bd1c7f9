"""Field types shared by the rubric, its scoring methods and the evidence models."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from .numbers import NumberParseError, to_decimal


def _number(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except NumberParseError as exc:
        raise ValueError(str(exc)) from None


def _non_negative(value: Any) -> Decimal:
    number = _number(value)
    if number < 0:
        raise ValueError(f"不能为负数（{number}）")
    return number


def _text(value: Any) -> Any:
    # Targets such as 100% or 1 arrive from YAML as numbers; they are printed text in the table.
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return str(value)
    return value


Num = Annotated[Decimal, BeforeValidator(_number)]
NonNeg = Annotated[Decimal, BeforeValidator(_non_negative)]
Text = Annotated[str, BeforeValidator(_text)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Frozen(Model):
    """A part of a rubric. What is derived from a loaded rubric is kept for as long as it lives
    (:mod:`xladdin.core.once`), so a rubric is never changed in place: its parts refuse it
    (build a new one, e.g. with ``model_copy(update=…)``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
