"""A rubric's policies: how numbers are rounded, and when evidence is implausible."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field

from .fields import Frozen, NonNeg
from .numbers import RoundingMode


class RoundingRule(Frozen):
    places: int = Field(ge=0, le=10)
    mode: RoundingMode = "half_up"


class RoundingPolicy(Frozen):
    """How numbers are rounded. ``rate`` is the 得分率 as a fraction (4 places = 88.93%);
    ``effective_weight`` is a line's weight rescaled when other lines are not applicable."""

    score: RoundingRule = RoundingRule(places=2, mode="half_up")
    rate: RoundingRule = RoundingRule(places=4, mode="half_up")
    value: RoundingRule = RoundingRule(places=4, mode="half_up")
    effective_weight: RoundingRule = RoundingRule(places=4, mode="half_up")
    score_on_rounded_value: bool = True


class PlausibilityPolicy(Frozen):
    """When evidence is implausible enough that its line waits for the officer's check (需核对).

    National defaults; a province whose rules differ sets its own in the rubric's
    ``plausibility``. ``None`` turns a check off.
    """

    percent_as_number: NonNeg | None = Decimal(2)
    """A rate typed into a percentage cell at or above this (2 = 200%) is most likely a
    percentage typed as a whole number (85 for 85%)."""
    far_above_target: NonNeg | None = Decimal(3)
    """A completion at or above this many times the target is worth a second look."""
    rate_over_whole: NonNeg | None = Decimal(1)
    """A rate of two amounts above this (1 = 100%: spending above the budget) is checked."""
