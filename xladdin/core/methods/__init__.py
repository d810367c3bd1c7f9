"""The scoring methods: one module each, collected in the registry ``METHODS``.

Each module (``ratio``, ``bands``, ``checklist``, ``deduction``, ``threshold``, ``judgement``,
``manual``, ``itemized``, ``tolerance``, ``survey``) holds its pydantic model, its arithmetic as pure functions of
Decimals (shared with the worksheet functions; they return unrounded points and raise
:class:`MethodError` with a Chinese message), the evidence inputs it needs, its lint checks and its rule-text patterns,
tied together in a :class:`MethodSpec` named ``SPEC``. Code that needs "the method of this
line" looks it up with :func:`method_spec`. How to add a method: ``docs/developing.md``.
"""

from __future__ import annotations

import functools
import operator
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import Field

from . import (
    bands,
    checklist,
    deduction,
    itemized,
    judgement,
    manual,
    ratio,
    survey,
    threshold,
    tolerance,
)
from .bands import Band, BandsMethod, Direction, band_points
from .base import (
    CONFIRMED,
    DECISION_REASON,
    DECISION_SCORE,
    DECISION_SHARE,
    DEDUCT_POINTS,
    DEDUCT_SHARE,
    DEVIATION_REASON,
    LINE_INPUTS,
    NOT_APPLICABLE,
    OPTIONAL_INPUTS,
    EvidenceInput,
    InputKind,
    MethodError,
    MethodSpec,
    MissingEvidence,
    Outcome,
    Pattern,
    finish,
    format_value,
    measured_value,
    rate,
)
from .checklist import ChecklistItem, ChecklistMethod, checklist_flags, checklist_points
from .deduction import COUNT, DeductionMethod, deduction_points
from .itemized import DeductionItem, ItemizedDeductionMethod, itemized_points
from .judgement import (
    BAND,
    NATIONAL_JUDGEMENT_BANDS,
    JudgementMethod,
    band_table,
    judgement_bands,
    judgement_points,
)
from .manual import ManualMethod
from .ratio import Inverse, RatioMethod, RatioMode, RatioPoints, completion, ratio_points
from .survey import SurveyItem, SurveyMethod, survey_points
from .threshold import OP_TEXT, ThresholdMethod, ThresholdOp, threshold_met
from .tolerance import ToleranceMethod, ToleranceMode, tolerance_points

METHODS: dict[str, MethodSpec[Any]] = {
    spec.type: spec
    for spec in (
        ratio.SPEC,
        bands.SPEC,
        checklist.SPEC,
        deduction.SPEC,
        threshold.SPEC,
        judgement.SPEC,
        manual.SPEC,
        itemized.SPEC,
        tolerance.SPEC,
        survey.SPEC,
    )
}
"""Every scoring method by its ``type``, in the order the documentation lists them."""

if TYPE_CHECKING:  # the same models as METHODS, spelt out for the type checker
    AnyMethod = (
        RatioMethod
        | BandsMethod
        | ChecklistMethod
        | DeductionMethod
        | ThresholdMethod
        | JudgementMethod
        | ManualMethod
        | ItemizedDeductionMethod
        | ToleranceMethod
        | SurveyMethod
    )
else:
    AnyMethod = functools.reduce(operator.or_, (spec.model for spec in METHODS.values()))

Method = Annotated[AnyMethod, Field(discriminator="type")]
"""A leaf's scoring method: one of the registered models, told apart by ``type``."""

METHOD_NAMES: dict[str, str] = {key: spec.name for key, spec in METHODS.items()}
"""The Chinese name of every method ``type``."""


def method_spec(method_or_type: Any) -> MethodSpec[Any]:
    """The spec of a method model, of a method ``type`` string, or of a node's method."""
    key: Any = method_or_type
    if not isinstance(key, str):
        method = getattr(method_or_type, "method", None) or method_or_type
        key = getattr(method, "type", None)
    if not isinstance(key, str) or key not in METHODS:
        raise KeyError(f"unknown scoring method {method_or_type!r}")
    return METHODS[key]


__all__ = [
    "BAND",
    "CONFIRMED",
    "COUNT",
    "DECISION_REASON",
    "DECISION_SCORE",
    "DECISION_SHARE",
    "DEDUCT_POINTS",
    "DEDUCT_SHARE",
    "DEVIATION_REASON",
    "LINE_INPUTS",
    "METHODS",
    "METHOD_NAMES",
    "NATIONAL_JUDGEMENT_BANDS",
    "NOT_APPLICABLE",
    "OPTIONAL_INPUTS",
    "OP_TEXT",
    "AnyMethod",
    "Band",
    "BandsMethod",
    "ChecklistItem",
    "ChecklistMethod",
    "DeductionItem",
    "DeductionMethod",
    "Direction",
    "EvidenceInput",
    "InputKind",
    "Inverse",
    "ItemizedDeductionMethod",
    "JudgementMethod",
    "ManualMethod",
    "Method",
    "MethodError",
    "MethodSpec",
    "MissingEvidence",
    "Outcome",
    "Pattern",
    "RatioMethod",
    "RatioMode",
    "RatioPoints",
    "SurveyItem",
    "SurveyMethod",
    "ThresholdMethod",
    "ThresholdOp",
    "ToleranceMethod",
    "ToleranceMode",
    "band_points",
    "band_table",
    "checklist_flags",
    "checklist_points",
    "completion",
    "deduction_points",
    "finish",
    "format_value",
    "itemized_points",
    "judgement_bands",
    "judgement_points",
    "measured_value",
    "method_spec",
    "rate",
    "ratio_points",
    "survey_points",
    "threshold_met",
    "tolerance_points",
]
