"""Evidence (佐证): what was found for each line, kept apart from the rubric that scores it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from .fields import Model, NonNeg, Num


class Deduction(Model):
    """One stated deduction with its reason (000 C53 has two of 25%)."""

    share: NonNeg | None = None
    points: NonNeg | None = None
    reason: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_amount(self) -> Deduction:
        if (self.share is None) == (self.points is None):
            raise ValueError("每项扣分须且只须给出 share（扣权重比例）或 points（扣分）之一")
        return self


class Decision(Model):
    """The evaluator's decision on a line (评价人认定), always with a reason.

    Exactly one amount: ``score`` (认定得分), ``share`` (得X%权重分), ``deduct_share``
    (扣X%权重分), ``deduct_points`` (扣X分) or ``deductions`` (several, each with its reason).
    ``band`` names one of the national qualitative bands; ``share`` then says where in it.
    """

    score: NonNeg | None = None
    share: NonNeg | None = None
    deduct_share: NonNeg | None = None
    deduct_points: NonNeg | None = None
    deductions: list[Deduction] | None = None
    band: str | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _one_amount(self) -> Decision:
        amounts = [
            self.score,
            self.share,
            self.deduct_share,
            self.deduct_points,
            self.deductions,
        ]
        given = sum(amount is not None for amount in amounts)
        if given != 1:
            raise ValueError(
                "评价人认定须且只须给出一种分值：score（认定得分）、share（得分比例）、"
                "deduct_share（扣分比例）、deduct_points（扣分）或 deductions（分项扣分）"
            )
        if self.band is not None and self.share is None:
            raise ValueError("选择评价档次时须给出 share（该档内的得分比例）")
        if not self.reason.strip() and not self.deductions:
            raise ValueError("评价人认定须说明理由（reason）")
        return self

    def reasons(self) -> str:
        if self.deductions:
            return "；".join(d.reason for d in self.deductions)
        return self.reason


class FundsSource(Model):
    """One source row of the form's funds block (当年财政拨款, 上年结转资金, 其他资金)."""

    label: str
    budget: Num | None = None
    spent: Num | None = None


class LineEvidence(Model):
    """What was found for one line. Which fields matter depends on the line's method."""

    value: Num | None = None
    numerator: Num | None = None
    denominator: Num | None = None
    met: list[bool] | None = None
    failed: list[int] | None = None
    count: int | None = Field(default=None, ge=0)
    counts: list[Annotated[int, Field(ge=0)]] | None = None
    rates: list[Num] | None = None
    passed: bool | None = None
    decision: Decision | None = None
    not_applicable: bool = False
    na_reason: str | None = None
    deviation_reason: str | None = None
    narrative: str | None = None
    declared: Num | None = None
    points: NonNeg | None = None
    note: str | None = None
    sources: list[FundsSource] | None = None  # the funds block's source rows, as printed
    confirmed: bool = False
    """已核对: the officer checked the line's implausible evidence and confirms it."""

    @field_validator("denominator")
    @classmethod
    def _denominator_not_zero(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value == 0:
            raise ValueError("分母（预算数/计划数）为0，无法计算比率")
        return value

    @field_validator("failed")
    @classmethod
    def _failed_positive(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(number < 1 for number in value):
            raise ValueError("不符合的要点序号从1开始")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> LineEvidence:
        if (self.numerator is None) != (self.denominator is None):
            raise ValueError("分子与分母须同时填写")
        if self.value is not None and self.numerator is not None:
            raise ValueError("value（实际值）与 numerator/denominator（分子/分母）只能填一种")
        if self.met is not None and self.failed is not None:
            raise ValueError("met（各要点是否符合）与 failed（不符合的要点）只能填一种")
        return self

    def has_measure(self) -> bool:
        return self.value is not None or self.numerator is not None


class Evidence(Model):
    """The evidence of one evaluation, keyed by indicator code."""

    rubric: str = Field(min_length=1)
    unit: str | None = None
    department: str | None = None
    project: str | None = None
    evaluator: str | None = None
    period: str | None = None
    source: str | None = None
    lines: dict[str, LineEvidence] = Field(default_factory=dict)

    def line(self, code: str) -> LineEvidence | None:
        return self.lines.get(code)
