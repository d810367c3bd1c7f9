"""A rubric's rounding policy: how scores, rates, measured values and weights are rounded."""

from __future__ import annotations

from pydantic import Field

from .fields import Model
from .numbers import RoundingMode


class RoundingRule(Model):
    places: int = Field(ge=0, le=10)
    mode: RoundingMode = "half_up"


class RoundingPolicy(Model):
    """How numbers are rounded. ``rate`` is the 得分率 as a fraction (4 places = 88.93%);
    ``effective_weight`` is a line's weight rescaled when other lines are not applicable."""

    score: RoundingRule = RoundingRule(places=2, mode="half_up")
    rate: RoundingRule = RoundingRule(places=4, mode="half_up")
    value: RoundingRule = RoundingRule(places=4, mode="half_up")
    effective_weight: RoundingRule = RoundingRule(places=4, mode="half_up")
    score_on_rounded_value: bool = True
